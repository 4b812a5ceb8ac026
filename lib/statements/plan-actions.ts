// The plan history's buttons: which decisions would change a plan, the state each leads to (for the
// optimistic update), and the message a DBA reads afterwards. Pure; runs in the browser.
import { shortFingerprint } from "../plan/fingerprint";
import { applyAction } from "../regression/plan-actions";
import type { PlanStatus } from "../regression/types";

export type { PlanStatus };
export const UI_PLAN_ACTIONS = ["approve", "reject", "prefer", "disable", "enable"] as const;
export type UiPlanAction = (typeof UI_PLAN_ACTIONS)[number];

export interface PlanFlags {
  status: PlanStatus;
  enabled: boolean;
}

export const ACTION_LABELS: Record<UiPlanAction, string> = {
  approve: "Approve",
  reject: "Reject",
  prefer: "Prefer",
  disable: "Disable",
  enable: "Enable",
};

const PAST: Record<UiPlanAction, string> = {
  approve: "approved",
  reject: "rejected",
  prefer: "preferred",
  disable: "disabled",
  enable: "enabled",
};

/** The state after the action: decidePlan's own applyAction, for the optimistic update. */
export function nextFlags(state: PlanFlags, action: UiPlanAction): PlanFlags {
  return applyAction(state, action);
}

/** The actions that would change something, in button order. */
export function availableActions(state: PlanFlags): UiPlanAction[] {
  return UI_PLAN_ACTIONS.filter((a) => {
    const next = nextFlags(state, a);
    return next.status !== state.status || next.enabled !== state.enabled;
  });
}

export interface DecisionFailure {
  status: number;
  message: string;
}

/** What the toast says when a decision was refused. */
export function decisionErrorMessage(failure: DecisionFailure): string {
  switch (failure.status) {
    case 401:
      return "Sign in to change plans";
    case 403:
      return `Not allowed: ${failure.message}`;
    case 409:
      return "This plan was changed by someone else — reloaded. Check its state and decide again.";
    case 404:
      return `Not found: ${failure.message}`;
    default:
      return failure.message;
  }
}

/** "Plan a1b2c3d4 rejected · write-back advisory: stored in PlanWatch only…" */
export function decisionSuccessMessage(fingerprint: string, action: UiPlanAction, writeBack: { result: string; detail: string } | null): string {
  const head = `Plan ${shortFingerprint(fingerprint)} ${PAST[action]}`;
  if (writeBack === null) return `${head} (nothing changed)`;
  return `${head} · write-back ${writeBack.result}: ${writeBack.detail}`;
}
