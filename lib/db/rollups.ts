// Hourly and daily rollups of statement_interval (schema.prisma: StatementRollup).
//
// A bucket (bucket_start, bucket_start + grain] is written once, when it is complete: when the
// target's last snapshot is at or past its end, no later snapshot can add an interval to it (a
// target's snapshots are serialized and each one's window_end is its own time). Hourly buckets come
// from intervals, daily ones from hourly ones; target.rolled_up_hour_until / rolled_up_day_until
// record how far each grain is complete, and readers (regression-windows.ts) use rollups only up to
// there. Intervals without calls count for planning only, exactly as the ranking's raw path does.
import { DAY_MS, HOUR_MS } from "../regression/rollup-segments";
import type { SqlRunner } from "./sql-runner";

export interface RollupRun {
  hourBuckets: number;
  dayBuckets: number;
  hourUntil: Date | null;
  dayUntil: Date | null;
}

/** The per-interval terms every rollup sums (alias i = statement_interval). */
export const INTERVAL_SUM_TERMS = {
  calls: "CASE WHEN i.calls > 0 THEN i.calls ELSE 0 END",
  sumExecMs: "CASE WHEN i.calls > 0 THEN i.calls * i.mean_exec_ms ELSE 0 END",
  sumSquaresExecMs2: "CASE WHEN i.calls > 0 THEN i.calls * (i.exec_variance_ms2 + i.mean_exec_ms * i.mean_exec_ms) ELSE 0 END",
  totalPlanMs: "i.total_plan_ms",
  plans: "i.plans",
  rows: "CASE WHEN i.calls > 0 THEN i.rows ELSE 0 END",
  sharedHitBlocks: "CASE WHEN i.calls > 0 THEN i.shared_hit_blocks ELSE 0 END",
  sharedReadBlocks: "CASE WHEN i.calls > 0 THEN i.shared_read_blocks ELSE 0 END",
  tempReadBlocks: "CASE WHEN i.calls > 0 THEN i.temp_read_blocks ELSE 0 END",
  tempWrittenBlocks: "CASE WHEN i.calls > 0 THEN i.temp_written_blocks ELSE 0 END",
} as const;

/** Whether an interval carries planning statistics (alias i). */
export const INTERVAL_TRACKED = "(i.total_plan_ms IS NOT NULL AND i.plans IS NOT NULL)";

const SUM_COLUMNS = [
  "calls", "sum_exec_ms", "sum_squares_exec_ms2", "total_plan_ms", "plans", "rows",
  "shared_hit_blocks", "shared_read_blocks", "temp_read_blocks", "temp_written_blocks",
] as const;

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/**
 * Rolls up every complete hour and day of one target not rolled up yet, in one transaction. Call it
 * while holding the target's collector lock (the collector does, right after the snapshot).
 */
export async function rollUpTarget(db: SqlRunner, targetId: bigint): Promise<RollupRun> {
  return db.transaction(async (tx) => {
    const [target] = await tx.query(
      `SELECT last_snapshot_at, rolled_up_hour_until, rolled_up_day_until FROM target WHERE id = $1::bigint FOR UPDATE`,
      [targetId.toString()],
    );
    if (!target) throw new Error(`target ${targetId} does not exist in the repository`);
    const last = target.last_snapshot_at as Date | null;
    const hourFrom = target.rolled_up_hour_until as Date | null;
    const dayFrom = target.rolled_up_day_until as Date | null;
    if (last === null) return { hourBuckets: 0, dayBuckets: 0, hourUntil: hourFrom, dayUntil: dayFrom };

    // Never backwards (a collector whose clock is behind must not reopen buckets).
    const hourUntil = new Date(Math.max(floorTo(last.getTime(), HOUR_MS), hourFrom?.getTime() ?? 0));
    const terms = Object.values(INTERVAL_SUM_TERMS);
    const hourBuckets = await insertBuckets(tx, targetId, hourFrom, hourUntil, {
      select: `i.target_id, i.statement_id, 'hour', date_trunc('hour', i.window_end - interval '1 millisecond', 'UTC'), ${INTERVAL_TRACKED},
               min(i.window_start), max(i.window_end), count(*), ${terms.map((t) => `sum(${t})`).join(", ")}`,
      from: "statement_interval i",
      // Buckets (h, h + 1 h] by window_end: the intervals of (from, until].
      range: (hasFrom) => `i.target_id = $1::bigint AND i.window_end <= $2::timestamptz ${hasFrom ? "AND i.window_end > $3::timestamptz" : ""}`,
    });

    const dayUntil = new Date(Math.max(floorTo(hourUntil.getTime(), DAY_MS), dayFrom?.getTime() ?? 0));
    const dayBuckets = await insertBuckets(tx, targetId, dayFrom, dayUntil, {
      select: `r.target_id, r.statement_id, 'day', date_trunc('day', r.bucket_start, 'UTC'), r.planning_tracked,
               min(r.first_window_start), max(r.last_window_end), sum(r.interval_count), ${SUM_COLUMNS.map((c) => `sum(r.${c})`).join(", ")}`,
      from: "statement_rollup r",
      // Hours nest in days: the hourly buckets starting in [from, until).
      range: (hasFrom) => `r.target_id = $1::bigint AND r.grain = 'hour' AND r.bucket_start < $2::timestamptz ${hasFrom ? "AND r.bucket_start >= $3::timestamptz" : ""}`,
    });

    await tx.execute(`UPDATE target SET rolled_up_hour_until = $2::timestamptz, rolled_up_day_until = $3::timestamptz WHERE id = $1::bigint`, [
      targetId.toString(),
      hourUntil.toISOString(),
      dayUntil.toISOString(),
    ]);
    return { hourBuckets, dayBuckets, hourUntil, dayUntil };
  });
}

/** INSERT … SELECT … GROUP BY of the buckets between from (exclusive; null: the beginning) and until; how many were written. */
async function insertBuckets(
  tx: SqlRunner,
  targetId: bigint,
  from: Date | null,
  until: Date,
  query: { select: string; from: string; range: (hasFrom: boolean) => string },
): Promise<number> {
  if (from !== null && until <= from) return 0;
  const params = [targetId.toString(), until.toISOString(), ...(from === null ? [] : [from.toISOString()])];
  const [row] = await tx.query(
    `WITH rolled AS (
       INSERT INTO statement_rollup (target_id, statement_id, grain, bucket_start, planning_tracked, first_window_start, last_window_end,
                                     interval_count, ${SUM_COLUMNS.join(", ")})
       SELECT ${query.select}
         FROM ${query.from}
        WHERE ${query.range(from !== null)}
        GROUP BY 1, 2, 4, 5
        -- One bucket's rows side by side on disk: a ranking reads whole buckets of a target, and
        -- rows in hash-aggregate order would scatter each bucket over the table (measured: 20× the pages).
        ORDER BY 4, 2
       RETURNING 1)
     SELECT count(*)::int AS n FROM rolled`,
    params,
  );
  return Number(row?.n ?? 0);
}
