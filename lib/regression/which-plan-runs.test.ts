import { describe, expect, it } from "vitest";
import type { ManagedPlan } from "./types";
import { whichPlanRuns, type WhichPlanStatement } from "./which-plan-runs";

function managed(fingerprint: string, fields: Partial<ManagedPlan>): ManagedPlan {
  return { id: `id-${fingerprint}`, fingerprint, status: "Approved", enabled: true, valid: true, estimatedTotalCost: 100, ...fields };
}

// A baseline with one plan of each kind; the cheap ones are exactly the ones that must never run.
const plans: ManagedPlan[] = [
  managed("approved-100", { status: "Approved", estimatedTotalCost: 100 }),
  managed("approved-200", { status: "Approved", estimatedTotalCost: 200 }),
  managed("approved-invalid-1", { status: "Approved", estimatedTotalCost: 1, valid: false }),
  managed("approved-disabled-2", { status: "Approved", estimatedTotalCost: 2, enabled: false }),
  managed("preferred-300", { status: "Preferred", estimatedTotalCost: 300 }),
  managed("preferred-disabled-150", { status: "Preferred", estimatedTotalCost: 150, enabled: false }),
  managed("preferred-invalid-50", { status: "Preferred", estimatedTotalCost: 50, valid: false }),
  managed("rejected-10", { status: "Rejected", estimatedTotalCost: 10 }),
  managed("unapproved-20", { status: "Unapproved", estimatedTotalCost: 20 }),
  managed("unapproved-disabled-30", { status: "Unapproved", estimatedTotalCost: 30, enabled: false }),
];

const without = (...fingerprints: string[]) => plans.filter((p) => !fingerprints.includes(p.fingerprint));
const noThreshold = { unapprovedPlanExecutionThreshold: null };
/** Only Unapproved, Rejected, disabled or invalid plans: nothing QPM may pick from the baseline. */
const onlyUnrunnable = without("preferred-300", "approved-100", "approved-200");

function run(optimizer: string | null, cost: number | null, threshold: number | null, statementPlans: readonly ManagedPlan[] = plans) {
  const statement: WhichPlanStatement = { plans: statementPlans, optimizerPlanFingerprint: optimizer, optimizerPlanCost: cost };
  return whichPlanRuns(statement, { unapprovedPlanExecutionThreshold: threshold });
}

