import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "./test-helpers";
import type { IntervalPoint } from "./types";
import {
  addInterval,
  appendTotalsPoints,
  checkpointLookups,
  mapSource,
  PERIOD_MS,
  periodStartMs,
  windowTotals,
  zeroTotals,
  type RunningTotals,
  type TotalsByStatement,
  type TotalsSource,
} from "./running-totals";
import { regressionWindows, windowStats, type WindowStats } from "./window-stats";
import type { RankingInterval } from "./types";

// A period boundary (periods count from the Unix epoch): 2025-06-05T00:00Z is one (20244 days = 2892 weeks).
const BOUNDARY = Date.parse("2025-06-05T00:00:00Z");

describe("periodStartMs", () => {
  it("puts an instant on a boundary in the period it ends, like windows and buckets", () => {
    expect(BOUNDARY % PERIOD_MS).toBe(0);
    expect(periodStartMs(BOUNDARY)).toBe(BOUNDARY - PERIOD_MS);
    expect(periodStartMs(BOUNDARY + 1)).toBe(BOUNDARY);
    expect(periodStartMs(BOUNDARY + PERIOD_MS)).toBe(BOUNDARY);
  });
});

describe("addInterval", () => {
  it("adds like window-stats: volume from intervals with calls, planning from tracked ones with their calls", () => {
    let t = addInterval(zeroTotals(), { calls: 2, meanExecMs: 2, execVarianceMs2: 1, rows: 4, sharedReadBlocks: 1, tempWrittenBlocks: 0, totalPlanMs: 0.5, plans: 2 });
    t = addInterval(t, { calls: 0, meanExecMs: 0, execVarianceMs2: 0, rows: 9, sharedReadBlocks: 9, tempWrittenBlocks: 9, totalPlanMs: 0.3, plans: 1 });
    t = addInterval(t, { calls: 3, meanExecMs: 6, execVarianceMs2: 2 / 3, rows: 3, sharedReadBlocks: 0, tempWrittenBlocks: 7, totalPlanMs: null, plans: null });
    expect(t.calls).toBe(5); // 2 + 3: the planning-only interval adds no calls
    expect(t.sumExecMs).toBeCloseTo(22, 12); // 2·2 + 3·6
    expect(t.sumSquaresExecMs2).toBeCloseTo(120, 12); // 2·(1 + 4) + 3·(2/3 + 36)
    expect([t.rows, t.sharedReadBlocks, t.tempWrittenBlocks]).toEqual([7, 1, 7]); // 4 + 3, 1 + 0, 0 + 7
    expect([t.plans, t.callsWhilePlanned]).toEqual([3, 2]); // 2 + 1 plans over 2 + 0 calls
    expect(t.totalPlanMs).toBeCloseTo(0.8, 12);
  });
});

describe("checkpointLookups", () => {
  it("asks for C at the three boundaries and the total of every period the windows start in before the last", () => {
    const windows = regressionWindows({ now: new Date(BOUNDARY + 2 * HOUR_MS), recentMs: DAY_MS, baselineMs: 7 * DAY_MS });
    const start = BOUNDARY + 2 * HOUR_MS - 8 * DAY_MS; // in the period before the one before BOUNDARY
    const lookups = checkpointLookups(windows);
    expect(lookups.map((l) => l.key)).toEqual([
      `at:${start}`,
      `at:${BOUNDARY + 2 * HOUR_MS - DAY_MS}`,
      `at:${BOUNDARY + 2 * HOUR_MS}`,
      `period:${BOUNDARY - 2 * PERIOD_MS}`,
      `period:${BOUNDARY - PERIOD_MS}`,
    ]);
    expect(lookups[0]).toEqual({ key: `at:${start}`, afterMs: BOUNDARY - 2 * PERIOD_MS, untilMs: start });
    expect(lookups[4]).toEqual({ key: `period:${BOUNDARY - PERIOD_MS}`, afterMs: BOUNDARY - PERIOD_MS, untilMs: BOUNDARY });
  });
});

