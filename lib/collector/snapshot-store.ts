// Repository side of a snapshot: set-based statements inside one transaction on the run's own
// repository session (lock, baselines, new statements when there are any, the intervals by COPY,
// then every other write in one statement: writeSnapshot).
//
// Why a plain pg session and not a Prisma transaction: the intervals go in with COPY, the bulk path
// PostgreSQL has for exactly this (bench:collect measures a snapshot against it), and COPY needs the
// session's copy sub-protocol, which Prisma does not offer. The session is the one holding the
// target's collector lock (run-core), so a snapshot costs no extra connection.
// The other columns travel as ONE array literal string per column ('{1,2,3}' cast with $n::int8[])
// and results come back the same way (array_agg, one row): one string per column, whatever the
// number of statements.
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { BASELINE_FORMAT, decodeBaselines, type PackedBaseline } from "./baseline-codec";

/** The repository session a snapshot's transaction runs on. */
export type Tx = pg.ClientBase;

async function rowsOf<R>(tx: Tx, sql: string, params: unknown[]): Promise<R[]> {
  return (await tx.query(sql, params)).rows as R[];
}

export interface TargetSnapshotState {
  statsResetAt: Date | null;
  deallocCount: bigint | null;
}

export interface LockedTarget extends TargetSnapshotState {
  /** The last snapshot stored for the target, by any collector (null: none yet). */
  lastSnapshotAt: Date | null;
  /** target.checkpoints_from: null until the target's first checkpoint. */
  checkpointsFrom: Date | null;
}

export type Baseline = PackedBaseline;

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

/** Elements of a one-dimensional array of numbers in PostgreSQL's text output ("{1,NULL,2.5}"). */
export function parseNumberArray(text: unknown, what: string): (string | null)[] {
  if (typeof text !== "string" || !text.startsWith("{") || !text.endsWith("}")) throw new Error(`repository returned ${typeof text} for ${what}, expected an array`);
  if (text === "{}") return [];
  return text.slice(1, -1).split(",").map((v) => (v === "NULL" ? null : v));
}

export const statementKey = (userId: bigint, dbId: bigint, queryId: bigint) => `${userId}:${dbId}:${queryId}`;

/** Locks the target row: two snapshots of one target must not interleave (each would double count). */
export async function lockTarget(tx: Tx, targetId: bigint): Promise<LockedTarget> {
  const rows = await rowsOf<{ stats_reset_at: unknown; dealloc_count: unknown; last_snapshot_at: unknown; checkpoints_from: unknown }>(
    tx,
    `SELECT stats_reset_at, dealloc_count, last_snapshot_at, checkpoints_from FROM target WHERE id = $1::bigint FOR UPDATE`,
    [targetId],
  );
  const row = rows[0];
  if (!row) throw new Error(`target ${targetId} does not exist in the repository`);
  return {
    statsResetAt: nullable(row.stats_reset_at, asDate, "stats_reset_at"),
    deallocCount: nullable(row.dealloc_count, asBigint, "dealloc_count"),
    lastSnapshotAt: nullable(row.last_snapshot_at, asDate, "last_snapshot_at"),
    checkpointsFrom: nullable(row.checkpoints_from, asDate, "checkpoints_from"),
  };
}

/** Every baseline of the target, by statement key (target_baseline; empty before the first snapshot). */
export async function loadBaselines(tx: Tx, targetId: bigint): Promise<Map<string, Baseline>> {
  const rows = await rowsOf<{ format: unknown; statement_count: unknown; counters: unknown }>(
    tx,
    `SELECT format, statement_count, counters FROM target_baseline WHERE target_id = $1::bigint`,
    [targetId],
  );
  const row = rows[0];
  if (!row) return new Map();
  if (!(row.counters instanceof Uint8Array)) throw new Error(`repository returned ${typeof row.counters} for target_baseline.counters, expected bytea`);
  const baselines = decodeBaselines(row.counters, asNumber(row.format, "format"), asNumber(row.statement_count, "statement_count"));
  return new Map(baselines.map((b) => [statementKey(b.userId, b.dbId, b.queryId), b]));
}

/** A statement of the snapshot without a baseline (first sight): upserted by key with its text. */
export interface FreshStatement {
  queryId: bigint;
  dbId: bigint;
  userId: bigint;
  queryText: string;
}

/** A statement with a baseline that ran since, or whose baseline restarted. */
export interface KnownStatement {
  statementId: bigint;
  /** "" keeps the stored text (the same pg_stat_statements entry); a restarted baseline sends the server's. */
  queryText: string;
}

export interface SnapshotWrite {
  targetId: bigint;
  now: Date;
  known: KnownStatement[];
  intervals: IntervalRow[];
  /** The target's baselines after this snapshot (baseline-codec format), or null: unchanged. */
  baselines: { counters: Uint8Array; statementCount: number } | null;
  /** The running totals after this snapshot (lib/db/checkpoints.ts), or null: no interval, none written. */
  checkpoint: { format: number; statementCount: number; totals: Uint8Array } | null;
  state: TargetSnapshotState;
}

