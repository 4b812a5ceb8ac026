// Repository side of a snapshot: set-based statements inside one interactive transaction (lock,
// baselines, then every write in one statement: writeSnapshot).
//
// Why Prisma's interactive transaction and not a pg client on the repository URL: CollectContext
// hands us a PrismaClient, not a URL, and an interactive transaction gives the all-or-nothing we need.
// Why each column travels as ONE array literal string ('{1,2,3}' cast with $n::int8[]) rather than a
// JS array: @prisma/adapter-pg does pass JS arrays through, but converts every element on the way
// (5,000 statements × 13 columns = 65,000 values per statement), which measured about twice the
// time of the same INSERT through pg directly; one string per column costs a join in JS and
// array_in on the server. Results come back the same way (array_agg, one row) for the same reason.
import type { Prisma } from "../db/client";
import type { StatementCumulative } from "../regression/interval-stats";

export type Tx = Prisma.TransactionClient;

export interface TargetSnapshotState {
  statsResetAt: Date | null;
  deallocCount: bigint | null;
}

export interface LockedTarget extends TargetSnapshotState {
  /** The last snapshot stored for the target, by any collector (null: none yet). */
  lastSnapshotAt: Date | null;
}

export interface Baseline {
  statementId: bigint;
  capturedAt: Date;
  counters: StatementCumulative;
}

export interface IntervalRow {
  statementId: bigint;
  windowStart: Date;
  calls: bigint;
  totalExecMs: number;
  meanExecMs: number;
  execVarianceMs2: number;
  totalPlanMs: number | null;
  plans: bigint | null;
  rows: bigint;
  sharedHitBlocks: bigint;
  sharedReadBlocks: bigint;
  tempReadBlocks: bigint;
  tempWrittenBlocks: bigint;
}

function asBigint(value: unknown, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`repository returned ${typeof value} for ${what}, expected an int8`);
}

function asNumber(value: unknown, what: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  throw new Error(`repository returned ${typeof value} for ${what}, expected a float8`);
}

function asDate(value: unknown, what: string): Date {
  if (value instanceof Date) return value;
  throw new Error(`repository returned ${typeof value} for ${what}, expected a timestamptz`);
}

const nullable = <T>(value: unknown, parse: (v: unknown, what: string) => T, what: string): T | null =>
  value === null || value === undefined ? null : parse(value, what);

/** PostgreSQL array literal of integers or floats (String() of a float is its shortest exact form). */
export function numberArrayLiteral(values: readonly (bigint | number | null)[]): string {
  return `{${values.map((v) => (v === null ? "NULL" : String(v))).join(",")}}`;
}

export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}

export function timestampArrayLiteral(values: readonly Date[]): string {
  return `{${values.map((v) => v.toISOString()).join(",")}}`;
}

/** Elements of a one-dimensional array of numbers in PostgreSQL's text output ("{1,NULL,2.5}"). */
export function parseNumberArray(text: unknown, what: string): (string | null)[] {
  if (typeof text !== "string" || !text.startsWith("{") || !text.endsWith("}")) throw new Error(`repository returned ${typeof text} for ${what}, expected an array`);
  if (text === "{}") return [];
  return text.slice(1, -1).split(",").map((v) => (v === "NULL" ? null : v));
}

export const statementKey = (userId: bigint, dbId: bigint, queryId: bigint) => `${userId}:${dbId}:${queryId}`;

/** Locks the target row: two snapshots of one target must not interleave (each would double count). */
export async function lockTarget(tx: Tx, targetId: bigint): Promise<LockedTarget> {
  const rows = await tx.$queryRawUnsafe<{ stats_reset_at: unknown; dealloc_count: unknown; last_snapshot_at: unknown }[]>(
    `SELECT stats_reset_at, dealloc_count, last_snapshot_at FROM target WHERE id = $1::bigint FOR UPDATE`,
    targetId,
  );
  const row = rows[0];
  if (!row) throw new Error(`target ${targetId} does not exist in the repository`);
  return {
    statsResetAt: nullable(row.stats_reset_at, asDate, "stats_reset_at"),
    deallocCount: nullable(row.dealloc_count, asBigint, "dealloc_count"),
    lastSnapshotAt: nullable(row.last_snapshot_at, asDate, "last_snapshot_at"),
  };
}

