// Plain domain objects of the regression core. The persistence layer maps database rows to them
// (BigInt ids and counters become strings and numbers), so this folder never sees Prisma or pg and
// also runs in the browser.

/** pg_stat_statements deltas of one statement over one collection interval. */
export interface IntervalPoint {
  windowStart: Date;
  windowEnd: Date;
  calls: number;
  meanExecMs: number;
  /**
   * Population variance of the execution time of the interval's calls (divides by calls), the same
   * convention as pg_stat_statements' stddev_exec_time.
   */
  execVarianceMs2: number;
  /** Null without pg_stat_statements.track_planning. */
  totalPlanMs: number | null;
  /** Times the statement was planned in the interval; null without track_planning. */
  plans: number | null;
  rows: number;
  sharedReadBlocks: number;
  sharedHitBlocks: number;
  tempReadBlocks: number;
  tempWrittenBlocks: number;
}

/**
 * What the ranking reads of an interval (window-stats.ts, attribution.ts): an IntervalPoint is one, and
 * so is a pooled point summing several (lib/db/regression-windows.ts), which carries only these
 * counters because every summed column costs an aggregate step per row the repository reads.
 */
export type RankingInterval = Omit<IntervalPoint, "windowStart" | "sharedHitBlocks" | "tempReadBlocks">;

/** One observation (auto_explain, EXPLAIN) of one of the statement's plans. */
export interface PlanSamplePoint {
  planId: string;
  fingerprint: string;
  capturedAt: Date;
  estimatedTotalCost: number;
  actualTotalMs: number | null;
  /** The sampled plan was a generic plan (`$n` in its conditions, see isGenericPlan). */
  isGeneric: boolean;
}

export type PlanStatus = "Approved" | "Unapproved" | "Rejected" | "Preferred";

/** A plan of the statement's baseline, as Aurora QPM's dba_plans describes it. */
export interface ManagedPlan {
  id: string;
  fingerprint: string;
  status: PlanStatus;
  enabled: boolean;
  /** False when an object the plan depends on (an index, a partition) is gone. */
  valid: boolean;
  /** Estimated total cost of the plan's latest sample; null when it was captured without costs. */
  estimatedTotalCost: number | null;
}

/**
 * A time window (start, end]: a row belongs to the window holding its end instant, so an interval or
 * sample exactly on a boundary is counted once, in the earlier window.
 */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** The two windows a ranking compares; the baseline ends where the recent window starts. */
export interface RegressionWindows {
  baseline: TimeWindow;
  recent: TimeWindow;
}

/** Everything the ranking needs about one statement (all of its rows; the windows select). */
export interface StatementWindows {
  statementId: string;
  /** pg_stat_statements.queryid as a decimal string (signed 64-bit). */
  queryId: string;
  /** Normalized query text. */
  query: string;
  intervals: readonly RankingInterval[];
  samples: readonly PlanSamplePoint[];
}
