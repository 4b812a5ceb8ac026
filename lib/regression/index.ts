// Public surface of the regression core. Pure TypeScript (no database, no framework): the persistence
// layer maps rows to these types, the API and the CLI call these functions.
export type * from "./types";

export { parseDuration, tryParseDuration, formatDuration, MAX_DURATION_MS } from "./durations";
export type { DurationParse } from "./durations";

export { aggregateIntervals, inWindow, regressionWindows, windowStats } from "./window-stats";
export type { WindowStats } from "./window-stats";

export { lnBeta, lnGamma, regularizedIncompleteBeta, studentTTwoSidedP, welchTTest } from "./welch";
export type { SampleSummary, WelchResult } from "./welch";

export { decideVerdict, rankStatements, resolveRankingSettings, RANKING_DEFAULTS } from "./ranking";
export type { RankedStatement, RankingOptions, RankingSettings, Verdict, VerdictDecision } from "./ranking";

export { attribute, describeMove, dominantPlan, metricMoves, MIN_METRIC_FACTOR } from "./attribution";
export type { Attribution, Cause, Direction, DominantPlan, MetricMove, MetricName } from "./attribution";

export { isGenericPlan } from "./generic-plan";

export { whichPlanRuns } from "./which-plan-runs";
export type { WhichPlanResult, WhichPlanRule, WhichPlanSettings, WhichPlanStatement } from "./which-plan-runs";
export * from "./plan-actions";
