// parsePlan: any EXPLAIN output people paste or tools hand over → Plan, or a PlanParseError that
// says what is wrong and where. Never a partial plan.
import { cleanupSource, joinClean, type CleanSource } from "./cleanup";
import { PlanParseError } from "./errors";
import { findJsonPath } from "./json-locate";
import type { Plan } from "./model";
import { findExplain, isRecord, readExplain, type Locator } from "./parse-json";
import { parseTextPlan } from "./parse-text";

/** 8 Mi characters: a 2,000-node EXPLAIN (ANALYZE, BUFFERS, VERBOSE) in JSON is about 3 MB. */
export const MAX_PLAN_SOURCE_CHARS = 8 * 1024 * 1024;

const noLocation: Locator = () => null;

function parseJsonSource(clean: CleanSource): Plan {
  const { text, locateOffset } = joinClean(clean.lines);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    const at = position ? Number(position[1]) : text.length;
    const where = locateOffset(at);
    const truncated = !position || at >= text.trimEnd().length;
    const reason = truncated ? "it ends too early (truncated copy?)" : message.replace(/ in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new PlanParseError(`The plan looks like JSON but is not valid JSON: ${reason}`, where?.line ?? null, where?.offset ?? null);
  }
  const locate: Locator = (path) => {
    const offset = findJsonPath(text, path);
    return offset === null ? null : locateOffset(offset);
  };
  return fromValue(value, locate, text, clean.durationMs);
}

/**
 * Fast path for what tools hand over (the collector, FORMAT JSON copied whole): JSON that needs no
 * cleanup. Cleaning a 2 MB plan line by line costs ~30× JSON.parse, so try the plain parse
 * first; anything it rejects (psql frames, wrapped lines, log prefixes) goes through cleanup.
 */
function parseCleanJson(source: string): Plan | null {
  const first = /\S/.exec(source)?.[0];
  if (first !== "[" && first !== "{") return null;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return null;
  }
  const locate: Locator = (path) => {
    const offset = findJsonPath(source, path);
    return offset === null ? null : { line: source.slice(0, offset).split("\n").length, offset };
  };
  return fromValue(value, locate, source, null);
}

/** A JSON value that is, or wraps, an EXPLAIN result. */
function fromValue(value: unknown, locate: Locator, text: string | null, durationMs: number | null): Plan {
  // A jsonlog record ({"message": "duration: … plan:\n{…}"}) or a JSON string holding the plan.
  if (typeof value === "string") return withDuration(parseSource(value, false), durationMs);
  if (isRecord(value) && !("Plan" in value) && !("Node Type" in value) && typeof value.message === "string" && /plan:/.test(value.message)) {
    return parseSource(value.message, false);
  }
  const { raw, path } = findExplain(value, locate);
  // Query identifiers are 64-bit: read them from the text before JSON numbers round them.
  const queryId = text === null ? null : queryIdFromText(text);
  return withDuration(readExplain(raw, path, locate, queryId), durationMs);
}

const QUERY_ID = /"Query Identifier":\s*"?(-?\d+)/g;

/** The first "Query Identifier" in the text; the regex runs only from the first occurrence of the key. */
function queryIdFromText(text: string): string | null {
  const at = indexOfQuotedKey(text, "Query Identifier");
  if (at < 0) return null;
  QUERY_ID.lastIndex = at;
  return QUERY_ID.exec(text)?.[1] ?? null;
}

/**
 * text.indexOf(`"${key}"`), 20× faster on EXPLAIN JSON: a pattern that starts with '"', the most
 * common character there, defeats V8's first-character skip, so search from the key's letters.
 */
export function indexOfQuotedKey(text: string, key: string): number {
  const tail = `${key}"`;
  for (let at = text.indexOf(tail, 1); at >= 0; at = text.indexOf(tail, at + 1)) {
    if (text.charCodeAt(at - 1) === 0x22) return at - 1;
  }
  return -1;
}

const withDuration = (plan: Plan, durationMs: number | null): Plan => (durationMs === null ? plan : { ...plan, durationMs });

function parseSource(source: string, keepLocation: boolean): Plan {
  if (source.length > MAX_PLAN_SOURCE_CHARS) {
    const mb = (source.length / 1024 / 1024).toFixed(1);
    throw new PlanParseError(
      `The plan is too large: ${mb} Mi characters, more than the limit of ${MAX_PLAN_SOURCE_CHARS.toLocaleString("en-US")} characters (8 Mi).`,
      null,
      null,
    );
  }
  if (source.trim() === "") throw new PlanParseError("The input is empty: paste the output of EXPLAIN.", 1, 0);
  const direct = parseCleanJson(source);
  if (direct) return direct;
  const clean = cleanupSource(source);
  try {
    return clean.kind === "json" ? parseJsonSource(clean) : parseTextPlan(clean);
  } catch (err) {
    if (err instanceof PlanParseError && !keepLocation) throw new PlanParseError(err.message.replace(/ \(line \d+\)$/, ""), null, null);
    throw err;
  }
}

/**
 * Reads EXPLAIN output: text or JSON (any PostgreSQL 13–18 options), as printed, as pasted from
 * psql or a log, or already parsed from JSON.
 */
export function parsePlan(source: string | unknown): Plan {
  if (typeof source === "string") return parseSource(source, true);
  if (source === null || source === undefined) throw new PlanParseError("There is no plan: the input is empty.", null, null);
  return fromValue(source, noLocation, null, null);
}
