// Target side of a snapshot: one read of pg_stat_statements (with pg_stat_statements_info in the
// same statement), parsed and grouped per (userid, dbid, queryid).
import type pg from "pg";
import { combineCumulative, cumulativeFromPgss, type StatementCumulative } from "../regression/interval-stats";
import type { TargetCapabilities } from "./types";

/** What decides the shape of the read: which columns and views the extension version has. */
export interface PgssShape {
  /** pg_stat_statements extension version, e.g. [1, 10]. */
  version: [number, number];
  /** Schema of the extension (quoted into the query), or null to rely on search_path. */
  schema: string | null;
  trackPlanning: boolean;
  hasInfoView: boolean;
}

/** One statement as pg_stat_statements sees it now, toplevel and nested rows summed. */
export interface PgssEntry {
  /** `${userId}:${dbId}:${queryId}` */
  key: string;
  userId: bigint;
  dbId: bigint;
  queryId: bigint;
  /** Normalized text; "" when the server did not give it (no privilege, text file unreadable). */
  queryText: string;
  counters: StatementCumulative;
  /**
   * stats_since (1.11+, PostgreSQL 17) in epoch ms, floored; the latest of the grouped rows, so a
   * re-created row of either kind is noticed. Null before 1.11.
   */
  statsSinceMs: number | null;
}

export interface PgssSnapshot {
  entries: PgssEntry[];
  /** pg_stat_statements_info.stats_reset in epoch ms (floored), null without the view. */
  statsResetMs: number | null;
  /** pg_stat_statements_info.dealloc, null without the view. */
  dealloc: bigint | null;
}

export function parseExtensionVersion(text: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text);
  if (!match) throw new Error(`unexpected pg_stat_statements version "${text}"`);
  return [Number(match[1]), Number(match[2])];
}

