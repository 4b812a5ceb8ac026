// The "Key: value" lines under a node in text EXPLAIN, read into the same fields (and the same
// extra keys) as the JSON parser fills, so one plan reads the same in either format.
import type { Buffers, Condition, IoTiming, PlanNode, Trigger } from "./model";
import { zeroBuffers } from "./node-draft";
import { isSpaceAt } from "./text-node-line";

/**
 * The condition a key names, or null. A switch rather than an object lookup: keys are fresh slices
 * of the line, and looking one up in an object interns it first (keys start with a capital letter,
 * so an object's inherited names could never have matched).
 */
function conditionKind(key: string): Condition["kind"] | null {
  switch (key) {
    case "Index Cond":
      return "indexCond";
    case "Recheck Cond":
      return "recheckCond";
    case "Filter":
      return "filter";
    case "Join Filter":
      return "joinFilter";
    case "Hash Cond":
      return "hashCond";
    case "Merge Cond":
      return "mergeCond";
    case "TID Cond":
      return "tidCond";
    case "One-Time Filter":
      return "oneTimeFilter";
    case "Order By":
      return "orderBy";
    case "Cache Key":
      return "cacheKey";
    case "Run Condition":
      return "runCondition";
    default:
      return null;
  }
}

/** Lines that hold several "Key: value" pairs separated by two spaces. */
const MULTI = /^(?:Buckets|Batches|Planned Partitions|Sort Method|Hits|Storage|Estimates):/;

/**
 * `content.split(/\s{2,}(?=[A-Z][A-Za-z -]*:\s)/)` on MULTI lines, by one scan: the regex
 * backtracked quadratically on a long run of spaces or of "  A" (60 KB took 2 s). It splits at each
 * whole run of 2+ whitespace that a key follows; the key's `[A-Za-z -]*` run is the same for every
 * run inside it, so its end is found once.
 */
export function splitPairs(content: string): Array<[string, string]> {
  if (!MULTI.test(content)) return [pairOf(content)];
  const out: Array<[string, string]> = [];
  let from = 0;
  let keyEnd = -1; // end of the last [A-Za-z -]* run read: the same run for any start inside it
  for (let at = 0; at < content.length; ) {
    const c = content.charCodeAt(at);
    if ((c > 0x20 && c < 0x80) || !isSpaceAt(content, at)) {
      at++;
      continue;
    }
    let run = at + 1;
    while (isSpaceAt(content, run)) run++;
    const first = content.charCodeAt(run);
    if (run - at >= 2 && first >= 0x41 && first <= 0x5a) {
      if (run + 1 > keyEnd) {
        keyEnd = run + 1;
        while (isKeyChar(content.charCodeAt(keyEnd))) keyEnd++;
      }
      if (content.charCodeAt(keyEnd) === 0x3a && isSpaceAt(content, keyEnd + 1)) {
        out.push(pairOf(content.slice(from, at)));
        from = run;
      }
    }
    at = run;
  }
  out.push(pairOf(content.slice(from)));
  return out;
}

/** [A-Za-z -] */
function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x20 || c === 0x2d;
}

function pairOf(part: string): [string, string] {
  const colon = part.indexOf(":");
  return colon < 0 ? [part.trim(), ""] : [part.slice(0, colon).trim(), part.slice(colon + 1).trim()];
}

/** Applies a "Key: value" line (several pairs on MULTI lines) to a node draft: splitPairs without the arrays. */
export function applyLine(node: PlanNode, content: string): void {
  if (MULTI.test(content)) {
    for (const [key, value] of splitPairs(content)) applyPair(node, key, value);
    return;
  }
  const colon = content.indexOf(":");
  if (colon < 0) applyPair(node, content.trim(), "");
  else applyPair(node, content.slice(0, colon).trim(), content.slice(colon + 1).trim());
}

/** Splits "a, f(b, c), 'x, y'" at top-level commas only. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "," && depth === 0 && value[i + 1] === " ") {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

export function scalar(value: string): string | number | boolean {
  if (value === "true" || value === "false") return value === "true";
  return /^-?\d+(?:\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value))) ? Number(value) : value;
}

const kb = (v: string): number | null => {
  const m = /^(-?\d+(?:\.\d+)?)\s*kB$/.exec(v);
  return m ? Number(m[1]) : null;
};

/**
 * BUFFER_FIELDS["shared hit"], …: a switch, so that no "shared hit" string is built and looked
 * up per count (the kind is one of the three BUFFER_SEGMENT allows).
 */
