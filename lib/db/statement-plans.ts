// A statement's plans as a DBA reviews them: status, enabled and valid flags, how often and how fast
// each was seen, its latest estimated cost, the last write-back of a decision, and which plan Aurora
// QPM would run now (whichPlanRuns). JSON-ready: ids as strings, times as ISO 8601. Also which plan
// runs now for many statements at once (the statement list's column), in one query.
import { z } from "zod";
import { NotFoundError } from "../errors";
import { whichPlanRuns, type ManagedPlan, type PlanStatus, type WhichPlanResult } from "../regression";
import type { PrismaClient } from "./client";

export interface StatementPlanRow {
  planId: string;
  fingerprint: string;
  status: PlanStatus;
  enabled: boolean;
  valid: boolean;
  source: string;
  samples: number;
  /** Mean of the samples' actual total time; null when no sample was analyzed. */
  meanActualMs: number | null;
  /** Estimated total cost of the latest sample; null without samples. */
  latestEstimatedCost: number | null;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The latest decision's write-back to the target; null when no decision needed one. */
  lastWriteBack: { result: string; detail: string | null; at: string; actor: string } | null;
}

export interface StatementPlans {
  statementId: string;
  queryId: string;
  query: string;
  target: string;
  /** Which plan runs with plan baselines, the optimizer's plan being the plan sampled last. */
  runsNow: WhichPlanResult;
  plans: StatementPlanRow[];
}

