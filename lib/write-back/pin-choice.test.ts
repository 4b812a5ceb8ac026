import { describe, expect, it } from "vitest";
import { bestPinnable, choosePin, type PinCandidate } from "./pin-choice";

const at = (n: number) => new Date(Date.UTC(2026, 0, n));
const plan = (id: number, status: PinCandidate["status"], more: Partial<PinCandidate> = {}): PinCandidate => ({
  id: BigInt(id),
  status,
  enabled: true,
  valid: true,
  cost: 10,
  lastSeenAt: at(1),
  hints: `/*+ H${id} */`,
  ...more,
});
const rejected = { status: "Rejected", enabled: true } as const;

describe("choosePin", () => {
  it("pins the approved or preferred plan just decided", () => {
    expect(choosePin([plan(1, "Approved"), plan(2, "Unapproved")], 1n, { status: "Approved", enabled: true }, null)).toMatchObject({ kind: "pin", planId: 1n });
  });

  it("keeps a pinned Preferred plan when another plan is only approved", () => {
    const plans = [plan(1, "Preferred"), plan(2, "Approved")];
    expect(choosePin(plans, 2n, { status: "Approved", enabled: true }, "/*+ H1 */")).toMatchObject({ kind: "keep" });
    expect(choosePin(plans, 2n, { status: "Approved", enabled: true }, null)).toMatchObject({ kind: "pin", planId: 1n });
  });

  it("rejecting the plan that may run pins the best remaining plan, or removes the row when none remains", () => {
    const plans = [plan(1, "Approved", { cost: 50 }), plan(2, "Approved", { cost: 20 }), plan(3, "Rejected")];
    expect(choosePin(plans, 3n, rejected, null)).toMatchObject({ kind: "pin", planId: 2n });
    expect(choosePin(plans, 3n, rejected, "/*+ H3 */")).toMatchObject({ kind: "pin", planId: 2n });
    expect(choosePin([plan(1, "Rejected")], 1n, rejected, "/*+ H1 */")).toMatchObject({ kind: "unpin" });
    expect(choosePin([plan(1, "Rejected")], 1n, rejected, null)).toMatchObject({ kind: "keep" });
  });

  it("never pins an invalid or disabled plan", () => {
    const plans = [plan(1, "Approved", { valid: false }), plan(2, "Preferred", { enabled: false }), plan(3, "Rejected")];
    expect(bestPinnable(plans)).toBeNull();
    expect(choosePin(plans, 3n, rejected, "/*+ H3 */")).toMatchObject({ kind: "unpin" });
  });

  it("leaves a row it did not write unless a plan is explicitly approved or preferred", () => {
    const plans = [plan(1, "Approved"), plan(2, "Rejected")];
    expect(choosePin(plans, 2n, rejected, "/*+ Set(work_mem 64MB) */")).toMatchObject({ kind: "keep", why: expect.stringMatching(/not written by PlanWatch/) });
    expect(choosePin(plans, 1n, { status: "Approved", enabled: true }, "/*+ Set(work_mem 64MB) */")).toMatchObject({ kind: "pin", planId: 1n });
  });

  it("an unapproved plan that is not pinned changes nothing", () => {
    const plans = [plan(1, "Approved"), plan(2, "Unapproved")];
    expect(choosePin(plans, 2n, { status: "Unapproved", enabled: true }, "/*+ H1 */")).toMatchObject({ kind: "keep" });
    expect(choosePin(plans, 2n, { status: "Unapproved", enabled: true }, null)).toMatchObject({ kind: "keep" });
  });
});
