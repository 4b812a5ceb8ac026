// Retention: how long the repository keeps what. Raw intervals for `rawDays` (whole daily partitions
// dropped), hourly and daily rollups for `rollupDays`, at most `samplesPerPlan` plan samples per plan
// (the newest), checkpoints of running totals as long as raw intervals. Before anything is dropped,
// every target is rolled up, so history leaves the raw table only once the rollups hold it.
import { z } from "zod";
import { UserError } from "../errors";
import { DAY_MS } from "../regression/rollup-segments";
import { periodStartMs } from "../regression/running-totals";
import { purgeIntervalsBefore } from "./partitions";
import { rollUpTarget } from "./rollups";
import type { SqlRunner } from "./sql-runner";

export interface RetentionSettings {
  rawDays: number;
  rollupDays: number;
  samplesPerPlan: number;
}

export const RETENTION_DEFAULTS: RetentionSettings = { rawDays: 14, rollupDays: 400, samplesPerPlan: 1000 };

const days = z.coerce.number().int().min(1).max(36_500);
const retentionEnvSchema = z.object({
  PLANWATCH_RETENTION_RAW_DAYS: days.default(RETENTION_DEFAULTS.rawDays),
  PLANWATCH_RETENTION_ROLLUP_DAYS: days.default(RETENTION_DEFAULTS.rollupDays),
  PLANWATCH_SAMPLES_PER_PLAN: z.coerce.number().int().min(1).max(1_000_000).default(RETENTION_DEFAULTS.samplesPerPlan),
});

/** The settings from PLANWATCH_RETENTION_RAW_DAYS, PLANWATCH_RETENTION_ROLLUP_DAYS, PLANWATCH_SAMPLES_PER_PLAN. */
export function retentionFromEnv(source: Record<string, string | undefined> = process.env): RetentionSettings {
  const parsed = retentionEnvSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`invalid environment: ${issue?.path.join(".")} ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.PLANWATCH_RETENTION_ROLLUP_DAYS < e.PLANWATCH_RETENTION_RAW_DAYS) {
    throw new UserError("invalid environment: PLANWATCH_RETENTION_ROLLUP_DAYS must be at least PLANWATCH_RETENTION_RAW_DAYS");
  }
  return { rawDays: e.PLANWATCH_RETENTION_RAW_DAYS, rollupDays: e.PLANWATCH_RETENTION_ROLLUP_DAYS, samplesPerPlan: e.PLANWATCH_SAMPLES_PER_PLAN };
}

export interface PurgeResult {
  rolledUpTargets: number;
  droppedPartitions: string[];
  deletedDefaultIntervals: number;
  deletedRollups: number;
  deletedSamples: number;
  deletedCheckpoints: number;
  durationMs: number;
}

/**
 * Checkpoints live as long as raw intervals, by whole periods (lib/regression/running-totals.ts): a
 * period's checkpoints go once it ended before the cutoff, and checkpoints_from moves to that end, so
 * rankings of windows starting earlier pool intervals and rollups again. One transaction: deleted
 * checkpoints with the old checkpoints_from would read as zeros.
 */
async function purgeCheckpointsBefore(db: SqlRunner, cutoff: Date): Promise<number> {
  const periodEnd = new Date(periodStartMs(cutoff.getTime()));
  return db.transaction(async (tx) => {
    const [gone] = await tx.query(
      `WITH gone AS (DELETE FROM target_checkpoint WHERE at <= $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [periodEnd.toISOString()],
    );
    await tx.execute(`UPDATE target SET checkpoints_from = $1::timestamptz WHERE checkpoints_from < $1::timestamptz`, [periodEnd.toISOString()]);
    return Number(gone?.n ?? 0);
  });
}

/** One pass of retention. Safe to run beside collectors (rollups lock the target row like a snapshot does). */
export async function purgeRepository(db: SqlRunner, settings: RetentionSettings, now = new Date()): Promise<PurgeResult> {
  const started = performance.now();
  const targets = await db.query(`SELECT id::text AS id FROM target ORDER BY id`);
  for (const t of targets) await rollUpTarget(db, BigInt(String(t.id)));

  const rawCutoff = new Date(now.getTime() - settings.rawDays * DAY_MS);
  const intervals = await purgeIntervalsBefore(db, rawCutoff);
  const checkpoints = await purgeCheckpointsBefore(db, rawCutoff);
  const rollups = await db.query(
    `WITH gone AS (DELETE FROM statement_rollup WHERE bucket_start < $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [new Date(now.getTime() - settings.rollupDays * DAY_MS).toISOString()],
  );
  // Only plans over the cap are looked at row by row.
  const samples = await db.query(
    `WITH over AS (SELECT plan_id FROM plan_sample GROUP BY plan_id HAVING count(*) > $1::int),
          ranked AS (SELECT s.id, row_number() OVER (PARTITION BY s.plan_id ORDER BY s.captured_at DESC, s.id DESC) AS n
                       FROM plan_sample s JOIN over USING (plan_id)),
          gone AS (DELETE FROM plan_sample WHERE id IN (SELECT id FROM ranked WHERE n > $1::int) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [settings.samplesPerPlan],
  );
  return {
    rolledUpTargets: targets.length,
    droppedPartitions: intervals.droppedPartitions,
    deletedDefaultIntervals: intervals.deletedDefaultRows,
    deletedRollups: Number(rollups[0]?.n ?? 0),
    deletedSamples: Number(samples[0]?.n ?? 0),
    deletedCheckpoints: checkpoints,
    durationMs: Math.round(performance.now() - started),
  };
}

export function describePurge(r: PurgeResult): string {
  return (
    `retention: rolled up ${r.rolledUpTargets} target(s); dropped ${r.droppedPartitions.length} interval partition(s)` +
    `${r.droppedPartitions.length ? ` (${r.droppedPartitions.join(", ")})` : ""}, ${r.deletedDefaultIntervals} default-partition interval(s), ` +
    `${r.deletedRollups} rollup(s), ${r.deletedSamples} plan sample(s), ${r.deletedCheckpoints} checkpoint(s) (${r.durationMs} ms)`
  );
}
