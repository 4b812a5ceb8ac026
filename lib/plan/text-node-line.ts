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
const TAIL = new RegExp(
  String.raw`^(?<label>.*?)(?:\s+\(cost=(?<sc>${NUM})\.\.(?<tc>${NUM}) rows=(?<er>${NUM}) width=(?<w>\d+)\))?` +
    String.raw`(?:\s+\((?:actual (?:time=(?<as>${NUM})\.\.(?<at>${NUM}) )?rows=(?<ar>${NUM}) loops=(?<al>\d+)|(?<never>never executed))\))?$`,
);

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

/** Splits "public.orders o" / "\"My Table\" t" into identifiers, undoing quote_identifier. */
export function parseTarget(text: string): Target | null {
  const tokens: string[] = [];
  const seps: string[] = [];
  let i = 0;
  while (i < text.length) {
    let token = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') (token += '"'), (i += 2);
        else if (text[i] === '"') break;
        else token += text[i++];
      }
      if (text[i] !== '"') return null;
      i++;
    } else {
      const m = /^[^\s."]+/.exec(text.slice(i));
      if (!m) return null;
      token = m[0];
      i += token.length;
    }
    tokens.push(token);
    if (i < text.length) {
      const sep = text[i];
      if (sep !== "." && sep !== " ") return null;
      seps.push(sep);
      i++;
    }
  }
  if (tokens.length === 1) return { schema: null, object: tokens[0] ?? null, alias: tokens[0] ?? null };
  if (tokens.length === 2 && seps[0] === " ") return { schema: null, object: tokens[0] ?? null, alias: tokens[1] ?? null };
  if (tokens.length === 2 && seps[0] === ".") return { schema: tokens[0] ?? null, object: tokens[1] ?? null, alias: tokens[1] ?? null };
  if (tokens.length === 3 && seps[0] === "." && seps[1] === " ") return { schema: tokens[0] ?? null, object: tokens[1] ?? null, alias: tokens[2] ?? null };
  return null;
}

function emptyHeader(nodeType: string): NodeHeader {
  return {
    nodeType, parallelAware: false, asyncCapable: false, joinType: null, strategy: null, partialMode: null,
    operation: null, command: null, scanDirection: null, indexName: null, customProvider: null, target: null,
    estimate: null, actual: null, neverExecuted: false,
  };
}

/** Maps a display name such as "Partial HashAggregate" to the JSON-style node; null if it is no node. */
function parseLabel(label: string): NodeHeader | null {
  let rest = label;
  let parallelAware = false;
  let asyncCapable = false;
  if (rest.startsWith("Parallel ")) (parallelAware = true), (rest = rest.slice(9));
  if (rest.startsWith("Async ")) (asyncCapable = true), (rest = rest.slice(6));
  const node = labelBody(rest);
  return node && { ...node, parallelAware, asyncCapable };
}

function labelBody(label: string): NodeHeader | null {
  if (label === "Nested Loop") return { ...emptyHeader("Nested Loop"), joinType: "Inner" };
  let m = JOIN.exec(label);
  if (m) return { ...emptyHeader(m[1] === "Nested Loop" ? "Nested Loop" : `${m[1]} Join`), joinType: m[2] ?? "Inner" };
  m = AGG.exec(label);
  if (m) return { ...emptyHeader("Aggregate"), strategy: AGG_STRATEGY[m[2] ?? ""] ?? null, partialMode: m[1] ?? "Simple" };
  m = SETOP.exec(label);
  if (m) return { ...emptyHeader("SetOp"), strategy: m[1] === "HashSetOp" ? "Hashed" : "Sorted", command: m[2] ?? null };
  if (PLAIN.has(label)) return emptyHeader(label);
  m = INDEX_SCAN.exec(label);
  if (m) {
    const target = parseTarget(m[4] ?? "");
    const index = parseTarget(m[3] ?? "");
    if (!target || !index) return null;
    return { ...emptyHeader(m[1] ?? ""), scanDirection: m[2] ? "Backward" : "Forward", indexName: index.object, target };
  }
  if (label.startsWith("Bitmap Index Scan on ")) {
    const index = parseTarget(label.slice(21));
    return index && { ...emptyHeader("Bitmap Index Scan"), indexName: index.object };
  }
  m = CUSTOM.exec(label);
  if (m) {
    const target = m[2] ? parseTarget(m[2]) : null;
    if (m[2] && !target) return null;
    return { ...emptyHeader("Custom Scan"), customProvider: m[1] ?? null, target };
  }
  m = MODIFY.exec(label);
  if (m) {
    const target = parseTarget(m[3] ?? "");
    return target && { ...emptyHeader(m[1] ? "Foreign Scan" : "ModifyTable"), operation: m[2] ?? null, target };
  }
  const on = label.indexOf(" on ");
  if (on > 0 && SCANS_WITH_TARGET.has(label.slice(0, on))) {
    const target = parseTarget(label.slice(on + 4));
    return target && { ...emptyHeader(label.slice(0, on)), target };
  }
  return null;
}

/** Parses a node line without its "->  " arrow; null when the line is not a plan node. */
export function parseNodeHeader(content: string): NodeHeader | null {
  const m = TAIL.exec(content.trim());
  const g = m?.groups;
  if (!g) return null;
  const node = parseLabel(g.label ?? "");
  if (!node) return null;
  const estimate: Estimate | null =
    g.sc !== undefined
      ? { startupCost: Number(g.sc), totalCost: Number(g.tc), rows: Number(g.er), widthBytes: Number(g.w) }
      : null;
  const actual: Actual | null =
    g.ar !== undefined
      ? {
          startupTimeMs: g.as !== undefined ? Number(g.as) : null,
          totalTimeMs: g.at !== undefined ? Number(g.at) : null,
          rows: Number(g.ar),
          loops: Number(g.al),
        }
      : null;
  return { ...node, estimate, actual, neverExecuted: g.never !== undefined };
}

/** "InitPlan 1 (returns $0)", "SubPlan 2", "CTE orders_cte": the line above a subplan's node. */
export function parseSubplanHeader(content: string): { relationship: string; name: string } | null {
  const m = /^(?:(InitPlan|SubPlan) \d+(?: \(returns [^)]*\))?|CTE \S.*)$/.exec(content.trim());
  if (!m) return null;
  const kind = m[1] ?? "CTE";
  return { relationship: kind === "SubPlan" ? "SubPlan" : "InitPlan", name: normalizeSubplanName(content.trim()) };
}

/** PostgreSQL up to 16 appends " (returns $0)" to initplan names, in JSON and text alike. */
export function normalizeSubplanName(name: string): string {
  return name.replace(/ \(returns [^)]*\)$/, "");
}