/** Every baseline of the target, by statement key (one row of column arrays, see the header). */
export async function loadBaselines(tx: Tx, targetId: bigint): Promise<Map<string, Baseline>> {
  const columns = [
    "s.user_id", "s.db_id", "s.query_id", "c.statement_id", "round(extract(epoch FROM c.captured_at) * 1000)::int8", "c.calls", "c.total_exec_ms",
    "c.sum_squares_exec_ms2", "c.total_plan_ms", "c.plans", "c.rows", "c.shared_hit_blocks", "c.shared_read_blocks", "c.temp_read_blocks",
    "c.temp_written_blocks",
  ];
  const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(
    // Every array_agg consumes the same input stream in the same order, so element i of each
    // array belongs to the same row (one sort in the subquery instead of one per aggregate).
    `SELECT ${columns.map((_, i) => `array_agg(v${i})::text AS c${i}`).join(", ")}
       FROM (SELECT ${columns.map((c, i) => `${c} AS v${i}`).join(", ")}
               FROM statement_counter c JOIN statement s ON s.id = c.statement_id
              WHERE s.target_id = $1::bigint
              ORDER BY c.statement_id) AS b`,
    targetId,
  );
  const row = rows[0] ?? {};
  if (row.c0 === null || row.c0 === undefined) return new Map();
  const cols = columns.map((c, i) => parseNumberArray(row[`c${i}`], c));
  const at = (col: number, i: number) => cols[col]?.[i] ?? null;
  const big = (col: number, i: number) => asBigint(at(col, i), columns[col]!);
  const float = (col: number, i: number) => asNumber(at(col, i), columns[col]!);
  const out = new Map<string, Baseline>();
  for (let i = 0; i < cols[0]!.length; i++) {
    out.set(statementKey(big(0, i), big(1, i), big(2, i)), {
      statementId: big(3, i),
      capturedAt: new Date(float(4, i)),
      counters: {
        calls: big(5, i),
        totalExecMs: float(6, i),
        sumSquaresExecMs2: float(7, i),
        totalPlanMs: at(8, i) === null ? null : float(8, i),
        plans: at(9, i) === null ? null : big(9, i),
        rows: big(10, i),
        sharedHitBlocks: big(11, i),
        sharedReadBlocks: big(12, i),
        tempReadBlocks: big(13, i),
        tempWrittenBlocks: big(14, i),
      },
    });
  }
  return out;
}

/** A statement of the snapshot without a baseline (first sight): upserted by key with its text. */
export interface FreshStatement {
  queryId: bigint;
  dbId: bigint;
  userId: bigint;
  queryText: string;
  counters: StatementCumulative;
}

/** A statement with a baseline and something to store (an interval or a restarted baseline). */
export interface KnownStatement {
  statementId: bigint;
  /** "" keeps the stored text (the same pg_stat_statements entry); a restarted baseline sends the server's. */
  queryText: string;
  counters: StatementCumulative;
}

export interface SnapshotWrite {
  targetId: bigint;
  now: Date;
  fresh: FreshStatement[];
  known: KnownStatement[];
  intervals: IntervalRow[];
  /** Statements whose baseline is dropped (gone from pg_stat_statements). */
  vanished: bigint[];
  state: TargetSnapshotState;
}

const COUNTER_COLUMNS = [
  ["calls", "int8", (c: StatementCumulative) => c.calls],
  ["total_exec_ms", "float8", (c: StatementCumulative) => c.totalExecMs],
  ["sum_squares_exec_ms2", "float8", (c: StatementCumulative) => c.sumSquaresExecMs2],
  ["total_plan_ms", "float8", (c: StatementCumulative) => c.totalPlanMs],
  ["plans", "int8", (c: StatementCumulative) => c.plans],
  ["rows", "int8", (c: StatementCumulative) => c.rows],
  ["shared_hit_blocks", "int8", (c: StatementCumulative) => c.sharedHitBlocks],
  ["shared_read_blocks", "int8", (c: StatementCumulative) => c.sharedReadBlocks],
  ["temp_read_blocks", "int8", (c: StatementCumulative) => c.tempReadBlocks],
  ["temp_written_blocks", "int8", (c: StatementCumulative) => c.tempWrittenBlocks],
] as const;

