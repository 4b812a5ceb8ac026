import { describe, expect, it } from "vitest";
import { rankStatements, type RankedStatement } from "./ranking";
import { at, HOUR_MS, interval, sample } from "./test-helpers";
import type { IntervalPoint, PlanSamplePoint, StatementWindows } from "./types";
import { regressionWindows } from "./window-stats";

// Baseline: the 24 hours before the last hour; recent: the last hour (minutes 1440–1500 after T0).
const windows = regressionWindows({ now: at(1500), recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS });

const CUSTOM_FP = "aaaaaaaa11112222";
const GENERIC_FP = "bbbbbbbb33334444";
const SPILL_FP = "cccccccc55556666";

/** `count` baseline intervals (every 60 min from minute 60) and recent intervals (every 5 min from 1445). */
function windowsOf(baseline: { count: number } & Partial<IntervalPoint>, recent: { count: number } & Partial<IntervalPoint>): IntervalPoint[] {
  const { count: nb, ...b } = baseline;
  const { count: nr, ...r } = recent;
  return [
    ...Array.from({ length: nb }, (_, i) => interval(60 * (i + 1), b, 60)),
    ...Array.from({ length: nr }, (_, i) => interval(1445 + 5 * i, r, 5)),
  ];
}

function statement(id: string, intervals: IntervalPoint[], samples: PlanSamplePoint[] = []): StatementWindows {
  return { statementId: id, queryId: `-90${id}`, query: `select ${id}`, intervals, samples };
}

const generic = statement(
  "generic",
  // 40 → 120 ms, 3 × 100 recent calls: (120 − 40) × 300 = 24,000 ms lost
  windowsOf({ count: 10, calls: 100, meanExecMs: 40, execVarianceMs2: 4 }, { count: 3, calls: 100, meanExecMs: 120, execVarianceMs2: 9 }),
  [sample(100, CUSTOM_FP), sample(700, CUSTOM_FP), sample(1450, GENERIC_FP, { isGeneric: true }), sample(1460, GENERIC_FP, { isGeneric: true })],
);
const spill = statement(
  "spill",
  // 20 → 100 ms, 6 × 100 recent calls: (100 − 20) × 600 = 48,000 ms lost; temp blocks/call 0 → 1,024
  windowsOf(
    { count: 10, calls: 100, meanExecMs: 20, execVarianceMs2: 4, sharedReadBlocks: 300 },
    { count: 6, calls: 100, meanExecMs: 100, execVarianceMs2: 25, tempWrittenBlocks: 102_400, tempReadBlocks: 102_400, sharedReadBlocks: 300 },
  ),
  [sample(500, SPILL_FP), sample(1470, SPILL_FP)],
);
const improvedByPlan = statement(
  "improved-by-plan",
  // 90 → 30 ms over 300 recent calls: (30 − 90) × 300 = −18,000 ms (time saved)
  windowsOf({ count: 10, calls: 100, meanExecMs: 90, execVarianceMs2: 16 }, { count: 3, calls: 100, meanExecMs: 30, execVarianceMs2: 4 }),
  [sample(300, GENERIC_FP, { isGeneric: true }), sample(1480, CUSTOM_FP)],
);
const improved = statement(
  "improved",
  // 50 → 10 ms over 200 recent calls: (10 − 50) × 200 = −8,000 ms
  windowsOf({ count: 10, calls: 100, meanExecMs: 50, execVarianceMs2: 16 }, { count: 2, calls: 100, meanExecMs: 10, execVarianceMs2: 1 }),
);
const noisy = statement(
  "noisy",
  // 40 → 70 ms (1.75×) but sd 100 ms: t = 30 / √(2 × 10,000 × 30/29 / 30) ≈ 1.14, p ≈ 0.26
  windowsOf({ count: 1, calls: 30, meanExecMs: 40, execVarianceMs2: 10_000 }, { count: 1, calls: 30, meanExecMs: 70, execVarianceMs2: 10_000 }),
);
const fewCalls = statement(
  "few-calls",
  // 40 → 200 ms, but only 10 recent calls (< 20); recent total 200 × 10 = 2,000 ms
  windowsOf({ count: 10, calls: 100, meanExecMs: 40, execVarianceMs2: 1 }, { count: 1, calls: 10, meanExecMs: 200, execVarianceMs2: 1 }),
);
const modest = statement(
  "modest",
  // 100 → 130 ms (1.3×), tiny spread: significant, below the 1.5× threshold; recent total 130 × 1,000 = 130,000 ms
  windowsOf({ count: 10, calls: 1_000, meanExecMs: 100, execVarianceMs2: 1 }, { count: 1, calls: 1_000, meanExecMs: 130, execVarianceMs2: 1 }),
);
const brandNew = statement("brand-new", windowsOf({ count: 0 }, { count: 1, calls: 500, meanExecMs: 5 }));

const rank = (inputs: StatementWindows[], extra: { minRatio?: number; alpha?: number; minCalls?: number } = {}) =>
  rankStatements(inputs, { windows, ...extra });

const pick = (rows: RankedStatement[], id: string) => {
  const row = rows.find((r) => r.statementId === id);
  if (row === undefined) throw new Error(`no row ${id}`);
  return row;
};

