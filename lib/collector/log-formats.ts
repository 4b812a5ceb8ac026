// Pure readers for the three server log formats. Each takes the bytes read from a log file at some
// offset and returns the complete records in them plus how many bytes those records span: the
// caller moves its cursor by exactly that much, so a record the server is still writing is read
// whole next time. Offsets are bytes (pg_read_binary_file), and completeness is decided on bytes:
// UTF-8 multi-byte sequences never contain '\n' or '"', so scanning for them is safe.
import type { LogFormat } from "./types";
import type { LinePrefixParser } from "./log-line-prefix";

export interface LogRecord {
  /** As the server printed it, e.g. "2026-11-22 02:39:58.044 UTC" (null when the line has none). */
  timestamp: string | null;
  user: string | null;
  database: string | null;
  severity: string | null;
  message: string;
  /** Decimal text of the backend's query id; null when absent or 0 (none computed). */
  queryId: string | null;
}

export interface ChunkParse {
  records: LogRecord[];
  /** Bytes from the start of the chunk covered by complete records. */
  consumedBytes: number;
  /** Complete records that could not be decoded (a broken JSON line, a CSV row of the wrong shape). */
  malformed: number;
}

const NL = 0x0a;
const QUOTE = 0x22;
const TAB = 0x09;

const queryIdOrNull = (text: string | null | undefined): string | null =>
  text === null || text === undefined || !/^-?\d+$/.test(text) || /^-?0+$/.test(text) ? null : text.replace(/^(-?)0+(?=\d)/, "$1");

const textOrNull = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

// ---- jsonlog: one JSON object per line --------------------------------------------------------

/**
 * query_id is the last key PostgreSQL writes (elog.c write_jsonlog), and it is a 64-bit integer
 * that JSON.parse would round: take its digits from the end of the line.
 */
const JSON_QUERY_ID = /"query_id":(-?\d+)\}\s*$/;

export function parseJsonlogLine(line: string): LogRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (typeof o.message !== "string") return null;
  return {
    timestamp: textOrNull(o.timestamp),
    user: textOrNull(o.user),
    database: textOrNull(o.dbname),
    severity: textOrNull(o.error_severity),
    message: o.message,
    queryId: queryIdOrNull(JSON_QUERY_ID.exec(line)?.[1]),
  };
}

export function parseJsonlogChunk(chunk: Buffer): ChunkParse {
  const end = chunk.lastIndexOf(NL) + 1;
  const records: LogRecord[] = [];
  let malformed = 0;
  for (const line of chunk.subarray(0, end).toString("utf8").split("\n")) {
    if (line.trim() === "") continue;
    const record = parseJsonlogLine(line);
    if (record) records.push(record);
    else malformed++;
  }
  return { records, consumedBytes: end, malformed };
}

// ---- csvlog: RFC 4180, quoted fields may span lines ---------------------------------------------

/** Byte length of the complete CSV records at the start of the chunk (a '\n' outside quotes ends one). */
export function completeCsvBytes(chunk: Buffer): number {
  let inQuotes = false;
  let end = 0;
  for (let i = 0; i < chunk.length; i++) {
    const byte = chunk[i];
    if (byte === QUOTE) inQuotes = !inQuotes; // "" inside a field toggles twice: no net change
    else if (byte === NL && !inQuotes) end = i + 1;
  }
  return end;
}

/** Splits complete CSV text into rows of fields (null for an empty unquoted field). */
export function parseCsvRows(text: string): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  let row: Array<string | null> = [];
  let i = 0;
  while (i < text.length) {
    let value: string | null;
    if (text[i] === '"') {
      let out = "";
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new Error("unterminated quoted field");
        out += text.slice(i, close);
        if (text[close + 1] === '"') {
          out += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      value = out;
    } else {
      let j = i;
      while (j < text.length && text[j] !== "," && text[j] !== "\n") j++;
      value = j === i ? null : text.slice(i, j);
      i = j;
    }
    row.push(value);
    const sep = text[i];
    if (sep === ",") i++;
    else if (sep === "\n" || sep === undefined) {
      rows.push(row);
      row = [];
      i++;
    } else throw new Error(`unexpected character after a quoted field at ${i}`);
  }
  return rows;
}