const INTERVAL_COLUMNS = [
  ["calls", "int8", (i: IntervalRow) => i.calls],
  ["total_exec_ms", "float8", (i: IntervalRow) => i.totalExecMs],
  ["mean_exec_ms", "float8", (i: IntervalRow) => i.meanExecMs],
  ["exec_variance_ms2", "float8", (i: IntervalRow) => i.execVarianceMs2],
  ["total_plan_ms", "float8", (i: IntervalRow) => i.totalPlanMs],
  ["plans", "int8", (i: IntervalRow) => i.plans],
  ["rows", "int8", (i: IntervalRow) => i.rows],
  ["shared_hit_blocks", "int8", (i: IntervalRow) => i.sharedHitBlocks],
  ["shared_read_blocks", "int8", (i: IntervalRow) => i.sharedReadBlocks],
  ["temp_read_blocks", "int8", (i: IntervalRow) => i.tempReadBlocks],
  ["temp_written_blocks", "int8", (i: IntervalRow) => i.tempWrittenBlocks],
] as const;

const counterNames = COUNTER_COLUMNS.map(([name]) => name).join(", ");

/**
 * statement.last_seen_at moves at most this often for a statement that keeps running: rewriting
 * every statement row at every snapshot (a new tuple and index entries for thousands of rows a
 * minute) was the largest part of a snapshot's write. statement_counter.captured_at has the exact
 * time of the last snapshot with calls.
 */
export const LAST_SEEN_RESOLUTION = "1 hour";

/**
 * Everything a snapshot writes, as ONE statement of data-modifying CTEs (one round trip, one plan,
 * one pass of array parsing), fed by one array literal per column:
 * - fresh statements (no baseline): inserted, or touched when the row exists (evicted and back,
 *   created by the plan capture); their text replaces the stored one unless it is "" (no privilege);
 *   their baselines are inserted, joined to the upsert's RETURNING by key;
 * - known statements with calls since their baseline (or a restarted baseline): their baselines
 *   replaced by id; last_seen_at moved when a restarted baseline brings the text or once it is
 *   LAST_SEEN_RESOLUTION old; idle statements are not written at all;
 * - intervals inserted, vanished baselines deleted, the target's snapshot state updated.
 * The sets are disjoint (a statement has a baseline or not), so no row is modified twice. All CTEs
 * run to completion whether or not the final SELECT reads them; foreign keys are checked at the end
 * of the statement, when the new statements exist.
 * Returns how many fresh statements already existed (a baseline restarted after an eviction) and
 * the id of every fresh statement by key.
 */
