import { describe, expect, it } from "vitest";
import {
  combineCumulative,
  cumulativeFromPgss,
  intervalDelta,
  intervalMoments,
  type StatementCumulative,
  type TimeMoments,
} from "./interval-stats";

/** Power sums of a list of durations, as if pg_stat_statements had recorded them. */
function momentsOf(durationsMs: number[]): TimeMoments {
  return {
    calls: durationsMs.length,
    sumMs: durationsMs.reduce((s, x) => s + x, 0),
    sumSquaresMs2: durationsMs.reduce((s, x) => s + x * x, 0),
  };
}

/** Population mean and stddev, pg_stat_statements style. */
function pgssStats(durationsMs: number[]) {
  const n = durationsMs.length;
  const meanMs = durationsMs.reduce((s, x) => s + x, 0) / n;
  const variance = durationsMs.reduce((s, x) => s + (x - meanMs) ** 2, 0) / n;
  return { calls: n, meanMs, stddevMs: Math.sqrt(variance) };
}

function counters(over: Partial<StatementCumulative> = {}): StatementCumulative {
  return {
    calls: 0n,
    totalExecMs: 0,
    sumSquaresExecMs2: 0,
    totalPlanMs: 0,
    plans: 0n,
    rows: 0n,
    sharedHitBlocks: 0n,
    sharedReadBlocks: 0n,
    tempReadBlocks: 0n,
    tempWrittenBlocks: 0n,
    ...over,
  };
}

describe("cumulativeFromPgss", () => {
  it("rebuilds Σx and Σx² from calls, mean and population stddev", () => {
    // durations 10, 20, 30: mean 20, population variance (100 + 0 + 100) / 3
    const got = cumulativeFromPgss({ calls: 3, meanMs: 20, stddevMs: Math.sqrt(200 / 3) });
    expect(got.calls).toBe(3);
    expect(got.sumMs).toBeCloseTo(3 * 20, 10); // n·m
    expect(got.sumSquaresMs2).toBeCloseTo(100 + 400 + 900, 9); // n·(s² + m²) = 3·(200/3 + 400) = 1400
  });

  it("prefers total_exec_time for Σx when given", () => {
    expect(cumulativeFromPgss({ calls: 2, meanMs: 5, stddevMs: 0, totalMs: 10.000000001 }).sumMs).toBe(10.000000001);
  });

  it("is all zeros for an entry that never ran", () => {
    expect(cumulativeFromPgss({ calls: 0, meanMs: 0, stddevMs: 0 })).toEqual({ calls: 0, sumMs: 0, sumSquaresMs2: 0 });
  });
});

describe("intervalMoments", () => {
  it("gives the mean and variance of only the new executions", () => {
    const before = [10, 10, 10];
    const window = [10, 10, 10, 10, 10, 30, 30, 30, 30, 30];
    const prev = cumulativeFromPgss(pgssStats(before));
    const curr = cumulativeFromPgss(pgssStats([...before, ...window]));
    const got = intervalMoments(prev, curr)!;
    expect(got.calls).toBe(10);
    expect(got.totalMs).toBeCloseTo(5 * 10 + 5 * 30, 9); // 200
    expect(got.meanMs).toBeCloseTo((5 * 10 + 5 * 30) / 10, 9); // 20
    // pooled: every execution is 10 ms away from the mean: (5·10² + 5·10²) / 10
    expect(got.varianceMs2).toBeCloseTo((5 * 100 + 5 * 100) / 10, 6); // 100
  });

  it("weights means by calls: (3·10 + 2·20) / 5", () => {
    const got = intervalMoments(momentsOf([]), momentsOf([10, 10, 10, 20, 20]))!;
    expect(got.meanMs).toBeCloseTo((3 * 10 + 2 * 20) / 5, 12); // 14
    // (3·(10−14)² + 2·(20−14)²) / 5 = (48 + 72) / 5 = 24
    expect(got.varianceMs2).toBeCloseTo((3 * 16 + 2 * 36) / 5, 9);
  });

  it("clamps a variance that float error pushes below 0", () => {
    // identical 0.1 ms calls: true variance 0; Σx² − n·m² rounds to a tiny negative or positive
    const prev = cumulativeFromPgss({ calls: 1_000_003, meanMs: 0.1, stddevMs: 0 });
    const curr = cumulativeFromPgss({ calls: 1_000_010, meanMs: 0.1, stddevMs: 0 });
    const got = intervalMoments(prev, curr)!;
    expect(got.varianceMs2).toBeGreaterThanOrEqual(0);
    expect(got.varianceMs2).toBeLessThan(1e-6);
    expect(got.meanMs).toBeCloseTo(0.1, 6);
  });

  it("is null when nothing ran", () => {
    expect(intervalMoments(momentsOf([5]), momentsOf([5]))).toBeNull();
  });
});

