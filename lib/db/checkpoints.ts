// Checkpoints of running totals (target_checkpoint; the arithmetic is lib/regression/running-totals.ts):
// written by the collector with every snapshot that stores intervals, read by the ranking, and
// rebuilt from the stored intervals by backfillCheckpoints (an existing repository, the scale
// benchmark's generated one).
import type pg from "pg";
import {
  addInterval,
  periodStartMs,
  zeroTotals,
  type CheckpointLookup,
  type IntervalSums,
  type TotalsByStatement,
  type TotalsSource,
} from "../regression/running-totals";
import { CHECKPOINT_FORMAT, decodeCheckpoint, encodeCheckpoint, packedSource } from "./checkpoint-codec";
import { inTransaction } from "./sql-runner";

/** The totals after a snapshot's intervals (a new map; `before` is left as it was). */
export function nextCheckpoint(before: TotalsByStatement, intervals: readonly (IntervalSums & { statementId: number })[]): TotalsByStatement {
  const next = new Map(before);
  for (const i of intervals) next.set(i.statementId, addInterval(next.get(i.statementId) ?? zeroTotals(), i));
  return next;
}

function decodeRow(row: { format: unknown; statement_count: unknown; totals: unknown }): TotalsByStatement {
  if (!(row.totals instanceof Uint8Array)) throw new Error(`repository returned ${typeof row.totals} for target_checkpoint.totals, expected bytea`);
  return decodeCheckpoint(row.totals, Number(row.format), Number(row.statement_count));
}

/**
 * The totals a snapshot at `now` continues from: the latest checkpoint of now's period, or none
 * (a new period, or the target's first checkpoint: totals then count from this snapshot on, and
 * checkpoints_from says so).
 */
export async function loadCheckpoint(tx: pg.ClientBase, targetId: bigint, checkpointsFrom: Date | null, now: Date): Promise<TotalsByStatement> {
  if (checkpointsFrom === null) return new Map();
  const { rows } = await tx.query<{ format: unknown; statement_count: unknown; totals: unknown }>(
    `SELECT format, statement_count, totals FROM target_checkpoint
      WHERE target_id = $1::bigint AND at > $2::timestamptz AND at <= $3::timestamptz ORDER BY at DESC LIMIT 1`,
    [targetId, new Date(periodStartMs(now.getTime())), now],
  );
  return rows[0] ? decodeRow(rows[0]) : new Map();
}

/** The checkpoint to write with a snapshot: format, record count and bytes. */
export function packCheckpoint(totals: TotalsByStatement): { format: number; statementCount: number; totals: Uint8Array } {
  return { format: CHECKPOINT_FORMAT, statementCount: totals.size, totals: encodeCheckpoint(totals) };
}

/**
 * The latest checkpoint of each lookup, by lookup key (none found: absent, meaning all zero), read
 * on the pg pool under Prisma: through $queryRaw, megabytes of bytea took 2–5× longer (measured).
 */
