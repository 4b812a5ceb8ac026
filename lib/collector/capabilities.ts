// What a target server offers the collector, read from the server itself: pg_stat_statements (the
// one requirement), auto_explain and its settings, whether the server log can be read through SQL,
// and the plan-management extensions decisions can be written back to.
import type pg from "pg";
import { UserError } from "../errors";
import type { LogFormat, TargetCapabilities } from "./types";

/** pg_stat_statements is missing or unusable: the message says what to change. */
export class NotMonitorableError extends UserError {}

export interface CapabilityProbe {
  database: string;
  /** Null when pg_stat_statements cannot be read; `problem` says why. */
  capabilities: TargetCapabilities | null;
  problem: string | null;
}

const SETTINGS = [
  "server_version",
  "server_version_num",
  "shared_preload_libraries",
  "session_preload_libraries",
  "compute_query_id",
  "pg_stat_statements.track_planning",
  "pg_stat_statements.max",
  "auto_explain.log_format",
  "auto_explain.log_analyze",
  "auto_explain.log_buffers",
  "auto_explain.log_min_duration",
  "auto_explain.sample_rate",
  "logging_collector",
  "log_destination",
  "log_directory",
  "log_line_prefix",
] as const;
type SettingName = (typeof SETTINGS)[number];
type Settings = Partial<Record<SettingName, string>>;

/**
 * Reads everything in a few catalog queries. Settings come from pg_settings rather than
 * current_setting(): a role that may not see a superuser-only setting (shared_preload_libraries)
 * gets no row there instead of an error.
 */
export async function probeCapabilities(client: pg.ClientBase): Promise<CapabilityProbe> {
  const settings = await readSettings(client);
  const database = (await client.query<{ db: string }>("select current_database() as db")).rows[0]?.db ?? "(unknown)";
  const extensions = await readExtensions(client);
  const pgss = extensions.get("pg_stat_statements");
  const problem = await pgStatStatementsProblem(client, database, settings, pgss);
  if (problem || !pgss) return { database, capabilities: null, problem: problem ?? "pg_stat_statements is not installed" };

  const capabilities: TargetCapabilities = {
    serverVersionNum: Number(settings.server_version_num ?? 0),
    serverVersion: (settings.server_version ?? "").split(" ")[0] ?? "",
    pgStatStatements: {
      version: pgss.version,
      trackPlanning: settings["pg_stat_statements.track_planning"] === "on",
      hasInfoView: await relationExists(client, pgss.schema, "pg_stat_statements_info"),
      max: Number(settings["pg_stat_statements.max"] ?? 0),
    },
    computeQueryId: settings.compute_query_id ?? "off",
    autoExplain: autoExplainOf(settings),
    serverLog: {
      loggingCollector: settings.logging_collector === "on",
      destinations: logDestinations(settings.log_destination),
      directory: settings.log_directory ?? null,
      readableThroughSql: await logReadableThroughSql(client, settings.log_directory),
      stderrHasQueryId: (settings.log_line_prefix ?? "").includes("%Q"),
    },
    apgPlanMgmt: { installed: extensions.has("apg_plan_mgmt") },
    pgHintPlan: {
      installed: extensions.has("pg_hint_plan"),
      hintTableKey: extensions.has("pg_hint_plan") ? await hintTableKey(client) : null,
    },
  };
  return { database, capabilities, problem: null };
}

/** Capabilities of a server the collector can monitor; refuses (NotMonitorableError) otherwise. */
export async function detectCapabilities(client: pg.ClientBase): Promise<TargetCapabilities> {
  return assertMonitorable(await probeCapabilities(client));
}

export function assertMonitorable(probe: CapabilityProbe): TargetCapabilities {
  if (probe.capabilities) return probe.capabilities;
  throw new NotMonitorableError(probe.problem ?? `pg_stat_statements is not usable in database ${probe.database}`);
}