describe("combineCumulative", () => {
  it("adds calls, power sums and blocks of toplevel and nested rows", () => {
    // toplevel: 3 calls of 10 ms; nested: 2 calls of 20 ms
    const top = counters({ calls: 3n, totalExecMs: 30, sumSquaresExecMs2: 300, totalPlanMs: 1.5, plans: 3n, rows: 3n, sharedHitBlocks: 7n });
    const nested = counters({ calls: 2n, totalExecMs: 40, sumSquaresExecMs2: 800, totalPlanMs: 0.5, plans: 1n, rows: 10n, sharedReadBlocks: 4n });
    const both = combineCumulative(top, nested);
    expect(both.calls).toBe(3n + 2n);
    expect(both.totalExecMs).toBe(30 + 40);
    expect(both.sumSquaresExecMs2).toBe(300 + 800);
    expect(both.totalPlanMs).toBe(1.5 + 0.5);
    expect(both.plans).toBe(3n + 1n);
    expect(both.rows).toBe(13n);
    expect(both.sharedHitBlocks).toBe(7n);
    expect(both.sharedReadBlocks).toBe(4n);
    // the combined mean is exact: (3·10 + 2·20) / 5
    const m = intervalMoments(momentsOf([]), { calls: 5, sumMs: both.totalExecMs, sumSquaresMs2: both.sumSquaresExecMs2 })!;
    expect(m.meanMs).toBe((3 * 10 + 2 * 20) / 5);
    // ((3·(10−14)² + 2·(20−14)²) / 5 = 24
    expect(m.varianceMs2).toBeCloseTo(24, 9);
  });

  it("keeps plan counters null when one row has none", () => {
    const both = combineCumulative(counters({ totalPlanMs: null, plans: null }), counters({ totalPlanMs: 2, plans: 1n }));
    expect(both.totalPlanMs).toBeNull();
    expect(both.plans).toBeNull();
  });

  it("returns a new object and leaves its inputs alone", () => {
    const a = counters({ calls: 1n });
    const b = counters({ calls: 2n });
    const both = combineCumulative(a, b);
    expect(both).not.toBe(a);
    expect(a.calls).toBe(1n);
    expect(b.calls).toBe(2n);
  });
});

describe("intervalDelta", () => {
  const prev = counters({
    calls: 10n,
    totalExecMs: 100,
    sumSquaresExecMs2: 1000, // 10 calls of exactly 10 ms
    totalPlanMs: 2,
    plans: 10n,
    rows: 50n,
    sharedHitBlocks: 200n,
    sharedReadBlocks: 20n,
    tempReadBlocks: 0n,
    tempWrittenBlocks: 0n,
  });

  it("subtracts every counter", () => {
    // then 4 calls of 25 ms each, 4 plans of 0.25 ms, 5 rows each, some blocks
    const curr = counters({
      calls: 14n,
      totalExecMs: 100 + 4 * 25,
      sumSquaresExecMs2: 1000 + 4 * 625,
      totalPlanMs: 2 + 4 * 0.25,
      plans: 14n,
      rows: 70n,
      sharedHitBlocks: 260n,
      sharedReadBlocks: 21n,
      tempReadBlocks: 8n,
      tempWrittenBlocks: 8n,
    });
    const d = intervalDelta(prev, curr);
    expect(d).toEqual({
      kind: "delta",
      calls: 4n,
      totalExecMs: 4 * 25,
      meanExecMs: (4 * 25) / 4,
      execVarianceMs2: 0, // (4·625)/4 − 25² = 0
      totalPlanMs: 4 * 0.25,
      plans: 4n,
      rows: 20n,
      sharedHitBlocks: 60n,
      sharedReadBlocks: 1n,
      tempReadBlocks: 8n,
      tempWrittenBlocks: 8n,
    });
  });

  it("reports no mean for a window without calls", () => {
    const d = intervalDelta(prev, prev);
    expect(d.kind).toBe("delta");
    if (d.kind !== "delta") return;
    expect(d.calls).toBe(0n);
    expect(d.meanExecMs).toBeNull();
    expect(d.execVarianceMs2).toBeNull();
  });

  it("restarts the baseline when calls went down (reset or eviction), never a negative delta", () => {
    // evicted after 10 calls, re-created, ran 3 times since
    const curr = counters({ calls: 3n, totalExecMs: 30, sumSquaresExecMs2: 300, totalPlanMs: 0.6, plans: 3n, rows: 15n, sharedHitBlocks: 60n, sharedReadBlocks: 0n });
    expect(intervalDelta(prev, curr)).toEqual({
      kind: "restart",
      decreased: ["calls", "totalExecMs", "totalPlanMs", "plans", "rows", "sharedHitBlocks", "sharedReadBlocks"],
    });
  });

  it("restarts when any single counter went down, even with more calls", () => {
    const curr = counters({ ...prev, calls: 12n, totalExecMs: 120, sumSquaresExecMs2: 1200, sharedReadBlocks: 19n });
    expect(intervalDelta(prev, curr)).toEqual({ kind: "restart", decreased: ["sharedReadBlocks"] });
  });

  it("does not take a rounding dip of Σx² for a reset", () => {
    const curr = counters({ ...prev, calls: 11n, totalExecMs: 100.001, sumSquaresExecMs2: 999.9999999999 });
    const d = intervalDelta(prev, curr);
    expect(d.kind).toBe("delta");
    if (d.kind === "delta") expect(d.execVarianceMs2).toBe(0); // clamped
  });

  it("leaves plan deltas null when planning was not tracked on either side", () => {
    const d = intervalDelta(counters({ ...prev, totalPlanMs: null, plans: null }), counters({ ...prev, calls: 11n, totalExecMs: 110 }));
    expect(d.kind).toBe("delta");
    if (d.kind !== "delta") return;
    expect(d.totalPlanMs).toBeNull();
    expect(d.plans).toBeNull();
  });
});
