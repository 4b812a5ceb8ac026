// Importing a baseline file into a target's plans (e.g. development → production).
//
// Rules: the whole file is checked first (checkBaselineFile) and refused as a whole. Statements
// match the target's by normalized text; a statement the target has not shown yet is created with
// the file's queryId (db/user 0: not yet seen) and reported. Plans match by fingerprint; new plans
// are created with the file's decision and an audit row, all in one repository transaction. A plan
// the target already has with another decision changes through decidePlan, as the importing actor,
// so it is authorized, audited and written back like any decision. Importing the same file twice
// changes nothing the second time.
import { authorize, actorName, type Actor } from "../auth/authorize";
import { NotFoundError, UserError } from "../errors";
import type { PrismaClient } from "./client";
import { Prisma } from "./client";
import { checkBaselineFile, type BaselinePlan, type CheckedStatement } from "./baselines";
import { advisoryWriteBack, decidePlan, type PlanAction, type PlanState, type WriteBack, type WriteBackOutcome } from "./plan-decisions";
import { normalizeQueryText } from "./query-text";

export interface ImportBaselinesInput {
  targetName: string;
  /** The file's text (or its parsed JSON). */
  file: string | unknown;
  actor: Actor | null;
  /** Enforcement on the target (lib/write-back); default advisory. */
  writeBack?: WriteBack;
}

export interface ImportedDecision {
  planId: bigint;
  from: PlanState;
  to: PlanState;
  writeBack: WriteBackOutcome | null;
}

export interface ImportReport {
  statementsMatched: number;
  /** Texts of statements the target had not shown yet, created from the file. */
  statementsCreated: string[];
  plansCreated: number;
  plansUnchanged: number;
  /** Existing plans whose decision changed (through decidePlan), and new plans written back. */
  decisions: ImportedDecision[];
  /** Decisions that could not be applied after the import (e.g. someone decided in between). */
  failures: Array<{ planId: bigint; message: string }>;
}

interface PendingDecision {
  planId: bigint;
  version: number;
  from: PlanState;
  to: PlanState;
}

interface NewPlan {
  planId: bigint;
  statementId: bigint;
  fingerprint: string;
  auditId: bigint;
  to: PlanState;
}

const CAPTURED: PlanState = { status: "Unapproved", enabled: true };
const TRANSACTION_LIMITS = { maxWait: 15_000, timeout: 120_000 };

export async function importBaselines(repo: PrismaClient, input: ImportBaselinesInput): Promise<ImportReport> {
  const actor = authorize(input.actor, "baseline:import");
  const { file, statements } = checkBaselineFile(input.file);
  const target = await repo.target.findUnique({ where: { name: input.targetName }, select: { id: true } });
  if (!target) throw new NotFoundError(`there is no target named "${input.targetName}"`);
  const reason = `baseline import from target "${file.source.target}" (exported ${file.exportedAt})`;

  const stored = await repo
    .$transaction((tx) => storeStatements(tx, target.id, statements, actorName(actor), reason), TRANSACTION_LIMITS)
    .catch((err: unknown) => {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        throw new UserError(`the file's statements collide with the target's (same queryId, other text); nothing was imported`);
      }
      throw err;
    });

  const writeBack = input.writeBack ?? advisoryWriteBack;
  const report: ImportReport = { ...stored.counts, decisions: [], failures: [] };
  for (const created of stored.created) {
    const decided = await writeBackNewPlan(repo, target.id, created, writeBack);
    if (decided) report.decisions.push(decided);
  }
  for (const pending of stored.pending) await applyDecision(repo, actor, pending, reason, writeBack, report);
  return report;
}

type Tx = Prisma.TransactionClient;

async function storeStatements(tx: Tx, targetId: bigint, statements: CheckedStatement[], actor: string, reason: string) {
  const existing = await tx.statement.findMany({ where: { targetId }, select: { id: true, queryText: true }, orderBy: { id: "asc" } });
  const byText = new Map<string, bigint[]>();
  for (const s of existing) {
    const key = normalizeQueryText(s.queryText);
    const ids = byText.get(key);
    if (ids) ids.push(s.id);
    else byText.set(key, [s.id]);
  }
  const counts = { statementsMatched: 0, statementsCreated: [] as string[], plansCreated: 0, plansUnchanged: 0 };
  const created: NewPlan[] = [];
  const pending: PendingDecision[] = [];
  for (const statement of statements) {
    let ids = byText.get(normalizeQueryText(statement.queryText));
    if (ids) counts.statementsMatched += 1;
    else {
      const row = await tx.statement.create({ data: { targetId, queryId: statement.queryId, dbId: 0n, userId: 0n, queryText: statement.queryText }, select: { id: true } });
      ids = [row.id];
      counts.statementsCreated.push(statement.queryText);
    }
    for (const statementId of ids) {
      for (const plan of statement.plans) {
        const outcome = await storePlan(tx, statementId, plan, actor, reason);
        if (outcome.kind === "created") {
          counts.plansCreated += 1;
          created.push(outcome.plan);
        } else if (outcome.kind === "unchanged") counts.plansUnchanged += 1;
        else pending.push(outcome.decision);
      }
    }
  }
  return { counts, created, pending };
}

