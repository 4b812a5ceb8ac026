// Capture of auto_explain plans from the target's server log, read through SQL only
// (pg_ls_logdir + pg_read_binary_file: superuser, or pg_monitor plus pg_read_server_files), so the
// collector needs no file system access to the server.
//
// Per file a cursor (LogCursor.offsetBytes) says how far it has been read. Each run reads at most
// maxBytesPerFile of each file from its cursor, in chunks; each chunk's plans, samples and the moved
// cursor commit in ONE repository transaction, so a failure leaves the cursor where it was and
// nothing half-stored: the chunk is read again next run. Bytes of a record the server is still
// writing are not consumed. A file shorter than its cursor was truncated: it is read again from 0.
// Cursors of files that are gone are dropped.
//
// One format is read per target (jsonlog, else csvlog, else stderr): with several destinations
// every message is in each format's file, and reading two would store each plan twice.
// Limitation: a file truncated and rewritten past the old cursor between two runs (time-based names
// reused with log_truncate_on_rotation) is not noticed; its new entries up to the cursor are missed.
import type { PrismaClient } from "../db/client";
import { parsePlan, type Plan } from "../plan";
import { autoExplainPayload, formatOfLogFile, parseLogChunk, parseLogTimestamp, timestampZone, type LogRecord } from "./log-formats";
import { compileLinePrefix, type LinePrefixParser } from "./log-line-prefix";
import { appendSample, ensureStatement, findStatementId, recordPlan, sampleFromPlan, type Tx } from "./plan-store";
import type { CollectContext, LogFormat, PlanCaptureResult } from "./types";

export interface AutoExplainOptions {
  /** Bytes read per file per run (default 8 MiB); the rest waits for the next run. */
  maxBytesPerFile?: number;
  /** Bytes per read and per repository transaction (default 1 MiB; grows for a larger record). */
  chunkBytes?: number;
}

const MiB = 1024 * 1024;
const PREFERENCE: LogFormat[] = ["jsonlog", "csvlog", "stderr"];

interface LogSettings {
  format: LogFormat | null;
  directory: string;
  prefix: LinePrefixParser;
  /** Base name of the file the server writes now, in the chosen format. */
  currentFile: string | null;
}

async function logSettings(ctx: CollectContext): Promise<LogSettings> {
  const { rows } = await ctx.client.query<{ destination: string; prefix: string; directory: string }>(
    "SELECT current_setting('log_destination') AS destination, current_setting('log_line_prefix') AS prefix, current_setting('log_directory') AS directory",
  );
  const row = rows[0];
  const destinations = (row?.destination ?? "").split(",").map((d) => d.trim().toLowerCase());
  const format = PREFERENCE.find((f) => destinations.includes(f)) ?? null;
  let currentFile: string | null = null;
  if (format) {
    const current = await ctx.client.query<{ file: string | null }>("SELECT pg_current_logfile($1) AS file", [format]);
    currentFile = current.rows[0]?.file?.split("/").pop() ?? null;
  }
  return { format, directory: row?.directory ?? "log", prefix: compileLinePrefix(row?.prefix ?? ""), currentFile };
}

/** Names → oids on the target, and zone abbreviations → offsets, for one chunk's records. */
interface Lookups {
  databases: Map<string, bigint>;
  roles: Map<string, bigint>;
  zones: Map<string, number>;
}

async function resolveNames(ctx: CollectContext, records: LogRecord[], into: Lookups): Promise<void> {
  const missing = (names: Array<string | null>, known: Map<string, unknown>) => [...new Set(names.filter((n): n is string => n !== null && !known.has(n)))];
  const dbs = missing(records.map((r) => r.database), into.databases);
  const roles = missing(records.map((r) => r.user), into.roles);
  const zones = missing(records.map((r) => (r.timestamp === null ? null : timestampZone(r.timestamp))), into.zones);
  if (dbs.length > 0) {
    const { rows } = await ctx.client.query<{ name: string; oid: string }>("SELECT datname AS name, oid::text AS oid FROM pg_database WHERE datname = ANY($1)", [dbs]);
    for (const r of rows) into.databases.set(r.name, BigInt(r.oid));
  }
  if (roles.length > 0) {
    const { rows } = await ctx.client.query<{ name: string; oid: string }>("SELECT rolname AS name, oid::text AS oid FROM pg_roles WHERE rolname = ANY($1)", [roles]);
    for (const r of rows) into.roles.set(r.name, BigInt(r.oid));
  }
  if (zones.length > 0) {
    const { rows } = await ctx.client.query<{ abbrev: string; seconds: number }>(
      "SELECT abbrev, extract(epoch FROM utc_offset)::int AS seconds FROM pg_timezone_abbrevs WHERE abbrev = ANY($1)",
      [zones],
    );
    for (const r of rows) into.zones.set(r.abbrev, r.seconds);
  }
}

