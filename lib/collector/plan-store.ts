// Storing captured plans in the repository, with Aurora QPM's capture rule: a statement's first plan
// is Approved, every later new shape Unapproved. Every function takes the caller's transaction, so a
// capture batch (plans, samples, log cursors) commits or rolls back as one.
import type { Prisma } from "../db/client";
import { fingerprint, type Plan } from "../plan";

export type Tx = Prisma.TransactionClient;
export type PlanSourceName = "auto_explain" | "generic_explain" | "on_demand" | "import";
export type SampleSourceName = "auto_explain" | "generic_explain" | "on_demand";

/** The actor recorded on the audit row of a plan's first status. */
export const CAPTURE_ACTOR = "collector";

export interface RecordPlanInput {
  statementId: bigint;
  plan: Plan;
  /** The plan as EXPLAIN printed it (stored for display). */
  planJson: unknown;
  source: PlanSourceName;
  capturedAt: Date;
}

export interface RecordPlanResult {
  planId: bigint;
  isNew: boolean;
  fingerprint: string;
  /** The status a new plan got; null when the plan was already known. */
  status: "Approved" | "Unapproved" | null;
}

/**
 * Upserts the plan by (statement, fingerprint). The statement row is locked first, so two
 * transactions capturing a statement's first plans one after the other decide "first" in turn: only
 * one of them can see no plan and approve. (The unique key alone would let two different first
 * shapes both be Approved.)
 */
export async function recordPlan(tx: Tx, input: RecordPlanInput): Promise<RecordPlanResult> {
  const fp = fingerprint(input.plan);
  const locked = await tx.$queryRaw<Array<{ id: bigint }>>`SELECT id FROM statement WHERE id = ${input.statementId} FOR UPDATE`;
  if (locked.length === 0) throw new Error(`statement ${input.statementId} does not exist`);

  const known = await touchPlan(tx, input.statementId, fp, input.capturedAt);
  if (known !== null) return { planId: known, isNew: false, fingerprint: fp, status: null };

  const others = await tx.plan.findFirst({ where: { statementId: input.statementId }, select: { id: true } });
  const status = others === null ? "Approved" : "Unapproved";
  const json = JSON.stringify(input.planJson ?? null);
  // ON CONFLICT: writers that do not take the statement lock (imports) may insert the same shape;
  // a unique violation would abort the whole capture transaction.
  const inserted = await tx.$queryRaw<Array<{ id: bigint }>>`
    INSERT INTO plan (statement_id, fingerprint, status, first_seen_at, last_seen_at, plan, source)
    VALUES (${input.statementId}, ${fp}, ${status}::plan_status, ${input.capturedAt}, ${input.capturedAt}, ${json}::jsonb, ${input.source}::plan_source)
    ON CONFLICT (statement_id, fingerprint) DO NOTHING
    RETURNING id`;
  const planId = inserted[0]?.id;
  if (planId === undefined) {
    const raced = await touchPlan(tx, input.statementId, fp, input.capturedAt);
    if (raced === null) throw new Error(`plan ${fp} of statement ${input.statementId} vanished while being recorded`);
    return { planId: raced, isNew: false, fingerprint: fp, status: null };
  }
  await tx.planStatusChange.create({
    data: { planId, actor: CAPTURE_ACTOR, at: input.capturedAt, fromStatus: null, toStatus: status, fromEnabled: null, toEnabled: true, reason: `captured (${input.source})` },
  });
  return { planId, isNew: true, fingerprint: fp, status };
}

/** Moves last_seen_at forward (never back: log entries may be read out of order) and returns the id. */
async function touchPlan(tx: Tx, statementId: bigint, fp: string, seenAt: Date): Promise<bigint | null> {
  const rows = await tx.$queryRaw<Array<{ id: bigint }>>`
    UPDATE plan SET last_seen_at = GREATEST(last_seen_at, ${seenAt}::timestamptz)
    WHERE statement_id = ${statementId} AND fingerprint = ${fp}
    RETURNING id`;
  return rows[0]?.id ?? null;
}

export interface PlanSampleData {
  capturedAt: Date;
  /** 0 when the plan has no costs (COSTS OFF): the column is required. */
  estimatedTotalCost: number;
  actualTotalMs: number | null;
  actualRows: number | null;
  sharedHitBlocks: number | null;
  sharedReadBlocks: number | null;
  tempReadBlocks: number | null;
  tempWrittenBlocks: number | null;
  planningMs: number | null;
  source: SampleSourceName;
}

