import {
  REGRESSION_PAGE_PARAMS,
  VERDICTS,
  regressionPageParamsSchema,
  toRegressionParams,
  toRegressionRows,
  type RegressionPage,
  type RegressionRow,
  type Verdict,
} from "@/lib/api/regressions";
import { prisma } from "@/lib/db/client";
import { rankTarget, rankingComputedAtMs } from "@/lib/db/regressions";
import { authorizeRequest, errorResponse, parseSearchParams } from "@/lib/http/route";
import { formatDuration } from "@/lib/regression";

export const dynamic = "force-dynamic";

/**
 * Each row's JSON, serialized once per shared ranking (its rows are the same objects for every
 * request until the ranking is replaced): a page is then a join of prepared strings, not a
 * JSON.stringify of its rows per request.
 */
const rowJson = new WeakMap<RegressionRow, string>();
function json(row: RegressionRow): string {
  let text = rowJson.get(row);
  if (text === undefined) rowJson.set(row, (text = JSON.stringify(row)));
  return text;
}

/** The ranking's rows with the asked verdicts, in ranking order, once per ranking and filter. */
const filtered = new WeakMap<readonly RegressionRow[], Map<string, readonly RegressionRow[]>>();
function withVerdicts(rows: readonly RegressionRow[], verdicts: readonly Verdict[]): readonly RegressionRow[] {
  if (verdicts.length === VERDICTS.length) return rows;
  const byFilter = filtered.get(rows) ?? new Map<string, readonly RegressionRow[]>();
  filtered.set(rows, byFilter);
  const key = verdicts.join(",");
  let out = byFilter.get(key);
  if (out === undefined) byFilter.set(key, (out = rows.filter((r) => verdicts.includes(r.verdict))));
  return out;
}

/**
 * GET /api/regressions?target=NAME[&recent=1h&baseline=24h&since=ISO&minRatio=1.5&alpha=0.01&minCalls=20]
 * [&verdict=regression,improvement][&limit=100&offset=0]: one page of the target's statements ranked
 * (regressions by time lost, improvements, stable), with the total and the next page's address.
 * 400 names the parameter and the reason; an unknown target is 404.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    await authorizeRequest(request, "read");
    const { limit, offset, verdict, ...question } = parseSearchParams(request, regressionPageParamsSchema);
    const { target, ...params } = toRegressionParams(question);
    const ranked = await rankTarget(prisma(), { targetName: target, ...params });
    const verdicts = verdict ?? VERDICTS;
    const rows = withVerdicts(toRegressionRows(ranked), verdicts);
    const end = limit === "all" ? rows.length : Math.min(rows.length, offset + limit);
    const rankedAtMs = rankingComputedAtMs(ranked);
    const page: Omit<RegressionPage, "rows"> = {
      target,
      recent: formatDuration(params.recentMs),
      baseline: formatDuration(params.baselineMs),
      since: params.sinceMs === undefined ? null : new Date(params.sinceMs).toISOString(),
      rankedAt: rankedAtMs === undefined ? null : new Date(rankedAtMs).toISOString(),
      verdict: [...verdicts],
      total: rows.length,
      offset,
      limit,
      next: end < rows.length ? nextPage(request, end) : null,
    };
    const head = JSON.stringify(page);
    const body = `${head.slice(0, -1)},"rows":[${rows.slice(offset, end).map(json).join(",")}]}`;
    return new Response(body, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}

/** This request's address (path and query) with offset moved on: every other parameter as the client gave it. */
function nextPage(request: Request, offset: number): string {
  const url = new URL(request.url);
  const query = new URLSearchParams();
  // Known parameters only, in contract order (parsing refused anything else).
  for (const key of REGRESSION_PAGE_PARAMS) {
    const value = key === "offset" ? String(offset) : url.searchParams.get(key);
    if (value !== null) query.set(key, value);
  }
  return `${url.pathname}?${query.toString()}`;
}