type StoreOutcome = { kind: "created"; plan: NewPlan } | { kind: "unchanged" } | { kind: "decide"; decision: PendingDecision };

async function storePlan(tx: Tx, statementId: bigint, plan: BaselinePlan, actor: string, reason: string): Promise<StoreOutcome> {
  const to: PlanState = { status: plan.status, enabled: plan.enabled };
  const known = await tx.plan.findUnique({
    where: { statementId_fingerprint: { statementId, fingerprint: plan.fingerprint } },
    select: { id: true, status: true, enabled: true, version: true },
  });
  if (known) {
    if (known.status === to.status && known.enabled === to.enabled) return { kind: "unchanged" };
    return { kind: "decide", decision: { planId: known.id, version: known.version, from: { status: known.status, enabled: known.enabled }, to } };
  }
  const row = await tx.plan.create({
    data: { statementId, fingerprint: plan.fingerprint, status: to.status, enabled: to.enabled, plan: plan.plan as Prisma.InputJsonValue, source: "import" },
    select: { id: true },
  });
  // The plan's first status, like a capture's: no "from".
  const enforce = to.status !== CAPTURED.status || to.enabled !== CAPTURED.enabled;
  const audit = await tx.planStatusChange.create({
    data: { planId: row.id, actor, fromStatus: null, toStatus: to.status, fromEnabled: null, toEnabled: to.enabled, reason, writeBackResult: enforce ? "pending" : null },
    select: { id: true },
  });
  return { kind: "created", plan: { planId: row.id, statementId, fingerprint: plan.fingerprint, auditId: audit.id, to } };
}

/** A new plan with a decision is enforced like one: as if captured, then decided. */
async function writeBackNewPlan(repo: PrismaClient, targetId: bigint, plan: NewPlan, writeBack: WriteBack): Promise<ImportedDecision | null> {
  if (plan.to.status === CAPTURED.status && plan.to.enabled === CAPTURED.enabled) return null;
  const outcome = await writeBack({ targetId, statementId: plan.statementId, planId: plan.planId, fingerprint: plan.fingerprint, from: CAPTURED, to: plan.to }).catch(
    (err: unknown): WriteBackOutcome => ({ result: "failed", detail: err instanceof Error ? err.message : String(err) }),
  );
  await repo.planStatusChange.update({ where: { id: plan.auditId }, data: { writeBackResult: outcome.result, writeBackDetail: outcome.detail } });
  return { planId: plan.planId, from: CAPTURED, to: plan.to, writeBack: outcome };
}

const STATUS_ACTION: Record<PlanState["status"], PlanAction> = { Approved: "approve", Unapproved: "unapprove", Rejected: "reject", Preferred: "prefer" };

async function applyDecision(repo: PrismaClient, actor: Actor, pending: PendingDecision, reason: string, writeBack: WriteBack, report: ImportReport): Promise<void> {
  const actions: PlanAction[] = [];
  if (pending.to.status !== pending.from.status) actions.push(STATUS_ACTION[pending.to.status]);
  if (pending.to.enabled !== pending.from.enabled) actions.push(pending.to.enabled ? "enable" : "disable");
  let expectedVersion = pending.version;
  for (const action of actions) {
    try {
      // The version seen inside the import: a decision made meanwhile wins and is reported.
      const decision = await decidePlan(repo, { planId: pending.planId, action, actor, reason, expectedVersion }, writeBack);
      expectedVersion = decision.version;
      report.decisions.push({ planId: pending.planId, from: decision.from, to: decision.to, writeBack: decision.writeBack });
    } catch (err) {
      report.failures.push({ planId: pending.planId, message: err instanceof Error ? err.message : String(err) });
      return;
    }
  }
}
