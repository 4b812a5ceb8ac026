// The first line of a node in text EXPLAIN: "->  Hash Left Join  (cost=1.00..2.00 rows=3 width=4)
// (actual time=0.1..0.2 rows=3.00 loops=1)". Text prints a display name ("HashAggregate",
// "Hash Left Join", "Insert on t") where JSON prints "Node Type" plus separate keys; this file
// maps one onto the other so both parsers build the same nodes.
import type { Actual, Estimate } from "./model";

export interface NodeHeader {
  nodeType: string;
  parallelAware: boolean;
  asyncCapable: boolean;
  joinType: string | null;
  strategy: string | null;
  partialMode: string | null;
  operation: string | null;
  command: string | null;
  scanDirection: string | null;
  indexName: string | null;
  customProvider: string | null;
  /** What follows " on " ("public.orders o"), split later by node kind. */
  target: Target | null;
  estimate: Estimate | null;
  actual: Actual | null;
  neverExecuted: boolean;
}

export interface Target {
  schema: string | null;
  object: string | null;
  alias: string | null;
}

const NUM = String.raw`\d+(?:\.\d+)?`;
const COST_PART = String.raw`\(cost=(${NUM})\.\.(${NUM}) rows=(${NUM}) width=(\d+)\)`;
const ACTUAL_PART = String.raw`\((?:actual (?:time=(${NUM})\.\.(${NUM}) )?rows=(${NUM}) loops=(\d+)|(never executed))\)`;
/**
 * The tail of a node line: "(cost=…)", then "(actual …)" or "(never executed)", each optional and
 * after whitespace, read from the "(" of its first part to the end. Groups, by number (named groups
 * would cost an object per line): 1–4 cost, total cost, rows, width; 5–8 actual startup time, total
 * time, rows, loops; 9 "never executed".
 *
 * The line was once read by one regex, `^(.*?)(?:\s+COST_PART)?(?:\s+ACTUAL_PART)?$`, which
 * backtracked quadratically on a long run of spaces inside a line (20 KB took 2 s, 80 KB up to
 * 48 s; pasted plans are untrusted). parseNodeHeader finds where the tail begins instead: neither
 * part holds a "(", so the last part begins at the last "(" and a part before it at the last "("
 * before that; it gives what the old regex gave, whose lazy label ended where the whitespace
 * before the tail begins (at most one reading of a line fits) and held no line terminator.
 */
const TAIL = new RegExp(String.raw`(?:${COST_PART}(?:\s+|$))?(?:${ACTUAL_PART})?$`, "y");
/** The line terminators, which regex `.` does not match. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

const PLAIN = new Set([
  "Result", "ProjectSet", "Append", "Merge Append", "Recursive Union", "BitmapAnd", "BitmapOr",
  "Materialize", "Memoize", "Sort", "Incremental Sort", "Group", "WindowAgg", "Unique", "Gather",
  "Gather Merge", "Hash", "LockRows", "Limit", "Foreign Scan", "Custom Scan",
]);
const SCANS_WITH_TARGET = new Set([
  "Seq Scan", "Sample Scan", "Bitmap Heap Scan", "Tid Scan", "Tid Range Scan", "Subquery Scan",
  "Function Scan", "Table Function Scan", "Values Scan", "CTE Scan", "Named Tuplestore Scan",
  "WorkTable Scan", "Foreign Scan", "Custom Scan", "Result",
]);
const JOIN = /^(Nested Loop|Hash|Merge)(?: (Left|Full|Right|Semi|Anti|Right Semi|Right Anti))? Join$/;
const AGG = /^(?:(Partial|Finalize) )?(Aggregate|GroupAggregate|HashAggregate|MixedAggregate)$/;
const AGG_STRATEGY: Record<string, string> = { Aggregate: "Plain", GroupAggregate: "Sorted", HashAggregate: "Hashed", MixedAggregate: "Mixed" };
const SETOP = /^(SetOp|HashSetOp) (Intersect All|Intersect|Except All|Except)$/;
const MODIFY = /^(Foreign )?(Insert|Update|Delete|Merge) on (.+)$/;
const INDEX_SCAN = /^(Index Scan|Index Only Scan)( Backward)? using (.+?) on (.+)$/;
const CUSTOM = /^Custom Scan \((.+?)\)(?: on (.+))?$/;

const SPACE = /\s/;

/** Whether the character at `at` is whitespace as regex `\s` (and trim()) have it; false past the end. */
export function isSpaceAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  return c >= 0x80 && SPACE.test(text.charAt(at));
}

/**
 * Where the unquoted identifier at `start` ends: `start + /^[^\s."]+/.exec(text.slice(start))[0].length`
 * without a slice and a match per token. Plain ASCII is decided here; other characters that might
 * be whitespace go to the regex one at a time.
 */
export function bareEnd(text: string, start: number): number {
  let end = start;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c === 0x2e || c === 0x22) break;
    if ((c <= 0x20 || c >= 0x7f) && SPACE.test(text.charAt(end))) break;
  }
  return end;
}