/** Statement 1's intervals every 20 minutes over 10 days from `first`, from a fixed LCG, some without calls or planning. */
function intervals(first: number): IntervalPoint[] {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const out: IntervalPoint[] = [];
  for (let end = first; end < first + 10 * DAY_MS; end += 20 * 60_000) {
    const calls = random() < 0.1 ? 0 : Math.floor(1 + 100 * random());
    const tracked = random() < 0.8;
    out.push({
      windowStart: new Date(end - 20 * 60_000),
      windowEnd: new Date(end),
      calls,
      meanExecMs: calls > 0 ? 5 + 10 * random() : 0,
      execVarianceMs2: calls > 0 ? random() : 0,
      totalPlanMs: tracked ? random() : null,
      plans: tracked ? calls + 1 : null,
      rows: calls * 2,
      sharedReadBlocks: Math.floor(10 * random()),
      sharedHitBlocks: 0,
      tempReadBlocks: 0,
      tempWrittenBlocks: calls,
    });
  }
  return out;
}

/** The checkpoints a collector writes: after each interval, the totals since the start of its period. */
function checkpoints(points: readonly IntervalPoint[]): { atMs: number; totals: TotalsByStatement }[] {
  const out: { atMs: number; totals: TotalsByStatement }[] = [];
  let totals: RunningTotals = zeroTotals();
  let period = NaN;
  for (const p of points) {
    const atMs = p.windowEnd.getTime();
    if (periodStartMs(atMs) !== period) [period, totals] = [periodStartMs(atMs), zeroTotals()];
    totals = addInterval(totals, p);
    out.push({ atMs, totals: new Map([[1, totals]]) });
  }
  return out;
}

/** What readCheckpoints finds: the latest checkpoint in each lookup's range. */
function lookUp(written: ReturnType<typeof checkpoints>, windows: ReturnType<typeof regressionWindows>): Map<string, TotalsSource> {
  const found = new Map<string, TotalsSource>();
  for (const l of checkpointLookups(windows)) {
    const hit = written.filter((c) => c.atMs > l.afterMs && c.atMs <= l.untilMs).at(-1);
    if (hit) found.set(l.key, mapSource(hit.totals));
  }
  return found;
}

function expectSameStats(actual: WindowStats, expected: WindowStats) {
  for (const key of Object.keys(expected) as (keyof WindowStats)[]) {
    if (key === "intervals") continue; // pooled points are not intervals
    const [a, e] = [actual[key], expected[key]];
    if (e === null || a === null) expect(a).toBe(e);
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
  }
}

describe("windowTotals and appendTotalsPoints", () => {
  const raw = intervals(BOUNDARY - 6 * DAY_MS);
  const written = checkpoints(raw);
  it.each([
    ["1 h vs 24 h across a period's end", BOUNDARY + 2 * HOUR_MS, HOUR_MS, DAY_MS],
    ["1 d vs 7 d across two", BOUNDARY + 3 * DAY_MS, DAY_MS, 7 * DAY_MS],
    ["a recent window ending on a period's end", BOUNDARY, 2 * HOUR_MS, 2 * DAY_MS],
    ["ragged edges inside one period", BOUNDARY + 2 * DAY_MS + 7 * 60_000 + 13, 3 * HOUR_MS, DAY_MS],
  ])("give the statistics of the raw intervals: %s", (_name, nowMs, recentMs, baselineMs) => {
    const windows = regressionWindows({ now: new Date(nowMs), recentMs, baselineMs });
    const totals = windowTotals(windows, lookUp(written, windows));
    for (const [window, byStatement] of [[windows.baseline, totals.baseline], [windows.recent, totals.recent]] as const) {
      const points: RankingInterval[] = [];
      appendTotalsPoints(points, byStatement.get(1)!, window.end);
      expect(points.length).toBeGreaterThan(0);
      expectSameStats(windowStats(points, window), windowStats(raw, window));
    }
  });

  it("leaves out statements without calls or plans in a window", () => {
    const windows = regressionWindows({ now: new Date(BOUNDARY + 20 * DAY_MS), recentMs: HOUR_MS, baselineMs: DAY_MS });
    const totals = windowTotals(windows, lookUp(written, windows));
    expect([totals.baseline.size, totals.recent.size]).toEqual([0, 0]);
  });
});
