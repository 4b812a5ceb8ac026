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
 * The read statement for a shape: ONE row, the info view's two values and every statement as one
 * line of comma-separated counters (NULL as an empty field), lines joined by newlines. Why not one
 * row per statement: the pg driver decodes each field of each DataRow into its own string and each
 * row into an object; for 5,000 statements × 15 fields that was most of the collector's CPU time in
 * a snapshot. One text splits in a fraction of it, and the server sends one message instead of
 * thousands. Every value is text output: int8 counters and oids must not go through a float, and
 * float8 text output is the shortest exact form (extra_float_digits ≥ 1, the default since
 * PostgreSQL 12). Query texts are not read here (the server then skips its query-text file):
 * readPgssTexts fetches the few a snapshot needs.
 */
export function pgssQuery(shape: PgssShape): string {
  const q = shape.schema === null ? "" : `${quoteIdent(shape.schema)}.`;
  // 1.8 (PostgreSQL 13) split *_time into *_exec_time and added planning counters.
  const split = atLeast(shape.version, 1, 8);
  const exec = split ? "exec_time" : "time";
  const planning = split && shape.trackPlanning;
  const info = shape.hasInfoView
    ? `(SELECT floor(extract(epoch FROM stats_reset) * 1000)::int8::text AS stats_reset_ms, dealloc::text AS dealloc FROM ${q}pg_stat_statements_info)`
    : `(SELECT NULL::text AS stats_reset_ms, NULL::text AS dealloc)`;
  const statsSince = atLeast(shape.version, 1, 11) ? "floor(extract(epoch FROM s.stats_since) * 1000)::int8::text" : "''";
  // Order: ENTRY_FIELDS.
  const fields = [
    "s.userid::int8::text", "s.dbid::int8::text", "s.queryid::text", "s.calls::text", `s.total_${exec}::text`, `s.mean_${exec}::text`,
    `s.stddev_${exec}::text`, planning ? "s.total_plan_time::text" : "''", planning ? "s.plans::text" : "''", "s.rows::text",
    "s.shared_blks_hit::text", "s.shared_blks_read::text", "s.temp_blks_read::text", "s.temp_blks_written::text", statsSince,
  ];
  return `SELECT i.stats_reset_ms, i.dealloc,
       (SELECT string_agg(${fields.join(" || ',' || ")}, E'\n')
          FROM ${q}pg_stat_statements(false) AS s
         WHERE s.queryid IS NOT NULL) AS entries
  FROM ${info} AS i`;
}

/** The fields of one line of pgssQuery's `entries`, in order. */
const ENTRY_FIELDS = [
  "user_id", "db_id", "query_id", "calls", "total_exec_ms", "mean_exec_ms", "stddev_exec_ms", "total_plan_ms", "plans", "rows",
  "shared_hit_blocks", "shared_read_blocks", "temp_read_blocks", "temp_written_blocks", "stats_since_ms",
] as const;

// Field parsers of one split line (module-level, not closures per line: this runs per statement).
function refuse(f: readonly string[], i: number): never {
  throw new Error(`pg_stat_statements returned "${f[i]!.slice(0, 40)}" for ${ENTRY_FIELDS[i]} of queryid ${f[2]}`);
}

/** BigInt("") is 0n and Number("") is 0: an empty field (NULL) must not pass as a zero. */
function bigField(f: readonly string[], i: number): bigint {
  const value = f[i]!;
  if (value === "") return refuse(f, i);
  try {
    return BigInt(value);
  } catch {
    return refuse(f, i);
  }
}

function floatField(f: readonly string[], i: number): number {
  const value = f[i]!;
  const n = Number(value);
  return value === "" || (Number.isNaN(n) && value !== "NaN") ? refuse(f, i) : n;
}

/** One line of `entries` as an entry; throws, naming the field, on anything but a number where one belongs. */
export function parseEntryLine(line: string): PgssEntry {
  const f = line.split(",");
  if (f.length !== ENTRY_FIELDS.length) throw new Error(`pg_stat_statements line has ${f.length} fields, expected ${ENTRY_FIELDS.length}: ${line.slice(0, 200)}`);
  const calls = bigField(f, 3);
  const moments = cumulativeFromPgss({ calls: Number(calls), meanMs: floatField(f, 5), stddevMs: floatField(f, 6), totalMs: floatField(f, 4) });
  return {
    // The server's int8 output is canonical ("12", never "012"), so this is the key of the parsed ids.
    key: `${f[0]}:${f[1]}:${f[2]}`,
    userId: bigField(f, 0),
    dbId: bigField(f, 1),
    queryId: bigField(f, 2),
    counters: {
      calls,
      totalExecMs: moments.sumMs,
      sumSquaresExecMs2: moments.sumSquaresMs2,
      totalPlanMs: f[7] === "" ? null : floatField(f, 7),
      plans: f[8] === "" ? null : bigField(f, 8),
      rows: bigField(f, 9),
      sharedHitBlocks: bigField(f, 10),
      sharedReadBlocks: bigField(f, 11),
      tempReadBlocks: bigField(f, 12),
      tempWrittenBlocks: bigField(f, 13),
    },
    statsSinceMs: f[14] === "" ? null : floatField(f, 14),
  };
}

function mergeEntries(a: PgssEntry, b: PgssEntry): PgssEntry {
  return {
    ...a,
    counters: combineCumulative(a.counters, b.counters),
    statsSinceMs: a.statsSinceMs === null || b.statsSinceMs === null ? (a.statsSinceMs ?? b.statsSinceMs) : Math.max(a.statsSinceMs, b.statsSinceMs),
  };
}

/** The entries of pgssQuery's text, grouped by statement (toplevel true/false rows become one entry). */
export function groupEntries(entries: string | null): PgssEntry[] {
  const byKey = new Map<string, PgssEntry>();
  if (entries === null || entries === "") return [];
  for (const line of entries.split("\n")) {
    const entry = parseEntryLine(line);
    const seen = byKey.get(entry.key);
    byKey.set(entry.key, seen ? mergeEntries(seen, entry) : entry);
  }
  return [...byKey.values()];
}

/** Reads pg_stat_statements once (info included), without query texts (see readPgssTexts). */
export async function readPgss(client: pg.ClientBase, shape: PgssShape): Promise<PgssSnapshot> {
  const { rows } = await client.query<{ stats_reset_ms: string | null; dealloc: string | null; entries: string | null }>(pgssQuery(shape));
  const row = rows[0];
  if (!row) throw new Error("pg_stat_statements returned no row");
  return {
    entries: groupEntries(row.entries),
    statsResetMs: row.stats_reset_ms === null ? null : Number(row.stats_reset_ms),
    dealloc: row.dealloc === null ? null : BigInt(row.dealloc),
  };
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
