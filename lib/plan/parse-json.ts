// EXPLAIN (FORMAT JSON) → Plan. Raw JSON is `unknown` until each value passes a guard; a value of
// the wrong type is an error, never silently dropped, so a broken paste cannot become a plan.
import { PlanParseError } from "./errors";
import type { Actual, Buffers, Condition, IoTiming, Plan, PlanNode, Trigger, WorkerStats } from "./model";
import { MAX_PLAN_DEPTH, assemble, emptyNode, planSummary } from "./node-draft";
import type { RawBufferCounters, RawExplain, RawIoTimings, RawPlanNode } from "./raw-types";
import { normalizeSubplanName } from "./text-node-line";

type Path = Array<string | number>;
/** Turns a JSON path into a position in the input, when the input text is known. */
export type Locator = (path: Path) => { line: number; offset: number } | null;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(message: string, path: Path, locate: Locator): never {
  const where = locate(path);
  throw new PlanParseError(message, where?.line ?? null, where?.offset ?? null);
}

class Reader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly path: Path,
    private readonly locate: Locator,
  ) {}
  private bad(key: string, expected: string): never {
    fail(`"${key}" should be ${expected}, found ${JSON.stringify(this.raw[key])?.slice(0, 40)}`, [...this.path, key], this.locate);
  }
  num(key: string): number | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    return typeof v === "number" && Number.isFinite(v) ? v : this.bad(key, "a number");
  }
  str(key: string): string | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    return typeof v === "string" ? v : this.bad(key, "text");
  }
  bool(key: string): boolean | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    return typeof v === "boolean" ? v : this.bad(key, "true or false");
  }
  strings(key: string): string[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return [];
    return Array.isArray(v) && v.every((s) => typeof s === "string") ? v : this.bad(key, "a list of texts");
  }
}

const BUFFER_KEYS: Array<[keyof RawBufferCounters, keyof Buffers]> = [
  ["Shared Hit Blocks", "sharedHitBlocks"],
  ["Shared Read Blocks", "sharedReadBlocks"],
  ["Shared Dirtied Blocks", "sharedDirtiedBlocks"],
  ["Shared Written Blocks", "sharedWrittenBlocks"],
  ["Local Hit Blocks", "localHitBlocks"],
  ["Local Read Blocks", "localReadBlocks"],
  ["Local Dirtied Blocks", "localDirtiedBlocks"],
  ["Local Written Blocks", "localWrittenBlocks"],
  ["Temp Read Blocks", "tempReadBlocks"],
  ["Temp Written Blocks", "tempWrittenBlocks"],
];

function readBuffers(r: Reader): Buffers | null {
  const values = BUFFER_KEYS.map(([raw, field]) => [field, r.num(raw)] as const);
  if (values.every(([, v]) => v === null)) return null;
  return Object.fromEntries(values.map(([f, v]) => [f, v ?? 0])) as unknown as Buffers;
}

function readIoTiming(r: Reader): IoTiming | null {
  const key = (k: keyof RawIoTimings) => r.num(k);
  const old = [key("I/O Read Time"), key("I/O Write Time")];
  const split = [key("Shared I/O Read Time"), key("Local I/O Read Time"), key("Shared I/O Write Time"), key("Local I/O Write Time")];
  if ([...old, ...split].every((v) => v === null)) return null;
  const sum = (...v: Array<number | null>) => v.reduce<number>((a, b) => a + (b ?? 0), 0);
  return {
    readMs: old[0] ?? sum(split[0] ?? null, split[1] ?? null),
    writeMs: old[1] ?? sum(split[2] ?? null, split[3] ?? null),
    tempReadMs: key("Temp I/O Read Time"),
    tempWriteMs: key("Temp I/O Write Time"),
  };
}

function readActual(r: Reader): Actual | null {
  const rows = r.num("Actual Rows");
  const loops = r.num("Actual Loops");
  if (rows === null || loops === null) return null;
  return { startupTimeMs: r.num("Actual Startup Time"), totalTimeMs: r.num("Actual Total Time"), rows, loops };
}

const CONDITIONS: Record<string, Condition["kind"]> = {
  "Index Cond": "indexCond",
  "Recheck Cond": "recheckCond",
  Filter: "filter",
  "Join Filter": "joinFilter",
  "Hash Cond": "hashCond",
  "Merge Cond": "mergeCond",
  "TID Cond": "tidCond",
  "One-Time Filter": "oneTimeFilter",
  "Order By": "orderBy",
  "Cache Key": "cacheKey",
  "Run Condition": "runCondition",
};

