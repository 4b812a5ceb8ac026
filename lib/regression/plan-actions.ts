// What a DBA's decision does to a plan's status and enabled flag (Aurora QPM semantics). Pure:
// the server's decidePlan and the browser's optimistic update apply the same function.
import type { PlanStatus } from "./types";

export const PLAN_ACTIONS = ["approve", "reject", "prefer", "unapprove", "disable", "enable"] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

export interface PlanState {
  status: PlanStatus;
  enabled: boolean;
}

/** The state an action leads to. */
export function applyAction(state: PlanState, action: PlanAction): PlanState {
  switch (action) {
    case "approve":
      return { ...state, status: "Approved" };
    case "reject":
      return { ...state, status: "Rejected" };
    case "prefer":
      return { ...state, status: "Preferred" };
    case "unapprove":
      return { ...state, status: "Unapproved" };
    case "disable":
      return { ...state, enabled: false };
    case "enable":
      return { ...state, enabled: true };
  }
}
