// One EXPLAIN (FORMAT JSON) plan node → PlanNode. This runs for every node of 2,000-node plans:
// a node's keys are gathered in one pass (nodeValues) instead of ~55 lookups of mostly absent
// keys, then checked in the order errors are reported, so the same bad value gives the same error.
import type { Actual, Buffers, Condition, IoTiming, PlanNode, WorkerStats } from "./model";
import { Check, Where, fail, isRecord, type Locator } from "./json-check";
import { jsonText } from "./json-text";
import { modelledKeys, nodeValues, type NodeValues } from "./json-values";
import { normalizeSubplanName } from "./text-node-line";

// Field by field on purpose: a named read of NodeValues is cheap, a loop over key names would not be.
export function readBuffers(v: NodeValues, c: Check): Buffers | null {
  const sharedHitBlocks = c.num(v["Shared Hit Blocks"], "Shared Hit Blocks");
  const sharedReadBlocks = c.num(v["Shared Read Blocks"], "Shared Read Blocks");
  const sharedDirtiedBlocks = c.num(v["Shared Dirtied Blocks"], "Shared Dirtied Blocks");
  const sharedWrittenBlocks = c.num(v["Shared Written Blocks"], "Shared Written Blocks");
  const localHitBlocks = c.num(v["Local Hit Blocks"], "Local Hit Blocks");
  const localReadBlocks = c.num(v["Local Read Blocks"], "Local Read Blocks");
  const localDirtiedBlocks = c.num(v["Local Dirtied Blocks"], "Local Dirtied Blocks");
  const localWrittenBlocks = c.num(v["Local Written Blocks"], "Local Written Blocks");
  const tempReadBlocks = c.num(v["Temp Read Blocks"], "Temp Read Blocks");
  const tempWrittenBlocks = c.num(v["Temp Written Blocks"], "Temp Written Blocks");
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

function readIoTiming(v: NodeValues, c: Check): IoTiming | null {
  const read = c.num(v["I/O Read Time"], "I/O Read Time");
  const write = c.num(v["I/O Write Time"], "I/O Write Time");
  const sharedRead = c.num(v["Shared I/O Read Time"], "Shared I/O Read Time");
  const localRead = c.num(v["Local I/O Read Time"], "Local I/O Read Time");
  const sharedWrite = c.num(v["Shared I/O Write Time"], "Shared I/O Write Time");
  const localWrite = c.num(v["Local I/O Write Time"], "Local I/O Write Time");
  if (read === null && write === null && sharedRead === null && localRead === null && sharedWrite === null && localWrite === null) return null;
  return {
    readMs: read !== null ? read : 0 + (sharedRead ?? 0) + (localRead ?? 0),
    writeMs: write !== null ? write : 0 + (sharedWrite ?? 0) + (localWrite ?? 0),
    tempReadMs: c.num(v["Temp I/O Read Time"], "Temp I/O Read Time"),
    tempWriteMs: c.num(v["Temp I/O Write Time"], "Temp I/O Write Time"),
  };
}

function readActual(v: NodeValues, c: Check): Actual | null {
  const rows = c.num(v["Actual Rows"], "Actual Rows");
  const loops = c.num(v["Actual Loops"], "Actual Loops");
  if (rows === null || loops === null) return null;
  return { startupTimeMs: c.num(v["Actual Startup Time"], "Actual Startup Time"), totalTimeMs: c.num(v["Actual Total Time"], "Actual Total Time"), rows, loops };
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
const MODELLED = modelledKeys(Object.keys(CONDITIONS));

function extras(raw: Record<string, unknown>, keys: string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k of keys) {
    if (MODELLED.has(k)) continue;
    const v = raw[k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v) && v.every((s) => typeof s === "string")) out[k] = v.join(", ");
    else if (v !== null && v !== undefined) out[k] = jsonText(v);
  }
  return out;
}

function readWorkers(raw: unknown, node: Where, locate: Locator): WorkerStats[] {
  if (raw === undefined) return [];
  const where = new Where(node, ["Workers"]);
  if (!Array.isArray(raw)) fail(`"Workers" should be a list`, where.path(), locate);
  return raw.map((w: unknown, i) => {
    if (!isRecord(w)) fail(`A worker should be an object`, [...where.path(), i], locate);
    const c = new Check(new Where(where, [i]), locate);
    const { values: v } = nodeValues(w);
    return { workerNumber: c.num(w["Worker Number"], "Worker Number") ?? i, actual: readActual(v, c), buffers: readBuffers(v, c) };
  });
}