/** Optional things that are missing, each with the setting that fixes it. */
export function capabilityWarnings(caps: TargetCapabilities): string[] {
  const warnings: string[] = [];
  if (!caps.autoExplain.loaded) {
    warnings.push("auto_explain is not loaded: no executed plans are captured; add auto_explain to shared_preload_libraries (restart) or session_preload_libraries");
  } else if (caps.autoExplain.logMinDurationMs === null || caps.autoExplain.logMinDurationMs < 0) {
    warnings.push("auto_explain.log_min_duration is -1 (disabled): set it, e.g. auto_explain.log_min_duration = '100ms'");
  } else if (caps.autoExplain.logFormat !== "json") {
    warnings.push(`auto_explain.log_format is ${caps.autoExplain.logFormat ?? "unset"}: set auto_explain.log_format = json for complete plans`);
  }
  if (!caps.serverLog.loggingCollector) warnings.push("logging_collector is off: auto_explain plans cannot be read through SQL; set logging_collector = on (restart)");
  else if (!caps.serverLog.readableThroughSql) {
    warnings.push("the server log is not readable through SQL (pg_ls_logdir/pg_read_file): GRANT pg_monitor and pg_read_server_files to the collector's role");
  }
  const logsQueryIds = caps.serverLog.destinations.some((d) => d !== "stderr") || caps.serverLog.stderrHasQueryId;
  if (caps.autoExplain.loaded && caps.serverLog.readableThroughSql && !logsQueryIds) {
    warnings.push(
      "the server log carries no query ids, so auto_explain plans cannot be matched to statements: set log_destination = 'jsonlog' (or add csvlog), or add %Q to log_line_prefix",
    );
  }
  if (caps.computeQueryId === "off") {
    warnings.push("compute_query_id is off: unless another module computes query ids, pg_stat_statements records nothing and logs carry no query id; set compute_query_id = auto or on");
  }
  if (!caps.pgStatStatements.trackPlanning) warnings.push("pg_stat_statements.track_planning is off: planning time is not tracked; set pg_stat_statements.track_planning = on");
  return warnings;
}

/** One line, e.g. "pg_stat_statements 1.12 (track_planning), auto_explain json, log readable via SQL, pg_hint_plan (query_id)". */
export function capabilitySummary(caps: TargetCapabilities): string {
  const parts = [`pg_stat_statements ${caps.pgStatStatements.version}${caps.pgStatStatements.trackPlanning ? " (track_planning)" : ""}`];
  parts.push(caps.autoExplain.loaded ? `auto_explain ${caps.autoExplain.logFormat ?? ""}`.trim() : "no auto_explain");
  parts.push(caps.serverLog.readableThroughSql ? "log readable via SQL" : "log not readable via SQL");
  parts.push(`compute_query_id ${caps.computeQueryId}`);
  if (caps.pgHintPlan.installed) parts.push(`pg_hint_plan (${caps.pgHintPlan.hintTableKey ?? "no hint table"})`);
  if (caps.apgPlanMgmt.installed) parts.push("apg_plan_mgmt");
  return parts.join(", ");
}

