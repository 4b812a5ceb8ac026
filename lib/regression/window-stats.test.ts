import { describe, expect, it } from "vitest";
import { at, DAY_MS, HOUR_MS, interval } from "./test-helpers";
import { aggregateIntervals, inWindow, regressionWindows, windowStats } from "./window-stats";

describe("aggregateIntervals", () => {
  it("pools mean and variance exactly from per-interval n, mean and variance", () => {
    // interval 1: 2 calls of 1 and 3 ms → mean 2, population variance 1
    // interval 2: 3 calls of 5, 6, 7 ms → mean 6, population variance 2/3
    const stats = aggregateIntervals([
      interval(1, { calls: 2, meanExecMs: 2, execVarianceMs2: 1 }),
      interval(2, { calls: 3, meanExecMs: 6, execVarianceMs2: 2 / 3 }),
    ]);
    expect(stats.calls).toBe(5);
    expect(stats.meanMs).toBeCloseTo(4.4, 12); // (1 + 3 + 5 + 6 + 7) / 5 = 22 / 5
    // Σx² = 1 + 9 + 25 + 36 + 49 = 120; 120/5 − 4.4² = 24 − 19.36 = 4.64
    expect(stats.varianceMs2).toBeCloseTo(4.64, 12);
    expect(stats.totalExecMs).toBeCloseTo(22, 12); // 2 × 2 + 3 × 6
  });

  it("keeps a tiny spread next to a large mean (no cancellation)", () => {
    // 1e6 calls at 40,000 ± 0.01 ms in each of two intervals with the same mean: the spread is the spread.
    const stats = aggregateIntervals([
      interval(1, { calls: 1e6, meanExecMs: 40_000, execVarianceMs2: 1e-4 }),
      interval(2, { calls: 1e6, meanExecMs: 40_000, execVarianceMs2: 1e-4 }),
    ]);
    expect(stats.varianceMs2).toBeCloseTo(1e-4, 12); // sumSq/N − mean² gives 0.0000998974 (Σx² ≈ 3.2e15 holds ±0.5)
  });

  it("gives per-call totals and planning time", () => {
    const stats = aggregateIntervals([
      interval(1, { calls: 10, rows: 100, sharedReadBlocks: 30, tempWrittenBlocks: 0, tempReadBlocks: 0, totalPlanMs: 2, plans: 10 }),
      interval(2, { calls: 30, rows: 500, sharedReadBlocks: 10, tempWrittenBlocks: 400, tempReadBlocks: 400, totalPlanMs: 1, plans: 2 }),
    ]);
    expect(stats.rowsPerCall).toBe(15); // (100 + 500) / 40
    expect(stats.sharedReadBlocksPerCall).toBe(1); // (30 + 10) / 40
    expect(stats.tempBlocksPerCall).toBe(10); // written only: 400 / 40
    expect(stats.meanPlanMs).toBeCloseTo(0.25, 12); // (2 + 1) ms / (10 + 2) plans
    expect(stats.plansPerCall).toBeCloseTo(0.3, 12); // 12 plans / 40 calls
  });

  it("ignores intervals that did not track planning for planning figures", () => {
    const stats = aggregateIntervals([
      interval(1, { calls: 10, totalPlanMs: 5, plans: 10 }),
      interval(2, { calls: 90, totalPlanMs: null, plans: null }),
    ]);
    expect(stats.meanPlanMs).toBe(0.5); // 5 ms / 10 plans; the 90 untracked calls say nothing
    expect(stats.plansPerCall).toBe(1); // 10 plans / 10 tracked calls
  });

  it("is empty but well-formed without calls", () => {
    const stats = aggregateIntervals([interval(1, { calls: 0, meanExecMs: 0, execVarianceMs2: 0 })]);
    expect(stats).toEqual({
      intervals: 0,
      calls: 0,
      meanMs: null,
      varianceMs2: null,
      totalExecMs: 0,
      tempBlocksPerCall: null,
      sharedReadBlocksPerCall: null,
      rowsPerCall: null,
      meanPlanMs: null,
      plansPerCall: null,
    });
  });
});

describe("windows", () => {
  it("regressionWindows: the baseline ends where the recent window starts", () => {
    const now = at(10 * 24 * 60);
    const w = regressionWindows({ now, recentMs: HOUR_MS, baselineMs: 7 * DAY_MS });
    expect(w.recent).toEqual({ start: new Date(now.getTime() - HOUR_MS), end: now });
    expect(w.baseline).toEqual({ start: new Date(now.getTime() - HOUR_MS - 7 * DAY_MS), end: w.recent.start });
  });

  it("assigns an interval by its windowEnd, (start, end]: a boundary interval is counted once", () => {
    const w = regressionWindows({ now: at(120), recentMs: HOUR_MS, baselineMs: HOUR_MS });
    // An interval from minute 55 to 65 straddles the boundary at 60: it ends in the recent window.
    const straddling = interval(65, { calls: 7 }, 10);
    // An interval ending exactly at 60 belongs to the baseline only.
    const onBoundary = interval(60, { calls: 3 });
    const intervals = [straddling, onBoundary];
    expect(windowStats(intervals, w.recent).calls).toBe(7);
    expect(windowStats(intervals, w.baseline).calls).toBe(3);
    expect(inWindow(at(60), w.recent)).toBe(false);
    expect(inWindow(at(120), w.recent)).toBe(true);
    expect(inWindow(at(0), w.baseline)).toBe(false);
  });
});