/** Keys the model names; everything else scalar goes to `extra` under EXPLAIN's own name. */
const MODELLED = new Set<string>([
  ...Object.keys(CONDITIONS), ...BUFFER_KEYS.map(([k]) => k), "Node Type", "Parent Relationship", "Subplan Name",
  "Relation Name", "Schema", "Alias", "Index Name", "CTE Name", "Function Name", "Join Type", "Strategy", "Partial Mode",
  "Operation", "Command", "Scan Direction", "Parallel Aware", "Startup Cost", "Total Cost", "Plan Rows", "Plan Width",
  "Actual Startup Time", "Actual Total Time", "Actual Rows", "Actual Loops", "Workers Planned", "Workers Launched",
  "Workers", "I/O Read Time", "I/O Write Time", "Shared I/O Read Time", "Shared I/O Write Time", "Local I/O Read Time",
  "Local I/O Write Time", "Temp I/O Read Time", "Temp I/O Write Time", "Rows Removed by Filter",
  "Rows Removed by Join Filter", "Rows Removed by Index Recheck", "Heap Fetches", "Index Searches", "Disabled",
  "Sort Key", "Sort Method", "Sort Space Used", "Sort Space Type", "Group Key", "Hash Buckets", "Hash Batches",
  "Peak Memory Usage", "Output", "Plans",
]);

function extras(raw: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (MODELLED.has(k)) continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v) && v.every((s) => typeof s === "string")) out[k] = v.join(", ");
    else if (v !== null && v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

function readWorkers(raw: unknown, path: Path, locate: Locator): WorkerStats[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(`"Workers" should be a list`, path, locate);
  return raw.map((w: unknown, i) => {
    if (!isRecord(w)) fail(`A worker should be an object`, [...path, i], locate);
    const r = new Reader(w, [...path, i], locate);
    return { workerNumber: r.num("Worker Number") ?? i, actual: readActual(r), buffers: readBuffers(r) };
  });
}

function readNode(raw: Record<string, unknown>, path: Path, locate: Locator): PlanNode {
  const r = new Reader(raw, path, locate);
  const nodeType = r.str("Node Type");
  if (!nodeType) fail(`A plan node has no "Node Type"`, path, locate);
  const startupCost = r.num("Startup Cost");
  const totalCost = r.num("Total Cost");
  const actual = readActual(r);
  const subplanName = r.str("Subplan Name");
  const conditions: Condition[] = [];
  for (const key of Object.keys(raw)) {
    const kind = CONDITIONS[key];
    const expression = kind ? r.str(key) : null;
    if (kind && expression !== null) conditions.push({ kind, expression });
  }
  // Grouping sets print their keys per set instead of one "Group Key".
  const groupKey = raw["Group Key"] !== undefined ? r.strings("Group Key") : groupingSetKeys(raw["Grouping Sets"]);
  return {
    ...emptyNode(nodeType),
    parentRelationship: r.str("Parent Relationship"),
    subplanName: subplanName === null ? null : normalizeSubplanName(subplanName),
    relationName: r.str("Relation Name"),
    schema: r.str("Schema"),
    alias: r.str("Alias"),
    indexName: r.str("Index Name"),
    cteName: r.str("CTE Name"),
    functionName: r.str("Function Name"),
    joinType: r.str("Join Type"),
    strategy: r.str("Strategy"),
    partialMode: r.str("Partial Mode"),
    operation: r.str("Operation"),
    command: r.str("Command"),
    scanDirection: r.str("Scan Direction"),
    parallelAware: r.bool("Parallel Aware") ?? false,
    estimate:
      startupCost !== null && totalCost !== null
        ? { startupCost, totalCost, rows: r.num("Plan Rows") ?? 0, widthBytes: r.num("Plan Width") ?? 0 }
        : null,
    actual: actual && actual.loops > 0 ? actual : null,
    neverExecuted: actual !== null && actual.loops === 0,
    workersPlanned: r.num("Workers Planned"),
    workersLaunched: r.num("Workers Launched"),
    workers: readWorkers(raw["Workers"], [...path, "Workers"], locate),
    buffers: readBuffers(r),
    ioTiming: readIoTiming(r),
    conditions,
    rowsRemovedByFilter: r.num("Rows Removed by Filter"),
    rowsRemovedByJoinFilter: r.num("Rows Removed by Join Filter"),
    rowsRemovedByIndexRecheck: r.num("Rows Removed by Index Recheck"),
    heapFetches: r.num("Heap Fetches"),
    indexSearches: r.num("Index Searches"),
    disabled: r.bool("Disabled") ?? false,
    sortKey: r.strings("Sort Key"),
    sortMethod: r.str("Sort Method"),
    sortSpaceUsedKb: r.num("Sort Space Used"),
    sortSpaceType: r.str("Sort Space Type"),
    groupKey,
    hashBuckets: r.num("Hash Buckets"),
    hashBatches: r.num("Hash Batches"),
    peakMemoryUsageKb: r.num("Peak Memory Usage"),
    output: r.strings("Output"),
    extra: extras(raw),
  };
}

function groupingSetKeys(sets: unknown): string[] {
  if (!Array.isArray(sets)) return [];
  const keys: string[] = [];
  for (const set of sets) {
    if (!isRecord(set)) continue;
    const groups = [set["Hash Keys"], set["Group Keys"]].flatMap((g: unknown) => (Array.isArray(g) ? g : []));
    for (const group of groups) {
      if (Array.isArray(group)) for (const k of group) if (typeof k === "string" && !keys.includes(k)) keys.push(k);
    }
  }
  return keys;
}

/** Walks "Plans" depth-first without recursion, so a hostile 100k-deep input cannot blow the stack. */
function readTree(rawRoot: Record<string, unknown>, rootPath: Path, locate: Locator): { root: PlanNode; nodes: PlanNode[] } {
  const nodes: PlanNode[] = [];
  const parents: number[] = [];
  const stack: Array<{ raw: unknown; path: Path; parent: number; depth: number }> = [{ raw: rawRoot, path: rootPath, parent: -1, depth: 0 }];
  while (stack.length) {
    const item = stack.pop();
    if (!item) break;
    if (!isRecord(item.raw)) fail("A plan node should be an object", item.path, locate);
    if (item.depth > MAX_PLAN_DEPTH) fail(`The plan is nested deeper than ${MAX_PLAN_DEPTH} levels`, item.path, locate);
    const index = nodes.length;
    nodes.push(readNode(item.raw, item.path, locate));
    parents.push(item.parent);
    const plans = item.raw["Plans"];
    if (plans === undefined) continue;
    if (!Array.isArray(plans)) fail(`"Plans" should be a list of plan nodes`, [...item.path, "Plans"], locate);
    for (let i = plans.length - 1; i >= 0; i--) {
      stack.push({ raw: plans[i], path: [...item.path, "Plans", i], parent: index, depth: item.depth + 1 });
    }
  }
  return { root: assemble(nodes, parents), nodes };
}

function readTriggers(raw: unknown, path: Path, locate: Locator): Trigger[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(`"Triggers" should be a list`, path, locate);
  return raw.map((t: unknown, i) => {
    if (!isRecord(t)) fail("A trigger should be an object", [...path, i], locate);
    const r = new Reader(t, [...path, i], locate);
    // Text EXPLAIN names a constraint's trigger by its constraint only: use that name in both.
    const name = r.str("Constraint Name") ?? r.str("Trigger Name") ?? "";
    return { name, relationName: r.str("Relation"), timeMs: r.num("Time"), calls: r.num("Calls") };
  });
}

function readSettings(raw: unknown, path: Path, locate: Locator): Record<string, string> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) fail(`"Settings" should be an object`, path, locate);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

