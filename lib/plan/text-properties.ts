// The "Key: value" lines under a node in text EXPLAIN, read into the same fields (and the same
// extra keys) as the JSON parser fills, so one plan reads the same in either format.
import type { Buffers, Condition, IoTiming, PlanNode, Trigger } from "./model";
import { zeroBuffers } from "./node-draft";

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

export function splitPairs(content: string): Array<[string, string]> {
  const parts = MULTI.test(content) ? content.split(/\s{2,}(?=[A-Z][A-Za-z -]*:\s)/) : [content];
  return parts.map((part) => {
    const colon = part.indexOf(":");
    return colon < 0 ? [part.trim(), ""] : [part.slice(0, colon).trim(), part.slice(colon + 1).trim()];
  });
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

const BUFFER_SEGMENT = /^\s*(shared|local|temp)\s+(.*)$/;
const BUFFER_COUNT = /(\w+)=(\d+)/g;

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
    const counts = m[2] ?? "";
    BUFFER_COUNT.lastIndex = 0;
    for (let c = BUFFER_COUNT.exec(counts); c !== null; c = BUFFER_COUNT.exec(counts)) {
      const field = bufferField(m[1] ?? "", c[1] ?? "");
      if (field) out[field] = Number(c[2]);
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
  for (const [, key, n] of value.matchAll(/([a-z ]+?)=(\d+)/g)) {
    const name = names[(key ?? "").trim()];
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
      const counts = Object.fromEntries([...value.matchAll(/(\w+)=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
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
      const m = Object.fromEntries([...value.matchAll(/(\w+)=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
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

/** "Trigger [name] [for constraint c] [on rel]: time=1.2 calls=3". */
export function parseTrigger(content: string): Trigger | null {
  const m = /^Trigger(?: (?!for constraint )(.*?))?(?: for constraint (.+?))?(?: on (.+?))?: (?:time=(\d+(?:\.\d+)?) )?calls=(\d+)$/.exec(content);
  if (!m) return null;
  return { name: m[2] ?? m[1] ?? "", relationName: m[3] ?? null, timeMs: m[4] !== undefined ? Number(m[4]) : null, calls: Number(m[5]) };
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
