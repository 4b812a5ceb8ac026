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
import type { IntervalPoint, RegressionWindows, TimeWindow } from "./types";

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

export function windowStats(intervals: readonly IntervalPoint[], window: TimeWindow): WindowStats {
  return aggregateIntervals(intervals.filter((i) => inWindow(i.windowEnd, window)));
}

export function aggregateIntervals(intervals: readonly IntervalPoint[]): WindowStats {
  const withCalls = intervals.filter((i) => i.calls > 0);
  const calls = sum(withCalls, (i) => i.calls);
  const totalExecMs = sum(withCalls, (i) => i.calls * i.meanExecMs);
  const perCall = (total: number): number | null => (calls > 0 ? total / calls : null);

  const meanMs = perCall(totalExecMs);
  const varianceMs2 =
    meanMs === null
      ? null
      : Math.max(0, sum(withCalls, (i) => i.calls * (i.execVarianceMs2 + (i.meanExecMs - meanMs) ** 2)) / calls);

  // Only intervals that tracked planning say anything about planning: mixing in nulls as zeros would
  // fake a drop the day track_planning was turned off.
  const planned = intervals.filter((i) => i.totalPlanMs !== null && i.plans !== null);
  const plans = sum(planned, (i) => i.plans ?? 0);
  const callsWhilePlanned = sum(planned, (i) => i.calls);

  return {
    intervals: withCalls.length,
    calls,
    meanMs,
    varianceMs2,
    totalExecMs,
    tempBlocksPerCall: perCall(sum(withCalls, (i) => i.tempWrittenBlocks)),
    sharedReadBlocksPerCall: perCall(sum(withCalls, (i) => i.sharedReadBlocks)),
    rowsPerCall: perCall(sum(withCalls, (i) => i.rows)),
    meanPlanMs: plans > 0 ? sum(planned, (i) => i.totalPlanMs ?? 0) / plans : null,
    plansPerCall: callsWhilePlanned > 0 ? plans / callsWhilePlanned : null,
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}