function bufferField(kind: string, count: string): keyof Buffers | null {
  const shared = kind === "shared";
  const local = kind === "local";
  switch (count) {
    case "hit":
      return shared ? "sharedHitBlocks" : local ? "localHitBlocks" : null;
    case "read":
      return shared ? "sharedReadBlocks" : local ? "localReadBlocks" : "tempReadBlocks";
    case "dirtied":
      return shared ? "sharedDirtiedBlocks" : local ? "localDirtiedBlocks" : null;
    case "written":
      return shared ? "sharedWrittenBlocks" : local ? "localWrittenBlocks" : "tempWrittenBlocks";
    default:
      return null;
  }
}

/**
 * A segment's kind; its counts are the rest, which must hold no line terminator: the regex was
 * `^\s*(shared|local|temp)\s+(.*)$`, whose `\s+` backtracked quadratically when `.*` met one.
 */
const BUFFER_SEGMENT = /^\s*(shared|local|temp)\s+/;
/** The line terminators, which regex `.` does not match. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const isLineBreak = (c: number) => c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** \w */
const isWordChar = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
/** [a-z ] */
const isWalKeyChar = (c: number) => (c >= 0x61 && c <= 0x7a) || c === 0x20;

/**
 * The [key, digits] of each match `text.matchAll(/(K+)=(\d+)/g)` finds (greedy or lazy K+ alike), K
 * being `isKey`'s class (without "="), by one scan: the regex tried every start inside a long word
 * with no "=" and backtracked over the rest of it (20 KB took 0.5 s). A match starts at the first
 * K character at or after where the search is; the K run from there must meet "=" and a digit, or
 * no start inside the run can, and the search goes on after the run.
 */
function countPairs(text: string, isKey: (c: number) => boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let at = 0; at < text.length; ) {
    if (!isKey(text.charCodeAt(at))) {
      at++;
      continue;
    }
    let end = at + 1;
    while (isKey(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) === 0x3d && isDigit(text.charCodeAt(end + 1))) {
      let digits = end + 2;
      while (isDigit(text.charCodeAt(digits))) digits++;
      out.push([text.slice(at, end), text.slice(end + 1, digits)]);
      end = digits;
    }
    at = end;
  }
  return out;
}

/**
 * parseBuffers of the usual value, "shared" then " hit=N", " read=N", … (one segment, nothing else),
 * read with charCodeAt instead of a split and two regexes per line; null for anything else.
 */
function sharedOnly(value: string): Buffers | null {
  if (!value.startsWith("shared ")) return null;
  const out = zeroBuffers();
  let at = 6;
  while (at < value.length) {
    if (value.charCodeAt(at) !== 0x20) return null;
    const eq = value.indexOf("=", at + 1);
    if (eq < 0) return null;
    const field = bufferField("shared", value.slice(at + 1, eq));
    if (field === null) return null;
    let end = eq + 1;
    let count = 0;
    for (let c = value.charCodeAt(end); c >= 0x30 && c <= 0x39; c = value.charCodeAt(end)) {
      count = count * 10 + (c - 0x30);
      end++;
    }
    // Beyond 15 digits the sum may round where Number() would not: leave those to the regexes.
    if (end === eq + 1 || end - eq > 16) return null;
    out[field] = count;
    at = end;
  }
  return at === 6 ? null : out;
}

/** "shared hit=1 read=2, local written=3, temp read=4 written=5" — text omits zeros. */
export function parseBuffers(value: string): Buffers {
  const usual = sharedOnly(value);
  if (usual !== null) return usual;
  const out = zeroBuffers();
  for (const segment of value.split(",")) {
    const m = BUFFER_SEGMENT.exec(segment);
    if (!m) continue;
    const counts = segment.slice(m[0].length);
    if (LINE_BREAK.test(counts)) continue;
    for (const [count, digits] of countPairs(counts, isWordChar)) {
      const field = bufferField(m[1] ?? "", count);
      if (field) out[field] = Number(digits);
    }
  }
  return out;
}

/** "read=1.2 write=0.3" (≤14), "shared/local read=1.2, temp read=0.1" (15–16), "shared read=…, local …, temp …" (17+). */
export function parseIoTimings(value: string): IoTiming {
  const out: IoTiming = { readMs: 0, writeMs: 0, tempReadMs: null, tempWriteMs: null };
  for (const segment of value.split(",")) {
    const temp = /^\s*temp\b/.test(segment);
    for (const [, key, n] of segment.matchAll(/(read|write)=(\d+(?:\.\d+)?)/g)) {
      const ms = Number(n);
      if (temp && key === "read") out.tempReadMs = (out.tempReadMs ?? 0) + ms;
      else if (temp) out.tempWriteMs = (out.tempWriteMs ?? 0) + ms;
      else if (key === "read") out.readMs += ms;
      else out.writeMs += ms;
    }
  }
  return out;
}

