// EXPLAIN (FORMAT JSON) → Plan. Raw JSON is `unknown` until each value passes a guard; a value of
// the wrong type is an error, never silently dropped, so a broken paste cannot become a plan.
import { PlanParseError } from "./errors";
import type { Actual, Buffers, Condition, IoTiming, Plan, PlanNode, Trigger, WorkerStats } from "./model";
import { MAX_PLAN_DEPTH, assemble, planSummary } from "./node-draft";
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

/**
 * Where a value sits, built only when an error needs it: a node's path is its parent's plus a
 * suffix, so reading a deep or wide tree does not copy a path array per node.
 */
class Where {
  constructor(
    private readonly parent: Where | null,
    private readonly suffix: Path,
  ) {}
  path(): Path {
    const parts: Path[] = [];
    for (let w: Where | null = this; w !== null; w = w.parent) parts.push(w.suffix);
    const out: Path = [];
    for (let i = parts.length - 1; i >= 0; i--) out.push(...(parts[i] as Path));
    return out;
  }
}

class Reader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly where: Where,
    private readonly locate: Locator,
  ) {}
  private bad(key: string, expected: string): never {
    fail(`"${key}" should be ${expected}, found ${JSON.stringify(this.raw[key])?.slice(0, 40)}`, [...this.where.path(), key], this.locate);
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
    if (Array.isArray(v)) {
      let ok = true;
      for (const s of v) if (typeof s !== "string") ok = false;
      if (ok) return v as string[];
    }
    return this.bad(key, "a list of texts");
  }
}

const BUFFER_KEYS: Array<keyof RawBufferCounters> = [
  "Shared Hit Blocks", "Shared Read Blocks", "Shared Dirtied Blocks", "Shared Written Blocks", "Local Hit Blocks",
  "Local Read Blocks", "Local Dirtied Blocks", "Local Written Blocks", "Temp Read Blocks", "Temp Written Blocks",
];

// Key by key on purpose: this runs for every node (and worker) of 2,000-node plans.
function readBuffers(r: Reader): Buffers | null {
  const sharedHitBlocks = r.num("Shared Hit Blocks");
  const sharedReadBlocks = r.num("Shared Read Blocks");
  const sharedDirtiedBlocks = r.num("Shared Dirtied Blocks");
  const sharedWrittenBlocks = r.num("Shared Written Blocks");
  const localHitBlocks = r.num("Local Hit Blocks");
  const localReadBlocks = r.num("Local Read Blocks");
  const localDirtiedBlocks = r.num("Local Dirtied Blocks");
  const localWrittenBlocks = r.num("Local Written Blocks");
  const tempReadBlocks = r.num("Temp Read Blocks");
  const tempWrittenBlocks = r.num("Temp Written Blocks");
  if (
    sharedHitBlocks === null && sharedReadBlocks === null && sharedDirtiedBlocks === null && sharedWrittenBlocks === null &&
    localHitBlocks === null && localReadBlocks === null && localDirtiedBlocks === null && localWrittenBlocks === null &&
    tempReadBlocks === null && tempWrittenBlocks === null
  ) {
    return null;
  }
  return {
    sharedHitBlocks: sharedHitBlocks ?? 0,
    sharedReadBlocks: sharedReadBlocks ?? 0,
    sharedDirtiedBlocks: sharedDirtiedBlocks ?? 0,
    sharedWrittenBlocks: sharedWrittenBlocks ?? 0,
    localHitBlocks: localHitBlocks ?? 0,
    localReadBlocks: localReadBlocks ?? 0,
    localDirtiedBlocks: localDirtiedBlocks ?? 0,
    localWrittenBlocks: localWrittenBlocks ?? 0,
    tempReadBlocks: tempReadBlocks ?? 0,
    tempWrittenBlocks: tempWrittenBlocks ?? 0,
  };
}