export function readNode(raw: Record<string, unknown>, where: Where, locate: Locator): PlanNode {
  const { values: v, rest } = nodeValues(raw);
  const c = new Check(where, locate);
  const nodeType = c.str(v["Node Type"], "Node Type");
  if (!nodeType) fail(`A plan node has no "Node Type"`, where.path(), locate);
  const startupCost = c.num(v["Startup Cost"], "Startup Cost");
  const totalCost = c.num(v["Total Cost"], "Total Cost");
  const actual = readActual(v, c);
  const subplanName = c.str(v["Subplan Name"], "Subplan Name");
  const conditions: Condition[] = [];
  for (const key of rest) {
    const kind = CONDITIONS[key];
    if (kind === undefined) continue;
    const expression = c.str(raw[key], key);
    if (expression !== null) conditions.push({ kind, expression });
  }
  // Grouping sets print their keys per set instead of one "Group Key".
  const groupKey = v["Group Key"] !== undefined ? c.strings(v["Group Key"], "Group Key") : groupingSetKeys(v["Grouping Sets"]);
  // Read in the order errors should be reported; the node's keys are in emptyNode()'s order.
  const parentRelationship = c.str(v["Parent Relationship"], "Parent Relationship");
  const relationName = c.str(v["Relation Name"], "Relation Name");
  const schema = c.str(v.Schema, "Schema");
  const alias = c.str(v.Alias, "Alias");
  const indexName = c.str(v["Index Name"], "Index Name");
  const cteName = c.str(v["CTE Name"], "CTE Name");
  const functionName = c.str(v["Function Name"], "Function Name");
  const joinType = c.str(v["Join Type"], "Join Type");
  const strategy = c.str(v.Strategy, "Strategy");
  const partialMode = c.str(v["Partial Mode"], "Partial Mode");
  const operation = c.str(v.Operation, "Operation");
  const command = c.str(v.Command, "Command");
  const scanDirection = c.str(v["Scan Direction"], "Scan Direction");
  const parallelAware = c.bool(v["Parallel Aware"], "Parallel Aware") ?? false;
  const estimate =
    startupCost !== null && totalCost !== null
      ? { startupCost, totalCost, rows: c.num(v["Plan Rows"], "Plan Rows") ?? 0, widthBytes: c.num(v["Plan Width"], "Plan Width") ?? 0 }
      : null;
  const workersPlanned = c.num(v["Workers Planned"], "Workers Planned");
  const workersLaunched = c.num(v["Workers Launched"], "Workers Launched");
  const workers = readWorkers(v.Workers, where, locate);
  const buffers = readBuffers(v, c);
  const ioTiming = readIoTiming(v, c);
  const rowsRemovedByFilter = c.num(v["Rows Removed by Filter"], "Rows Removed by Filter");
  const rowsRemovedByJoinFilter = c.num(v["Rows Removed by Join Filter"], "Rows Removed by Join Filter");
  const rowsRemovedByIndexRecheck = c.num(v["Rows Removed by Index Recheck"], "Rows Removed by Index Recheck");
  const heapFetches = c.num(v["Heap Fetches"], "Heap Fetches");
  const indexSearches = c.num(v["Index Searches"], "Index Searches");
  const disabled = c.bool(v.Disabled, "Disabled") ?? false;
  const sortKey = c.strings(v["Sort Key"], "Sort Key");
  const sortMethod = c.str(v["Sort Method"], "Sort Method");
  const sortSpaceUsedKb = c.num(v["Sort Space Used"], "Sort Space Used");
  const sortSpaceType = c.str(v["Sort Space Type"], "Sort Space Type");
  const hashBuckets = c.num(v["Hash Buckets"], "Hash Buckets");
  const hashBatches = c.num(v["Hash Batches"], "Hash Batches");
  const peakMemoryUsageKb = c.num(v["Peak Memory Usage"], "Peak Memory Usage");
  const output = c.strings(v.Output, "Output");
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
    extra: extras(raw, rest),
    children: [],
  };
}

function groupingSetKeys(sets: unknown): string[] {
  if (!Array.isArray(sets)) return [];
  // A set, not keys.includes: a scan per key was quadratic in the number of keys.
  const keys = new Set<string>();
  for (const set of sets) {
    if (!isRecord(set)) continue;
    const groups = [set["Hash Keys"], set["Group Keys"]].flatMap((g: unknown) => (Array.isArray(g) ? g : []));
    for (const group of groups) {
      if (Array.isArray(group)) for (const k of group) if (typeof k === "string") keys.add(k);
    }
  }
  return [...keys];
}