/**
 * Splits "public.orders o" / "\"My Table\" t" into identifiers, undoing quote_identifier. At most
 * three identifiers and two separators count, so they are kept in locals rather than arrays (this
 * runs for every scan node of a plan).
 */
export function parseTarget(text: string): Target | null {
  let first = "";
  let second = "";
  let third = "";
  let count = 0;
  let sep0 = "";
  let sep1 = "";
  let i = 0;
  while (i < text.length) {
    let token = "";
    if (text.charCodeAt(i) === 0x22) {
      // Up to each quote at once, not a concatenation per character (a pasted name may be megabytes).
      i++;
      for (let quote = text.indexOf('"', i); ; quote = text.indexOf('"', i)) {
        if (quote < 0) return null;
        token += text.slice(i, quote);
        i = quote;
        if (text.charCodeAt(quote + 1) !== 0x22) break;
        token += '"';
        i += 2;
      }
      i++;
    } else {
      const end = bareEnd(text, i);
      if (end === i) return null;
      token = text.slice(i, end);
      i = end;
    }
    if (count === 0) first = token;
    else if (count === 1) second = token;
    else if (count === 2) third = token;
    else return null; // a fourth identifier: no form has one
    count++;
    if (i < text.length) {
      const sep = text.charAt(i);
      if (sep !== "." && sep !== " ") return null;
      if (count === 1) sep0 = sep;
      else if (count === 2) sep1 = sep;
      i++;
    }
  }
  if (count === 1) return { schema: null, object: first, alias: first };
  if (count === 2 && sep0 === " ") return { schema: null, object: first, alias: second };
  if (count === 2 && sep0 === ".") return { schema: first, object: second, alias: second };
  if (count === 3 && sep0 === "." && sep1 === " ") return { schema: first, object: second, alias: third };
  return null;
}

function emptyHeader(nodeType: string): NodeHeader {
  return {
    nodeType, parallelAware: false, asyncCapable: false, joinType: null, strategy: null, partialMode: null,
    operation: null, command: null, scanDirection: null, indexName: null, customProvider: null, target: null,
    estimate: null, actual: null, neverExecuted: false,
  };
}

/**
 * Maps a display name such as "Partial HashAggregate" to the JSON-style node; null if it is no node.
 * Exported for regex-time.test.ts, which rebuilds parseNodeHeader from the regex it replaced.
 */
export function parseLabel(label: string): NodeHeader | null {
  let rest = label;
  let parallelAware = false;
  let asyncCapable = false;
  if (rest.startsWith("Parallel ")) (parallelAware = true), (rest = rest.slice(9));
  if (rest.startsWith("Async ")) (asyncCapable = true), (rest = rest.slice(6));
  const node = labelBody(rest);
  if (node === null) return null;
  node.parallelAware = parallelAware;
  node.asyncCapable = asyncCapable;
  return node;
}

// Each branch fills a fresh emptyHeader() in place: a header is built for every node line.
function labelBody(label: string): NodeHeader | null {
  let h: NodeHeader;
  if (label === "Nested Loop") {
    h = emptyHeader("Nested Loop");
    h.joinType = "Inner";
    return h;
  }
  // Each regex is anchored on a few literal openings: test the first letter before running it.
  const first = label.charAt(0);
  let m = "NHM".includes(first) ? JOIN.exec(label) : null;
  if (m) {
    h = emptyHeader(m[1] === "Nested Loop" ? "Nested Loop" : `${m[1]} Join`);
    h.joinType = m[2] ?? "Inner";
    return h;
  }
  m = "PFAGHM".includes(first) ? AGG.exec(label) : null;
  if (m) {
    h = emptyHeader("Aggregate");
    h.strategy = AGG_STRATEGY[m[2] ?? ""] ?? null;
    h.partialMode = m[1] ?? "Simple";
    return h;
  }
  m = "SH".includes(first) ? SETOP.exec(label) : null;
  if (m) {
    h = emptyHeader("SetOp");
    h.strategy = m[1] === "HashSetOp" ? "Hashed" : "Sorted";
    h.command = m[2] ?? null;
    return h;
  }
  if (PLAIN.has(label)) return emptyHeader(label);
  m = first === "I" ? INDEX_SCAN.exec(label) : null;
  if (m) {
    const target = parseTarget(m[4] ?? "");
    const index = parseTarget(m[3] ?? "");
    if (!target || !index) return null;
    h = emptyHeader(m[1] ?? "");
    h.scanDirection = m[2] ? "Backward" : "Forward";
    h.indexName = index.object;
    h.target = target;
    return h;
  }
  if (label.startsWith("Bitmap Index Scan on ")) {
    const index = parseTarget(label.slice(21));
    if (!index) return null;
    h = emptyHeader("Bitmap Index Scan");
    h.indexName = index.object;
    return h;
  }
  m = first === "C" ? CUSTOM.exec(label) : null;
  if (m) {
    const target = m[2] ? parseTarget(m[2]) : null;
    if (m[2] && !target) return null;
    h = emptyHeader("Custom Scan");
    h.customProvider = m[1] ?? null;
    h.target = target;
    return h;
  }
  m = "FIUDM".includes(first) ? MODIFY.exec(label) : null;
  if (m) {
    const target = parseTarget(m[3] ?? "");
    if (!target) return null;
    h = emptyHeader(m[1] ? "Foreign Scan" : "ModifyTable");
    h.operation = m[2] ?? null;
    h.target = target;
    return h;
  }
  const on = label.indexOf(" on ");
  if (on > 0 && SCANS_WITH_TARGET.has(label.slice(0, on))) {
    const target = parseTarget(label.slice(on + 4));
    if (!target) return null;
    h = emptyHeader(label.slice(0, on));
    h.target = target;
    return h;
  }
  return null;
}