/** "WAL: records=10 fpi=0 bytes=1000 buffers full=0" → JSON's key names. */
function walExtras(value: string): Record<string, number> {
  const names: Record<string, string> = { records: "WAL Records", fpi: "WAL FPI", bytes: "WAL Bytes", "buffers full": "WAL Buffers Full" };
  const out: Record<string, number> = {};
  for (const [key, n] of countPairs(value, isWalKeyChar)) {
    const name = names[key.trim()];
    if (name) out[name] = Number(n);
  }
  return out;
}

/** "exact=770 lossy=2" or "1024 (originally 512)". */
const originally = (v: string) => /^(\d+)(?: \(originally (\d+)\))?$/.exec(v);

/** The group keys each draft node has so far (drafts are the parser's own: gone with the parse). */
const groupKeysSeen = new WeakMap<PlanNode, Set<string>>();

/** Adds extra keys to a draft node, as `{ ...node.extra, ...entries }` would. */
function addExtra(node: PlanNode, entries: Record<string, string | number | boolean>): PlanNode {
  Object.assign(node.extra, entries);
  return node;
}

/**
 * Applies one "Key: value" pair to a node draft, in place (the parser's own fresh node: copying all
 * its fields per property line made big plans slow); returns the same node.
 */
export function applyPair(node: PlanNode, key: string, value: string): PlanNode {
  const kind = conditionKind(key);
  if (kind !== null) {
    node.conditions.push({ kind, expression: value });
    return node;
  }
  const n = Number(value);
  switch (key) {
    case "Rows Removed by Filter":
      node.rowsRemovedByFilter = n;
      return node;
    case "Rows Removed by Join Filter":
      node.rowsRemovedByJoinFilter = n;
      return node;
    case "Rows Removed by Index Recheck":
      node.rowsRemovedByIndexRecheck = n;
      return node;
    case "Heap Fetches":
      node.heapFetches = n;
      return node;
    case "Index Searches":
      node.indexSearches = n;
      return node;
    case "Workers Planned":
      node.workersPlanned = n;
      return node;
    case "Workers Launched":
      node.workersLaunched = n;
      return node;
    case "Disabled":
      node.disabled = value === "true";
      return node;
    case "Sort Key":
      node.sortKey = splitList(value);
      return node;
    case "Group Key":
    case "Hash Key": {
      // Grouping sets print one line per set; "()" is the empty set (grand total).
      // A set of the keys so far: scanning the list per key was quadratic in the number of sets.
      let seen = groupKeysSeen.get(node);
      if (seen === undefined) groupKeysSeen.set(node, (seen = new Set(node.groupKey)));
      const keys = splitList(value).filter((k) => k !== "()" && !seen.has(k));
      for (const k of keys) node.groupKey.push(k), seen.add(k);
      return node;
    }
    case "Tuples": {
      // MERGE: "Tuples: inserted=1 updated=2 deleted=0 skipped=3" (zeros left out).
      const counts = Object.fromEntries(countPairs(value, isWordChar).map(([k, v]) => [k, Number(v)]));
      const names = ["inserted", "updated", "deleted", "skipped"] as const;
      return addExtra(node, Object.fromEntries(names.map((k) => [`Tuples ${k[0]?.toUpperCase()}${k.slice(1)}`, counts[k] ?? 0])));
    }
    case "Output":
      node.output = splitList(value);
      return node;
    case "Sort Method":
      node.sortMethod = value;
      return node;
    case "Memory":
    case "Disk":
      node.sortSpaceType = key;
      node.sortSpaceUsedKb = kb(value);
      return node;
    case "Memory Usage":
      node.peakMemoryUsageKb = kb(value);
      return node;
    case "Buffers":
      node.buffers = parseBuffers(value);
      return node;
    case "I/O Timings":
      node.ioTiming = parseIoTimings(value);
      return node;
    case "WAL":
      return addExtra(node, walExtras(value));
    case "Buckets": {
      const m = originally(value);
      node.hashBuckets = Number(m?.[1]);
      node.extra["Original Hash Buckets"] = Number(m?.[2] ?? m?.[1]);
      return node;
    }
    case "Batches": {
      const m = originally(value);
      // A Hash node's batches; HashAggregate prints "Batches" too, as JSON's "HashAgg Batches".
      if (node.nodeType === "Hash") {
        node.hashBatches = Number(m?.[1]);
        node.extra["Original Hash Batches"] = Number(m?.[2] ?? m?.[1]);
        return node;
      }
      return addExtra(node, { "HashAgg Batches": n });
    }
    case "Disk Usage":
      return addExtra(node, { "Disk Usage": kb(value) ?? value });
    case "Heap Blocks": {
      const m = Object.fromEntries(countPairs(value, isWordChar).map(([k, v]) => [k, Number(v)]));
      return addExtra(node, { "Exact Heap Blocks": m.exact ?? 0, "Lossy Heap Blocks": m.lossy ?? 0 });
    }
    case "Hits":
    case "Misses":
    case "Evictions":
    case "Overflows":
      return addExtra(node, { [`Cache ${key}`]: n });
    case "Presorted Key":
      return addExtra(node, { "Presorted Key": splitList(value).join(", ") });
    case "Maximum Storage":
      return addExtra(node, { "Maximum Storage": kb(value) ?? value });
    default:
      return addExtra(node, { [key]: scalar(value) });
  }
}

