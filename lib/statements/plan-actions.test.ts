import { describe, expect, it } from "vitest";
import { availableActions, decisionErrorMessage, decisionSuccessMessage, nextFlags } from "./plan-actions";
import { parameterCount, parameterLabels } from "./params";
import { explainSummary } from "./explain";

describe("plan actions", () => {
  it("offers only the actions that change the plan", () => {
    expect(availableActions({ status: "Unapproved", enabled: true })).toEqual(["approve", "reject", "prefer", "disable"]);
    expect(availableActions({ status: "Rejected", enabled: false })).toEqual(["approve", "prefer", "enable"]);
    expect(availableActions({ status: "Preferred", enabled: true })).toEqual(["approve", "reject", "disable"]);
  });

  it("the optimistic state is decidePlan's", () => {
    expect(nextFlags({ status: "Unapproved", enabled: true }, "reject")).toEqual({ status: "Rejected", enabled: true });
    expect(nextFlags({ status: "Approved", enabled: true }, "disable")).toEqual({ status: "Approved", enabled: false });
  });

  it("says what happened", () => {
    expect(decisionErrorMessage({ status: 401, message: "sign in first" })).toBe("Sign in to change plans");
    expect(decisionErrorMessage({ status: 403, message: "your role (viewer) may not change plan statuses" })).toBe("Not allowed: your role (viewer) may not change plan statuses");
    expect(decisionErrorMessage({ status: 409, message: "x" })).toMatch(/changed by someone else — reloaded/);
    expect(decisionSuccessMessage("abcdef0123456789", "reject", { result: "advisory", detail: "stored in PlanWatch only" })).toBe(
      "Plan abcdef01 rejected · write-back advisory: stored in PlanWatch only",
    );
  });
});

describe("parameters of a statement", () => {
  it("counts up to the highest $n, ignoring literals and comments", () => {
    expect(parameterCount("select * from t where a = $1 and b = $3")).toBe(3);
    expect(parameterLabels("select $2, $1")).toEqual(["$1", "$2"]);
    expect(parameterCount("select '$9', \"$8\" -- $7\n /* $6 */ from t")).toBe(0);
  });
});

describe("EXPLAIN answer summary", () => {
  it("reads time, cost and root node from the plan JSON", () => {
    const plan = [{ Plan: { "Node Type": "Seq Scan", "Relation Name": "t", "Startup Cost": 0, "Total Cost": 35.5, "Plan Rows": 10, "Plan Width": 4, "Actual Startup Time": 0.01, "Actual Total Time": 0.2, "Actual Rows": 10, "Actual Loops": 1 }, "Planning Time": 0.05, "Execution Time": 0.25 }];
    expect(explainSummary({ planId: "7", fingerprint: "0123456789abcdef", isNew: true, status: "Unapproved", plan })).toEqual({
      planId: "7",
      shortFingerprint: "01234567",
      isNew: true,
      status: "Unapproved",
      rootNode: "Seq Scan",
      executionMs: 0.25,
      planningMs: 0.05,
      estimatedCost: 35.5,
    });
  });
});
