// The plan domain model. camelCase only: EXPLAIN's own key names ("Actual Total Time") live in
// raw-types.ts and are seen by the parser alone. Every value that EXPLAIN may omit (COSTS OFF,
// no ANALYZE, no BUFFERS, text format without VERBOSE) is null, never a made-up zero.

export type PlanFormat = "json" | "text";

export interface Buffers {
  sharedHitBlocks: number;
  sharedReadBlocks: number;
  sharedDirtiedBlocks: number;
  sharedWrittenBlocks: number;
  localHitBlocks: number;
  localReadBlocks: number;
  localDirtiedBlocks: number;
  localWrittenBlocks: number;
  tempReadBlocks: number;
  tempWrittenBlocks: number;
}

export interface IoTiming {
  /** shared/local read time ("I/O Read Time", or "Shared I/O Read Time" + "Local I/O Read Time" on 17+). */
  readMs: number;
  writeMs: number;
  tempReadMs: number | null;
  tempWriteMs: number | null;
}

export interface Estimate {
  startupCost: number;
  totalCost: number;
  /** Planner's rows per loop. */
  rows: number;
  widthBytes: number;
}

export interface Actual {
  /** Per loop, averaged over loops, as EXPLAIN prints them. */
  startupTimeMs: number | null; // null with TIMING OFF
  totalTimeMs: number | null;
  /** Rows per loop (fractional on PostgreSQL 18). */
  rows: number;
  loops: number;
}

export interface WorkerStats {
  workerNumber: number;
  actual: Actual | null;
  buffers: Buffers | null;
}

/** A condition or filter exactly as EXPLAIN printed it. */
export interface Condition {
  kind:
    | "indexCond"
    | "recheckCond"
    | "filter"
    | "joinFilter"
    | "hashCond"
    | "mergeCond"
    | "tidCond"
    | "oneTimeFilter"
    | "orderBy"
    | "cacheKey"
    | "runCondition";
  expression: string;
}

export interface PlanNode {
  /** Pre-order position in the tree, root = 0. Stable for a given plan. */
  id: number;
  /** "Seq Scan", "Hash Join", "Aggregate", "Index Only Scan", ... as EXPLAIN names it. */
  nodeType: string;
  /** "Outer" | "Inner" | "Member" | "Subquery" | "InitPlan" | "SubPlan" | null for the root. */
  parentRelationship: string | null;
  /** "InitPlan 1", "SubPlan 2", "CTE orders_cte" (text format: the header line without "(returns …)"). */
  subplanName: string | null;

  relationName: string | null;
  schema: string | null;
  alias: string | null;
  indexName: string | null;
  cteName: string | null;
  functionName: string | null;
  /** "Inner" | "Left" | "Full" | "Right" | "Semi" | "Anti" | "Right Semi" | "Right Anti" | null */
  joinType: string | null;
  /** Aggregate / SetOp strategy: "Plain" | "Sorted" | "Hashed" | "Mixed" | null */
  strategy: string | null;
  /** Aggregate "Partial Mode": "Simple" | "Partial" | "Finalize" | null */
  partialMode: string | null;
  /** ModifyTable operation: "Insert" | "Update" | "Delete" | "Merge" | null */
  operation: string | null;
  /** SetOp command: "Intersect" | "Except" | ... | null */
  command: string | null;
  scanDirection: string | null;
  parallelAware: boolean;

  estimate: Estimate | null; // null with COSTS OFF
  actual: Actual | null; // null without ANALYZE
  /** ANALYZE ran but this node never executed ("never executed"). */
  neverExecuted: boolean;
  workersPlanned: number | null;
  workersLaunched: number | null;
  workers: WorkerStats[];

  buffers: Buffers | null;
  ioTiming: IoTiming | null;

  conditions: Condition[];
  rowsRemovedByFilter: number | null;
  rowsRemovedByJoinFilter: number | null;
  rowsRemovedByIndexRecheck: number | null;
  heapFetches: number | null;
  /** PostgreSQL 18 "Index Searches". */
  indexSearches: number | null;
  /** PostgreSQL 18 "Disabled": the planner had to use a disabled node type. */
  disabled: boolean;

  sortKey: string[];
  sortMethod: string | null;
  sortSpaceUsedKb: number | null;
  /** "Memory" | "Disk" */
  sortSpaceType: string | null;
  groupKey: string[];
  hashBuckets: number | null;
  hashBatches: number | null;
  peakMemoryUsageKb: number | null;
  /** VERBOSE output list. */
  output: string[];

  /** Fields EXPLAIN printed that the model has no name for, kept for display (raw key → value). */
  extra: Record<string, string | number | boolean>;
  children: PlanNode[];
}

export interface Trigger {
  name: string;
  relationName: string | null;
  timeMs: number | null;
  calls: number | null;
}

export interface Plan {
  format: PlanFormat;
  root: PlanNode;
  /** Number of nodes in the tree (root included). */
  nodeCount: number;
  /** True when the plan carries actuals (EXPLAIN ANALYZE or auto_explain with analyze). */
  analyzed: boolean;
  /** False for COSTS OFF. */
  hasCosts: boolean;
  planningTimeMs: number | null;
  executionTimeMs: number | null;
  planningBuffers: Buffers | null;
  settings: Record<string, string>;
  triggers: Trigger[];
  queryText: string | null;
  /** Query identifier as a decimal string (it is a signed 64-bit integer). */
  queryId: string | null;
  /** auto_explain's "duration: X ms" when the plan came from a log line. */
  durationMs: number | null;
}
