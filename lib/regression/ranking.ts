// Regressed statements, Query Store style: each statement's recent window against its baseline window,
// ranked by additional duration = (recent mean − baseline mean) × recent calls, the time users actually
// lost (or gained) in the recent window.
//
// A verdict needs both statistical and practical significance:
//  - Welch's t-test on the per-call execution times, p < alpha. Calls are the observations, not
//    collection intervals: pg_stat_statements' mean and variance describe single executions, and the
//    number of intervals is an accident of the collection period (60 s or 5 min would change n for the
//    same workload) while averaging each interval away would hide the per-call spread a noisy statement
//    has. Calls are not truly independent (bursts, cache state), so with millions of calls tiny shifts
//    become "significant"; that is what the ratio gate is for.
//  - recent/baseline mean ratio ≥ minRatio (regression) or ≤ 1/minRatio (improvement);
//  - at least minCalls calls in each window.
// Anything else is stable, with the reason in the evidence. An improvement is never a regression.
import { attribute, dominantPlan, type Cause } from "./attribution";
import { formatMs, formatNumber, formatPValue, formatRatio, missingWindows } from "./format";
import type { RegressionWindows, StatementWindows } from "./types";
import { welchTTest, type SampleSummary } from "./welch";
import { windowStats, type WindowStats } from "./window-stats";

export type Verdict = "regression" | "improvement" | "stable";

export interface RankingOptions {
  windows: RegressionWindows;
  /** Significance level of the two-sided test; default 0.01. */
  alpha?: number;
  /** Smallest slowdown factor that counts (and 1/minRatio for speedups); default 1.5. */
  minRatio?: number;
  /** Fewest calls each window needs; default 20. */
  minCalls?: number;
}

export const RANKING_DEFAULTS = { alpha: 0.01, minRatio: 1.5, minCalls: 20 } as const;

export interface RankedStatement {
  statementId: string;
  queryId: string;
  query: string;
  /** Null without calls in the window. */
  baselineMeanMs: number | null;
  recentMeanMs: number | null;
  /** recent / baseline mean; null when either is missing or the baseline mean is 0. */
  ratio: number | null;
  recentCalls: number;
  /** (recent mean − baseline mean) × recent calls; negative for time saved; null without both means. */
  impactMs: number | null;
  /** Two-sided Welch p-value; null when no test was possible. */
  pValue: number | null;
  verdict: Verdict;
  cause: Cause | null;
  /** Fingerprints of the plans that dominated each window's samples; null when none were captured. */
  baselinePlan: string | null;
  recentPlan: string | null;
  evidence: string;
}

export function rankStatements(inputs: readonly StatementWindows[], options: RankingOptions): RankedStatement[] {
  const settings = resolveRankingSettings(options);
  return sortRanked(inputs.map((input) => rankOne(input, options.windows, settings)));
}

export type RankingSettings = Required<Omit<RankingOptions, "windows">>;

