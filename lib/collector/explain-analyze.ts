// On-demand EXPLAIN ANALYZE of one statement with values a user typed. EXPLAIN ANALYZE runs the
// statement for real, so: the values travel as bind parameters (extended protocol, never spliced
// into the SQL text); the transaction is READ ONLY unless writes were explicitly allowed, and it is
// always rolled back; statement_timeout and lock_timeout bound it. What ROLLBACK cannot undo (a
// sequence's nextval, session advisory locks, anything a function sends outside the database) is
// the caller's responsibility, which is why the route needs the "explain:analyze" permission.
import type pg from "pg";
import type { PrismaClient } from "../db/client";
import { UserError } from "../errors";
import { parsePlan, type Plan } from "../plan";
import { appendSample, recordPlan, sampleFromPlan, type RecordPlanResult } from "./plan-store";
import { classifySql } from "./sql-safety";

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 2_000;

export interface ExplainAnalyzeOptions {
  /** One statement with $1…$n placeholders (pg_stat_statements' normalized text works as is). */
  sql: string;
  /** $1…$n in order; null is SQL NULL. Types are inferred by the server, as for any bind parameter. */
  params: Array<string | null>;
  /** Run INSERT/UPDATE/DELETE/MERGE/FOR UPDATE/SELECT INTO too (still rolled back). */
  allowWrites?: boolean;
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
}

export interface ExplainResult {
  plan: Plan;
  planJson: unknown;
}

/** A request PlanWatch refuses or a statement the target refused; the message is safe to show. */
export class ExplainError extends UserError {
  constructor(
    message: string,
    readonly reason: "refused" | "parameters" | "read-only" | "timeout" | "lock-timeout" | "failed",
  ) {
    super(message);
  }
}

function positiveMs(value: number | undefined, fallback: number, name: string): number {
  const ms = value ?? fallback;
  if (!Number.isInteger(ms) || ms < 1 || ms > 24 * 3600 * 1000) throw new ExplainError(`${name} must be a whole number of milliseconds (1 … 86400000)`, "refused");
  return ms;
}

/** Checks the request before anything reaches the target. */
export function checkExplainRequest(options: ExplainAnalyzeOptions): string {
  const verdict = classifySql(options.sql);
  if (verdict.refused) throw new ExplainError(`refused: ${verdict.refused}`, "refused");
  if (verdict.writes && !options.allowWrites) {
    throw new ExplainError(`refused: the statement may write (${verdict.writes}); EXPLAIN ANALYZE executes it. Allow writes to run it in a transaction that is rolled back.`, "refused");
  }
  if (options.params.length !== verdict.parameterCount) {
    throw new ExplainError(`the statement takes ${verdict.parameterCount} parameter(s) ($1…$${verdict.parameterCount}), ${options.params.length} given`, "parameters");
  }
  return options.sql.trim().replace(/;\s*$/, "");
}

export async function explainAnalyze(client: pg.ClientBase, options: ExplainAnalyzeOptions): Promise<ExplainResult> {
  const sql = checkExplainRequest(options);
  const statementTimeoutMs = positiveMs(options.statementTimeoutMs, DEFAULT_STATEMENT_TIMEOUT_MS, "statementTimeoutMs");
  const lockTimeoutMs = positiveMs(options.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS, "lockTimeoutMs");
  await client.query(options.allowWrites ? "BEGIN" : "BEGIN READ ONLY");
  try {
    await client.query("SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)", [String(statementTimeoutMs), String(lockTimeoutMs)]);
    // queryMode "extended": even with no parameters the text goes through Parse, which accepts one
    // statement only, so nothing after a ';' can ride along.
    const query: pg.QueryConfig<Array<string | null>> & { queryMode: "extended" } = {
      text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
      values: options.params,
      queryMode: "extended",
    };
    const result = await client.query<{ "QUERY PLAN": unknown }>(query);
    const planJson = result.rows[0]?.["QUERY PLAN"];
    if (planJson === undefined) throw new ExplainError("EXPLAIN returned no plan", "failed");
    return { plan: parsePlan(planJson), planJson };
  } catch (err) {
    throw explainFailure(err, statementTimeoutMs, lockTimeoutMs);
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
  }
}

function explainFailure(err: unknown, statementTimeoutMs: number, lockTimeoutMs: number): Error {
  if (err instanceof ExplainError) return err;
  const e = err as { code?: string; message?: string };
  const text = e.message ?? String(err);
  switch (e.code) {
    case "25006":
      return new ExplainError(`the statement tried to write in a read-only transaction and was stopped; nothing was committed (${text})`, "read-only");
    case "57014":
      return new ExplainError(`the statement ran longer than ${statementTimeoutMs} ms and was cancelled; nothing was committed`, "timeout");
    case "55P03":
      return new ExplainError(`the statement waited more than ${lockTimeoutMs} ms for a lock and was cancelled; nothing was committed`, "lock-timeout");
    case undefined:
      return err instanceof Error ? err : new Error(text);
    default:
      return new ExplainError(`the target refused the statement: ${text} (SQLSTATE ${e.code}); nothing was committed`, "failed");
  }
}

/** Stores an on-demand plan and its sample; the plan is new (Approved/Unapproved by the capture rule) or known. */
export async function recordOnDemandExplain(
  repo: PrismaClient,
  statementId: bigint,
  result: ExplainResult,
  capturedAt: Date = new Date(),
): Promise<RecordPlanResult & { sampleId: bigint }> {
  return repo.$transaction(async (tx) => {
    const recorded = await recordPlan(tx, { statementId, plan: result.plan, planJson: result.planJson, source: "on_demand", capturedAt });
    const sampleId = await appendSample(tx, recorded.planId, sampleFromPlan(result.plan, "on_demand", capturedAt));
    return { ...recorded, sampleId };
  });
}
