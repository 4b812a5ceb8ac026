// "EXPLAIN ANALYZE statement N with these values": the one path the CLI command and the route handler
// share. Authorization is the caller's job (the route calls authorizeRequest first; the CLI is a
// local administrator).
import type pg from "pg";
import type { PrismaClient } from "../db/client";
import type { Plan } from "../plan";
import { ExplainError, explainAnalyze, recordOnDemandExplain, type ExplainAnalyzeOptions } from "./explain-analyze";
import { connectTarget, type TargetConnection } from "./targets";

export type ExplainStatementRequest = Omit<ExplainAnalyzeOptions, "sql">;

export interface ExplainStatementResult {
  statementId: bigint;
  planId: bigint;
  sampleId: bigint;
  isNew: boolean;
  status: "Approved" | "Unapproved" | null;
  fingerprint: string;
  plan: Plan;
  planJson: unknown;
}

export type ConnectTarget = (target: TargetConnection) => Promise<pg.Client>;

/**
 * Runs the statement's normalized text with the given values on its target and records the plan
 * (source on_demand). Null when there is no such statement. The session is opened for this one
 * EXPLAIN and closed after. Known limitation: it connects to the target's registered database; a
 * statement pg_stat_statements saw in another database of the server is refused.
 */
export async function explainStatement(
  repo: PrismaClient,
  statementId: bigint,
  request: ExplainStatementRequest,
  connect: ConnectTarget = (target) => connectTarget(target),
): Promise<ExplainStatementResult | null> {
  const statement = await repo.statement.findUnique({ where: { id: statementId }, include: { target: true } });
  if (!statement) return null;
  const client = await connect(statement.target);
  let result;
  try {
    const { rows } = await client.query<{ oid: string }>("SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()");
    if (rows[0] && BigInt(rows[0].oid) !== statement.dbId) {
      throw new ExplainError(
        `statement ${statementId} belongs to another database of the server (oid ${statement.dbId}) than the target's registered database "${statement.target.database}"`,
        "refused",
      );
    }
    result = await explainAnalyze(client, { ...request, sql: statement.queryText });
  } finally {
    await client.end().catch(() => undefined);
  }
  const recorded = await recordOnDemandExplain(repo, statementId, result);
  return { statementId, ...recorded, plan: result.plan, planJson: result.planJson };
}
