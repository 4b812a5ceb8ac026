import { describe, expect, it } from "vitest";
import { attribute, dominantPlan, metricMoves, type DominantPlan } from "./attribution";
import { interval, sample, at } from "./test-helpers";
import { aggregateIntervals, type WindowStats } from "./window-stats";

const OLD_FP = "aaaaaaaa11112222";
const NEW_FP = "bbbbbbbb33334444";
const window = { start: at(0), end: at(60) };

function stats(fields: Parameters<typeof interval>[1]): WindowStats {
  return aggregateIntervals([interval(1, { calls: 100, ...fields })]);
}

function plan(fingerprint: string, isGeneric = false): DominantPlan {
  return { planId: `id-${fingerprint.slice(0, 4)}`, fingerprint, samples: 5, windowSamples: 5, isGeneric };
}

describe("dominantPlan", () => {
  it("picks the plan with the most samples inside the window, (start, end]", () => {
    const samples = [
      sample(10, OLD_FP),
      sample(20, NEW_FP),
      sample(30, NEW_FP),
      sample(0, OLD_FP), // on the start boundary: the previous window's
      sample(-5, OLD_FP),
      sample(61, OLD_FP), // after the end
    ];
    expect(dominantPlan(samples, window)).toEqual({
      planId: "plan-bbbb",
      fingerprint: NEW_FP,
      samples: 2,
      windowSamples: 3,
      isGeneric: false,
    });
  });

  it("breaks ties by the plan sampled last, then by fingerprint", () => {
    expect(dominantPlan([sample(50, OLD_FP), sample(10, NEW_FP)], window)?.fingerprint).toBe(OLD_FP);
    expect(dominantPlan([sample(10, NEW_FP), sample(10, OLD_FP)], window)?.fingerprint).toBe(OLD_FP);
  });

  it("calls a plan generic when most of its samples were", () => {
    const samples = [sample(10, NEW_FP, { isGeneric: true }), sample(20, NEW_FP, { isGeneric: true }), sample(30, NEW_FP)];
    expect(dominantPlan(samples, window)?.isGeneric).toBe(true); // 2 of 3
    expect(dominantPlan(samples.slice(1), window)?.isGeneric).toBe(false); // 1 of 2 is not most
  });

  it("is null without samples in the window", () => {
    expect(dominantPlan([sample(90, OLD_FP)], window)).toBeNull();
  });
});

describe("metricMoves", () => {
  it("keeps the metrics that moved the statement's way, largest factor first", () => {
    const before = stats({ tempWrittenBlocks: 0, sharedReadBlocks: 300, rows: 1_000 });
    const after = stats({ tempWrittenBlocks: 102_400, sharedReadBlocks: 41_000, rows: 1_100 });
    const moves = metricMoves(before, after, "slower");
    expect(moves.map((m) => m.metric)).toEqual(["tempBlocksPerCall", "sharedReadBlocksPerCall"]);
    // temp: (1,024 + 1) / (0 + 1) = 1,025; reads: (410 + 1) / (3 + 1) = 102.75; rows 10 → 11 is no move
    expect(moves[0]?.factor).toBeCloseTo(1_025, 9);
    expect(moves[1]?.factor).toBeCloseTo(102.75, 9);
    expect(metricMoves(before, after, "faster")).toEqual([]);
  });

  it("ignores moves within the floor (0 → 0.5 temp blocks per call)", () => {
    expect(metricMoves(stats({ tempWrittenBlocks: 0 }), stats({ tempWrittenBlocks: 50 }), "slower")).toEqual([]);
  });

  it("compares planning time only where both windows tracked it", () => {
    const before = stats({ totalPlanMs: 10, plans: 100 }); // 0.1 ms per plan
    const after = stats({ totalPlanMs: 60, plans: 100 }); // 0.6 ms per plan
    expect(metricMoves(before, after, "slower").map((m) => m.metric)).toEqual(["meanPlanMs"]);
    expect(metricMoves(stats({}), after, "slower")).toEqual([]);
  });
});

