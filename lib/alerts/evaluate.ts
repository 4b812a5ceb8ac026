// Alert evaluation after each collection of a target. Two kinds of news:
//  - a statement that is a regression now and was not at the previous evaluation (its verdict is
//    kept in statement_verdict; the alert fires once per regression episode);
//  - new auto_explain samples of a Rejected or disabled plan, captured after that decision: the
//    target ran a plan the DBA ruled out (advisory mode cannot stop it; enforcement should have).
// Evaluation is serialized per target (a transaction advisory lock) and idempotent (dedupe keys), so
// two collectors or a retried run never alert twice. Delivery runs afterwards, in the background.
import { z } from "zod";
import { toRegressionRow } from "../api/regressions";
import type { Prisma, PrismaClient } from "../db/client";
import { rankTarget, type RankThresholds } from "../db/regressions";
import { deliverDue, type DeliveryOptions, type DeliveryReport } from "./deliver";

/** "PLWA": the advisory lock space of alert evaluation (the collector's target lock is "PLWT"). */
const ALERT_LOCK_SPACE = 0x504c5741;
export const ALERT_RECENT_MS = 3_600_000;
export const ALERT_BASELINE_MS = 24 * 3_600_000;

export type AlertKindName = "regression" | "rejected-plan-seen" | "disabled-plan-seen";
const DB_KIND = { regression: "regression", "rejected-plan-seen": "rejected_plan_seen", "disabled-plan-seen": "disabled_plan_seen" } as const;

export interface AlertEvaluationOptions extends RankThresholds {
  recentMs?: number;
  baselineMs?: number;
  /** false: record events and deliveries, send nothing now (the next evaluation sends them). */
  deliver?: DeliveryOptions | false;
  log?: (line: string) => void;
}

export interface NewAlert {
  kind: AlertKindName;
  statementId: string;
  planId: string | null;
}

export interface AlertEvaluation {
  alerts: NewAlert[];
  /** The background delivery of everything due (never rejects; resolves when it is done). */
  delivery: Promise<DeliveryReport | null>;
}

type Tx = Prisma.TransactionClient;
interface PendingEvent extends NewAlert {
  dedupeKey: string;
  payload: Record<string, unknown>;
}

/**
 * Records the target's new alerts and starts delivering them without waiting. Call it after a
 * collection has committed; it only reads the repository and writes alert tables.
 */
