// The /api/statements contract: the ranked, filtered, sorted and paged statement list that the
// home page shows and polls. Parameters are strings in (URL query), typed values out; a parameter
// we do not know is refused by name. Shared by the route handler, the page and the browser.
import { z } from "zod";
import { regressionRowSchema, sinceSchema } from "./regressions";

export const RECENT_WINDOWS = ["15m", "1h", "6h", "24h"] as const;
export const BASELINE_WINDOWS = ["24h", "7d"] as const;
export const VERDICT_FILTERS = ["regressions", "improvements", "all"] as const;
export const STATEMENT_SORTS = ["impact", "ratio", "calls", "recent"] as const;
export const SORT_DIRECTIONS = ["desc", "asc"] as const;
export const PAGE_SIZES = [25, 50, 100] as const;

export type RecentWindow = (typeof RECENT_WINDOWS)[number];
export type BaselineWindow = (typeof BASELINE_WINDOWS)[number];
export type VerdictFilter = (typeof VERDICT_FILTERS)[number];
export type StatementSort = (typeof STATEMENT_SORTS)[number];
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,6}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const fields = {
  target: z.string().trim().min(1, "must name a target").max(63, "at most 63 characters").optional(),
  recent: oneOf(RECENT_WINDOWS).default("1h"),
  baseline: oneOf(BASELINE_WINDOWS).default("24h"),
  /** Epoch ms: when set, the recent window runs from this instant to now (instead of `recent`). */
  since: sinceSchema.optional(),
  q: z.string().max(500, "at most 500 characters").default(""),
  verdict: oneOf(VERDICT_FILTERS).default("all"),
  sort: oneOf(STATEMENT_SORTS).default("impact"),
  dir: oneOf(SORT_DIRECTIONS).default("desc"),
  page: wholeNumber(1, 100_000).default(1),
  pageSize: wholeNumber(10, 200).default(50),
};

export const STATEMENT_LIST_PARAMS = Object.keys(fields) as readonly (keyof typeof fields)[];

/** GET /api/statements and the home page's URL: unknown parameters are refused by name. */
export const statementListParamsSchema = z
  .looseObject(fields)
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!(STATEMENT_LIST_PARAMS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: "custom", path: [key], message: `unknown parameter (expected ${STATEMENT_LIST_PARAMS.join(", ")})` });
      }
    }
  })
  .transform(({ target, recent, baseline, since, q, verdict, sort, dir, page, pageSize }) => ({ target, recent, baseline, since, q, verdict, sort, dir, page, pageSize }));

export type StatementListParams = z.output<typeof statementListParamsSchema>;

export const DEFAULT_LIST_PARAMS: StatementListParams = statementListParamsSchema.parse({});

/** The URL query for params, leaving out what equals the default (short, stable deep links). */
export function listParamsToQuery(params: StatementListParams): string {
  const out = new URLSearchParams();
  for (const key of STATEMENT_LIST_PARAMS) {
    const value = params[key];
    if (value === undefined || value === "" || value === DEFAULT_LIST_PARAMS[key]) continue;
    out.set(key, key === "since" && typeof value === "number" ? new Date(value).toISOString() : String(value));
  }
  return out.toString();
}

export const runningPlanSchema = z.object({
  planId: z.string().nullable(),
  fingerprint: z.string().nullable(),
  status: z.enum(["Approved", "Unapproved", "Rejected", "Preferred"]).nullable(),
  enabled: z.boolean().nullable(),
});
export type RunningPlan = z.infer<typeof runningPlanSchema>;

export const statementListRowSchema = regressionRowSchema.extend({
  /** The evidence says the recent plan is a generic plan. */
  generic: z.boolean(),
  /** The plan that runs now (whichPlanRuns); null when the statement has no plans. */
  runsNow: runningPlanSchema.nullable(),
});
export type StatementListRow = z.infer<typeof statementListRowSchema>;

export const statementListSchema = z.object({
  target: z.string().nullable(),
  recent: z.string(),
  baseline: z.string(),
  /** Rows matching the filters, over all pages. */
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  pageCount: z.number(),
  /** Verdict counts over the search-filtered rows (before the verdict filter). */
  counts: z.object({ regressions: z.number(), improvements: z.number(), all: z.number() }),
  rows: z.array(statementListRowSchema),
  generatedAt: z.string(),
});
export type StatementList = z.infer<typeof statementListSchema>;

/**
 * The list parameters of a URL query, keeping what is valid: a bad or unknown parameter is dropped
 * (and named in `ignored`) so an old deep link still opens, with the defaults in its place.
 */
export function parseListQuery(query: Record<string, string | string[] | undefined>): { params: StatementListParams; ignored: string[] } {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v !== undefined) flat[key] = v;
  }
  const ignored: string[] = [];
  for (let attempt = 0; attempt <= STATEMENT_LIST_PARAMS.length + Object.keys(flat).length; attempt++) {
    const parsed = statementListParamsSchema.safeParse(flat);
    if (parsed.success) return { params: parsed.data, ignored };
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
    for (const key of bad) {
      delete flat[key];
      ignored.push(key);
    }
    if (bad.size === 0 || bad.has("")) break;
  }
  return { params: DEFAULT_LIST_PARAMS, ignored: Object.keys(query) };
}