/**
 * One observation of a plan, from its root (whose buffers and times include the whole tree).
 * Total time: EXPLAIN ANALYZE's "Execution Time", else auto_explain's duration, else the root's
 * per-loop total × loops.
 */
export function sampleFromPlan(plan: Plan, source: SampleSourceName, capturedAt: Date): PlanSampleData {
  const root = plan.root;
  const actual = root.neverExecuted ? null : root.actual;
  const rootTotal = actual?.totalTimeMs != null ? actual.totalTimeMs * Math.max(1, actual.loops) : null;
  return {
    capturedAt,
    estimatedTotalCost: root.estimate?.totalCost ?? 0,
    actualTotalMs: plan.analyzed ? (plan.executionTimeMs ?? plan.durationMs ?? rootTotal) : null,
    actualRows: plan.analyzed ? (actual?.rows ?? 0) : null,
    sharedHitBlocks: root.buffers?.sharedHitBlocks ?? null,
    sharedReadBlocks: root.buffers?.sharedReadBlocks ?? null,
    tempReadBlocks: root.buffers?.tempReadBlocks ?? null,
    tempWrittenBlocks: root.buffers?.tempWrittenBlocks ?? null,
    planningMs: plan.planningTimeMs,
    source,
  };
}

export async function appendSample(tx: Tx, planId: bigint, sample: PlanSampleData): Promise<bigint> {
  const blocks = (n: number | null) => (n === null ? null : BigInt(Math.round(n)));
  const row = await tx.planSample.create({
    data: {
      planId,
      capturedAt: sample.capturedAt,
      estimatedTotalCost: sample.estimatedTotalCost,
      actualTotalMs: sample.actualTotalMs,
      actualRows: sample.actualRows,
      sharedHitBlocks: blocks(sample.sharedHitBlocks),
      sharedReadBlocks: blocks(sample.sharedReadBlocks),
      tempReadBlocks: blocks(sample.tempReadBlocks),
      tempWrittenBlocks: blocks(sample.tempWrittenBlocks),
      planningMs: sample.planningMs,
      source: sample.source,
    },
    select: { id: true },
  });
  return row.id;
}

/**
 * The statement of a target with this query id. With dbId and userId it is the exact row; without,
 * the oldest row with the id (pg_stat_statements keeps one row per database and role, and a log
 * entry may not say which).
 */
export async function findStatementId(tx: Tx, targetId: bigint, queryId: bigint | string, dbId?: bigint | null, userId?: bigint | null): Promise<bigint | null> {
  const row = await tx.statement.findFirst({
    where: {
      targetId,
      queryId: BigInt(queryId),
      ...(dbId !== undefined && dbId !== null ? { dbId } : {}),
      ...(userId !== undefined && userId !== null ? { userId } : {}),
    },
    orderBy: { id: "asc" },
    select: { id: true },
  });
  return row?.id ?? null;
}

export interface EnsureStatementInput {
  targetId: bigint;
  queryId: bigint | string;
  dbId: bigint;
  userId: bigint;
  /** Best text known so far (e.g. auto_explain's source text); the snapshot step replaces it with the normalized text. */
  queryText: string;
  seenAt: Date;
}

/** The statement's id, creating the row when pg_stat_statements has not shown it yet. Race-safe. */
export async function ensureStatement(tx: Tx, input: EnsureStatementInput): Promise<bigint> {
  const queryId = BigInt(input.queryId);
  const inserted = await tx.$queryRaw<Array<{ id: bigint }>>`
    INSERT INTO statement (target_id, query_id, db_id, user_id, query_text, first_seen_at, last_seen_at)
    VALUES (${input.targetId}, ${queryId}, ${input.dbId}, ${input.userId}, ${input.queryText}, ${input.seenAt}, ${input.seenAt})
    ON CONFLICT (target_id, query_id, db_id, user_id) DO NOTHING
    RETURNING id`;
  const id = inserted[0]?.id ?? (await findStatementId(tx, input.targetId, queryId, input.dbId, input.userId));
  if (id === null) throw new Error(`statement ${queryId} of target ${input.targetId} vanished while being created`);
  return id;
}
