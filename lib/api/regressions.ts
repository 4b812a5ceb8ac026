// The /api/regressions contract, shared by the route handler, `planwatch regressions` and the UI:
// the query parameters (validated the same way for HTTP and the CLI) and the row every client gets.
import { z } from "zod";
import { tryParseDuration, type RankedStatement } from "../regression";

export const DEFAULT_RECENT = "1h";
export const DEFAULT_BASELINE = "24h";

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const parsed = tryParseDuration(text);
      if (parsed.ok) return parsed.ms;
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    });

/**
 * An ISO 8601 instant with its offset, in epoch milliseconds. `since` anchors the recent window at a
 * known moment (e.g. a deploy, or the demo's first change) instead of sliding it with now, so the
 * split between the windows stays put while the page polls.
 */
export const sinceSchema = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 time with its offset (e.g. 2026-11-22T10:00:00Z)" })
  .transform((text) => Date.parse(text))
  .refine((ms) => ms <= Date.now(), "must not be in the future");

/** Length of the recent window: up to now from `sinceMs` when given, else the `recent` duration. */
export function recentWindowMs(recentMs: number, sinceMs: number | undefined, nowMs = Date.now()): number {
  // Whole seconds, rounded up: durations are whole seconds everywhere (formatDuration), and the
  // split then falls at or just before `since`, so the baseline never holds time after it.
  return sinceMs === undefined ? recentMs : Math.max(1_000, Math.ceil((nowMs - sinceMs) / 1_000) * 1_000);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const numberParam = (valid: (n: number) => boolean, expected: string) =>
  z
    .string()
    .trim()
    .regex(NUMBER, `must be ${expected}`)
    .transform(Number)
    .refine((n) => Number.isFinite(n) && valid(n), `must be ${expected}`);

const fields = {
  target: z.string({ error: "required: the name of a target" }).trim().min(1, "required: the name of a target"),
  recent: duration(DEFAULT_RECENT),
  baseline: duration(DEFAULT_BASELINE),
  since: sinceSchema.optional(),
  minRatio: numberParam((n) => n > 1, "a number above 1 (e.g. 1.5)").optional(),
  alpha: numberParam((n) => n > 0 && n < 1, "a number between 0 and 1 (e.g. 0.01)").optional(),
  minCalls: numberParam((n) => Number.isInteger(n) && n >= 2, "a whole number of at least 2").optional(),
};

export const REGRESSION_PARAMS = Object.keys(fields) as readonly (keyof typeof fields)[];

/** A parameter we do not know is refused by name rather than ignored: `recnet=1h` must not silently mean the 1h default. */
function refuseUnknown(known: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) ctx.addIssue({ code: "custom", path: [key], message: `unknown parameter (expected ${known.join(", ")})` });
    }
  };
}

/** The ranking's question (strings in, milliseconds and numbers out): what `planwatch regressions` asks. */
export const regressionParamsSchema = z.looseObject(fields).superRefine(refuseUnknown(REGRESSION_PARAMS));

export const VERDICTS = ["regression", "improvement", "stable"] as const;
export type Verdict = (typeof VERDICTS)[number];
/** Rows per page of GET /api/regressions unless `limit` says otherwise. */
export const DEFAULT_REGRESSIONS_LIMIT = 100;
export const MAX_REGRESSIONS_LIMIT = 1000;
const MAX_OFFSET = 10_000_000;

const pageFields = {
  ...fields,
  /** Rows per page: 1 to MAX_REGRESSIONS_LIMIT, or `all` (every row, asked for explicitly). */
  limit: z
    .string()
    .trim()
    .regex(/^(\d{1,7}|all)$/, `must be a whole number from 1 to ${MAX_REGRESSIONS_LIMIT}, or all`)
    .transform((text) => (text === "all" ? ("all" as const) : Number(text)))
    .refine((n) => n === "all" || (n >= 1 && n <= MAX_REGRESSIONS_LIMIT), `must be a whole number from 1 to ${MAX_REGRESSIONS_LIMIT}, or all`)
    .default(DEFAULT_REGRESSIONS_LIMIT),
  /** Rows of the ranking to skip (the `next` link carries it). */
  offset: z
    .string()
    .trim()
    .regex(/^\d{1,8}$/, `must be a whole number from 0 to ${MAX_OFFSET}`)
    .transform(Number)
    .refine((n) => n <= MAX_OFFSET, `must be a whole number from 0 to ${MAX_OFFSET}`)
    .default(0),
  /** Only rows with one of these verdicts, comma-separated (e.g. `regression,improvement`). */
  verdict: z
    .string()
    .transform((text, ctx) => {
      const asked = text.split(",").map((v) => v.trim());
      const known: readonly string[] = VERDICTS;
      const bad = asked.find((v) => !known.includes(v));
      if (bad !== undefined) {
        ctx.addIssue({ code: "custom", message: `"${bad}" is not a verdict (expected one or more of ${VERDICTS.join(", ")}, comma-separated)` });
        return z.NEVER;
      }
      return VERDICTS.filter((v) => asked.includes(v));
    })
    .optional(),
};