describe("rankStatements", () => {
  const all = [noisy, improved, generic, fewCalls, brandNew, spill, modest, improvedByPlan];
  const ranked = rank(all);

  it("orders regressions by impact, then improvements by time saved, then stable by recent total time", () => {
    expect(ranked.map((r) => [r.statementId, r.verdict])).toEqual([
      ["spill", "regression"], // impact 48,000
      ["generic", "regression"], // impact 24,000
      ["improved-by-plan", "improvement"], // impact −18,000
      ["improved", "improvement"], // impact −8,000
      ["modest", "stable"], // recent total 130,000 ms
      ["brand-new", "stable"], // 5 × 500 = 2,500 ms
      ["noisy", "stable"], // 70 × 30 = 2,100 ms
      ["few-calls", "stable"], // 200 × 10 = 2,000 ms
    ]);
  });

  it("reports a clear regression with its numbers and a generic-plan change", () => {
    const row = pick(ranked, "generic");
    expect(row).toMatchObject({
      queryId: "-90generic",
      query: "select generic",
      baselineMeanMs: 40,
      recentMeanMs: 120,
      ratio: 3, // 120 / 40
      recentCalls: 300, // 3 × 100
      impactMs: 24_000, // (120 − 40) × 300
      verdict: "regression",
      cause: "plan-change",
      baselinePlan: CUSTOM_FP,
      recentPlan: GENERIC_FP,
      evidence:
        "plan changed aaaaaaaa → bbbbbbbb; new plan is a generic plan ($n parameters): plan_cache_mode / prepared statements after 5 executions",
    });
    expect(row.pValue).toBeLessThan(1e-12);
    expect(Object.keys(row).sort()).toEqual(
      [
        "statementId", "queryId", "query", "baselineMeanMs", "recentMeanMs", "ratio", "recentCalls",
        "impactMs", "pValue", "verdict", "cause", "baselinePlan", "recentPlan", "evidence",
      ].sort(),
    );
  });

  it("attributes a same-plan regression to its spill", () => {
    expect(pick(ranked, "spill")).toMatchObject({
      ratio: 5, // 100 / 20
      impactMs: 48_000, // (100 − 20) × 600
      cause: "same-plan",
      baselinePlan: SPILL_FP,
      recentPlan: SPILL_FP,
      // written temp blocks per call: 102,400 / 100 = 1,024; shared reads stay 3 per call
      evidence: "same plan cccccccc; temp blocks/call 0 → 1,024 (spills: work_mem)",
    });
  });

  it("never lists an improvement as a regression, and keeps its plan change", () => {
    expect(pick(ranked, "improved-by-plan")).toMatchObject({
      verdict: "improvement",
      ratio: 1 / 3, // 30 / 90
      impactMs: -18_000, // (30 − 90) × 300
      cause: "plan-change",
      evidence: "plan changed bbbbbbbb → aaaaaaaa",
    });
    expect(pick(ranked, "improved")).toMatchObject({
      verdict: "improvement",
      impactMs: -8_000, // (10 − 50) × 200
      cause: "same-plan",
      baselinePlan: null,
      recentPlan: null,
    });
    expect(pick(ranked, "improved").evidence).toMatch(/^plans not captured in either window/);
    // Even with the ratio gate wide open, a speedup never becomes a regression.
    expect(rank([improved, improvedByPlan], { minRatio: 1.01 }).map((r) => r.verdict)).toEqual(["improvement", "improvement"]);
  });

  it.each([
    ["noisy", /^40 ms → 70 ms is within the noise \(p = 0\.2\d, needs < 0\.01\)$/],
    ["few-calls", /^too few calls to judge: 1,000 baseline, 10 recent \(needs 20 each\)$/],
    ["modest", /^100 ms → 130 ms \(1\.3×\) is significant but below the 1\.5× threshold$/],
    ["brand-new", /^no calls in the baseline window$/],
  ])("keeps %s stable, without a cause, saying why", (id, reason) => {
    const row = pick(ranked, id);
    expect(row.verdict).toBe("stable");
    expect(row.cause).toBeNull();
    expect(row.evidence).toMatch(reason);
  });

  it("computes what it can for a stable row", () => {
    expect(pick(ranked, "noisy")).toMatchObject({ baselineMeanMs: 40, recentMeanMs: 70, ratio: 1.75, impactMs: 900 }); // (70 − 40) × 30
    // scipy: ttest_ind_from_stats(40, s, 30, 70, s, 30, equal_var=False) with s² = 10,000 × 30/29 → p = 0.2579959285
    expect(pick(ranked, "noisy").pValue).toBeCloseTo(0.2579959285, 9);
    expect(pick(ranked, "brand-new")).toMatchObject({ baselineMeanMs: null, recentMeanMs: 5, ratio: null, impactMs: null, pValue: null });
  });

  it("takes minRatio, minCalls and alpha from the options", () => {
    expect(pick(rank([modest], { minRatio: 1.2 }), "modest").verdict).toBe("regression"); // 1.3 ≥ 1.2
    expect(pick(rank([fewCalls], { minCalls: 10 }), "few-calls").verdict).toBe("regression"); // 10 recent calls suffice
    expect(pick(rank([noisy], { alpha: 0.5 }), "noisy").verdict).toBe("regression"); // p ≈ 0.26 < 0.5, 1.75 ≥ 1.5
  });

  it("rejects options that cannot work", () => {
    expect(() => rank([], { alpha: 0 })).toThrow(RangeError);
    expect(() => rank([], { minRatio: 1 })).toThrow(RangeError);
    expect(() => rank([], { minCalls: 1 })).toThrow(RangeError);
  });

  it("does not depend on the input order", () => {
    expect(rank([...all].reverse())).toEqual(ranked);
  });
});
