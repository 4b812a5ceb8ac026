import { describe, expect, it } from "vitest";
import { costScatter, intervalSeries, intervalSummary, planChangeMarkers, planLegendName, seriesSpanMs, type IntervalInput, type PlanInput, type SampleInput } from "./series";

const T0 = Date.parse("2026-05-04T12:00:00Z");
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** One interval per minute: (T0 + (i−1) min, T0 + i min]. */
function interval(i: number, calls: number, meanExecMs: number): IntervalInput {
  return { windowStart: iso(T0 + (i - 1) * MIN), windowEnd: iso(T0 + i * MIN), calls, meanExecMs };
}

const sample = (planId: string, atMs: number, cost = 10, actual: number | null = 1): SampleInput => ({ planId, capturedAt: iso(atMs), estimatedTotalCost: cost, actualTotalMs: actual });

const plans: PlanInput[] = [
  { planId: "1", fingerprint: "aaaaaaaa11112222", status: "Approved", enabled: true },
  { planId: "2", fingerprint: "bbbbbbbb33334444", status: "Unapproved", enabled: false },
];

describe("intervalSeries", () => {
  it("keeps few intervals as they are, sorted by end", () => {
    const points = intervalSeries([interval(2, 10, 5), interval(1, 4, 2)]);
    expect(points.map((p) => p.endMs)).toEqual([T0 + MIN, T0 + 2 * MIN]);
    expect(points[0]).toEqual({ startMs: T0, endMs: T0 + MIN, calls: 4, meanExecMs: 2 });
  });

  it("an interval without calls has no mean (a gap, not a zero)", () => {
    expect(intervalSeries([interval(1, 0, 0)])[0]?.meanExecMs).toBeNull();
  });

  it("pools into buckets with summed calls and the calls-weighted mean", () => {
    // 4 intervals, at most 2 points: width = ceil((3 min + 1 ms) / 2) → intervals 1–2 and 3–4 pool.
    const points = intervalSeries([interval(1, 10, 1), interval(2, 30, 3), interval(3, 5, 10), interval(4, 0, 0)], 2);
    expect(points).toHaveLength(2);
    // (10·1 + 30·3) / 40 = 100 / 40 = 2.5
    expect(points[0]).toEqual({ startMs: T0, endMs: T0 + 2 * MIN, calls: 40, meanExecMs: 2.5 });
    // (5·10 + 0) / 5 = 10; the empty interval adds no calls
    expect(points[1]).toEqual({ startMs: T0 + 2 * MIN, endMs: T0 + 4 * MIN, calls: 5, meanExecMs: 10 });
    expect(seriesSpanMs(points)).toBe(4 * MIN);
  });
});

describe("planChangeMarkers", () => {
  const points = intervalSeries([interval(1, 10, 1), interval(2, 10, 1), interval(3, 10, 9), interval(4, 10, 9)]);

  it("marks the first point where another plan dominates", () => {
    const samples = [
      sample("1", T0 + 0.5 * MIN),
      sample("1", T0 + 1.5 * MIN),
      // point 3: plan 2 has 2 samples, plan 1 has 1 → plan 2 dominates from here
      sample("2", T0 + 2.2 * MIN),
      sample("2", T0 + 2.4 * MIN),
      sample("1", T0 + 2.6 * MIN),
      sample("2", T0 + 3.5 * MIN),
    ];
    const markers = planChangeMarkers(points, samples, plans);
    expect(markers).toEqual([{ atMs: T0 + 3 * MIN, fromPlanId: "1", toPlanId: "2", label: "plan aaaaaaaa → bbbbbbbb" }]);
  });

  it("points without samples do not break the run, and a change back is marked too", () => {
    const samples = [sample("1", T0 + 0.5 * MIN), sample("2", T0 + 2.5 * MIN), sample("1", T0 + 3.5 * MIN)];
    // point 2 has no sample: the change 1 → 2 is at point 3, back 2 → 1 at point 4
    expect(planChangeMarkers(points, samples, plans).map((m) => [m.atMs - T0, m.fromPlanId, m.toPlanId])).toEqual([
      [3 * MIN, "1", "2"],
      [4 * MIN, "2", "1"],
    ]);
  });

  it("a tie goes to the plan sampled last; one plan throughout marks nothing", () => {
    const tie = [sample("1", T0 + 0.2 * MIN), sample("1", T0 + 1.2 * MIN), sample("2", T0 + 1.8 * MIN)];
    // point 2: one sample each, plan 2 sampled later → change at point 2
    expect(planChangeMarkers(points, tie, plans).map((m) => m.atMs - T0)).toEqual([2 * MIN]);
    expect(planChangeMarkers(points, [sample("1", T0 + 0.5 * MIN), sample("1", T0 + 3.5 * MIN)], plans)).toEqual([]);
  });

  it("the summary says how many points, calls and changes", () => {
    const markers = planChangeMarkers(points, [sample("1", T0 + 0.5 * MIN), sample("2", T0 + 3.5 * MIN)], plans);
    // 4 points × 10 calls = 40 calls; means 1 and 9
    expect(intervalSummary(points, markers)).toBe("4 points, 40 calls, mean 1 ms to 9 ms, 1 plan change (plan aaaaaaaa → bbbbbbbb).");
  });
});

describe("costScatter", () => {
  it("one series per plan with analyzed samples, colors by plan order", () => {
    const series = costScatter([sample("2", T0, 900, 40), sample("1", T0, 12, 0.5), sample("2", T0 + MIN, 950, null)], plans);
    expect(series).toEqual([
      { planId: "1", name: "aaaaaaaa · Approved", colorIndex: 0, points: [{ estimatedCost: 12, actualMs: 0.5 }] },
      // the sample without ANALYZE (actual null) is left out
      { planId: "2", name: "bbbbbbbb · Unapproved, disabled", colorIndex: 1, points: [{ estimatedCost: 900, actualMs: 40 }] },
    ]);
    expect(planLegendName(plans[0]!)).toBe("aaaaaaaa · Approved");
  });
});
