// Repository side of a snapshot: set-based statements inside one interactive transaction.
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

export interface Baseline {
  statementId: bigint;
  capturedAt: Date;
  counters: StatementCumulative;
}

export interface StatementKeyRow {
  queryId: bigint;
  dbId: bigint;
  userId: bigint;
  queryText: string;
}

export interface StoredStatement {
  id: bigint;
  key: string;
  /** Created by this snapshot (never seen on this target before). */
  inserted: boolean;
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

export interface CounterRow {
  statementId: bigint;
  counters: StatementCumulative;
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
export async function lockTarget(tx: Tx, targetId: bigint): Promise<TargetSnapshotState> {
  const rows = await tx.$queryRawUnsafe<{ stats_reset_at: unknown; dealloc_count: unknown }[]>(
    `SELECT stats_reset_at, dealloc_count FROM target WHERE id = $1::bigint FOR UPDATE`,
    targetId,
  );
  const row = rows[0];
  if (!row) throw new Error(`target ${targetId} does not exist in the repository`);
  return { statsResetAt: nullable(row.stats_reset_at, asDate, "stats_reset_at"), deallocCount: nullable(row.dealloc_count, asBigint, "dealloc_count") };
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

/**
 * Inserts new statements and touches the seen ones, in one statement. A new row is recognised by
 * first_seen_at = this snapshot's time (it is only set on insert); an empty text from the server
 * (no privilege, text file unreadable) never overwrites a known one.
 */
export async function upsertStatements(tx: Tx, targetId: bigint, now: Date, statements: StatementKeyRow[]): Promise<StoredStatement[]> {
  if (statements.length === 0) return [];
  const rows = await tx.$queryRawUnsafe<{ id: unknown; query_id: unknown; db_id: unknown; user_id: unknown; inserted: unknown }[]>(
    `INSERT INTO statement (target_id, query_id, db_id, user_id, query_text, first_seen_at, last_seen_at)
     SELECT $1::bigint, r.query_id, r.db_id, r.user_id, r.query_text, $2::timestamptz, $2::timestamptz
       FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[]) AS r(query_id, db_id, user_id, query_text)
     ON CONFLICT (target_id, query_id, db_id, user_id) DO UPDATE
        SET last_seen_at = EXCLUDED.last_seen_at,
            query_text = CASE WHEN EXCLUDED.query_text = '' THEN statement.query_text ELSE EXCLUDED.query_text END
     RETURNING id, query_id, db_id, user_id, (first_seen_at = $2::timestamptz) AS inserted`,
    targetId,
    now,
    numberArrayLiteral(statements.map((s) => s.queryId)),
    numberArrayLiteral(statements.map((s) => s.dbId)),
    numberArrayLiteral(statements.map((s) => s.userId)),
    textArrayLiteral(statements.map((s) => s.queryText)),
  );
  return rows.map((r) => ({
    id: asBigint(r.id, "statement.id"),
    key: statementKey(asBigint(r.user_id, "user_id"), asBigint(r.db_id, "db_id"), asBigint(r.query_id, "query_id")),
    inserted: r.inserted === true,
  }));
}

export async function insertIntervals(tx: Tx, targetId: bigint, windowEnd: Date, intervals: IntervalRow[]): Promise<void> {
  if (intervals.length === 0) return;
  const col = (pick: (i: IntervalRow) => bigint | number | null) => numberArrayLiteral(intervals.map(pick));
  await tx.$executeRawUnsafe(
    `INSERT INTO statement_interval (target_id, statement_id, window_start, window_end, calls, total_exec_ms, mean_exec_ms,
            exec_variance_ms2, total_plan_ms, plans, rows, shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks)
     SELECT $1::bigint, r.statement_id, r.window_start, $2::timestamptz, r.calls, r.total_exec_ms, r.mean_exec_ms, r.exec_variance_ms2, r.total_plan_ms,
            r.plans, r.rows, r.shared_hit_blocks, r.shared_read_blocks, r.temp_read_blocks, r.temp_written_blocks
       FROM unnest($3::bigint[], $4::timestamptz[], $5::bigint[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::bigint[],
                   $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[])
         AS r(statement_id, window_start, calls, total_exec_ms, mean_exec_ms, exec_variance_ms2, total_plan_ms, plans,
              rows, shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks)`,
    targetId,
    windowEnd,
    col((i) => i.statementId),
    timestampArrayLiteral(intervals.map((i) => i.windowStart)),
    col((i) => i.calls),
    col((i) => i.totalExecMs),
    col((i) => i.meanExecMs),
    col((i) => i.execVarianceMs2),
    col((i) => i.totalPlanMs),
    col((i) => i.plans),
    col((i) => i.rows),
    col((i) => i.sharedHitBlocks),
    col((i) => i.sharedReadBlocks),
    col((i) => i.tempReadBlocks),
    col((i) => i.tempWrittenBlocks),
  );
}

export async function upsertCounters(tx: Tx, capturedAt: Date, counters: CounterRow[]): Promise<void> {
  if (counters.length === 0) return;
  const col = (pick: (c: StatementCumulative) => bigint | number | null) => numberArrayLiteral(counters.map((c) => pick(c.counters)));
  await tx.$executeRawUnsafe(
    `INSERT INTO statement_counter (statement_id, captured_at, calls, total_exec_ms, sum_squares_exec_ms2, total_plan_ms, plans, rows,
            shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks)
     SELECT r.statement_id, $1::timestamptz, r.calls, r.total_exec_ms, r.sum_squares_exec_ms2, r.total_plan_ms, r.plans, r.rows,
            r.shared_hit_blocks, r.shared_read_blocks, r.temp_read_blocks, r.temp_written_blocks
       FROM unnest($2::bigint[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::bigint[], $8::bigint[],
                   $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[])
         AS r(statement_id, calls, total_exec_ms, sum_squares_exec_ms2, total_plan_ms, plans, rows,
              shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks)
     ON CONFLICT (statement_id) DO UPDATE
        SET captured_at = EXCLUDED.captured_at, calls = EXCLUDED.calls, total_exec_ms = EXCLUDED.total_exec_ms,
            sum_squares_exec_ms2 = EXCLUDED.sum_squares_exec_ms2, total_plan_ms = EXCLUDED.total_plan_ms, plans = EXCLUDED.plans,
            rows = EXCLUDED.rows, shared_hit_blocks = EXCLUDED.shared_hit_blocks, shared_read_blocks = EXCLUDED.shared_read_blocks,
            temp_read_blocks = EXCLUDED.temp_read_blocks, temp_written_blocks = EXCLUDED.temp_written_blocks`,
    capturedAt,
    numberArrayLiteral(counters.map((c) => c.statementId)),
    col((c) => c.calls),
    col((c) => c.totalExecMs),
    col((c) => c.sumSquaresExecMs2),
    col((c) => c.totalPlanMs),
    col((c) => c.plans),
    col((c) => c.rows),
    col((c) => c.sharedHitBlocks),
    col((c) => c.sharedReadBlocks),
    col((c) => c.tempReadBlocks),
    col((c) => c.tempWrittenBlocks),
  );
}

/** Drops baselines of statements gone from pg_stat_statements: if they come back they start fresh. */
export async function deleteCounters(tx: Tx, statementIds: bigint[]): Promise<void> {
  if (statementIds.length === 0) return;
  await tx.$executeRawUnsafe(`DELETE FROM statement_counter WHERE statement_id = ANY($1::bigint[])`, numberArrayLiteral(statementIds));
}

export async function updateTargetSnapshotState(tx: Tx, targetId: bigint, now: Date, state: TargetSnapshotState): Promise<void> {
  await tx.$executeRawUnsafe(
    `UPDATE target SET stats_reset_at = $2::timestamptz, dealloc_count = $3::bigint, last_snapshot_at = $4::timestamptz, updated_at = now() WHERE id = $1::bigint`,
    targetId,
    state.statsResetAt,
    state.deallocCount,
    now,
  );
}