describe("attribute", () => {
  const flat = stats({});

  it("plan-change names both plans, 8 characters each, and notes a new generic plan", () => {
    const a = attribute({ direction: "slower", baseline: flat, recent: flat, baselinePlan: plan(OLD_FP), recentPlan: plan(NEW_FP, true) });
    expect(a).toEqual({
      cause: "plan-change",
      baselinePlan: OLD_FP,
      recentPlan: NEW_FP,
      evidence:
        "plan changed aaaaaaaa → bbbbbbbb; new plan is a generic plan ($n parameters): plan_cache_mode / prepared statements after 5 executions",
    });
  });

  it("does not blame plan_cache_mode when the old plan was generic too", () => {
    const a = attribute({ direction: "slower", baseline: flat, recent: flat, baselinePlan: plan(OLD_FP, true), recentPlan: plan(NEW_FP, true) });
    expect(a.evidence).toBe("plan changed aaaaaaaa → bbbbbbbb; new plan is a generic plan ($n parameters), as was the old one");
  });

  it("plan-change also lists what moved with it", () => {
    const a = attribute({
      direction: "slower",
      baseline: stats({ sharedReadBlocks: 0 }),
      recent: stats({ sharedReadBlocks: 5_000 }), // 0 → 50 per call
      baselinePlan: plan(OLD_FP),
      recentPlan: plan(NEW_FP),
    });
    expect(a.evidence).toBe("plan changed aaaaaaaa → bbbbbbbb; shared reads/call 0 → 50 (cache misses)");
  });

  it("same-plan spells the spill and the cache misses with numbers", () => {
    const a = attribute({
      direction: "slower",
      baseline: stats({ tempWrittenBlocks: 0, sharedReadBlocks: 300 }), // 0 and 3 per call
      recent: stats({ tempWrittenBlocks: 102_400, sharedReadBlocks: 41_000 }), // 1,024 and 410 per call
      baselinePlan: plan(OLD_FP),
      recentPlan: plan(OLD_FP),
    });
    expect(a).toEqual({
      cause: "same-plan",
      baselinePlan: OLD_FP,
      recentPlan: OLD_FP,
      evidence: "same plan aaaaaaaa; temp blocks/call 0 → 1,024 (spills: work_mem); shared reads/call 3 → 410 (cache misses)",
    });
  });

  it("same-plan with nothing moved says so", () => {
    const a = attribute({ direction: "slower", baseline: flat, recent: flat, baselinePlan: plan(OLD_FP), recentPlan: plan(OLD_FP) });
    expect(a.evidence).toBe("same plan aaaaaaaa; no per-call metric moved (temp blocks, shared reads, rows, planning)");
  });

  it("falls back to same-plan evidence when plans were not captured", () => {
    const grown = stats({ rows: 50_000 }); // 500 rows per call against 0.1
    const a = attribute({ direction: "slower", baseline: stats({ rows: 10 }), recent: grown, baselinePlan: null, recentPlan: plan(NEW_FP) });
    expect(a).toEqual({
      cause: "same-plan",
      baselinePlan: null,
      recentPlan: NEW_FP,
      evidence: "plans not captured in the baseline window; rows/call 0.1 → 500 (data growth)",
    });
    const none = attribute({ direction: "slower", baseline: flat, recent: flat, baselinePlan: null, recentPlan: null });
    expect(none.evidence).toBe("plans not captured in either window; no per-call metric moved (temp blocks, shared reads, rows, planning)");
  });

  it("an improvement is explained by what went down", () => {
    const a = attribute({
      direction: "faster",
      baseline: stats({ tempWrittenBlocks: 20_000 }), // 200 per call
      recent: stats({ tempWrittenBlocks: 0 }),
      baselinePlan: plan(OLD_FP),
      recentPlan: plan(OLD_FP),
    });
    expect(a.evidence).toBe("same plan aaaaaaaa; temp blocks/call 200 → 0 (spills: work_mem)");
  });
});
