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

/**
 * Query parameters of GET /api/regressions (strings in, milliseconds and numbers out). A parameter
 * we do not know is refused by name rather than ignored: `recnet=1h` must not silently mean 1h default.
 */
export const regressionParamsSchema = z.looseObject(fields).superRefine((value, ctx) => {
  for (const key of Object.keys(value)) {
    if (!(REGRESSION_PARAMS as readonly string[]).includes(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: `unknown parameter (expected ${REGRESSION_PARAMS.join(", ")})` });
    }
  }
});

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
  verdict: z.enum(["regression", "improvement", "stable"]),
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