const planRowSchema = z.object({
  id: z.bigint(),
  fingerprint: z.string(),
  status: z.enum(["Approved", "Unapproved", "Rejected", "Preferred"]),
  enabled: z.boolean(),
  valid: z.boolean(),
  source: z.string(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  samples: z.number(),
  meanActualMs: z.number().nullable(),
  latestCost: z.number().nullable(),
  latestSampleAt: z.date().nullable(),
  latestSampleId: z.bigint().nullable(),
  writeBackResult: z.string().nullable(),
  writeBackDetail: z.string().nullable(),
  writeBackAt: z.date().nullable(),
  writeBackActor: z.string().nullable(),
});
type PlanRecord = z.infer<typeof planRowSchema>;

/** What deciding which plan runs needs of a plan: its flags and its latest sample. */
const runsNowRowSchema = planRowSchema.pick({ id: true, fingerprint: true, status: true, enabled: true, valid: true, latestCost: true, latestSampleAt: true, latestSampleId: true });
type RunsNowRecord = z.infer<typeof runsNowRowSchema>;

/** apg_plan_mgmt.unapproved_plan_execution_threshold, when the capability detection recorded it. */
const thresholdSchema = z.object({ apgPlanMgmt: z.object({ unapprovedPlanExecutionThreshold: z.number().nullable().optional() }) });

export async function statementPlans(repo: PrismaClient, statementId: bigint): Promise<StatementPlans> {
  const statement = await repo.statement.findUnique({
    where: { id: statementId },
    select: { id: true, queryId: true, queryText: true, target: { select: { name: true, capabilities: true } } },
  });
  if (!statement) throw new NotFoundError(`statement ${statementId} does not exist`);
  const records = z.array(planRowSchema).parse(await repo.$queryRaw<unknown[]>`
    SELECT p.id, p.fingerprint, p.status::text AS status, p.enabled, p.valid, p.source::text AS source,
           p.first_seen_at AS "firstSeenAt", p.last_seen_at AS "lastSeenAt",
           agg.samples::float8 AS samples, agg.mean_actual_ms AS "meanActualMs",
           latest.estimated_total_cost AS "latestCost", latest.captured_at AS "latestSampleAt", latest.id AS "latestSampleId",
           wb.write_back_result::text AS "writeBackResult", wb.write_back_detail AS "writeBackDetail", wb.at AS "writeBackAt", wb.actor AS "writeBackActor"
      FROM plan p
      LEFT JOIN LATERAL (SELECT count(*) AS samples, avg(s.actual_total_ms) AS mean_actual_ms FROM plan_sample s WHERE s.plan_id = p.id) agg ON true
      LEFT JOIN LATERAL (SELECT s.estimated_total_cost, s.captured_at, s.id FROM plan_sample s WHERE s.plan_id = p.id ORDER BY s.captured_at DESC, s.id DESC LIMIT 1) latest ON true
      LEFT JOIN LATERAL (SELECT c.write_back_result, c.write_back_detail, c.at, c.actor FROM plan_status_change c
                          WHERE c.plan_id = p.id AND c.write_back_result IS NOT NULL ORDER BY c.at DESC, c.id DESC LIMIT 1) wb ON true
     WHERE p.statement_id = ${statementId}::bigint
     ORDER BY p.first_seen_at, p.id`);

  return {
    statementId: statement.id.toString(),
    queryId: statement.queryId.toString(),
    query: statement.queryText,
    target: statement.target.name,
    runsNow: runsNowOf(records, statement.target.capabilities),
    plans: records.map(toRow),
  };
}

export interface RunsNowEntry {
  runsNow: WhichPlanResult;
  plans: ManagedPlan[];
}

/**
 * Which plan runs now for each of `statementIds` (as statementPlans' runsNow), with one query for
 * all of them: the statement list shows this column for a whole page. Statements without plans,
 * and ids that do not exist, are absent from the map.
 */
export async function plansRunningNow(repo: PrismaClient, statementIds: readonly bigint[]): Promise<Map<string, RunsNowEntry>> {
  const result = new Map<string, RunsNowEntry>();
  if (statementIds.length === 0) return result;
  const rows = z.array(runsNowRowSchema.extend({ statementId: z.bigint(), capabilities: z.unknown() })).parse(await repo.$queryRaw<unknown[]>`
    SELECT p.statement_id AS "statementId", t.capabilities, p.id, p.fingerprint, p.status::text AS status, p.enabled, p.valid,
           latest.estimated_total_cost AS "latestCost", latest.captured_at AS "latestSampleAt", latest.id AS "latestSampleId"
      FROM plan p
      JOIN statement st ON st.id = p.statement_id
      JOIN target t ON t.id = st.target_id
      LEFT JOIN LATERAL (SELECT s.estimated_total_cost, s.captured_at, s.id FROM plan_sample s WHERE s.plan_id = p.id ORDER BY s.captured_at DESC, s.id DESC LIMIT 1) latest ON true
     WHERE p.statement_id = ANY(${statementIds.map((id) => id.toString())}::bigint[])
     ORDER BY p.statement_id, p.first_seen_at, p.id`);
  const byStatement = new Map<string, { capabilities: unknown; records: RunsNowRecord[] }>();
  for (const { statementId, capabilities, ...record } of rows) {
    const key = statementId.toString();
    const entry = byStatement.get(key) ?? { capabilities, records: [] };
    entry.records.push(record);
    byStatement.set(key, entry);
  }
  for (const [key, { capabilities, records }] of byStatement) result.set(key, { runsNow: runsNowOf(records, capabilities), plans: records.map(toManaged) });
  return result;
}

/** whichPlanRuns over a statement's plans (in first-seen order), with its target's QPM threshold. */
function runsNowOf(records: readonly RunsNowRecord[], targetCapabilities: unknown): WhichPlanResult {
  const capabilities = thresholdSchema.safeParse(targetCapabilities);
  const threshold = capabilities.success ? (capabilities.data.apgPlanMgmt.unapprovedPlanExecutionThreshold ?? null) : null;
  const optimizer = latestSampled(records);
  return whichPlanRuns(
    { plans: records.map(toManaged), optimizerPlanFingerprint: optimizer?.fingerprint ?? null, optimizerPlanCost: optimizer?.latestCost ?? null },
    { unapprovedPlanExecutionThreshold: threshold },
  );
}

/** The plan of the statement's most recent sample: PlanWatch's stand-in for the optimizer's choice. */
function latestSampled<R extends RunsNowRecord>(records: readonly R[]): R | null {
  let best: R | null = null;
  for (const r of records) {
    if (r.latestSampleAt === null || r.latestSampleId === null) continue;
    const later =
      best === null ||
      r.latestSampleAt.getTime() > (best.latestSampleAt?.getTime() ?? -Infinity) ||
      (r.latestSampleAt.getTime() === best.latestSampleAt?.getTime() && r.latestSampleId > (best.latestSampleId ?? -1n));
    if (later) best = r;
  }
  return best;
}

function toManaged(r: RunsNowRecord): ManagedPlan {
  return { id: r.id.toString(), fingerprint: r.fingerprint, status: r.status, enabled: r.enabled, valid: r.valid, estimatedTotalCost: r.latestCost };
}

function toRow(r: PlanRecord): StatementPlanRow {
  return {
    planId: r.id.toString(),
    fingerprint: r.fingerprint,
    status: r.status,
    enabled: r.enabled,
    valid: r.valid,
    source: r.source,
    samples: r.samples,
    meanActualMs: r.meanActualMs,
    latestEstimatedCost: r.latestCost,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    lastWriteBack:
      r.writeBackResult === null || r.writeBackAt === null
        ? null
        : { result: r.writeBackResult, detail: r.writeBackDetail, at: r.writeBackAt.toISOString(), actor: r.writeBackActor ?? "" },
  };
}
