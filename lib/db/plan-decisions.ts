// The one function that changes a plan's status or enabled flag. The UI's server actions, the
// HTTP API and the CLI all call it, so authorization, optimistic concurrency, the audit row and
// the write-back to the target happen the same way whoever asks.
import { authorize, actorName, type Actor } from "../auth/authorize";
import { ConflictError, NotFoundError, UserError } from "../errors";
import type { PrismaClient } from "./client";
import { PLAN_ACTIONS, applyAction, type PlanAction, type PlanState } from "../regression/plan-actions";
import type { WriteBackResult } from "./generated/prisma/client";

export { PLAN_ACTIONS, applyAction, type PlanAction, type PlanState };

/** What a decision asks of the target; adapters (lib/write-back) turn it into SQL on the target. */
export interface WriteBackRequest {
  targetId: bigint;
  statementId: bigint;
  planId: bigint;
  fingerprint: string;
  from: PlanState;
  to: PlanState;
}

export interface WriteBackOutcome {
  result: Exclude<WriteBackResult, "pending">;
  detail: string;
}

export type WriteBack = (request: WriteBackRequest) => Promise<WriteBackOutcome>;

export interface PlanDecision {
  planId: bigint;
  changed: boolean;
  from: PlanState;
  to: PlanState;
  /** The plan's version after the decision (the next expectedVersion). */
  version: number;
  /** The audit row, when something changed. */
  auditId: bigint | null;
  writeBack: WriteBackOutcome | null;
}

export interface DecidePlanInput {
  planId: bigint;
  action: PlanAction;
  actor: Actor | null;
  reason?: string | null;
  /**
   * The version the caller saw (the UI sends it). A different current version means someone else
   * decided in between: ConflictError instead of silently overwriting. Without it (CLI) the
   * decision applies to the current state, still atomically.
   */
  expectedVersion?: number;
}

const MAX_REASON_CHARS = 2_000;
/** Decisions are short; a burst of them may queue for a pooled connection. */
const TRANSACTION_LIMITS = { maxWait: 15_000, timeout: 15_000 };

/** Advisory mode: the decision is stored and watched; nothing is written to the target. */
export const advisoryWriteBack: WriteBack = async () => ({
  result: "advisory",
  detail: "stored in PlanWatch only: the target has neither apg_plan_mgmt nor pg_hint_plan to enforce it; PlanWatch alerts when a rejected or disabled plan is seen again",
});

export async function decidePlan(repo: PrismaClient, input: DecidePlanInput, writeBack: WriteBack = advisoryWriteBack): Promise<PlanDecision> {
  const actor = authorize(input.actor, "plan:decide");
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > MAX_REASON_CHARS) throw new UserError(`reason: at most ${MAX_REASON_CHARS} characters`);

  const decided = await repo.$transaction(async (tx) => {
    const plan = await tx.plan.findUnique({
      where: { id: input.planId },
      select: { id: true, statementId: true, fingerprint: true, status: true, enabled: true, version: true, statement: { select: { targetId: true } } },
    });
    if (!plan) throw new NotFoundError(`plan ${input.planId} does not exist`);
    const from: PlanState = { status: plan.status, enabled: plan.enabled };
    if (input.expectedVersion !== undefined && input.expectedVersion !== plan.version) {
      throw await conflict(tx, plan.id, from);
    }
    const to = applyAction(from, input.action);
    if (to.status === from.status && to.enabled === from.enabled) {
      return { plan, from, to, version: plan.version, auditId: null };
    }
    // Compare-and-set on the version: of two concurrent decisions, exactly one wins.
    const updated = await tx.plan.updateMany({
      where: { id: plan.id, version: plan.version },
      data: { status: to.status, enabled: to.enabled, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw await conflict(tx, plan.id, from);
    const audit = await tx.planStatusChange.create({
      data: {
        planId: plan.id,
        actor: actorName(actor),
        fromStatus: from.status,
        toStatus: to.status,
        fromEnabled: from.enabled,
        toEnabled: to.enabled,
        reason,
        writeBackResult: "pending",
      },
      select: { id: true },
    });
    return { plan, from, to, version: plan.version + 1, auditId: audit.id };
  }, TRANSACTION_LIMITS);

  const base = { planId: decided.plan.id, from: decided.from, to: decided.to, version: decided.version, auditId: decided.auditId };
  if (decided.auditId === null) return { ...base, changed: false, writeBack: null };

  // Outside the transaction: the target may be slow or down, and the decision stands either way.
  const outcome = await writeBack({
    targetId: decided.plan.statement.targetId,
    statementId: decided.plan.statementId,
    planId: decided.plan.id,
    fingerprint: decided.plan.fingerprint,
    from: decided.from,
    to: decided.to,
  }).catch((err: unknown): WriteBackOutcome => ({ result: "failed", detail: err instanceof Error ? err.message : String(err) }));
  await repo.planStatusChange.update({
    where: { id: decided.auditId },
    data: { writeBackResult: outcome.result, writeBackDetail: outcome.detail },
  });
  return { ...base, changed: true, writeBack: outcome };
}

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

async function conflict(tx: Tx, planId: bigint, seen: PlanState): Promise<ConflictError> {
  const last = await tx.planStatusChange.findFirst({ where: { planId }, orderBy: { id: "desc" }, select: { actor: true, at: true, toStatus: true, toEnabled: true } });
  const now = last ? `${last.toStatus}${last.toEnabled ? "" : ", disabled"} (by ${last.actor} at ${last.at.toISOString()})` : `${seen.status}`;
  return new ConflictError(`plan ${planId} was changed by someone else in the meantime: it is now ${now}; reload and decide again`);
}