interface Counts {
  newPlans: number;
  samples: number;
  skipped: number;
}

/** A plan from one log record, ready to store; or the reason it cannot be used. */
type Entry = { plan: Plan; planJson: unknown; queryId: string; record: LogRecord; capturedAt: Date } | { skip: string };

export function entryFromRecord(record: LogRecord, zones: ReadonlyMap<string, number>, now: Date): Entry | null {
  const auto = autoExplainPayload(record.message);
  if (!auto) return null;
  let plan: Plan;
  try {
    plan = { ...parsePlan(auto.payload), durationMs: auto.durationMs };
  } catch (err) {
    return { skip: `unreadable plan: ${err instanceof Error ? err.message : String(err)}` };
  }
  let planJson: unknown;
  try {
    planJson = JSON.parse(auto.payload);
  } catch {
    planJson = auto.payload; // auto_explain.log_format = text: kept as the text it is
  }
  // "Query Identifier" (PG 16+ with log_verbose) is the explained statement's own id; the record's
  // query_id is the backend's top-level statement, which differs for nested statements.
  const queryId = plan.queryId !== null && plan.queryId !== "0" ? plan.queryId : record.queryId;
  if (queryId === null) return { skip: "no query id (jsonlog/csvlog, %Q in log_line_prefix, or compute_query_id needed)" };
  return { plan, planJson, queryId, record, capturedAt: parseLogTimestamp(record.timestamp, zones) ?? now };
}

async function storeEntry(tx: Tx, ctx: CollectContext, entry: Exclude<Entry, { skip: string }>, lookups: Lookups, counts: Counts): Promise<void> {
  const dbId = entry.record.database === null ? null : (lookups.databases.get(entry.record.database) ?? null);
  const userId = entry.record.user === null ? null : (lookups.roles.get(entry.record.user) ?? null);
  let statementId = await findStatementId(tx, ctx.target.id, entry.queryId, dbId, userId);
  if (statementId === null && dbId !== null && userId !== null) {
    // pg_stat_statements has not shown it yet (or evicted it): the snapshot step fills the normalized text.
    statementId = await ensureStatement(tx, {
      targetId: ctx.target.id,
      queryId: entry.queryId,
      dbId,
      userId,
      queryText: entry.plan.queryText ?? "",
      seenAt: entry.capturedAt,
    });
  }
  if (statementId === null) {
    counts.skipped++;
    return;
  }
  const recorded = await recordPlan(tx, { statementId, plan: entry.plan, planJson: entry.planJson, source: "auto_explain", capturedAt: entry.capturedAt });
  if (recorded.isNew) counts.newPlans++;
  await appendSample(tx, recorded.planId, sampleFromPlan(entry.plan, "auto_explain", entry.capturedAt));
  counts.samples++;
}

async function readChunk(ctx: CollectContext, path: string, offset: bigint, length: number): Promise<Buffer | null> {
  const { rows } = await ctx.client.query<{ data: Buffer | null }>("SELECT pg_read_binary_file($1, $2, $3, true) AS data", [path, offset.toString(), length]);
  return rows[0]?.data ?? null;
}

async function saveCursor(tx: Tx, targetId: bigint, fileName: string, offsetBytes: bigint): Promise<void> {
  await tx.logCursor.upsert({
    where: { targetId_fileName: { targetId, fileName } },
    create: { targetId, fileName, offsetBytes },
    update: { offsetBytes },
  });
}

/** Another capture of the same target moved the cursor first (the run loop's target lock should prevent this). */
class CursorMoved extends Error {}

/**
 * Locks the file's cursor row and checks it is still where this run read from, so two captures of
 * one target can never store the same entries twice.
 */