/**
 * Number(text) for a `\d+(?:\.\d+)?` that TAIL captured (anything else goes to Number itself). Up to
 * 15 digits the digits are an exact integer and 10^k (k ≤ 15) an exact double, so their quotient is
 * the correctly rounded value Number() returns; Number() on a fresh "0.031" takes its slow path, and
 * every node line has up to eight of them.
 */
export function decimal(text: string): number {
  if (text.length === 0 || text.length > 16) return Number(text);
  let digits = 0;
  let scale = 1;
  let dot = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      digits = digits * 10 + (c - 0x30);
      if (dot >= 0) scale *= 10;
    } else if (c === 0x2e && dot < 0 && i > 0 && i < text.length - 1) dot = i;
    else return Number(text);
  }
  // 16 characters with a dot are 15 digits; without one, 16 digits may pass 2^53.
  return dot < 0 && text.length > 15 ? Number(text) : digits / scale;
}

/**
 * The last "(" of text[0, end) if whitespace precedes it and text[end - 1] is ")": where a part of
 * the tail (see TAIL) that ends at `end` would begin; -1 if none could.
 */
function tailPartStart(text: string, end: number): number {
  if (text.charCodeAt(end - 1) !== 0x29) return -1;
  const open = text.lastIndexOf("(", end - 1);
  return open > 0 && isSpaceAt(text, open - 1) ? open : -1;
}

/** Start of the whitespace run that ends just before `at`. */
function spaceRunStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && isSpaceAt(text, start - 1)) start--;
  return start;
}

/** Parses a node line without its "->  " arrow; null when the line is not a plan node. */
export function parseNodeHeader(content: string): NodeHeader | null {
  const text = content.trim();
  let labelEnd = text.length;
  let m: RegExpExecArray | null = null;
  const last = tailPartStart(text, labelEnd);
  if (last >= 0) {
    const before = spaceRunStart(text, last);
    const first = tailPartStart(text, before);
    if (first >= 0) {
      TAIL.lastIndex = first;
      m = TAIL.exec(text);
      if (m !== null) labelEnd = spaceRunStart(text, first);
    }
    if (m === null) {
      TAIL.lastIndex = last;
      m = TAIL.exec(text);
      if (m !== null) labelEnd = before;
    }
  }
  const label = text.slice(0, labelEnd);
  if (LINE_BREAK.test(label)) return null;
  const node = parseLabel(label);
  if (!node) return null;
  if (m === null) return node;
  if (m[1] !== undefined) node.estimate = { startupCost: decimal(m[1]), totalCost: decimal(m[2] ?? ""), rows: decimal(m[3] ?? ""), widthBytes: decimal(m[4] ?? "") };
  if (m[7] !== undefined) {
    node.actual = {
      startupTimeMs: m[5] !== undefined ? decimal(m[5]) : null,
      totalTimeMs: m[6] !== undefined ? decimal(m[6]) : null,
      rows: decimal(m[7]),
      loops: decimal(m[8] ?? ""),
    };
  }
  node.neverExecuted = m[9] !== undefined;
  return node;
}

/** "InitPlan 1 (returns $0)", "SubPlan 2", "CTE orders_cte": the line above a subplan's node. */
export function parseSubplanHeader(content: string): { relationship: string; name: string } | null {
  const text = content.trim();
  // Runs for every property line: most start with none of the three words' letters.
  const first = text.charAt(0);
  if (first !== "I" && first !== "S" && first !== "C") return null;
  const m = /^(?:(InitPlan|SubPlan) \d+(?: \(returns [^)]*\))?|CTE \S.*)$/.exec(text);
  if (!m) return null;
  const kind = m[1] ?? "CTE";
  return { relationship: kind === "SubPlan" ? "SubPlan" : "InitPlan", name: normalizeSubplanName(text) };
}

/** PostgreSQL up to 16 appends " (returns $0)" to initplan names, in JSON and text alike. */
export function normalizeSubplanName(name: string): string {
  // name.replace(/ \(returns [^)]*\)$/, "") without that regex, which was quadratic in the number
  // of " (returns " without a ")" after them (88 KB took 0.9 s): its match is the first " (returns "
  // after the last ")" before the final one.
  const last = name.length - 1;
  if (name.charCodeAt(last) !== 0x29) return name;
  const at = name.indexOf(" (returns ", name.lastIndexOf(")", last - 1) + 1);
  return at < 0 ? name : name.slice(0, at);
}