export const REGRESSION_PAGE_PARAMS = Object.keys(pageFields) as readonly (keyof typeof pageFields)[];

/** Query parameters of GET /api/regressions: the ranking's question, then which rows of it. */
export const regressionPageParamsSchema = z.looseObject(pageFields).superRefine(refuseUnknown(REGRESSION_PAGE_PARAMS));

export interface RegressionParams {
  target: string;
  /** The recent window's length; with sinceMs, its length now (recentWindowMs). */
  recentMs: number;
  /** The recent window's anchor (`since`), when given. */
  sinceMs?: number;
  baselineMs: number;
  minRatio?: number;
  alpha?: number;
  minCalls?: number;
}

export function toRegressionParams(parsed: z.output<typeof regressionParamsSchema>): RegressionParams {
  return {
    target: parsed.target,
    recentMs: recentWindowMs(parsed.recent, parsed.since),
    baselineMs: parsed.baseline,
    ...(parsed.since === undefined ? {} : { sinceMs: parsed.since }),
    ...(parsed.minRatio === undefined ? {} : { minRatio: parsed.minRatio }),
    ...(parsed.alpha === undefined ? {} : { alpha: parsed.alpha }),
    ...(parsed.minCalls === undefined ? {} : { minCalls: parsed.minCalls }),
  };
}

/** One row of the answer: exactly these fields, in this order (the CLI's --json prints the same). */
export const regressionRowSchema = z.strictObject({
  statementId: z.string(),
  queryId: z.string(),
  query: z.string(),
  baselineMeanMs: z.number().nullable(),
  recentMeanMs: z.number().nullable(),
  ratio: z.number().nullable(),
  recentCalls: z.number(),
  impactMs: z.number().nullable(),
  pValue: z.number().nullable(),
  verdict: z.enum(VERDICTS),
  cause: z.enum(["plan-change", "same-plan"]).nullable(),
  baselinePlan: z.string().nullable(),
  recentPlan: z.string().nullable(),
  evidence: z.string(),
});
export type RegressionRow = z.infer<typeof regressionRowSchema>;

export const REGRESSION_ROW_FIELDS = Object.keys(regressionRowSchema.shape) as readonly (keyof RegressionRow)[];

/** The contract's fields of a ranked statement, in contract order, whatever else the row carries. */
export function toRegressionRow(r: RankedStatement): RegressionRow {
  return {
    statementId: r.statementId,
    queryId: r.queryId,
    query: r.query,
    baselineMeanMs: r.baselineMeanMs,
    recentMeanMs: r.recentMeanMs,
    ratio: r.ratio,
    recentCalls: r.recentCalls,
    impactMs: r.impactMs,
    pValue: r.pValue,
    verdict: r.verdict,
    cause: r.cause,
    baselinePlan: r.baselinePlan,
    recentPlan: r.recentPlan,
    evidence: r.evidence,
  };
}

const contractRows = new WeakMap<readonly RankedStatement[], readonly RegressionRow[]>();

/**
 * toRegressionRow of every row, once per ranking array: a ranking "as of now" is one immutable array
 * shared by every request (lib/db/regressions.ts), so its contract rows, and what the list and the
 * API derive from them, are built once for all of them.
 */
export function toRegressionRows(ranked: readonly RankedStatement[]): readonly RegressionRow[] {
  let rows = contractRows.get(ranked);
  if (rows === undefined) contractRows.set(ranked, (rows = ranked.map(toRegressionRow)));
  return rows;
}

/** The body of GET /api/regressions: one page of the ranking, and where the next one starts. */
export const regressionPageSchema = z.strictObject({
  target: z.string(),
  /** The windows compared, as durations ("1h"; with `since`, the recent window's length now, in seconds). */
  recent: z.string(),
  baseline: z.string(),
  since: z.iso.datetime().nullable(),
  /** When this ranking was computed (rankings are shared for a while, see the README); null if not known. */
  rankedAt: z.iso.datetime().nullable(),
  /** The verdicts asked for (all three unless `verdict` narrowed them). */
  verdict: z.array(z.enum(VERDICTS)),
  /** Rows of the ranking with those verdicts, over all pages. */
  total: z.number(),
  offset: z.number(),
  limit: z.union([z.number(), z.literal("all")]),
  /** The address of the next page (path and query), null on the last page. */
  next: z.string().nullable(),
  rows: z.array(regressionRowSchema),
});
export type RegressionPage = z.infer<typeof regressionPageSchema>;