/** What follows a trigger's names: the last ":" of the line starts it, as it holds no other. */
const TRIGGER_TAIL = /: (?:time=(\d+(?:\.\d+)?) )?calls=(\d+)$/y;

/**
 * "Trigger [name] [for constraint c] [on rel]: time=1.2 calls=3": what
 *
 *   ^Trigger(?: (?!for constraint )(.*?))?(?: for constraint (.+?))?(?: on (.+?))?: TAIL
 *
 * matched (name = group 2 ?? group 1), without its nested lazy groups, which backtracked cubically
 * on a long line that failed (26 KB took 7 s). The regex tries the end of group 1 from left to
 * right; the first end where " for constraint x", " on x" or the tail follows is taken, and there
 * group 2 ends at the first " on x" (or the tail). `.` keeps line terminators out of the groups.
 */
export function parseTrigger(content: string): Trigger | null {
  if (!content.startsWith("Trigger")) return null;
  const tail = content.lastIndexOf(":");
  if (tail < 7) return null;
  TRIGGER_TAIL.lastIndex = tail;
  const m = TRIGGER_TAIL.exec(content);
  if (!m) return null;
  let firstBreak = tail;
  let lastBreak = -1;
  for (let i = 7; i < tail; i++) {
    if (!isLineBreak(content.charCodeAt(i))) continue;
    if (firstBreak === tail) firstBreak = i;
    lastBreak = i;
  }
  // The first place from `from` where the names can end: " for constraint x", " on x" (x running
  // to the tail with no line terminator) or the tail itself.
  const namesEnd = (from: number) => {
    let end = tail;
    const constraint = content.indexOf(" for constraint ", Math.max(from, lastBreak - 15));
    if (constraint >= 0 && constraint + 17 <= tail) end = constraint;
    const on = content.indexOf(" on ", Math.max(from, lastBreak - 3));
    if (on >= 0 && on + 5 <= tail && on < end) end = on;
    return end;
  };
  let name: string | undefined;
  let at = -1;
  if (content.charCodeAt(7) === 0x20 && !content.startsWith("for constraint ", 8)) {
    at = namesEnd(8);
    if (at <= firstBreak) name = content.slice(8, at);
    else at = -1;
  }
  if (at < 0) {
    at = namesEnd(7);
    if (at !== 7) return null;
  }
  let relationName: string | null = null;
  if (at < tail && content.startsWith(" for constraint ", at)) {
    const on = content.indexOf(" on ", at + 17);
    const constraintEnd = on >= 0 && on + 5 <= tail ? on : tail;
    name = content.slice(at + 16, constraintEnd);
    if (constraintEnd < tail) relationName = content.slice(constraintEnd + 4, tail);
  } else if (at < tail) relationName = content.slice(at + 4, tail);
  return { name: name ?? "", relationName, timeMs: m[1] !== undefined ? Number(m[1]) : null, calls: Number(m[2]) };
}

/** "work_mem = '8MB', enable_seqscan = 'off'". */
export function parseSettings(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of splitList(value)) {
    const m = /^(\S+) = '((?:[^']|'')*)'$/.exec(item);
    if (m?.[1]) out[m[1]] = (m[2] ?? "").replaceAll("''", "'");
  }
  return out;
}