/**
 * One EXPLAIN result object ({ "Plan": … } or auto_explain's payload). `queryId` comes from the
 * source text: JSON numbers lose the low digits of a 64-bit query identifier.
 */
export function readExplain(raw: RawExplain & Record<string, unknown>, path: Path, locate: Locator, queryId: string | null): Plan {
  const plan = raw.Plan;
  if (!isRecord(plan)) fail(`"Plan" should be a plan node object`, [...path, "Plan"], locate);
  const { root, nodes } = readTree(plan, [...path, "Plan"], locate);
  const r = new Reader(raw, path, locate);
  const planning = raw.Planning;
  const rawId = raw["Query Identifier"];
  return {
    format: "json",
    root,
    ...planSummary(root, nodes),
    planningTimeMs: r.num("Planning Time"),
    executionTimeMs: r.num("Execution Time"),
    planningBuffers: isRecord(planning) ? readBuffers(new Reader(planning, [...path, "Planning"], locate)) : null,
    settings: readSettings(raw.Settings, [...path, "Settings"], locate),
    triggers: readTriggers(raw.Triggers, [...path, "Triggers"], locate),
    queryText: r.str("Query Text"),
    queryId: queryId ?? (typeof rawId === "number" || typeof rawId === "string" ? String(rawId) : null),
    durationMs: null,
  };
}

/** Finds the EXPLAIN result inside parsed JSON: the usual one-element array, or the object alone. */
export function findExplain(value: unknown, locate: Locator): { raw: RawExplain & Record<string, unknown>; path: Path } {
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    if (value.length === 0) fail("The JSON list is empty: expected [ { \"Plan\": … } ]", [], locate);
    if (isRecord(first) && "Plan" in first) return { raw: first, path: [0] };
    fail('JSON is not an EXPLAIN plan: expected [ { "Plan": … } ]', [0], locate);
  }
  if (isRecord(value)) {
    if ("Plan" in value) return { raw: value, path: [] };
    // A bare plan node (the inside of "Plan") is a plan too.
    if ("Node Type" in value) return { raw: { Plan: value as RawPlanNode }, path: [] };
  }
  fail('JSON is not an EXPLAIN plan: expected [ { "Plan": … } ] or { "Plan": … }', [], locate);
}