describe("whichPlanRuns", () => {
  it.each([
    // [case, optimizer plan, its cost, threshold, plans, expected fingerprint, rule]
    ["1. an Unapproved optimizer plan below the threshold runs", "unapproved-20", 20, 50, plans, "unapproved-20", "below-threshold"],
    ["1. a new (unmanaged) optimizer plan below the threshold runs", "brand-new", 20, 50, plans, "brand-new", "below-threshold"],
    ["1. the threshold is checked before the plan's status", "approved-200", 40, 50, plans, "approved-200", "below-threshold"],
    ["1. not below: equal cost does not count", "unapproved-20", 50, 50, plans, "preferred-300", "cheapest-preferred"],
    ["1. a threshold of 0 is off", "unapproved-20", 20, 0, plans, "preferred-300", "cheapest-preferred"],
    ["1. a Rejected plan never runs, however cheap", "rejected-10", 10, 50, plans, "preferred-300", "cheapest-preferred"],
    ["1. a disabled plan never runs, however cheap", "unapproved-disabled-30", 30, 50, plans, "preferred-300", "cheapest-preferred"],
    ["2. an Approved optimizer plan runs as planned", "approved-200", 200, null, plans, "approved-200", "optimizer-approved"],
    ["2. a Preferred optimizer plan runs as planned", "preferred-300", 300, null, plans, "preferred-300", "optimizer-approved"],
    ["2. not when disabled", "approved-disabled-2", 2, null, plans, "preferred-300", "cheapest-preferred"],
    ["2. not when invalid", "approved-invalid-1", 1, null, plans, "preferred-300", "cheapest-preferred"],
    // 3: preferred-300 is the only enabled, valid Preferred plan (the 150 one is disabled, the 50 one invalid)
    ["3. the cheapest enabled, valid Preferred plan", "unapproved-20", 20, null, plans, "preferred-300", "cheapest-preferred"],
    // 4: approved-100 beats approved-200; the invalid (1) and disabled (2) Approved plans never run
    ["4. the cheapest enabled, valid Approved plan", "unapproved-20", 20, null, without("preferred-300"), "approved-100", "cheapest-approved"],
    ["4. even without an optimizer plan", null, null, null, without("preferred-300"), "approved-100", "cheapest-approved"],
    ["5. no runnable baseline plan: the optimizer's", "unapproved-20", 20, null, onlyUnrunnable, "unapproved-20", "optimizer-fallback"],
    // It just planned it, so the objects it depends on exist: the stored `valid = false` is stale.
    ["5. also the optimizer's invalid managed plan", "approved-invalid-1", 1, null, onlyUnrunnable, "approved-invalid-1", "optimizer-fallback"],
  ] as const)("%s", (_name, optimizer, cost, threshold, statementPlans, fingerprint, rule) => {
    const result = run(optimizer, cost, threshold, statementPlans);
    expect(result.fingerprint).toBe(fingerprint);
    expect(result.rule).toBe(rule);
    expect(result.planId).toBe(fingerprint === "brand-new" ? null : `id-${fingerprint}`);
  });

  it("explains like EXPLAIN does", () => {
    expect(run("unapproved-20", 20, null, without("preferred-300")).explanation).toBe(
      "An Approved plan was used instead of the minimum cost plan",
    );
    expect(run("unapproved-20", 20, null).explanation).toBe("A Preferred plan was used instead of the minimum cost plan");
    expect(run("approved-200", 200, null).explanation).toBe("The minimum cost plan is an Approved plan and was used");
    expect(run("unapproved-20", 20, 50).explanation).toBe(
      "The minimum cost plan (Unapproved) was used: its cost 20 is below unapproved_plan_execution_threshold 50",
    );
    expect(run("brand-new", 20, 50).explanation).toBe(
      "The minimum cost plan (new, captured as Unapproved) was used: its cost 20 is below unapproved_plan_execution_threshold 50",
    );
  });

  it("a Rejected or disabled optimizer plan with nothing else runnable: no known plan runs", () => {
    expect(run("rejected-10", 10, 50, onlyUnrunnable)).toEqual({
      fingerprint: null,
      planId: null,
      rule: "optimizer-fallback",
      explanation:
        "No enabled, valid Approved or Preferred plan, and the minimum cost plan is Rejected: QPM never runs it, so none of the known plans runs",
    });
    expect(run("unapproved-disabled-30", 30, null, onlyUnrunnable)).toMatchObject({ fingerprint: null, rule: "optimizer-fallback" });
    expect(run("unapproved-disabled-30", 30, null, onlyUnrunnable).explanation).toContain("is disabled");
  });

  it("no optimizer plan and no runnable baseline plan: unknown", () => {
    expect(run(null, null, 50, onlyUnrunnable)).toMatchObject({
      fingerprint: null,
      planId: null,
      rule: "optimizer-fallback",
    });
  });

  it("never picks a Rejected or disabled plan, nor an invalid one that the optimizer did not just produce", () => {
    for (const optimizer of [null, "brand-new", ...plans.map((p) => p.fingerprint)]) {
      for (const threshold of [null, 0, 25, 1_000]) {
        const chosen = plans.find((p) => p.fingerprint === run(optimizer, 20, threshold).fingerprint);
        expect(chosen?.status).not.toBe("Rejected");
        expect(chosen?.enabled ?? true).toBe(true);
        // The optimizer only produces plans whose objects exist, so its own plan is valid right now.
        if (chosen !== undefined && !chosen.valid) expect(chosen.fingerprint).toBe(optimizer);
      }
    }
  });

  it("uses the managed plan's latest cost when the caller has none, and sorts unknown costs last", () => {
    expect(run("unapproved-20", null, 50).rule).toBe("below-threshold"); // managed cost 20 < 50
    const unknownCosts = [
      managed("approved-unknown", { status: "Approved", estimatedTotalCost: null }),
      managed("approved-900", { status: "Approved", estimatedTotalCost: 900 }),
    ];
    expect(run(null, null, null, unknownCosts).fingerprint).toBe("approved-900");
    expect(whichPlanRuns({ plans: [], optimizerPlanFingerprint: "x", optimizerPlanCost: 5 }, noThreshold)).toMatchObject({
      fingerprint: "x",
      rule: "optimizer-fallback",
      explanation: "No enabled, valid Approved or Preferred plan: the minimum cost plan (new, captured as Unapproved) was used",
    });
  });
});
