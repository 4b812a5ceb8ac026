// Which plan Aurora QPM runs for a managed statement when plan baselines are used
// (apg_plan_mgmt.use_plan_baselines = true), in the order of domain.md and the "using managed plans"
// flow:
//  1. the optimizer's minimum-cost plan, if its total cost is below
//     unapproved_plan_execution_threshold and it is not Rejected or disabled;
//  2. else the optimizer's plan, if it is a managed plan with status Approved or Preferred (enabled
//     and valid);
//  3. else the cheapest enabled, valid Preferred plan;
//  4. else the cheapest enabled, valid Approved plan;
//  5. else the optimizer's plan.
// Rejected and disabled plans never run. When step 5 lands on a Rejected or disabled optimizer plan
// the answer is "none of the known plans": fingerprint null, and the explanation says why. QPM would
// have to plan again without it, and which plan that yields PlanWatch cannot know.
//
// PlanWatch's stand-ins: the optimizer's plan is the statement's most recently observed plan (the
// caller passes it) and "cheapest" compares each plan's latest sampled cost, where QPM re-costs every
// plan at planning time. A plan without a cost sorts last; equal costs go to the smaller fingerprint.
// The threshold is off when null or 0 (apg_plan_mgmt's default is 0: no cost is below it).
import type { ManagedPlan, PlanStatus } from "./types";

export type WhichPlanRule = "below-threshold" | "optimizer-approved" | "cheapest-preferred" | "cheapest-approved" | "optimizer-fallback";

export interface WhichPlanStatement {
  plans: readonly ManagedPlan[];
  /** The optimizer's minimum-cost plan: in PlanWatch, the plan observed last. Null when none was. */
  optimizerPlanFingerprint: string | null;
  /** Its estimated total cost; null falls back to the managed plan's latest cost. */
  optimizerPlanCost: number | null;
}

export interface WhichPlanSettings {
  /** apg_plan_mgmt.unapproved_plan_execution_threshold; null or 0 when not set. */
  unapprovedPlanExecutionThreshold: number | null;
}

export interface WhichPlanResult {
  /** Null when no known plan can run (the optimizer's plan is Rejected or disabled, or unknown). */
  fingerprint: string | null;
  /** Null when the plan is not a managed plan (yet) or none runs. */
  planId: string | null;
  rule: WhichPlanRule;
  /** The note EXPLAIN would print, or why no known plan runs. */
  explanation: string;
}

export function whichPlanRuns(statement: WhichPlanStatement, settings: WhichPlanSettings): WhichPlanResult {
  const optimizerFingerprint = statement.optimizerPlanFingerprint;
  const optimizerPlan =
    optimizerFingerprint === null ? undefined : statement.plans.find((p) => p.fingerprint === optimizerFingerprint);
  const optimizerCost = statement.optimizerPlanCost ?? optimizerPlan?.estimatedTotalCost ?? null;
  const threshold = settings.unapprovedPlanExecutionThreshold;
  const optimizerMayRun = optimizerPlan === undefined || (optimizerPlan.status !== "Rejected" && optimizerPlan.enabled);
  // A plan QPM has not seen yet is captured as Unapproved as it is planned.
  const optimizerStatus = optimizerPlan === undefined ? "new, captured as Unapproved" : optimizerPlan.status;

  // 1. Cheap enough to run even though it is not approved.
  const belowThreshold = threshold !== null && optimizerCost !== null && optimizerCost < threshold;
  if (optimizerFingerprint !== null && optimizerMayRun && belowThreshold) {
    return {
      fingerprint: optimizerFingerprint,
      planId: optimizerPlan?.id ?? null,
      rule: "below-threshold",
      explanation:
        `The minimum cost plan (${optimizerStatus}) was used: ` +
        `its cost ${optimizerCost} is below unapproved_plan_execution_threshold ${threshold}`,
    };
  }

  // 2. Already approved: runs as planned.
  const approvedOrPreferred = optimizerPlan?.status === "Approved" || optimizerPlan?.status === "Preferred";
  if (optimizerPlan !== undefined && isRunnable(optimizerPlan) && approvedOrPreferred) {
    return {
      fingerprint: optimizerPlan.fingerprint,
      planId: optimizerPlan.id,
      rule: "optimizer-approved",
      explanation: `The minimum cost plan is ${article(optimizerPlan.status)} ${optimizerPlan.status} plan and was used`,
    };
  }

  // 3, 4. A baseline plan instead of the optimizer's.
  for (const [status, rule] of [
    ["Preferred", "cheapest-preferred"],
    ["Approved", "cheapest-approved"],
  ] as const) {
    const cheapest = cheapestRunnable(statement.plans, status);
    if (cheapest !== undefined) {
      return {
        fingerprint: cheapest.fingerprint,
        planId: cheapest.id,
        rule,
        explanation: `${capitalize(article(status))} ${status} plan was used instead of the minimum cost plan`,
      };
    }
  }

  // 5. Nothing in the baseline can run: the optimizer's own plan, unless QPM may never run it.
  if (optimizerFingerprint === null) {
    return {
      fingerprint: null,
      planId: null,
      rule: "optimizer-fallback",
      explanation: "No enabled, valid Approved or Preferred plan, and no plan of the optimizer observed: which plan runs is unknown",
    };
  }
  if (!optimizerMayRun && optimizerPlan !== undefined) {
    const why = optimizerPlan.status === "Rejected" ? "Rejected" : "disabled";
    return {
      fingerprint: null,
      planId: null,
      rule: "optimizer-fallback",
      explanation:
        `No enabled, valid Approved or Preferred plan, and the minimum cost plan is ${why}: ` +
        "QPM never runs it, so none of the known plans runs",
    };
  }
  return {
    fingerprint: optimizerFingerprint,
    planId: optimizerPlan?.id ?? null,
    rule: "optimizer-fallback",
    explanation: `No enabled, valid Approved or Preferred plan: the minimum cost plan (${optimizerStatus}) was used`,
  };
}

/** Enabled and valid: the only plans QPM picks from its baseline. */
function isRunnable(plan: ManagedPlan): boolean {
  return plan.enabled && plan.valid;
}

function cheapestRunnable(plans: readonly ManagedPlan[], status: PlanStatus): ManagedPlan | undefined {
  return plans
    .filter((p) => p.status === status && isRunnable(p))
    .sort(
      (a, b) =>
        (a.estimatedTotalCost ?? Infinity) - (b.estimatedTotalCost ?? Infinity) ||
        (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0),
    )[0];
}

function article(status: PlanStatus): string {
  return status === "Approved" || status === "Unapproved" ? "an" : "a";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