/** statement_interval's columns in COPY order, with their binary COPY types. */
const INTERVAL_COPY_COLUMNS = [
  "target_id", "statement_id", "window_start", "window_end", "calls", "total_exec_ms", "mean_exec_ms", "exec_variance_ms2", "total_plan_ms",
  "plans", "rows", "shared_hit_blocks", "shared_read_blocks", "temp_read_blocks", "temp_written_blocks",
] as const;

const COPY_SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000;

/**
 * Intervals in COPY's binary format (PostgreSQL docs, "Binary Format"): per row a field count, then
 * each field as a length (-1: NULL) and its send-function bytes, big-endian: int8 and float8 as 8
 * bytes, timestamptz as int8 microseconds since 2000-01-01. Why binary: the text form cost a String()
 * of every number in the collector and a float8in/int8in/timestamptz_in of every field on the server.
 */
export function intervalCopyBinary(targetId: bigint, windowEnd: Date, rows: readonly IntervalRow[]): Buffer {
  const microsSincePgEpoch = (at: Date) => BigInt(at.getTime() - PG_EPOCH_MS) * 1000n;
  const end = microsSincePgEpoch(windowEnd);
  const starts = new Map<number, bigint>();
  // Header 19 bytes, per row 2 + 15 × (4 + 8) at most, trailer 2.
  const out = Buffer.alloc(19 + rows.length * (2 + INTERVAL_COPY_COLUMNS.length * 12) + 2);
  COPY_SIGNATURE.copy(out, 0); // then flags and header extension length, both 0
  let at = 19;
  const int8 = (v: bigint) => {
    out.writeInt32BE(8, at);
    out.writeBigInt64BE(v, at + 4);
    at += 12;
  };
  const float8 = (v: number) => {
    out.writeInt32BE(8, at);
    out.writeDoubleBE(v, at + 4);
    at += 12;
  };
  const nullField = () => {
    out.writeInt32BE(-1, at);
    at += 4;
  };
  for (const r of rows) {
    const startMs = r.windowStart.getTime();
    let start = starts.get(startMs);
    if (start === undefined) starts.set(startMs, (start = microsSincePgEpoch(r.windowStart)));
    out.writeInt16BE(INTERVAL_COPY_COLUMNS.length, at);
    at += 2;
    int8(targetId);
    int8(r.statementId);
    int8(start);
    int8(end);
    int8(r.calls);
    float8(r.totalExecMs);
    float8(r.meanExecMs);
    float8(r.execVarianceMs2);
    if (r.totalPlanMs === null) nullField();
    else float8(r.totalPlanMs);
    if (r.plans === null) nullField();
    else int8(r.plans);
    int8(r.rows);
    int8(r.sharedHitBlocks);
    int8(r.sharedReadBlocks);
    int8(r.tempReadBlocks);
    int8(r.tempWrittenBlocks);
  }
  out.writeInt16BE(-1, at);
  return out.subarray(0, at + 2);
}

async function copyIntervals(tx: Tx, data: Buffer): Promise<void> {
  await pipeline(Readable.from([data]), tx.query(copyFrom(`COPY statement_interval (${INTERVAL_COPY_COLUMNS.join(", ")}) FROM STDIN (FORMAT binary)`)));
}

/**
 * statement.last_seen_at moves at most this often for a statement that keeps running: rewriting
 * every statement row at every snapshot (a new tuple and index entries for thousands of rows a
 * minute) was the largest part of a snapshot's write. The target's baseline has the exact time of
 * each statement's last snapshot with calls.
 */
export const LAST_SEEN_RESOLUTION = "1 hour";

/**
 * Statements seen for the first time since their baseline (new, or evicted and back, or created by
 * the plan capture): inserted, or touched when the row exists; their text replaces the stored one
 * unless it is "" (no privilege). Returns how many already existed (a baseline restarted after an
 * eviction) and the id of every one by key, for their baselines.
 */