export async function readCheckpoints(pool: pg.Pool, targetId: bigint, lookups: readonly CheckpointLookup[]): Promise<Map<string, TotalsSource>> {
  if (lookups.length === 0) return new Map();
  // One statement: a LATERAL probe of the primary key per lookup; each checkpoint's bytes travel once
  // even when two lookups land on the same snapshot (a boundary that is also a period's end).
  const query: pg.QueryConfig = {
    text: `WITH found AS (
       SELECT k.key, c.at
         FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS k(key, after, until)
        CROSS JOIN LATERAL (SELECT at FROM target_checkpoint c
                             WHERE c.target_id = $1::bigint AND c.at > k.after AND c.at <= k.until ORDER BY c.at DESC LIMIT 1) c)
     , keyed AS (SELECT at, string_agg(key, ',') AS keys FROM found GROUP BY at)
     SELECT k.keys, c.format, c.statement_count, c.totals
       FROM keyed k JOIN target_checkpoint c ON c.target_id = $1::bigint AND c.at = k.at`,
    // Array literals: our keys have no quotes, commas or braces, ISO times none either.
    values: [
      targetId.toString(),
      `{${lookups.map((l) => l.key).join(",")}}`,
      `{${lookups.map((l) => new Date(l.afterMs).toISOString()).join(",")}}`,
      `{${lookups.map((l) => new Date(l.untilMs).toISOString()).join(",")}}`,
    ],
  };
  const { rows } = await pool.query<{ keys: unknown; format: unknown; statement_count: unknown; totals: unknown }>(query);
  const out = new Map<string, TotalsSource>();
  for (const row of rows) {
    if (typeof row.keys !== "string" || !(row.totals instanceof Uint8Array)) throw new Error("unexpected checkpoint row from the repository");
    const source = packedSource(row.totals, Number(row.format), Number(row.statement_count));
    for (const key of row.keys.split(",")) out.set(key, source);
  }
  return out;
}

/**
 * Rebuilds a target's checkpoints from its stored intervals, from the period holding `from` up to its
 * last snapshot, in one transaction on `session` (which must hold the target's collector lock, so no
 * snapshot writes in between), and sets checkpoints_from to `from`: rankings then use checkpoints
 * for windows starting there. The caller vouches that every interval after `from` is still stored
 * (raw retention drops older ones). Returns how many checkpoints were written.
 */
export async function backfillCheckpoints(session: pg.ClientBase, targetId: bigint, from: Date): Promise<number> {
  const startMs = periodStartMs(from.getTime() + 1);
  return inTransaction(session, async (tx) => {
    const { rows: times } = await tx.query<{ at: Date }>(
      `SELECT DISTINCT window_end AS at FROM statement_interval
        WHERE target_id = $1::bigint AND window_end > $2::timestamptz ORDER BY 1`,
      [targetId, new Date(startMs)],
    );
    await tx.query(`DELETE FROM target_checkpoint WHERE target_id = $1::bigint AND at > $2::timestamptz`, [targetId, new Date(startMs)]);
    let totals: TotalsByStatement = new Map();
    let period = startMs;
    for (const { at } of times) {
      if (periodStartMs(at.getTime()) !== period) {
        period = periodStartMs(at.getTime());
        totals = new Map();
      }
      const { rows } = await tx.query<{ statement_id: string; calls: string; mean_exec_ms: number; exec_variance_ms2: number; rows: string; shared_read_blocks: string; temp_written_blocks: string; total_plan_ms: number | null; plans: string | null }>(
        `SELECT statement_id, calls, mean_exec_ms, exec_variance_ms2, rows, shared_read_blocks, temp_written_blocks, total_plan_ms, plans
           FROM statement_interval WHERE target_id = $1::bigint AND window_end = $2::timestamptz`,
        [targetId, at],
      );
      totals = nextCheckpoint(
        totals,
        rows.map((r) => ({
          statementId: Number(r.statement_id),
          calls: Number(r.calls),
          meanExecMs: r.mean_exec_ms,
          execVarianceMs2: r.exec_variance_ms2,
          rows: Number(r.rows),
          sharedReadBlocks: Number(r.shared_read_blocks),
          tempWrittenBlocks: Number(r.temp_written_blocks),
          totalPlanMs: r.total_plan_ms,
          plans: r.plans === null ? null : Number(r.plans),
        })),
      );
      const packed = packCheckpoint(totals);
      await tx.query(
        `INSERT INTO target_checkpoint (target_id, at, statement_count, format, totals) VALUES ($1::bigint, $2::timestamptz, $3::int4, $4::int4, $5::bytea)`,
        [targetId, at, packed.statementCount, packed.format, packed.totals],
      );
    }
    await tx.query(`UPDATE target SET checkpoints_from = $2::timestamptz WHERE id = $1::bigint`, [targetId, from]);
    return times.length;
  });
}
