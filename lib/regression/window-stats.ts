// One window of a statement, summarised from its collection intervals.
//
// Window membership: an interval belongs to the window that holds its windowEnd, (start, end]. A
// collection interval straddling a boundary cannot be split (its calls are not timestamped), and
// assigning it whole by its end counts every call exactly once: the ranking's baseline and recent
// windows share a boundary, and an interval ending exactly on it belongs to the baseline.
//
// Pooling is exact, not an average of averages: every interval gives its calls n, mean m and
// population variance v, so its sum is n·m and its sum of squares n·(v + m²); the window's mean and
// variance follow from the totals. Written as Σ n·v + Σ n·(m − mean)² (the same quantity, Chan et
// al.'s parallel form) because sumSq/N − mean² cancels catastrophically when the spread is tiny next
// to the mean (a 40 ms statement with a 0.01 ms spread).
import type { RankingInterval, RegressionWindows, TimeWindow } from "./types";

export interface WindowStats {
  /** Intervals with at least one call. */
  intervals: number;
  calls: number;
  /** Null without calls. */
  meanMs: number | null;
  /** Population variance of one call's execution time over the whole window; null without calls. */
  varianceMs2: number | null;
  totalExecMs: number;
  /** Temp blocks written per call: the spill volume (temp files are private, reads re-read them). */
  tempBlocksPerCall: number | null;
  sharedReadBlocksPerCall: number | null;
  rowsPerCall: number | null;
  /** total_plan_time / plans over the intervals that track planning; null when none did or none planned. */
  meanPlanMs: number | null;
  /** plans / calls: far below 1 when a cached (generic) plan is reused; null without track_planning. */
  plansPerCall: number | null;
}

export function inWindow(at: Date, window: TimeWindow): boolean {
  const t = at.getTime();
  return t > window.start.getTime() && t <= window.end.getTime();
}

/**
 * Recent = (now − recent, now], baseline = the `baselineMs` before it. Non-overlapping on purpose: the
 * t-test compares two independent groups, and a baseline holding the recent calls would dilute a
 * regression into itself.
 */
export function regressionWindows(spec: { now: Date; recentMs: number; baselineMs: number }): RegressionWindows {
  const endMs = spec.now.getTime();
  const splitMs = endMs - spec.recentMs;
  return {
    baseline: { start: new Date(splitMs - spec.baselineMs), end: new Date(splitMs) },
    recent: { start: new Date(splitMs), end: new Date(endMs) },
  };
}

export function windowStats(intervals: readonly RankingInterval[], window: TimeWindow): WindowStats {
  return aggregate(intervals, window.start.getTime(), window.end.getTime());
}

export function aggregateIntervals(intervals: readonly RankingInterval[]): WindowStats {
  return aggregate(intervals, -Infinity, Infinity);
}

/**
 * The intervals with windowEnd in (startMs, endMs], pooled. Plain loops, no filtered copies or
 * per-sum closures: the ranking calls this twice per statement (10,000 times for a 5,000-statement
 * target), where the allocations showed up in profiles. Every sum still adds in input order, so the
 * results are the same floats as summing each quantity on its own.
 */
function aggregate(intervals: readonly RankingInterval[], startMs: number, endMs: number): WindowStats {
  let withCalls = 0;
  let calls = 0;
  let totalExecMs = 0;
  let tempWrittenBlocks = 0;
  let sharedReadBlocks = 0;
  let rows = 0;
  // Only intervals that tracked planning say anything about planning: mixing in nulls as zeros would
  // fake a drop the day track_planning was turned off.
  let plans = 0;
  let totalPlanMs = 0;
  let callsWhilePlanned = 0;
  for (const i of intervals) {
    const endAt = i.windowEnd.getTime();
    if (!(endAt > startMs && endAt <= endMs)) continue;
    if (i.calls > 0) {
      withCalls++;
      calls += i.calls;
      totalExecMs += i.calls * i.meanExecMs;
      tempWrittenBlocks += i.tempWrittenBlocks;
      sharedReadBlocks += i.sharedReadBlocks;
      rows += i.rows;
    }
    if (i.totalPlanMs !== null && i.plans !== null) {
      plans += i.plans;
      totalPlanMs += i.totalPlanMs;
      callsWhilePlanned += i.calls;
    }
  }
  const meanMs = perCall(totalExecMs, calls);
  let varianceMs2: number | null = null;
  if (meanMs !== null) {
    let squares = 0;
    for (const i of intervals) {
      const endAt = i.windowEnd.getTime();
      if (endAt > startMs && endAt <= endMs && i.calls > 0) squares += i.calls * (i.execVarianceMs2 + (i.meanExecMs - meanMs) ** 2);
    }
    varianceMs2 = Math.max(0, squares / calls);
  }
  return {
    intervals: withCalls,
    calls,
    meanMs,
    varianceMs2,
    totalExecMs,
    tempBlocksPerCall: perCall(tempWrittenBlocks, calls),
    sharedReadBlocksPerCall: perCall(sharedReadBlocks, calls),
    rowsPerCall: perCall(rows, calls),
    meanPlanMs: plans > 0 ? totalPlanMs / plans : null,
    plansPerCall: callsWhilePlanned > 0 ? plans / callsWhilePlanned : null,
  };
}

function perCall(total: number, calls: number): number | null {
  return calls > 0 ? total / calls : null;
}