function readIoTiming(r: Reader): IoTiming | null {
  const read = r.num("I/O Read Time");
  const write = r.num("I/O Write Time");
  const sharedRead = r.num("Shared I/O Read Time");
  const localRead = r.num("Local I/O Read Time");
  const sharedWrite = r.num("Shared I/O Write Time");
  const localWrite = r.num("Local I/O Write Time");
  if (read === null && write === null && sharedRead === null && localRead === null && sharedWrite === null && localWrite === null) return null;
  return {
    readMs: read !== null ? read : 0 + (sharedRead ?? 0) + (localRead ?? 0),
    writeMs: write !== null ? write : 0 + (sharedWrite ?? 0) + (localWrite ?? 0),
    tempReadMs: r.num("Temp I/O Read Time"),
    tempWriteMs: r.num("Temp I/O Write Time"),
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
  ...Object.keys(CONDITIONS), ...BUFFER_KEYS, "Node Type", "Parent Relationship", "Subplan Name",
  "Relation Name", "Schema", "Alias", "Index Name", "CTE Name", "Function Name", "Join Type", "Strategy", "Partial Mode",
  "Operation", "Command", "Scan Direction", "Parallel Aware", "Startup Cost", "Total Cost", "Plan Rows", "Plan Width",
  "Actual Startup Time", "Actual Total Time", "Actual Rows", "Actual Loops", "Workers Planned", "Workers Launched",
  "Workers", "I/O Read Time", "I/O Write Time", "Shared I/O Read Time", "Shared I/O Write Time", "Local I/O Read Time",
  "Local I/O Write Time", "Temp I/O Read Time", "Temp I/O Write Time", "Rows Removed by Filter",
  "Rows Removed by Join Filter", "Rows Removed by Index Recheck", "Heap Fetches", "Index Searches", "Disabled",
  "Sort Key", "Sort Method", "Sort Space Used", "Sort Space Type", "Group Key", "Hash Buckets", "Hash Batches",
  "Peak Memory Usage", "Output", "Plans",
]);