export function resolveRankingSettings(options: RankingOptions): RankingSettings {
  const alpha = options.alpha ?? RANKING_DEFAULTS.alpha;
  const minRatio = options.minRatio ?? RANKING_DEFAULTS.minRatio;
  const minCalls = options.minCalls ?? RANKING_DEFAULTS.minCalls;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1 (got ${alpha})`);
  if (!(minRatio > 1 && Number.isFinite(minRatio))) throw new RangeError(`minRatio must be above 1 (got ${minRatio})`);
  // Two calls is the least a variance (and so the t-test) can be computed from.
  if (!(Number.isInteger(minCalls) && minCalls >= 2)) throw new RangeError(`minCalls must be a whole number ≥ 2 (got ${minCalls})`);
  return { alpha, minRatio, minCalls };
}

function rankOne(input: StatementWindows, windows: RegressionWindows, settings: RankingSettings): RankedStatement {
  const baseline = windowStats(input.intervals, windows.baseline);
  const recent = windowStats(input.intervals, windows.recent);
  const baselinePlan = dominantPlan(input.samples, windows.baseline);
  const recentPlan = dominantPlan(input.samples, windows.recent);

  const baselineMeanMs = baseline.meanMs;
  const recentMeanMs = recent.meanMs;
  const ratio = baselineMeanMs !== null && recentMeanMs !== null && baselineMeanMs > 0 ? recentMeanMs / baselineMeanMs : null;
  const impactMs = baselineMeanMs !== null && recentMeanMs !== null ? (recentMeanMs - baselineMeanMs) * recent.calls : null;
  const test = welchTTest(sampleSummary(baseline), sampleSummary(recent));
  const pValue = test?.pValue ?? null;

  const verdict = decideVerdict({ baseline, recent, ratio, pValue }, settings);
  const outcome: Pick<RankedStatement, "verdict" | "cause" | "baselinePlan" | "recentPlan" | "evidence"> =
    verdict.verdict === "stable"
      ? { verdict: "stable", cause: null, baselinePlan: baselinePlan?.fingerprint ?? null, recentPlan: recentPlan?.fingerprint ?? null, evidence: verdict.reason }
      : { verdict: verdict.verdict, ...attribute({ direction: verdict.verdict === "regression" ? "slower" : "faster", baseline, recent, baselinePlan, recentPlan }) };
  // One literal with every field (no spreads of partial rows): one object shape for 5,000 rows.
  return {
    statementId: input.statementId,
    queryId: input.queryId,
    query: input.query,
    baselineMeanMs,
    recentMeanMs,
    ratio,
    recentCalls: recent.calls,
    impactMs,
    pValue,
    verdict: outcome.verdict,
    cause: outcome.cause,
    baselinePlan: outcome.baselinePlan,
    recentPlan: outcome.recentPlan,
    evidence: outcome.evidence,
  };
}

export type VerdictDecision = { verdict: "regression" | "improvement" } | { verdict: "stable"; reason: string };

/** The gates in order; the first that fails names the reason the statement is stable. */
export function decideVerdict(
  input: { baseline: WindowStats; recent: WindowStats; ratio: number | null; pValue: number | null },
  settings: RankingSettings,
): VerdictDecision {
  const { baseline, recent, ratio, pValue } = input;
  if (baseline.calls === 0 || recent.calls === 0) {
    return { verdict: "stable", reason: `no calls in ${missingWindows(baseline.calls === 0, recent.calls === 0)}` };
  }
  if (baseline.calls < settings.minCalls || recent.calls < settings.minCalls) {
    return {
      verdict: "stable",
      reason:
        `too few calls to judge: ${formatNumber(baseline.calls)} baseline, ${formatNumber(recent.calls)} recent ` +
        `(needs ${settings.minCalls} each)`,
    };
  }
  if (ratio === null) return { verdict: "stable", reason: "baseline mean is 0 ms: no ratio" };
  const means = `${formatMs(baseline.meanMs ?? 0)} → ${formatMs(recent.meanMs ?? 0)}`;
  if (pValue === null) return { verdict: "stable", reason: `${means}: identical timings, nothing to test` };
  if (pValue >= settings.alpha) {
    return { verdict: "stable", reason: `${means} is within the noise (${formatPValue(pValue)}, needs < ${settings.alpha})` };
  }
  if (ratio >= settings.minRatio) return { verdict: "regression" };
  if (ratio <= 1 / settings.minRatio) return { verdict: "improvement" };
  return {
    verdict: "stable",
    reason: `${means} (${formatRatio(ratio)}) is significant but below the ${formatRatio(settings.minRatio)} threshold`,
  };
}

/** Welch needs the unbiased sample variance; the window's is the population one (÷ n, as pg_stat_statements). */
function sampleSummary(stats: WindowStats): SampleSummary {
  const n = stats.calls;
  const variance = n >= 2 && stats.varianceMs2 !== null ? (stats.varianceMs2 * n) / (n - 1) : 0;
  return { n, mean: stats.meanMs ?? 0, variance };
}

const VERDICT_ORDER: Record<Verdict, number> = { regression: 0, improvement: 1, stable: 2 };

/**
 * Regressions by time lost (largest first), improvements by time saved (most negative impact first),
 * stable statements by recent total time (the biggest consumers first). Ties by statement id, so the
 * order never depends on the input's. Each row's key is computed once, not at every comparison
 * (5,000 rows: ~60,000 comparisons).
 */
function sortRanked(rows: readonly RankedStatement[]): RankedStatement[] {
  const keyed = rows.map((row) => ({ row, verdict: VERDICT_ORDER[row.verdict], key: sortKey(row) }));
  keyed.sort((a, b) => a.verdict - b.verdict || a.key - b.key || byId.compare(a.row.statementId, b.row.statementId));
  return keyed.map((k) => k.row);
}

function sortKey(r: RankedStatement): number {
  if (r.verdict === "regression") return -(r.impactMs ?? 0);
  if (r.verdict === "improvement") return r.impactMs ?? 0;
  return -((r.recentMeanMs ?? 0) * r.recentCalls);
}

/** Numeric id order; one collator (localeCompare with options builds one per call). */
const byId = new Intl.Collator("en", { numeric: true });