async function readSettings(client: pg.ClientBase): Promise<Settings> {
  const { rows } = await client.query<{ name: SettingName; setting: string }>("select name, setting from pg_settings where name = any($1::text[])", [
    SETTINGS,
  ]);
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

async function readExtensions(client: pg.ClientBase): Promise<Map<string, { version: string; schema: string }>> {
  const { rows } = await client.query<{ extname: string; extversion: string; schema: string }>(
    `select e.extname, e.extversion, n.nspname as schema
       from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = any($1::text[])`,
    [["pg_stat_statements", "apg_plan_mgmt", "pg_hint_plan"]],
  );
  return new Map(rows.map((r) => [r.extname, { version: r.extversion, schema: r.schema }]));
}

function listed(libraries: string | undefined, name: string): boolean {
  return (libraries ?? "").split(",").some((l) => l.trim().replace(/^"|"$/g, "") === name);
}

/**
 * Why pg_stat_statements cannot be read, or null. "Not preloaded" and "extension not created" need
 * different fixes (a restart vs one SQL command), so they get different messages.
 */
async function pgStatStatementsProblem(
  client: pg.ClientBase,
  database: string,
  settings: Settings,
  pgss: { schema: string } | undefined,
): Promise<string | null> {
  // The module's own settings exist only when its library is loaded.
  const loaded = settings["pg_stat_statements.max"] !== undefined || listed(settings.shared_preload_libraries, "pg_stat_statements");
  if (!loaded && !pgss) {
    return `pg_stat_statements is not installed in database ${database}: add it to shared_preload_libraries (needs a restart) and run CREATE EXTENSION pg_stat_statements in database ${database}`;
  }
  if (!loaded) {
    return `pg_stat_statements is created in database ${database} but not loaded: add pg_stat_statements to shared_preload_libraries and restart the server`;
  }
  if (!pgss) {
    return `pg_stat_statements is loaded but the extension is not created in database ${database}: run CREATE EXTENSION pg_stat_statements in database ${database}`;
  }
  try {
    await client.query(`select 1 from ${quoteIdent(pgss.schema)}.pg_stat_statements limit 1`);
    return null;
  } catch (err) {
    return `cannot read pg_stat_statements in database ${database}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function relationExists(client: pg.ClientBase, schema: string, name: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    "select exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2) as found",
    [schema, name],
  );
  return rows[0]?.found === true;
}

function autoExplainOf(settings: Settings): TargetCapabilities["autoExplain"] {
  const loaded =
    listed(settings.shared_preload_libraries, "auto_explain") ||
    listed(settings.session_preload_libraries, "auto_explain") ||
    // A role that cannot see shared_preload_libraries still sees the module's settings.
    settings["auto_explain.log_format"] !== undefined;
  const bool = (v: string | undefined) => (v === undefined ? null : v === "on");
  const num = (v: string | undefined) => (v === undefined || Number.isNaN(Number(v)) ? null : Number(v));
  return {
    loaded,
    logFormat: settings["auto_explain.log_format"] ?? null,
    logAnalyze: bool(settings["auto_explain.log_analyze"]),
    logBuffers: bool(settings["auto_explain.log_buffers"]),
    // pg_settings reports it in its unit, milliseconds.
    logMinDurationMs: num(settings["auto_explain.log_min_duration"]),
    sampleRate: num(settings["auto_explain.sample_rate"]),
  };
}

function logDestinations(value: string | undefined): LogFormat[] {
  const known: readonly string[] = ["stderr", "csvlog", "jsonlog"];
  return (value ?? "")
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter((d): d is LogFormat => known.includes(d));
}

/**
 * Lists the log directory and reads one byte of one file (or probes a missing one: the permission
 * check comes before the file lookup). Permission errors mean "not readable", never a failure.
 */
async function logReadableThroughSql(client: pg.ClientBase, directory: string | undefined): Promise<boolean> {
  if (!directory) return false;
  try {
    const { rows } = await client.query<{ name: string | null }>("select (select name from pg_ls_logdir() order by modification desc limit 1) as name");
    const file = `${directory.replace(/\/+$/, "")}/${rows[0]?.name ?? "planwatch-probe-does-not-exist"}`;
    await client.query("select pg_read_file($1, 0, 1, true)", [file]);
    return true;
  } catch {
    return false;
  }
}

async function hintTableKey(client: pg.ClientBase): Promise<"query_id" | "norm_query_string" | null> {
  const { rows } = await client.query<{ attname: string }>(
    `select a.attname from pg_attribute a
      where a.attrelid = to_regclass('hint_plan.hints') and a.attnum > 0 and not a.attisdropped
        and a.attname in ('query_id', 'norm_query_string')`,
  );
  const names = rows.map((r) => r.attname);
  if (names.includes("query_id")) return "query_id";
  if (names.includes("norm_query_string")) return "norm_query_string";
  return null;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