export async function upsertStatements(
  tx: Tx,
  targetId: bigint,
  now: Date,
  fresh: readonly FreshStatement[],
): Promise<{ existing: number; ids: Map<string, bigint> }> {
  if (fresh.length === 0) return { existing: 0, ids: new Map() };
  const rows = await rowsOf<{ fresh: unknown; existing: unknown; ids: unknown; query_ids: unknown; db_ids: unknown; user_ids: unknown }>(
    tx,
    `WITH fresh AS (
       INSERT INTO statement (target_id, query_id, db_id, user_id, query_text, first_seen_at, last_seen_at)
       SELECT $1::bigint, r.query_id, r.db_id, r.user_id, r.query_text, $2::timestamptz, $2::timestamptz
         FROM unnest($3::int8[], $4::int8[], $5::int8[], $6::text[]) AS r(query_id, db_id, user_id, query_text)
       ON CONFLICT (target_id, query_id, db_id, user_id) DO UPDATE
          SET last_seen_at = EXCLUDED.last_seen_at,
              query_text = CASE WHEN EXCLUDED.query_text = '' THEN statement.query_text ELSE EXCLUDED.query_text END
       RETURNING id, query_id, db_id, user_id, (first_seen_at = $2::timestamptz) AS inserted)
     SELECT count(*)::int8::text AS fresh, count(*) FILTER (WHERE NOT inserted)::int8::text AS existing,
            array_agg(id)::text AS ids, array_agg(query_id)::text AS query_ids, array_agg(db_id)::text AS db_ids, array_agg(user_id)::text AS user_ids
       FROM fresh`,
    [
      targetId,
      now,
      numberArrayLiteral(fresh.map((s) => s.queryId)),
      numberArrayLiteral(fresh.map((s) => s.dbId)),
      numberArrayLiteral(fresh.map((s) => s.userId)),
      textArrayLiteral(fresh.map((s) => s.queryText)),
    ],
  );
  const row = rows[0];
  const returned = Number(asBigint(row?.fresh, "count"));
  if (returned !== fresh.length) throw new Error(`the statement upsert returned ${returned} rows for ${fresh.length} new statements`);
  const [ids, queryIds, dbIds, userIds] = (["ids", "query_ids", "db_ids", "user_ids"] as const).map((c) => parseNumberArray(row?.[c], c));
  const out = new Map<string, bigint>();
  ids!.forEach((id, i) => out.set(statementKey(asBigint(userIds![i], "user_id"), asBigint(dbIds![i], "db_id"), asBigint(queryIds![i], "query_id")), asBigint(id, "id")));
  return { existing: Number(asBigint(row?.existing, "count")), ids: out };
}

/**
 * Everything else a snapshot writes: the intervals by COPY, then ONE statement of data-modifying
 * CTEs (one round trip, one plan), fed by one array literal per column:
 * - known statements that ran: last_seen_at moved once it is LAST_SEEN_RESOLUTION old, or when a
 *   restarted baseline brings the text; idle statements are not written at all;
 * - the target's baselines replaced (one row, see baseline-codec.ts), unless nothing changed;
 * - the running totals after the intervals (one row, see lib/db/checkpoints.ts), when there are any;
 * - the target's snapshot state updated.
 */
export async function writeSnapshot(tx: Tx, w: SnapshotWrite): Promise<void> {
  if (w.intervals.length > 0) await copyIntervals(tx, intervalCopyBinary(w.targetId, w.now, w.intervals));
  const args: unknown[] = [w.targetId, w.now];
  const param = (value: unknown, type: string) => {
    args.push(value);
    return `$${args.length}::${type}`;
  };
  const k = w.known;
  const known = `unnest(${param(numberArrayLiteral(k.map((s) => s.statementId)), "int8[]")}, ${param(textArrayLiteral(k.map((s) => s.queryText)), "text[]")})
         AS r(statement_id, query_text)`;
  const baseline = w.baselines
    ? `baseline AS (
       INSERT INTO target_baseline (target_id, written_at, statement_count, format, counters)
       VALUES ($1::bigint, $2::timestamptz, ${param(w.baselines.statementCount, "int4")}, ${BASELINE_FORMAT}, ${param(w.baselines.counters, "bytea")})
       ON CONFLICT (target_id) DO UPDATE
          SET written_at = EXCLUDED.written_at, statement_count = EXCLUDED.statement_count, format = EXCLUDED.format, counters = EXCLUDED.counters),`
    : "";
  const checkpoint = w.checkpoint
    ? `checkpoint AS (
       INSERT INTO target_checkpoint (target_id, at, statement_count, format, totals)
       VALUES ($1::bigint, $2::timestamptz, ${param(w.checkpoint.statementCount, "int4")}, ${param(w.checkpoint.format, "int4")}, ${param(w.checkpoint.totals, "bytea")})),`
    : "";
  const statsResetAt = param(w.state.statsResetAt, "timestamptz");
  const dealloc = param(w.state.deallocCount, "int8");

  await tx.query(
    `WITH known AS (
       UPDATE statement s
          SET last_seen_at = $2::timestamptz,
              query_text = CASE WHEN r.query_text = '' THEN s.query_text ELSE r.query_text END
         FROM ${known}
        WHERE s.id = r.statement_id AND s.target_id = $1::bigint
          AND (r.query_text <> '' OR s.last_seen_at <= $2::timestamptz - interval '${LAST_SEEN_RESOLUTION}')),
     ${baseline}
     ${checkpoint}
     target_state AS (
       UPDATE target SET stats_reset_at = ${statsResetAt}, dealloc_count = ${dealloc}, last_snapshot_at = $2::timestamptz, updated_at = now(),
              checkpoints_from = ${w.checkpoint ? "coalesce(checkpoints_from, $2::timestamptz)" : "checkpoints_from"}
        WHERE id = $1::bigint)
     SELECT 1`,
    args,
  );
}