const atLeast = (v: [number, number], major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The shape from the stored capabilities when the run has them (no extra statement on the target),
 * else detected with one catalog query. Capabilities do not record the extension's schema, so that
 * path relies on search_path, as the capability detection itself does.
 */
export async function pgssShape(client: pg.ClientBase, capabilities: TargetCapabilities | null): Promise<PgssShape> {
  if (capabilities) {
    const pgss = capabilities.pgStatStatements;
    return { version: parseExtensionVersion(pgss.version), schema: null, trackPlanning: pgss.trackPlanning, hasInfoView: pgss.hasInfoView };
  }
  const { rows } = await client.query<{ extversion: string; schema: string; track_planning: string | null }>(
    `SELECT e.extversion, n.nspname AS schema, current_setting('pg_stat_statements.track_planning', true) AS track_planning
       FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname = 'pg_stat_statements'`,
  );
  const row = rows[0];
  if (!row) throw new Error("pg_stat_statements is not installed in the target database (CREATE EXTENSION pg_stat_statements)");
  const version = parseExtensionVersion(row.extversion);
  return { version, schema: row.schema, trackPlanning: row.track_planning === "on", hasInfoView: atLeast(version, 1, 9) };
}

/**
 * The read statement for a shape. Every value comes back as text: int8 counters and oids must not
 * go through a float, and the run's session may have its own type parsers. float8 text output is
 * the shortest exact form (extra_float_digits ≥ 1, the default since PostgreSQL 12).
 */
export function pgssQuery(shape: PgssShape, withText = false): string {
  const q = shape.schema === null ? "" : `${quoteIdent(shape.schema)}.`;
  // 1.8 (PostgreSQL 13) split *_time into *_exec_time and added planning counters.
  const split = atLeast(shape.version, 1, 8);
  const exec = split ? "exec_time" : "time";
  const planning = split && shape.trackPlanning;
  const info = shape.hasInfoView
    ? `(SELECT floor(extract(epoch FROM stats_reset) * 1000)::int8::text AS stats_reset_ms, dealloc::text AS dealloc FROM ${q}pg_stat_statements_info)`
    : `(SELECT NULL::text AS stats_reset_ms, NULL::text AS dealloc)`;
  const statsSince = atLeast(shape.version, 1, 11) ? "floor(extract(epoch FROM s.stats_since) * 1000)::int8::text" : "NULL::text";
  // The info row LEFT JOINs the statements so an empty pg_stat_statements still returns the info.
  return `SELECT i.stats_reset_ms, i.dealloc,
       s.userid::int8::text AS user_id, s.dbid::int8::text AS db_id, s.queryid::text AS query_id, s.query AS query_text,
       s.calls::text AS calls, s.total_${exec}::text AS total_exec_ms, s.mean_${exec}::text AS mean_exec_ms, s.stddev_${exec}::text AS stddev_exec_ms,
       ${planning ? "s.total_plan_time::text" : "NULL::text"} AS total_plan_ms, ${planning ? "s.plans::text" : "NULL::text"} AS plans,
       s.rows::text AS rows, s.shared_blks_hit::text AS shared_hit_blocks, s.shared_blks_read::text AS shared_read_blocks,
       s.temp_blks_read::text AS temp_read_blocks, s.temp_blks_written::text AS temp_written_blocks,
       ${statsSince} AS stats_since_ms
  FROM ${info} AS i
  LEFT JOIN ${q}pg_stat_statements(${withText}) AS s ON s.queryid IS NOT NULL`;
}

type PgssRow = Record<
  | "stats_reset_ms" | "dealloc" | "user_id" | "db_id" | "query_id" | "query_text" | "calls" | "total_exec_ms" | "mean_exec_ms"
  | "stddev_exec_ms" | "total_plan_ms" | "plans" | "rows" | "shared_hit_blocks" | "shared_read_blocks" | "temp_read_blocks"
  | "temp_written_blocks" | "stats_since_ms",
  string | null
>;

function required(row: PgssRow, column: keyof PgssRow): string {
  const value = row[column];
  if (value === null) throw new Error(`pg_stat_statements returned NULL ${column} for queryid ${row.query_id}`);
  return value;
}

const big = (row: PgssRow, column: keyof PgssRow) => BigInt(required(row, column));
const float = (row: PgssRow, column: keyof PgssRow) => Number(required(row, column));
const nullableBig = (value: string | null) => (value === null ? null : BigInt(value));
const nullableFloat = (value: string | null) => (value === null ? null : Number(value));

function parseRow(row: PgssRow): PgssEntry {
  const userId = big(row, "user_id");
  const dbId = big(row, "db_id");
  const queryId = big(row, "query_id");
  const calls = big(row, "calls");
  const moments = cumulativeFromPgss({
    calls: Number(calls),
    meanMs: float(row, "mean_exec_ms"),
    stddevMs: float(row, "stddev_exec_ms"),
    totalMs: float(row, "total_exec_ms"),
  });
  return {
    key: `${userId}:${dbId}:${queryId}`,
    userId,
    dbId,
    queryId,
    queryText: row.query_text ?? "",
    counters: {
      calls,
      totalExecMs: moments.sumMs,
      sumSquaresExecMs2: moments.sumSquaresMs2,
      totalPlanMs: nullableFloat(row.total_plan_ms),
      plans: nullableBig(row.plans),
      rows: big(row, "rows"),
      sharedHitBlocks: big(row, "shared_hit_blocks"),
      sharedReadBlocks: big(row, "shared_read_blocks"),
      tempReadBlocks: big(row, "temp_read_blocks"),
      tempWrittenBlocks: big(row, "temp_written_blocks"),
    },
    statsSinceMs: nullableFloat(row.stats_since_ms),
  };
}

function mergeEntries(a: PgssEntry, b: PgssEntry): PgssEntry {
  return {
    ...a,
    queryText: a.queryText || b.queryText,
    counters: combineCumulative(a.counters, b.counters),
    statsSinceMs: a.statsSinceMs === null || b.statsSinceMs === null ? (a.statsSinceMs ?? b.statsSinceMs) : Math.max(a.statsSinceMs, b.statsSinceMs),
  };
}

/** Groups rows by statement (toplevel true/false rows become one entry); skips NULL queryids. */
export function groupRows(rows: PgssRow[]): PgssSnapshot {
  const byKey = new Map<string, PgssEntry>();
  for (const row of rows) {
    if (row.query_id === null) continue;
    const entry = parseRow(row);
    const seen = byKey.get(entry.key);
    byKey.set(entry.key, seen ? mergeEntries(seen, entry) : entry);
  }
  const first = rows[0];
  return {
    entries: [...byKey.values()],
    statsResetMs: first ? nullableFloat(first.stats_reset_ms) : null,
    dealloc: first ? nullableBig(first.dealloc) : null,
  };
}

/**
 * Reads pg_stat_statements once (info included), without query texts (queryText ""): the server
 * then skips its query-text file, and a snapshot ships counters only. Texts are fetched for the
 * few statements that need one (readPgssTexts), or here with `withText`.
 */
export async function readPgss(client: pg.ClientBase, shape: PgssShape, withText = false): Promise<PgssSnapshot> {
  const { rows } = await client.query<PgssRow>(pgssQuery(shape, withText));
  return groupRows(rows);
}

/** The normalized texts of the given statements, by key; a statement gone since the read has none. */
export async function readPgssTexts(client: pg.ClientBase, shape: PgssShape, entries: readonly PgssEntry[]): Promise<Map<string, string>> {
  if (entries.length === 0) return new Map();
  const q = shape.schema === null ? "" : `${quoteIdent(shape.schema)}.`;
  const { rows } = await client.query<{ user_id: string; db_id: string; query_id: string; query_text: string | null }>(
    `SELECT s.userid::int8::text AS user_id, s.dbid::int8::text AS db_id, s.queryid::text AS query_id, s.query AS query_text
       FROM ${q}pg_stat_statements(true) AS s
      WHERE s.queryid = ANY($1::int8[])`,
    [[...new Set(entries.map((e) => e.queryId.toString()))]],
  );
  const wanted = new Set(entries.map((e) => e.key));
  const texts = new Map<string, string>();
  for (const row of rows) {
    const key = `${row.user_id}:${row.db_id}:${row.query_id}`;
    if (wanted.has(key) && row.query_text) texts.set(key, row.query_text);
  }
  return texts;
}
