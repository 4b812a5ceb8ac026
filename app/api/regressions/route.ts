import { prisma } from "@/lib/db/client";
import { rankTarget, type RankedStatement } from "@/lib/db/regressions";
import { regressionParamsSchema, toRegressionParams, toRegressionRow } from "@/lib/api/regressions";
import { errorResponse, parseSearchParams } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * The answer's JSON, serialized once per ranking: a ranking "as of now" is one array shared by every
 * request asking the same question (rankTarget), and 5,000 rows are 2.3 MB of JSON, ~16 ms to
 * serialize, for each of twenty polling clients. Dropped with the ranking (weak keys).
 */
const bodies = new WeakMap<readonly RankedStatement[], string>();
function body(rows: readonly RankedStatement[]): string {
  let text = bodies.get(rows);
  if (text === undefined) bodies.set(rows, (text = JSON.stringify(rows.map(toRegressionRow))));
  return text;
}

/**
 * GET /api/regressions?target=NAME&recent=1h&baseline=24h[&minRatio=1.5&alpha=0.01&minCalls=20]:
 * the target's statements ranked (regressions by time lost, improvements, stable). Reads need no
 * identity until accounts exist.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const { target, ...question } = toRegressionParams(parseSearchParams(request, regressionParamsSchema));
    const rows = await rankTarget(prisma(), { targetName: target, ...question });
    return new Response(body(rows), { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