async function claimCursor(tx: Tx, targetId: bigint, fileName: string, expected: bigint): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO log_cursor (target_id, file_name, offset_bytes, updated_at) VALUES (${targetId}, ${fileName}, ${expected}, now())
    ON CONFLICT (target_id, file_name) DO NOTHING`;
  const rows = await tx.$queryRaw<Array<{ offset: bigint }>>`
    SELECT offset_bytes AS offset FROM log_cursor WHERE target_id = ${targetId} AND file_name = ${fileName} FOR UPDATE`;
  if (rows[0]?.offset !== expected) throw new CursorMoved();
}

interface LogFile {
  name: string;
  size: bigint;
}

async function captureFile(ctx: CollectContext, settings: LogSettings & { format: LogFormat }, file: LogFile, startAt: bigint, options: Required<AutoExplainOptions>, lookups: Lookups, counts: Counts): Promise<void> {
  const path = `${settings.directory}/${file.name}`;
  let offset = startAt > file.size ? 0n : startAt; // shorter than the cursor: truncated, start over
  if (offset !== startAt) ctx.log(`log file ${file.name} shrank below its cursor: reading it again from the start`);
  let budget = options.maxBytesPerFile;
  let chunkBytes = options.chunkBytes;
  let stored = startAt; // the cursor's value in the repository

  while (offset < file.size && budget > 0) {
    const length = Math.min(chunkBytes, Number(file.size - offset), budget);
    const data = await readChunk(ctx, path, offset, length);
    if (data === null) return; // removed while we read: the cursor goes with the next listing
    const atEnd = offset + BigInt(data.length) >= file.size;
    const parsed = parseLogChunk(settings.format, data, { prefix: settings.prefix, fileComplete: atEnd && file.name !== settings.currentFile });
    let consumed = parsed.consumedBytes;
    if (consumed === 0) {
      if (atEnd) break; // only an unfinished record: next run
      if (length < budget) {
        chunkBytes = Math.min(budget, chunkBytes * 2); // one record larger than a chunk
        continue;
      }
      // A single record larger than the whole per-run budget: give it up rather than stall forever.
      ctx.log(`log file ${file.name}: a record at byte ${offset} is larger than ${options.maxBytesPerFile} bytes; skipped`);
      consumed = data.length;
      counts.skipped++;
    }
    await resolveNames(ctx, parsed.records, lookups);
    const entries = parsed.records.map((r) => entryFromRecord(r, lookups.zones, ctx.now)).filter((e): e is Entry => e !== null);
    const batch: Counts = { newPlans: 0, samples: 0, skipped: parsed.malformed };
    const next = offset + BigInt(consumed);
    try {
      await ctx.repo.$transaction(
        async (tx) => {
          await claimCursor(tx, ctx.target.id, file.name, stored);
          for (const entry of entries) {
            if ("skip" in entry) batch.skipped++;
            else await storeEntry(tx, ctx, entry, lookups, batch);
          }
          await saveCursor(tx, ctx.target.id, file.name, next);
        },
        { maxWait: 10_000, timeout: 120_000 },
      );
    } catch (err) {
      if (!(err instanceof CursorMoved)) throw err;
      ctx.log(`log file ${file.name}: another capture of this target read it at the same time; left to it`);
      return;
    }
    stored = next;
    counts.newPlans += batch.newPlans;
    counts.samples += batch.samples;
    counts.skipped += batch.skipped;
    for (const entry of entries) if ("skip" in entry) ctx.log(`log file ${file.name}: skipped an auto_explain entry (${entry.skip.slice(0, 200)})`);
    offset = next;
    budget -= consumed;
  }
  // A truncated file with nothing new yet still needs its cursor back at the start.
  if (stored !== offset) {
    await ctx.repo
      .$transaction(async (tx) => {
        await claimCursor(tx, ctx.target.id, file.name, stored);
        await saveCursor(tx, ctx.target.id, file.name, offset);
      })
      .catch((err: unknown) => {
        if (!(err instanceof CursorMoved)) throw err;
      });
  }
}

export async function captureAutoExplain(ctx: CollectContext, options: AutoExplainOptions = {}): Promise<PlanCaptureResult> {
  const opts: Required<AutoExplainOptions> = { maxBytesPerFile: options.maxBytesPerFile ?? 8 * MiB, chunkBytes: options.chunkBytes ?? MiB };
  const counts: Counts = { newPlans: 0, samples: 0, skipped: 0 };
  const settings = await logSettings(ctx);
  if (settings.format === null) {
    ctx.log("auto_explain capture: the server logs neither to jsonlog, csvlog nor stderr files; nothing to read");
    return { newPlans: 0, samples: 0, skippedLogEntries: 0 };
  }
  const format = settings.format;
  const { rows } = await ctx.client.query<{ name: string; size: string }>("SELECT name, size::text AS size FROM pg_ls_logdir() ORDER BY modification, name");
  const listed = rows.map((r) => ({ name: r.name, size: BigInt(r.size) }));
  await dropVanishedCursors(ctx.repo, ctx.target.id, listed.map((f) => f.name));
  const cursors = new Map((await ctx.repo.logCursor.findMany({ where: { targetId: ctx.target.id } })).map((c) => [c.fileName, c.offsetBytes]));
  const lookups: Lookups = { databases: new Map(), roles: new Map(), zones: new Map() };
  for (const file of listed.filter((f) => formatOfLogFile(f.name) === format)) {
    await captureFile(ctx, { ...settings, format }, file, cursors.get(file.name) ?? 0n, opts, lookups, counts);
  }
  return { newPlans: counts.newPlans, samples: counts.samples, skippedLogEntries: counts.skipped };
}

async function dropVanishedCursors(repo: PrismaClient, targetId: bigint, present: string[]): Promise<void> {
  await repo.logCursor.deleteMany({ where: { targetId, fileName: { notIn: present } } });
}