/**
 * csvlog columns (PostgreSQL 14–18): 0 log_time, 1 user_name, 2 database_name, 11 error_severity,
 * 13 message, …, 25 query_id (last). Older servers have fewer columns and no query_id.
 */
const CSV = { time: 0, user: 1, database: 2, severity: 11, message: 13, minColumns: 23, queryIdFrom: 26 } as const;

export function csvRowToRecord(row: ReadonlyArray<string | null>): LogRecord | null {
  if (row.length < CSV.minColumns) return null;
  const message = row[CSV.message];
  if (message === null || message === undefined) return null;
  return {
    timestamp: row[CSV.time] ?? null,
    user: row[CSV.user] ?? null,
    database: row[CSV.database] ?? null,
    severity: row[CSV.severity] ?? null,
    message,
    queryId: row.length >= CSV.queryIdFrom ? queryIdOrNull(row[row.length - 1]) : null,
  };
}

export function parseCsvlogChunk(chunk: Buffer): ChunkParse {
  const end = completeCsvBytes(chunk);
  const records: LogRecord[] = [];
  let malformed = 0;
  // Parse record by record, so one broken record does not take the rest of the chunk with it.
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < end; i++) {
    const byte = chunk[i];
    if (byte === QUOTE) inQuotes = !inQuotes;
    else if (byte === NL && !inQuotes) {
      const text = chunk.subarray(start, i + 1).toString("utf8");
      start = i + 1;
      if (text.trim() === "") continue;
      let record: LogRecord | null = null;
      try {
        const rows = parseCsvRows(text);
        record = rows.length === 1 && rows[0] ? csvRowToRecord(rows[0]) : null;
      } catch {
        record = null;
      }
      if (record) records.push(record);
      else malformed++;
    }
  }
  return { records, consumedBytes: end, malformed };
}

// ---- stderr: prefix + "SEVERITY:  text", continuation lines start with a tab --------------------

const AUTO_EXPLAIN = /^duration: (\d+(?:\.\d+)?) ms +plan:[ \t]*\n?([\s\S]*)$/;

/** auto_explain's "duration: X ms  plan:\n<plan>" → duration and the plan text. */
export function autoExplainPayload(message: string): { durationMs: number; payload: string } | null {
  const m = AUTO_EXPLAIN.exec(message);
  if (!m) return null;
  return { durationMs: Number(m[1]), payload: m[2] ?? "" };
}

/**
 * Whether a stderr record at the end of what has been written so far is whole. Its end is only
 * certain once the next record starts, so a trailing record waits for the next run; except an
 * auto_explain record whose JSON is complete (nothing follows the plan in that message), so a quiet
 * server's last plan is not held back.
 */
function stderrRecordIsWhole(message: string): boolean {
  const payload = autoExplainPayload(message)?.payload.trim();
  if (!payload?.startsWith("{")) return false;
  try {
    JSON.parse(payload);
    return true;
  } catch {
    return false;
  }
}

interface StderrLine {
  start: number;
  end: number;
  text: string;
  continuation: boolean;
}

function stderrLines(chunk: Buffer, end: number): StderrLine[] {
  const lines: StderrLine[] = [];
  let start = 0;
  while (start < end) {
    const nl = chunk.indexOf(NL, start);
    const stop = nl < 0 || nl >= end ? end : nl + 1;
    lines.push({ start, end: stop, text: chunk.subarray(start, stop).toString("utf8").replace(/\r?\n$/, ""), continuation: chunk[start] === TAB });
    start = stop;
  }
  return lines;
}

export interface StderrOptions {
  prefix: LinePrefixParser;
  /** The server writes no more to this file (it is not the current log file): its last record is whole. */
  fileComplete: boolean;
}

