// Exact per-interval statistics from pg_stat_statements' cumulative counters.
//
// pg_stat_statements keeps, per entry, calls n, total time, mean m and the POPULATION stddev s of
// execution time since the entry was created (or last reset). Two snapshots of those are enough to
// know the exact count, mean and variance of the executions in between, through the first two power
// sums: Σx = total (or n·m) and Σx² = n·(s² + m²). Power sums are additive, so they also combine
// the toplevel/nested rows of one statement, and subtract to give an interval.
//
// Pure module: no database access, so the arithmetic is unit-tested on its own.

/** Execution-time statistics as pg_stat_statements reports them for one row. */
export interface PgssTimeStats {
  calls: number;
  meanMs: number;
  /** Population stddev (pg_stat_statements divides by n, not n − 1). */
  stddevMs: number;
  /**
   * total_exec_time, when available. Preferred over n·m: pg_stat_statements accumulates it by
   * adding each non-negative duration, so it never goes down between two snapshots, whereas n·m is
   * recomputed from an incrementally updated mean and can wobble by a rounding error.
   */
  totalMs?: number;
}

/** First two power sums of execution time. */
export interface TimeMoments {
  calls: number;
  sumMs: number;
  sumSquaresMs2: number;
}

export function cumulativeFromPgss(stats: PgssTimeStats): TimeMoments {
  const { calls, meanMs, stddevMs } = stats;
  return {
    calls,
    sumMs: stats.totalMs ?? calls * meanMs,
    // Population variance s² = Σx²/n − m², hence Σx² = n·(s² + m²).
    sumSquaresMs2: calls * (stddevMs * stddevMs + meanMs * meanMs),
  };
}

/** A statement's cumulative counters at one snapshot (what StatementCounter stores). */
export interface StatementCumulative {
  calls: bigint;
  totalExecMs: number;
  sumSquaresExecMs2: number;
  /** Null when planning is not tracked (pg_stat_statements.track_planning off or before 1.8). */
  totalPlanMs: number | null;
  plans: bigint | null;
  rows: bigint;
  sharedHitBlocks: bigint;
  sharedReadBlocks: bigint;
  tempReadBlocks: bigint;
  tempWrittenBlocks: bigint;
}

const nullableSum = <T extends number | bigint>(a: T | null, b: T | null, add: (x: T, y: T) => T): T | null =>
  a === null || b === null ? null : add(a, b);
const addNumbers = (x: number, y: number) => x + y;
const addBigints = (x: bigint, y: bigint) => x + y;

/** Sums two rows of the same statement (pg_stat_statements 1.9+ keeps toplevel and nested apart). */
export function combineCumulative(a: StatementCumulative, b: StatementCumulative): StatementCumulative {
  return {
    calls: a.calls + b.calls,
    totalExecMs: a.totalExecMs + b.totalExecMs,
    sumSquaresExecMs2: a.sumSquaresExecMs2 + b.sumSquaresExecMs2,
    totalPlanMs: nullableSum(a.totalPlanMs, b.totalPlanMs, addNumbers),
    plans: nullableSum(a.plans, b.plans, addBigints),
    rows: a.rows + b.rows,
    sharedHitBlocks: a.sharedHitBlocks + b.sharedHitBlocks,
    sharedReadBlocks: a.sharedReadBlocks + b.sharedReadBlocks,
    tempReadBlocks: a.tempReadBlocks + b.tempReadBlocks,
    tempWrittenBlocks: a.tempWrittenBlocks + b.tempWrittenBlocks,
  };
}

/** What one statement did between two snapshots. */
export interface IntervalDelta {
  kind: "delta";
  calls: bigint;
  totalExecMs: number;
  /** Null when calls is 0 (nothing ran: no mean to speak of). */
  meanExecMs: number | null;
  execVarianceMs2: number | null;
  totalPlanMs: number | null;
  plans: bigint | null;
  rows: bigint;
  sharedHitBlocks: bigint;
  sharedReadBlocks: bigint;
  tempReadBlocks: bigint;
  tempWrittenBlocks: bigint;
}

/** The counters cannot be subtracted: the entry was reset or evicted and re-created. */
export interface BaselineRestart {
  kind: "restart";
  /** Names of the counters that went down (empty when the restart has another cause). */
  decreased: string[];
}