function extras(raw: Record<string, unknown>, keys: string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k of keys) {
    if (MODELLED.has(k)) continue;
    const v = raw[k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v) && v.every((s) => typeof s === "string")) out[k] = v.join(", ");
    else if (v !== null && v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

function readWorkers(raw: unknown, node: Where, locate: Locator): WorkerStats[] {
  if (raw === undefined) return [];
  const where = new Where(node, ["Workers"]);
  if (!Array.isArray(raw)) fail(`"Workers" should be a list`, where.path(), locate);
  return raw.map((w: unknown, i) => {
    if (!isRecord(w)) fail(`A worker should be an object`, [...where.path(), i], locate);
    const r = new Reader(w, new Where(where, [i]), locate);
    return { workerNumber: r.num("Worker Number") ?? i, actual: readActual(r), buffers: readBuffers(r) };
  });
}

function readNode(raw: Record<string, unknown>, where: Where, locate: Locator): PlanNode {
  const r = new Reader(raw, where, locate);
  const nodeType = r.str("Node Type");
  if (!nodeType) fail(`A plan node has no "Node Type"`, where.path(), locate);
  const startupCost = r.num("Startup Cost");
  const totalCost = r.num("Total Cost");
  const actual = readActual(r);
  const subplanName = r.str("Subplan Name");
  const keys = Object.keys(raw);
  const conditions: Condition[] = [];
  for (const key of keys) {
    const kind = CONDITIONS[key];
    if (kind === undefined) continue;
    const expression = r.str(key);
    if (expression !== null) conditions.push({ kind, expression });
  }
  // Grouping sets print their keys per set instead of one "Group Key".
  const groupKey = raw["Group Key"] !== undefined ? r.strings("Group Key") : groupingSetKeys(raw["Grouping Sets"]);
  // Read in the order errors should be reported; the node's keys are in emptyNode()'s order.
  const parentRelationship = r.str("Parent Relationship");
  const relationName = r.str("Relation Name");
  const schema = r.str("Schema");
  const alias = r.str("Alias");
  const indexName = r.str("Index Name");
  const cteName = r.str("CTE Name");
  const functionName = r.str("Function Name");
  const joinType = r.str("Join Type");
  const strategy = r.str("Strategy");
  const partialMode = r.str("Partial Mode");
  const operation = r.str("Operation");
  const command = r.str("Command");
  const scanDirection = r.str("Scan Direction");
  const parallelAware = r.bool("Parallel Aware") ?? false;
  const estimate =
    startupCost !== null && totalCost !== null
      ? { startupCost, totalCost, rows: r.num("Plan Rows") ?? 0, widthBytes: r.num("Plan Width") ?? 0 }
      : null;
  const workersPlanned = r.num("Workers Planned");
  const workersLaunched = r.num("Workers Launched");
  const workers = readWorkers(raw["Workers"], where, locate);
  const buffers = readBuffers(r);
  const ioTiming = readIoTiming(r);
  const rowsRemovedByFilter = r.num("Rows Removed by Filter");
  const rowsRemovedByJoinFilter = r.num("Rows Removed by Join Filter");
  const rowsRemovedByIndexRecheck = r.num("Rows Removed by Index Recheck");
  const heapFetches = r.num("Heap Fetches");
  const indexSearches = r.num("Index Searches");
  const disabled = r.bool("Disabled") ?? false;
  const sortKey = r.strings("Sort Key");
  const sortMethod = r.str("Sort Method");
  const sortSpaceUsedKb = r.num("Sort Space Used");
  const sortSpaceType = r.str("Sort Space Type");
  const hashBuckets = r.num("Hash Buckets");
  const hashBatches = r.num("Hash Batches");
  const peakMemoryUsageKb = r.num("Peak Memory Usage");
  const output = r.strings("Output");
  return {
    id: -1,
    nodeType,
    parentRelationship,
    subplanName: subplanName === null ? null : normalizeSubplanName(subplanName),
    relationName,
    schema,
    alias,
    indexName,
    cteName,
    functionName,
    joinType,
    strategy,
    partialMode,
    operation,
    command,
    scanDirection,
    parallelAware,
    estimate,
    actual: actual && actual.loops > 0 ? actual : null,
    neverExecuted: actual !== null && actual.loops === 0,
    workersPlanned,
    workersLaunched,
    workers,
    buffers,
    ioTiming,
    conditions,
    rowsRemovedByFilter,
    rowsRemovedByJoinFilter,
    rowsRemovedByIndexRecheck,
    heapFetches,
    indexSearches,
    disabled,
    sortKey,
    sortMethod,
    sortSpaceUsedKb,
    sortSpaceType,
    groupKey,
    hashBuckets,
    hashBatches,
    peakMemoryUsageKb,
    output,
    extra: extras(raw, keys),
    children: [],
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
function readTree(rawRoot: Record<string, unknown>, rootWhere: Where, locate: Locator): { root: PlanNode; nodes: PlanNode[] } {
  const nodes: PlanNode[] = [];
  const parents: number[] = [];
  const stack: Array<{ raw: unknown; where: Where; parent: number; depth: number }> = [{ raw: rawRoot, where: rootWhere, parent: -1, depth: 0 }];
  while (stack.length) {
    const item = stack.pop();
    if (!item) break;
    if (!isRecord(item.raw)) fail("A plan node should be an object", item.where.path(), locate);
    if (item.depth > MAX_PLAN_DEPTH) fail(`The plan is nested deeper than ${MAX_PLAN_DEPTH} levels`, item.where.path(), locate);
    const index = nodes.length;
    nodes.push(readNode(item.raw, item.where, locate));
    parents.push(item.parent);
    const plans = item.raw["Plans"];
    if (plans === undefined) continue;
    if (!Array.isArray(plans)) fail(`"Plans" should be a list of plan nodes`, [...item.where.path(), "Plans"], locate);
    for (let i = plans.length - 1; i >= 0; i--) {
      stack.push({ raw: plans[i], where: new Where(item.where, ["Plans", i]), parent: index, depth: item.depth + 1 });
    }
  }
  return { root: assemble(nodes, parents), nodes };
}

function readTriggers(raw: unknown, path: Path, locate: Locator): Trigger[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(`"Triggers" should be a list`, path, locate);
  return raw.map((t: unknown, i) => {
    if (!isRecord(t)) fail("A trigger should be an object", [...path, i], locate);
    const r = new Reader(t, new Where(null, [...path, i]), locate);
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
  const where = new Where(null, path);
  const { root, nodes } = readTree(plan, new Where(where, ["Plan"]), locate);
  const r = new Reader(raw, where, locate);
  const planning = raw.Planning;
  const rawId = raw["Query Identifier"];
  return {
    format: "json",
    root,
    ...planSummary(root, nodes),
    planningTimeMs: r.num("Planning Time"),
    executionTimeMs: r.num("Execution Time"),
    planningBuffers: isRecord(planning) ? readBuffers(new Reader(planning, new Where(where, ["Planning"]), locate)) : null,
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