export function parseStderrChunk(chunk: Buffer, options: StderrOptions): ChunkParse {
  const lines = stderrLines(chunk, chunk.lastIndexOf(NL) + 1);
  const groups: StderrLine[][] = [];
  for (const line of lines) {
    const current = groups.at(-1);
    // Continuation lines before any header belong to a record whose start was consumed earlier.
    if (line.continuation && current) current.push(line);
    else if (!line.continuation) groups.push([line]);
  }
  const records: LogRecord[] = [];
  let malformed = 0;
  let consumedBytes = lines.at(-1)?.end ?? 0;
  groups.forEach((group, index) => {
    const head = group[0];
    if (!head) return;
    const parsed = options.prefix(head.text);
    if (!parsed) {
      malformed++;
      return;
    }
    const message = [parsed.text, ...group.slice(1).map((l) => l.text.slice(1))].join("\n");
    const isLast = index === groups.length - 1;
    if (isLast && !options.fileComplete && !stderrRecordIsWhole(message)) {
      consumedBytes = head.start;
      return;
    }
    records.push({
      timestamp: parsed.fields.timestamp,
      user: parsed.fields.user,
      database: parsed.fields.database,
      severity: parsed.severity,
      message,
      queryId: queryIdOrNull(parsed.fields.queryId),
    });
  });
  return { records, consumedBytes, malformed };
}

export interface ChunkOptions {
  /** Needed for stderr files. */
  prefix?: LinePrefixParser;
  fileComplete?: boolean;
}

export function parseLogChunk(format: LogFormat, chunk: Buffer, options: ChunkOptions = {}): ChunkParse {
  switch (format) {
    case "jsonlog":
      return parseJsonlogChunk(chunk);
    case "csvlog":
      return parseCsvlogChunk(chunk);
    case "stderr":
      if (!options.prefix) throw new Error("stderr logs need the server's log_line_prefix");
      return parseStderrChunk(chunk, { prefix: options.prefix, fileComplete: options.fileComplete ?? false });
  }
}

/** Which format a log file holds, from the name the server gave it (csvlog/jsonlog swap the suffix). */
export function formatOfLogFile(name: string): LogFormat {
  if (name.endsWith(".csv")) return "csvlog";
  if (name.endsWith(".json")) return "jsonlog";
  return "stderr";
}

// ---- timestamps -------------------------------------------------------------------------------

const TS = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? ?(\S*)$/;

/** Offset in seconds east of UTC for "UTC", "+03", "-0530", "+05:30"; null for a zone abbreviation. */
function numericOffset(zone: string): number | null {
  if (zone === "" || zone === "UTC" || zone === "GMT" || zone === "Z") return 0;
  const m = /^([+-])(\d\d):?(\d\d)?(?::?(\d\d))?$/.exec(zone);
  if (!m) return null;
  const sign = m[1] === "-" ? -1 : 1;
  return sign * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
}

/** The zone abbreviation of a log timestamp, when it is not one numericOffset() understands. */
export function timestampZone(text: string): string | null {
  const zone = TS.exec(text)?.[4];
  return zone !== undefined && numericOffset(zone) === null ? zone : null;
}

/**
 * A log timestamp (%m/%t/%n style, or jsonlog/csvlog's) → Date. `zoneOffsets` maps abbreviations
 * such as "CET" to seconds east of UTC (the target's pg_timezone_abbrevs); unknown → null.
 */
export function parseLogTimestamp(text: string | null, zoneOffsets: ReadonlyMap<string, number> = new Map()): Date | null {
  if (text === null) return null;
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  const m = TS.exec(text);
  if (!m) return null;
  const zone = m[4] ?? "";
  const offset = numericOffset(zone) ?? zoneOffsets.get(zone) ?? null;
  if (offset === null) return null;
  const ms = Math.round(Number(m[3] ?? "0") * 1000);
  const utc = Date.parse(`${m[1]}T${m[2]}Z`);
  if (Number.isNaN(utc)) return null;
  return new Date(utc + ms - offset * 1000);
}