/** Mean and population variance of the executions between two snapshots of the power sums. */
export function intervalMoments(prev: TimeMoments, curr: TimeMoments): { calls: number; totalMs: number; meanMs: number; varianceMs2: number } | null {
  const calls = curr.calls - prev.calls;
  if (calls <= 0) return null;
  const totalMs = curr.sumMs - prev.sumMs;
  const meanMs = totalMs / calls;
  const raw = (curr.sumSquaresMs2 - prev.sumSquaresMs2) / calls - meanMs * meanMs;
  // Σx²/n − m² subtracts two nearly equal numbers when the spread is small next to the mean (and
  // Σx² itself is rebuilt from a rounded stddev), so a true variance of 0 can come out as −1e-12.
  // A variance is never negative: clamp the float noise to 0 rather than store nonsense.
  return { calls, totalMs, meanMs, varianceMs2: raw < 0 ? 0 : raw };
}

// Module-level, not closures per call: these run for every statement of every snapshot.
function checkDown(down: string[], name: string, before: number | bigint | null, after: number | bigint | null): void {
  if (before !== null && after !== null && after < before) down.push(name);
}
const subtractNumbers = (x: number, y: number) => x - y;
const subtractBigints = (x: bigint, y: bigint) => x - y;

function decreasedCounters(prev: StatementCumulative, curr: StatementCumulative): string[] {
  const down: string[] = [];
  checkDown(down, "calls", prev.calls, curr.calls);
  // totalExecMs only ever grows by adding durations (see PgssTimeStats.totalMs); sumSquaresExecMs2
  // is derived through a rounded stddev and may dip by a rounding error, so it is not a reset signal.
  checkDown(down, "totalExecMs", prev.totalExecMs, curr.totalExecMs);
  checkDown(down, "totalPlanMs", prev.totalPlanMs, curr.totalPlanMs);
  checkDown(down, "plans", prev.plans, curr.plans);
  checkDown(down, "rows", prev.rows, curr.rows);
  checkDown(down, "sharedHitBlocks", prev.sharedHitBlocks, curr.sharedHitBlocks);
  checkDown(down, "sharedReadBlocks", prev.sharedReadBlocks, curr.sharedReadBlocks);
  checkDown(down, "tempReadBlocks", prev.tempReadBlocks, curr.tempReadBlocks);
  checkDown(down, "tempWrittenBlocks", prev.tempWrittenBlocks, curr.tempWrittenBlocks);
  return down;
}

/**
 * curr − prev, or a restart marker when any counter went down (a reset or an eviction between the
 * two snapshots: subtracting would give a negative or meaningless delta).
 */
export function intervalDelta(prev: StatementCumulative, curr: StatementCumulative): IntervalDelta | BaselineRestart {
  const decreased = decreasedCounters(prev, curr);
  if (decreased.length > 0) return { kind: "restart", decreased };
  const moments = intervalMoments(
    { calls: Number(prev.calls), sumMs: prev.totalExecMs, sumSquaresMs2: prev.sumSquaresExecMs2 },
    { calls: Number(curr.calls), sumMs: curr.totalExecMs, sumSquaresMs2: curr.sumSquaresExecMs2 },
  );
  return {
    kind: "delta",
    calls: curr.calls - prev.calls,
    totalExecMs: curr.totalExecMs - prev.totalExecMs,
    meanExecMs: moments?.meanMs ?? null,
    execVarianceMs2: moments?.varianceMs2 ?? null,
    totalPlanMs: nullableSum(curr.totalPlanMs, prev.totalPlanMs, subtractNumbers),
    plans: nullableSum(curr.plans, prev.plans, subtractBigints),
    rows: curr.rows - prev.rows,
    sharedHitBlocks: curr.sharedHitBlocks - prev.sharedHitBlocks,
    sharedReadBlocks: curr.sharedReadBlocks - prev.sharedReadBlocks,
    tempReadBlocks: curr.tempReadBlocks - prev.tempReadBlocks,
    tempWrittenBlocks: curr.tempWrittenBlocks - prev.tempWrittenBlocks,
  };
}