export async function writeSnapshot(tx: Tx, w: SnapshotWrite): Promise<{ freshExisting: number; freshIds: Map<string, bigint> }> {
  const args: unknown[] = [w.targetId, w.now];
  const param = (value: unknown, type: string) => {
    args.push(value);
    return `$${args.length}::${type}`;
  };
  const nums = <T>(rows: readonly T[], pick: (r: T) => bigint | number | null, type: string) => param(numberArrayLiteral(rows.map(pick)), `${type}[]`);

  const f = w.fresh;
  const fresh = `unnest(${nums(f, (s) => s.queryId, "int8")}, ${nums(f, (s) => s.dbId, "int8")}, ${nums(f, (s) => s.userId, "int8")}, ${param(textArrayLiteral(f.map((s) => s.queryText)), "text[]")},
                   ${COUNTER_COLUMNS.map(([, type, pick]) => nums(f, (s) => pick(s.counters), type)).join(", ")})
         AS r(query_id, db_id, user_id, query_text, ${counterNames})`;
  const k = w.known;
  const known = `unnest(${nums(k, (s) => s.statementId, "int8")}, ${param(textArrayLiteral(k.map((s) => s.queryText)), "text[]")},
                   ${COUNTER_COLUMNS.map(([, type, pick]) => nums(k, (s) => pick(s.counters), type)).join(", ")})
         AS r(statement_id, query_text, ${counterNames})`;
  const iv = w.intervals;
  const intervals = `unnest(${nums(iv, (i) => i.statementId, "int8")}, ${param(timestampArrayLiteral(iv.map((i) => i.windowStart)), "timestamptz[]")},
                   ${INTERVAL_COLUMNS.map(([, type, pick]) => nums(iv, pick, type)).join(", ")})
         AS r(statement_id, window_start, ${INTERVAL_COLUMNS.map(([name]) => name).join(", ")})`;
  const vanished = nums(w.vanished, (id) => id, "int8");
  const statsResetAt = param(w.state.statsResetAt, "timestamptz");
  const dealloc = param(w.state.deallocCount, "int8");
  const excluded = COUNTER_COLUMNS.map(([name]) => `${name} = EXCLUDED.${name}`).join(", ");

  const rows = await tx.$queryRawUnsafe<{ fresh: unknown; existing: unknown; ids: unknown; query_ids: unknown; db_ids: unknown; user_ids: unknown }[]>(
    `WITH fresh_rows AS MATERIALIZED (SELECT * FROM ${fresh}),
     fresh AS (
       INSERT INTO statement (target_id, query_id, db_id, user_id, query_text, first_seen_at, last_seen_at)
       SELECT $1::bigint, r.query_id, r.db_id, r.user_id, r.query_text, $2::timestamptz, $2::timestamptz FROM fresh_rows r
       ON CONFLICT (target_id, query_id, db_id, user_id) DO UPDATE
          SET last_seen_at = EXCLUDED.last_seen_at,
              query_text = CASE WHEN EXCLUDED.query_text = '' THEN statement.query_text ELSE EXCLUDED.query_text END
       RETURNING id, query_id, db_id, user_id, (first_seen_at = $2::timestamptz) AS inserted),
     fresh_counters AS (
       INSERT INTO statement_counter (statement_id, captured_at, ${counterNames})
       SELECT s.id, $2::timestamptz, ${COUNTER_COLUMNS.map(([name]) => `r.${name}`).join(", ")}
         FROM fresh s JOIN fresh_rows r USING (query_id, db_id, user_id)
       ON CONFLICT (statement_id) DO UPDATE SET captured_at = EXCLUDED.captured_at, ${excluded}),
     known_rows AS MATERIALIZED (SELECT * FROM ${known}),
     known AS (
       UPDATE statement s
          SET last_seen_at = $2::timestamptz,
              query_text = CASE WHEN r.query_text = '' THEN s.query_text ELSE r.query_text END
         FROM known_rows r
        WHERE s.id = r.statement_id
          AND (r.query_text <> '' OR s.last_seen_at <= $2::timestamptz - interval '${LAST_SEEN_RESOLUTION}')),
     known_counters AS (
       UPDATE statement_counter c
          SET captured_at = $2::timestamptz, ${COUNTER_COLUMNS.map(([name]) => `${name} = r.${name}`).join(", ")}
         FROM known_rows r
        WHERE c.statement_id = r.statement_id),
     intervals AS (
       INSERT INTO statement_interval (target_id, statement_id, window_start, window_end, ${INTERVAL_COLUMNS.map(([name]) => name).join(", ")})
       SELECT $1::bigint, r.statement_id, r.window_start, $2::timestamptz, ${INTERVAL_COLUMNS.map(([name]) => `r.${name}`).join(", ")}
         FROM ${intervals}),
     vanished AS (DELETE FROM statement_counter WHERE statement_id = ANY(${vanished})),
     target_state AS (
       UPDATE target SET stats_reset_at = ${statsResetAt}, dealloc_count = ${dealloc}, last_snapshot_at = $2::timestamptz, updated_at = now()
        WHERE id = $1::bigint)
     SELECT count(*)::int8::text AS fresh, count(*) FILTER (WHERE NOT inserted)::int8::text AS existing,
            array_agg(id)::text AS ids, array_agg(query_id)::text AS query_ids, array_agg(db_id)::text AS db_ids, array_agg(user_id)::text AS user_ids
       FROM fresh`,
    ...args,
  );
  const row = rows[0];
  const returned = Number(asBigint(row?.fresh, "count"));
  if (returned !== w.fresh.length) throw new Error(`the statement upsert returned ${returned} rows for ${w.fresh.length} new statements`);
  const freshIds = new Map<string, bigint>();
  if (returned > 0) {
    const [ids, queryIds, dbIds, userIds] = (["ids", "query_ids", "db_ids", "user_ids"] as const).map((c) => parseNumberArray(row?.[c as keyof typeof row], c));
    ids!.forEach((id, i) => freshIds.set(statementKey(asBigint(userIds![i], "user_id"), asBigint(dbIds![i], "db_id"), asBigint(queryIds![i], "query_id")), asBigint(id, "id")));
  }
  return { freshExisting: Number(asBigint(row?.existing, "count")), freshIds };
}
