// Write-back adapters, chosen per target from its detected capabilities: apg_plan_mgmt (Aurora QPM)
// enforces decisions itself; pg_hint_plan gets a hint-table row that pins the plan to run; without
// either, decisions are advisory (stored and watched only). decidePlan records every outcome.
import type { PrismaClient } from "../db/client";
import { advisoryWriteBack, type WriteBack, type WriteBackRequest } from "../db/plan-decisions";
import type { TargetCapabilities } from "../collector/types";
import { apgPlanMgmtWriteBack } from "./apg-plan-mgmt";
import { pgHintPlanWriteBack, type HintTableKey } from "./pg-hint-plan";
import { loadWriteBackTarget, type WriteBackOptions } from "./target-session";

export type { WriteBackOptions, WriteBackTarget } from "./target-session";
export { choosePin, bestPinnable, pinnable, type PinCandidate, type PinChoice } from "./pin-choice";

export type WriteBackMode = { kind: "apg_plan_mgmt" } | { kind: "pg_hint_plan"; key: HintTableKey } | { kind: "advisory" };

/** Aurora's own plan management wins when both are present: it is what enforces plans there. */
export function writeBackMode(capabilities: TargetCapabilities | null): WriteBackMode {
  if (capabilities?.apgPlanMgmt.installed) return { kind: "apg_plan_mgmt" };
  const key = capabilities?.pgHintPlan.installed ? capabilities.pgHintPlan.hintTableKey : null;
  if (key) return { kind: "pg_hint_plan", key };
  return { kind: "advisory" };
}

/** A WriteBack for decisions on any target: each request is routed by its own targetId. */
export function targetWriteBack(repo: PrismaClient, options: WriteBackOptions = {}): WriteBack {
  return async (request: WriteBackRequest) => {
    const target = await loadWriteBackTarget(repo, request.targetId);
    if (!target) return { result: "failed", detail: `target ${request.targetId} no longer exists; nothing was written` };
    const mode = writeBackMode(target.capabilities);
    switch (mode.kind) {
      case "apg_plan_mgmt":
        return apgPlanMgmtWriteBack(repo, target, request, options);
      case "pg_hint_plan":
        return pgHintPlanWriteBack(repo, target, mode.key, request, options);
      case "advisory":
        return advisoryWriteBack(request);
    }
  };
}

/** The WriteBack for decisions on plans of one target (refuses requests for another one). */
export function writeBackFor(repo: PrismaClient, targetId: bigint, options: WriteBackOptions = {}): WriteBack {
  const inner = targetWriteBack(repo, options);
  return async (request) =>
    request.targetId === targetId ? inner(request) : { result: "failed", detail: `write-back for target ${targetId} was asked to write to target ${request.targetId}; nothing was written` };
}