export async function evaluateAlerts(repo: PrismaClient, targetId: bigint, now: Date = new Date(), options: AlertEvaluationOptions = {}): Promise<AlertEvaluation> {
  const target = await repo.target.findUnique({ where: { id: targetId }, select: { id: true, name: true, capabilities: true } });
  if (!target) return { alerts: [], delivery: Promise.resolve(null) };
  const thresholds = { alpha: options.alpha, minRatio: options.minRatio, minCalls: options.minCalls };
  const rows = await rankTarget(repo, {
    targetName: target.name,
    recentMs: options.recentMs ?? ALERT_RECENT_MS,
    baselineMs: options.baselineMs ?? ALERT_BASELINE_MS,
    now,
    ...thresholds,
  });
  const context = { targetId, target: target.name, mode: enforcementMode(target.capabilities), detectedAt: now.toISOString() };

  const alerts = await repo.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock((${ALERT_LOCK_SPACE}::bigint << 32) + (${targetId}::bigint & 4294967295))`;
      const events = [...(await regressionEvents(tx, rows, context, now)), ...(await planEvents(tx, context, now))];
      return (await recordEvents(tx, targetId, events)).map(({ kind, statementId, planId }) => ({ kind, statementId, planId }));
    },
    { maxWait: 15_000, timeout: 60_000 },
  );

  const log = options.log ?? (() => undefined);
  const delivery =
    options.deliver === false
      ? Promise.resolve(null)
      : deliverDue(repo, { log, ...options.deliver }).catch((err: unknown) => {
          log(`alerts: delivery stopped: ${err instanceof Error ? err.message : String(err)}`);
          return null;
        });
  return { alerts, delivery };
}

interface EventContext {
  targetId: bigint;
  target: string;
  mode: "advisory" | "enforced";
  detectedAt: string;
}

type Ranked = Awaited<ReturnType<typeof rankTarget>>[number];

/** Statements that became regressions; stores every changed verdict. */
async function regressionEvents(tx: Tx, rows: readonly Ranked[], ctx: EventContext, now: Date): Promise<PendingEvent[]> {
  const previous = await tx.statementVerdict.findMany({
    where: { statement: { targetId: ctx.targetId } },
    select: { statementId: true, verdict: true, regressionSince: true },
  });
  const before = new Map(previous.map((v) => [v.statementId.toString(), v]));
  const ranked = new Set(rows.map((r) => r.statementId));
  const changes: Array<{ statementId: bigint; verdict: string; since: Date | null }> = [];
  const events: PendingEvent[] = [];
  for (const row of rows) {
    const prior = before.get(row.statementId);
    if (prior?.verdict === row.verdict) continue;
    const becameRegression = row.verdict === "regression";
    changes.push({ statementId: BigInt(row.statementId), verdict: row.verdict, since: becameRegression ? now : null });
    if (!becameRegression) continue;
    events.push({
      kind: "regression",
      statementId: row.statementId,
      planId: null,
      dedupeKey: `regression:${row.statementId}:${now.toISOString()}`,
      payload: { kind: "regression", target: ctx.target, detectedAt: ctx.detectedAt, regression: toRegressionRow(row) },
    });
  }
  // A statement that stopped running is no longer a regression: when it comes back slow, that is news.
  for (const v of previous) {
    if (!ranked.has(v.statementId.toString()) && v.verdict !== "stable") changes.push({ statementId: v.statementId, verdict: "stable", since: null });
  }
  if (changes.length > 0) {
    await tx.$executeRaw`
      INSERT INTO statement_verdict (statement_id, verdict, regression_since, evaluated_at)
      SELECT * FROM unnest(${changes.map((c) => c.statementId)}::bigint[], ${changes.map((c) => c.verdict)}::text[],
                           ${changes.map((c) => c.since)}::timestamptz[], ${changes.map(() => now)}::timestamptz[])
      ON CONFLICT (statement_id) DO UPDATE
        SET verdict = EXCLUDED.verdict, regression_since = EXCLUDED.regression_since, evaluated_at = EXCLUDED.evaluated_at`;
  }
  return events;
}

const seenPlanSchema = z.object({
  planId: z.bigint(),
  statementId: z.bigint(),
  queryId: z.bigint(),
  query: z.string(),
  fingerprint: z.string(),
  status: z.string(),
  enabled: z.boolean(),
  samples: z.number(),
  maxSampleId: z.bigint(),
  lastSeenAt: z.date(),
});

/** Rejected or disabled plans with auto_explain samples newer than the watermark and than the decision. */
async function planEvents(tx: Tx, ctx: EventContext, now: Date): Promise<PendingEvent[]> {
  const state = await tx.alertState.findUnique({ where: { targetId: ctx.targetId }, select: { lastSampleId: true } });
  const after = state?.lastSampleId ?? 0n;
  const seen = z.array(seenPlanSchema).parse(await tx.$queryRaw<unknown[]>`
    SELECT p.id AS "planId", p.statement_id AS "statementId", s.query_id AS "queryId", s.query_text AS query, p.fingerprint,
           p.status::text AS status, p.enabled, count(*)::float8 AS samples, max(ps.id) AS "maxSampleId", max(ps.captured_at) AS "lastSeenAt"
      FROM plan_sample ps
      JOIN plan p ON p.id = ps.plan_id
      JOIN statement s ON s.id = p.statement_id
     WHERE s.target_id = ${ctx.targetId}::bigint AND ps.id > ${after}::bigint AND ps.source = 'auto_explain'
       AND (p.status = 'Rejected' OR NOT p.enabled)
       AND ps.captured_at > coalesce((SELECT max(c.at) FROM plan_status_change c WHERE c.plan_id = p.id), '-infinity')
     GROUP BY p.id, s.id`);
  const watermark = await tx.$queryRaw<Array<{ max: bigint | null }>>`
    SELECT max(ps.id) AS max FROM plan_sample ps JOIN plan p ON p.id = ps.plan_id JOIN statement s ON s.id = p.statement_id
     WHERE s.target_id = ${ctx.targetId}::bigint AND ps.id > ${after}::bigint`;
  const lastSampleId = watermark[0]?.max ?? after;
  await tx.alertState.upsert({
    where: { targetId: ctx.targetId },
    create: { targetId: ctx.targetId, lastSampleId, evaluatedAt: now },
    update: { lastSampleId, evaluatedAt: now },
  });
  return seen.map((p) => {
    const kind: AlertKindName = p.status === "Rejected" ? "rejected-plan-seen" : "disabled-plan-seen";
    return {
      kind,
      statementId: p.statementId.toString(),
      planId: p.planId.toString(),
      dedupeKey: `${kind}:${p.planId}:${p.maxSampleId}`,
      payload: {
        kind,
        target: ctx.target,
        detectedAt: ctx.detectedAt,
        mode: ctx.mode,
        statement: { statementId: p.statementId.toString(), queryId: p.queryId.toString(), query: p.query },
        plan: { planId: p.planId.toString(), fingerprint: p.fingerprint, status: p.status, enabled: p.enabled },
        newSamples: p.samples,
        lastSeenAt: p.lastSeenAt.toISOString(),
      },
    };
  });
}

/**
 * Events (once per dedupe key) and one delivery per enabled webhook of the target or of all targets.
 * Returns the events actually recorded: a key already present was reported before.
 */
async function recordEvents(tx: Tx, targetId: bigint, events: readonly PendingEvent[]): Promise<PendingEvent[]> {
  const recorded: PendingEvent[] = [];
  for (const e of events) {
    const inserted = await tx.$queryRaw<Array<{ id: bigint }>>`
      INSERT INTO alert_event (target_id, statement_id, plan_id, kind, dedupe_key, payload)
      VALUES (${targetId}::bigint, ${BigInt(e.statementId)}::bigint, ${e.planId === null ? null : BigInt(e.planId)}::bigint,
              ${DB_KIND[e.kind]}::alert_kind, ${e.dedupeKey}, ${JSON.stringify(e.payload)}::jsonb)
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id`;
    if (inserted.length > 0) recorded.push(e);
  }
  if (recorded.length === 0) return recorded;
  await tx.$executeRaw`
    INSERT INTO alert_delivery (event_id, webhook_id)
    SELECT e.id, w.id FROM alert_event e JOIN alert_webhook w ON w.enabled AND (w.target_id IS NULL OR w.target_id = e.target_id)
     WHERE e.dedupe_key = ANY(${recorded.map((e) => e.dedupeKey)}::text[])
    ON CONFLICT (event_id, webhook_id) DO NOTHING`;
  return recorded;
}

function enforcementMode(capabilities: unknown): "advisory" | "enforced" {
  const parsed = z
    .object({ apgPlanMgmt: z.object({ installed: z.boolean() }), pgHintPlan: z.object({ installed: z.boolean() }) })
    .safeParse(capabilities);
  return parsed.success && (parsed.data.apgPlanMgmt.installed || parsed.data.pgHintPlan.installed) ? "enforced" : "advisory";
}
