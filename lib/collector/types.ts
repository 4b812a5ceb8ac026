// Contracts between the collector's parts: target registration and capability detection
// (targets.ts, capabilities.ts), snapshots (snapshot.ts), plan capture (auto-explain.ts,
// generic-plans.ts), on-demand EXPLAIN ANALYZE (explain-analyze.ts) and the run loop (run.ts).
import type pg from "pg";
import type { PrismaClient } from "../db/client";

export type LogFormat = "stderr" | "csvlog" | "jsonlog";

/** What the collector found on a target; stored as Target.capabilities (JSON). */
export interface TargetCapabilities {
  /** server_version_num, e.g. 180004. */
  serverVersionNum: number;
  serverVersion: string;
  pgStatStatements: {
    /** Extension version in the target database, e.g. "1.12". */
    version: string;
    trackPlanning: boolean;
    /** pg_stat_statements_info exists (1.9+): stats_reset and dealloc are available. */
    hasInfoView: boolean;
    /** pg_stat_statements.max */
    max: number;
  };
  /** compute_query_id: "on" | "auto" | "off" | "regress" */
  computeQueryId: string;
  autoExplain: {
    /** auto_explain is in shared_preload_libraries or session_preload_libraries. */
    loaded: boolean;
    logFormat: string | null;
    logAnalyze: boolean | null;
    logBuffers: boolean | null;
    logMinDurationMs: number | null;
    sampleRate: number | null;
  };
  serverLog: {
    loggingCollector: boolean;
    /** log_destination split into its formats, e.g. ["stderr", "jsonlog"]. */
    destinations: LogFormat[];
    /** log_directory as the server reports it (relative to the data directory or absolute). */
    directory: string | null;
    /** The collector's role may call pg_ls_logdir() and pg_read_file() on it. */
    readableThroughSql: boolean;
    /** log_line_prefix contains %Q (stderr lines carry the query id). */
    stderrHasQueryId: boolean;
  };
  apgPlanMgmt: { installed: boolean };
  pgHintPlan: {
    installed: boolean;
    /** The hint table's key column: "query_id" (pg_hint_plan 1.7+) or "norm_query_string" (older). */
    hintTableKey: "query_id" | "norm_query_string" | null;
  };
}

/** A registered target as the collector sees it (never carries the password in clear). */
export interface CollectorTarget {
  id: bigint;
  name: string;
  capabilities: TargetCapabilities | null;
}

/** What every collector step gets: the repository, the target and a session on it. */
export interface CollectContext {
  repo: PrismaClient;
  /**
   * The run's own session on the repository, owned by the run (do not end it): the one holding the
   * target's collector lock. The snapshot's transaction runs on it (COPY needs a plain session).
   */
  repoSession: pg.ClientBase;
  target: CollectorTarget;
  /** A connected session on the target, owned by the run (do not end it). */
  client: pg.ClientBase;
  /** The run's clock: window end of snapshot intervals, capture time of samples. */
  now: Date;
  /** Progress lines; never pass secrets or connection URLs. */
  log: (line: string) => void;
}

export interface SnapshotResult {
  /** Rows read from pg_stat_statements (after grouping toplevel rows). */
  statements: number;
  /** StatementInterval rows stored (statements with calls in the window). */
  intervals: number;
  /** A counter reset was detected: every baseline was restarted and no interval stored. */
  reset: boolean;
  /** Statements whose baseline restarted because they were evicted and came back (dealloc). */
  restartedBaselines: number;
}

export interface PlanCaptureResult {
  newPlans: number;
  samples: number;
  /** Log entries that could not be used (malformed, no plan, unknown statement); never fatal. */
  skippedLogEntries: number;
}

/** One target's part of `planwatch collect --once --json`. Field names are part of the CLI contract. */
export interface TargetRunSummary {
  name: string;
  statements: number;
  intervals: number;
  newPlans: number;
  samples: number;
  skippedLogEntries: number;
  durationMs: number;
  errors: string[];
}
