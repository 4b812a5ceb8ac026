// Which plan a statement's pg_hint_plan row should pin after a decision. Pure, so the rules can be
// read and tested without a server.
//
// The rules follow QPM's "which plan runs": Preferred before Approved, never a Rejected, disabled or
// invalid plan. A row PlanWatch did not write (its hints match none of the statement's plans) is a
// DBA's manual fix: only an explicit approve/prefer replaces it.
import type { PlanStatus } from "../db/generated/prisma/client";
import type { PlanState } from "../db/plan-decisions";

export interface PinCandidate {
  id: bigint;
  status: PlanStatus;
  enabled: boolean;
  valid: boolean;
  /** Estimated total cost of the root, null when unknown. */
  cost: number | null;
  lastSeenAt: Date;
  /** hintsFor(plan), null when the stored plan cannot be read. */
  hints: string | null;
}

export type PinChoice =
  | { kind: "pin"; planId: bigint; why: string }
  | { kind: "unpin"; why: string }
  | { kind: "keep"; why: string };

export function pinnable(p: Pick<PinCandidate, "status" | "enabled" | "valid">): boolean {
  return (p.status === "Approved" || p.status === "Preferred") && p.enabled && p.valid;
}

export function sameHints(a: string, b: string): boolean {
  return a.replace(/\s+/g, " ").trim() === b.replace(/\s+/g, " ").trim();
}

/** Preferred first, then the cheapest estimate, then the most recently seen, then the oldest id. */
export function bestPinnable(plans: PinCandidate[], except?: bigint): PinCandidate | null {
  const ranked = plans
    .filter((p) => pinnable(p) && p.id !== except)
    .sort(
      (a, b) =>
        rankOf(a.status) - rankOf(b.status) ||
        (a.cost ?? Number.POSITIVE_INFINITY) - (b.cost ?? Number.POSITIVE_INFINITY) ||
        b.lastSeenAt.getTime() - a.lastSeenAt.getTime() ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  return ranked[0] ?? null;
}

function rankOf(status: PlanStatus): number {
  return status === "Preferred" ? 0 : 1;
}

/**
 * plans: every plan of the statement in its state after the decision; decidedId: the plan decided;
 * to: its new state; currentHints: the hints of the statement's row (application_name ''), or null.
 */
export function choosePin(plans: PinCandidate[], decidedId: bigint, to: PlanState, currentHints: string | null): PinChoice {
  const decided = plans.find((p) => p.id === decidedId);
  if (!decided) return { kind: "keep", why: "the decided plan is not among the statement's plans" };
  const current = currentHints === null ? null : (plans.find((p) => p.hints !== null && sameHints(p.hints, currentHints)) ?? "foreign");
  const best = bestPinnable(plans);

  if (pinnable(decided)) {
    if (decided.status === "Approved" && best && best.status === "Preferred") {
      if (current !== null && current !== "foreign" && current.status === "Preferred" && pinnable(current)) {
        return { kind: "keep", why: `Preferred plan ${current.id} stays pinned (a Preferred plan runs before an Approved one)` };
      }
      return { kind: "pin", planId: best.id, why: `Preferred plan ${best.id} runs before Approved plan ${decided.id}` };
    }
    return { kind: "pin", planId: decided.id, why: `plan ${decided.id} is ${decided.status}` };
  }

  if (current === "foreign") return { kind: "keep", why: "the statement's hint row was not written by PlanWatch (its hints match none of its plans); left as is" };
  if (current !== null && pinnable(current)) return { kind: "keep", why: `plan ${current.id} stays pinned` };
  if (current !== null) {
    return best
      ? { kind: "pin", planId: best.id, why: `pinned plan ${current.id} may no longer run; ${best.status} plan ${best.id} is the best remaining` }
      : { kind: "unpin", why: `pinned plan ${current.id} may no longer run and no Approved or Preferred plan remains` };
  }
  // No row: the optimizer chooses, and may choose the plan just rejected or disabled.
  if ((to.status === "Rejected" || !to.enabled) && best) {
    return { kind: "pin", planId: best.id, why: `plan ${decided.id} may no longer run; ${best.status} plan ${best.id} is the best remaining` };
  }
  return { kind: "keep", why: "nothing is pinned for this statement and nothing needs to be" };
}
