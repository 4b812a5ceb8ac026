// EXPLAIN (FORMAT JSON) as PostgreSQL 13–18 prints it, with its own key names. Only the parser
// sees these types; everything else uses model.ts. All keys are optional: which ones appear
// depends on the server version, the node type and the EXPLAIN options (COSTS, ANALYZE, BUFFERS,
// VERBOSE, TIMING, SETTINGS, WAL, SUMMARY, MEMORY, SERIALIZE). Values are typed as EXPLAIN prints
// them, but the parser still checks each one: input is pasted by people.

export interface RawBufferCounters {
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  "Shared Dirtied Blocks"?: number;
  "Shared Written Blocks"?: number;
  "Local Hit Blocks"?: number;
  "Local Read Blocks"?: number;
  "Local Dirtied Blocks"?: number;
  "Local Written Blocks"?: number;
  "Temp Read Blocks"?: number;
  "Temp Written Blocks"?: number;
}

export interface RawIoTimings {
  /** PostgreSQL 13–16. */
  "I/O Read Time"?: number;
  "I/O Write Time"?: number;
  /** PostgreSQL 17+. */
  "Shared I/O Read Time"?: number;
  "Shared I/O Write Time"?: number;
  "Local I/O Read Time"?: number;
  "Local I/O Write Time"?: number;
  /** PostgreSQL 15+. */
  "Temp I/O Read Time"?: number;
  "Temp I/O Write Time"?: number;
}

export interface RawWal {
  "WAL Records"?: number;
  "WAL FPI"?: number;
  "WAL Bytes"?: number;
  /** PostgreSQL 18. */
  "WAL Buffers Full"?: number;
}

export interface RawActuals {
  "Actual Startup Time"?: number;
  "Actual Total Time"?: number;
  /** Fractional ("25000.00") on PostgreSQL 18. */
  "Actual Rows"?: number;
  "Actual Loops"?: number;
}

export interface RawWorker extends RawActuals, RawBufferCounters, RawIoTimings, RawWal {
  "Worker Number"?: number;
  "Sort Method"?: string;
  "Sort Space Used"?: number;
  "Sort Space Type"?: string;
  JIT?: RawJit;
  [key: string]: unknown;
}

export interface RawPlanNode extends RawActuals, RawBufferCounters, RawIoTimings, RawWal {
  "Node Type"?: string;
  "Parent Relationship"?: string;
  "Subplan Name"?: string;
  "Custom Plan Provider"?: string;
  "Parallel Aware"?: boolean;
  "Async Capable"?: boolean;
  "Relation Name"?: string;
  Schema?: string;
  Alias?: string;
  "Index Name"?: string;
  "CTE Name"?: string;
  "Function Name"?: string;
  "Tuplestore Name"?: string;
  "Join Type"?: string;
  Strategy?: string;
  "Partial Mode"?: string;
  Operation?: string;
  Command?: string;
  "Scan Direction"?: string;
  "Startup Cost"?: number;
  "Total Cost"?: number;
  "Plan Rows"?: number;
  "Plan Width"?: number;
  /** PostgreSQL 18: the planner had to use a disabled node type. */
  Disabled?: boolean;
  "Workers Planned"?: number;
  "Workers Launched"?: number;
  "Single Copy"?: boolean;
  Workers?: RawWorker[];
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Filter?: string;
  "Join Filter"?: string;
  "Hash Cond"?: string;
  "Merge Cond"?: string;
  "TID Cond"?: string;
  "One-Time Filter"?: string;
  "Order By"?: string;
  "Cache Key"?: string;
  "Run Condition"?: string;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Join Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  "Heap Fetches"?: number;
  /** PostgreSQL 18. */
  "Index Searches"?: number;
  "Exact Heap Blocks"?: number;
  "Lossy Heap Blocks"?: number;
  "Sort Key"?: string[];
  "Presorted Key"?: string[];
  "Sort Method"?: string;
  "Sort Space Used"?: number;
  "Sort Space Type"?: string;
  "Group Key"?: string[];
  "Grouping Sets"?: unknown[];
  "Hash Buckets"?: number;
  "Original Hash Buckets"?: number;
  "Hash Batches"?: number;
  "Original Hash Batches"?: number;
  "Peak Memory Usage"?: number;
  "HashAgg Batches"?: number;
  "Disk Usage"?: number;
  "Planned Partitions"?: number;
  Output?: string[];
  Plans?: RawPlanNode[];
  /** Everything else EXPLAIN may print for a node (kept in PlanNode.extra when scalar). */
  [key: string]: unknown;
}

export interface RawTrigger {
  "Trigger Name"?: string;
  "Constraint Name"?: string;
  Relation?: string;
  Time?: number;
  Calls?: number;
}

export interface RawJit {
  Functions?: number;
  Options?: Record<string, boolean>;
  Timing?: Record<string, number | Record<string, number>>;
}

export interface RawPlanning extends RawBufferCounters, RawIoTimings {
  /** PostgreSQL 17+ EXPLAIN (MEMORY). */
  "Memory Used"?: number;
  "Memory Allocated"?: number;
}

/** One element of the EXPLAIN (FORMAT JSON) array, or auto_explain's JSON payload. */
export interface RawExplain {
  Plan?: RawPlanNode;
  /** auto_explain. */
  "Query Text"?: string;
  /** PostgreSQL 14+ with compute_query_id and VERBOSE (or auto_explain.log_verbose). */
  "Query Identifier"?: number | string;
  "Query Parameters"?: string;
  Planning?: RawPlanning;
  "Planning Time"?: number;
  "Execution Time"?: number;
  Triggers?: RawTrigger[];
  Settings?: Record<string, string>;
  JIT?: RawJit;
  Serialization?: Record<string, unknown>;
  [key: string]: unknown;
}
