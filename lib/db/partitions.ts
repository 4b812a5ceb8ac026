// Daily partitions of statement_interval (PARTITION BY RANGE (window_end), see schema.prisma and
// the partitioned_intervals_and_rollups migration).
//
// A day's partition is created before the first snapshot of that day writes into it (the collector
// asks for today and tomorrow, so a run across midnight finds tomorrow's ready). Rows whose day has
// no partition (a test's fixed dates, rows migrated from before partitioning) land in the DEFAULT
// partition; creating a day's partition moves that day's rows out of it first, because PostgreSQL
// refuses a new partition whose range the default partition already holds rows of.
// Retention drops whole partitions (no row-by-row DELETE, no bloat) and deletes the expired rows of
// the default partition, which holds few.
import type { SqlRunner } from "./sql-runner";

export const INTERVAL_TABLE = "statement_interval";
export const DEFAULT_PARTITION = "statement_interval_default";
const DAY_MS = 86_400_000;
/** Second key of the advisory lock that serializes partition DDL ("PLWT" class, see target-lock.ts). */
const PARTITION_LOCK = [0x504c5754, -1] as const;

export const utcDay = (at: Date): Date => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

/** statement_interval_p20261122 for the day starting at `day` (UTC). */
export function partitionName(day: Date): string {
  return `${INTERVAL_TABLE}_p${day.toISOString().slice(0, 10).replaceAll("-", "")}`;
}

/** The UTC day of one of our partition names, or null for any other name (the default partition). */
export function partitionDay(name: string): Date | null {
  const match = /^statement_interval_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
}

/** Days (UTC starts) already known to have a partition, per client: saves a catalog query per snapshot. */
let known = new WeakMap<object, Set<number>>();

export async function intervalPartitionDays(db: SqlRunner): Promise<Date[]> {
  const rows = await db.query(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${INTERVAL_TABLE}'::regclass`,
  );
  return rows
    .map((r) => partitionDay(String(r.name)))
    .filter((d): d is Date => d !== null)
    .sort((a, b) => a.getTime() - b.getTime());
}

/**
 * Makes sure every UTC day from `from` to `to` (inclusive) has its partition. Cheap when they exist
 * (remembered per client). Runs its own transaction per created day.
 */
export async function ensureIntervalPartitions(db: SqlRunner, from: Date, to: Date): Promise<number> {
  const cache = known.get(db.identity) ?? new Set<number>();
  known.set(db.identity, cache);
  const wanted: Date[] = [];
  for (let t = utcDay(from).getTime(); t <= utcDay(to).getTime(); t += DAY_MS) if (!cache.has(t)) wanted.push(new Date(t));
  if (wanted.length === 0) return 0;
  const existing = new Set((await intervalPartitionDays(db)).map((d) => d.getTime()));
  let created = 0;
  for (const day of wanted) {
    if (!existing.has(day.getTime())) created += (await createDayPartition(db, day)) ? 1 : 0;
    cache.add(day.getTime());
  }
  return created;
}

/** Creates one day's partition, moving that day's rows out of the default partition; false when another process was first. */
async function createDayPartition(db: SqlRunner, day: Date): Promise<boolean> {
  const name = partitionName(day);
  const lower = day.toISOString();
  const upper = new Date(day.getTime() + DAY_MS).toISOString();
  return db.transaction(async (tx) => {
    await tx.execute(`SELECT pg_advisory_xact_lock(${PARTITION_LOCK[0]}, ${PARTITION_LOCK[1]})`);
    const exists = await tx.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relkind = 'r'`, [name]);
    if (exists.length > 0) return false;
    const range = `window_end >= '${lower}'::timestamptz AND window_end < '${upper}'::timestamptz`;
    await tx.execute(`CREATE TABLE ${name} (LIKE ${INTERVAL_TABLE} INCLUDING DEFAULTS)`);
    await tx.execute(`WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE ${range} RETURNING *) INSERT INTO ${name} SELECT * FROM moved`);
    await tx.execute(`ALTER TABLE ${INTERVAL_TABLE} ATTACH PARTITION ${name} FOR VALUES FROM ('${lower}') TO ('${upper}')`);
    return true;
  });
}

export interface IntervalPurge {
  droppedPartitions: string[];
  deletedDefaultRows: number;
}

/**
 * Drops every daily partition that ends at or before `cutoff` and deletes the default partition's
 * rows with window_end before it: intervals older than the cutoff are gone, newer ones untouched
 * (the partition holding the cutoff itself is kept whole, so up to a day more is kept).
 */
export async function purgeIntervalsBefore(db: SqlRunner, cutoff: Date): Promise<IntervalPurge> {
  const droppedPartitions: string[] = [];
  for (const day of await intervalPartitionDays(db)) {
    if (day.getTime() + DAY_MS > cutoff.getTime()) continue;
    const name = partitionName(day);
    // DETACH first: DROP of an attached partition takes the same lock, but this reads as what it is.
    await db.transaction(async (tx) => {
      await tx.execute(`SELECT pg_advisory_xact_lock(${PARTITION_LOCK[0]}, ${PARTITION_LOCK[1]})`);
      await tx.execute(`ALTER TABLE ${INTERVAL_TABLE} DETACH PARTITION ${name}`);
      await tx.execute(`DROP TABLE ${name}`);
    });
    known.get(db.identity)?.delete(day.getTime());
    droppedPartitions.push(name);
  }
  const deleted = await db.query(
    `WITH gone AS (DELETE FROM ${DEFAULT_PARTITION} WHERE window_end < $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [cutoff.toISOString()],
  );
  return { droppedPartitions, deletedDefaultRows: Number(deleted[0]?.n ?? 0) };
}

/** Forgets what this process knows about partitions (tests that recreate databases). */
export function forgetPartitionCache(): void {
  known = new WeakMap();
}
