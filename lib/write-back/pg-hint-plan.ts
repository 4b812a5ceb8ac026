// pg_hint_plan: keeps the statement's row of hint_plan.hints (application_name '' = every
// application) in line with its decisions. The row is keyed by query_id (pg_hint_plan 1.7+) or by
// norm_query_string (older), as capability detection found. Reading the row, choosing and writing
// happen in one target transaction with the row locked, so two decisions cannot interleave there.
import type pg from "pg";
import type { PrismaClient } from "../db/client";
import type { WriteBackOutcome, WriteBackRequest } from "../db/plan-decisions";
import { toNormQueryString } from "../db/query-text";
import { parsePlan, planHints, type Plan } from "../plan";
import { choosePin, type PinCandidate } from "./pin-choice";
import { WriteBackRefusal, failureOf, inTargetTransaction, type WriteBackOptions, type WriteBackTarget } from "./target-session";

const ADAPTER = "pg_hint_plan";

export type HintTableKey = "query_id" | "norm_query_string";

interface StatementPlans {
  queryId: bigint;
  queryText: string;
  plans: Array<PinCandidate & { parsed: Plan | null }>;
}

export async function pgHintPlanWriteBack(
  repo: PrismaClient,
  target: WriteBackTarget,
  key: HintTableKey,
  request: WriteBackRequest,
  options: WriteBackOptions = {},
): Promise<WriteBackOutcome> {
  const statement = await loadStatementPlans(repo, request.statementId);
  if (!statement) return { result: "failed", detail: `statement ${request.statementId} no longer exists in the repository; nothing was written` };
  const keyValue = key === "query_id" ? statement.queryId.toString() : toNormQueryString(statement.queryText);
  try {
    return await inTargetTransaction(target, options, async (client) => {
      const table = await client.query<{ ok: boolean }>("SELECT to_regclass('hint_plan.hints') IS NOT NULL AS ok");
      if (!table.rows[0]?.ok) throw new WriteBackRefusal("hint_plan.hints does not exist (is pg_hint_plan installed in this database?)");
      const current = await client.query<{ hints: string }>(`SELECT hints FROM hint_plan.hints WHERE ${key} = $1 AND application_name = '' ORDER BY id FOR UPDATE`, [keyValue]);
      const choice = choosePin(statement.plans, request.planId, request.to, current.rows[0]?.hints ?? null);
      switch (choice.kind) {
        case "keep":
          return { result: "ok", detail: `hint_plan.hints unchanged: ${choice.why}` };
        case "unpin": {
          const deleted = await client.query(`DELETE FROM hint_plan.hints WHERE ${key} = $1 AND application_name = ''`, [keyValue]);
          return { result: "ok", detail: `hint_plan.hints row removed (${deleted.rowCount ?? 0}): ${choice.why}` };
        }
        case "pin": {
          const hints = hintsToPin(statement.plans.find((p) => p.id === choice.planId)?.parsed ?? null, choice.planId);
          await writeRow(client, key, keyValue, hints);
          return { result: "ok", detail: `hint_plan.hints pins plan ${choice.planId} (${choice.why}): ${hints.replace(/\s+/g, " ")}` };
        }
      }
    });
  } catch (err) {
    return failureOf(target, ADAPTER, err);
  }
}

function hintsToPin(plan: Plan | null, planId: bigint): string {
  if (plan === null) throw new WriteBackRefusal(`plan ${planId} cannot be read, so no hints can be written for it`);
  const hints = planHints(plan);
  // Half-pinned plans let the optimizer fill in the rest: that is not the plan that was approved.
  if (!hints.complete) throw new WriteBackRefusal(`pg_hint_plan cannot pin plan ${planId} completely: ${hints.unsupported.join("; ")}`);
  return hints.text;
}

async function writeRow(client: pg.ClientBase, key: HintTableKey, keyValue: string, hints: string): Promise<void> {
  const updated = await client.query(`UPDATE hint_plan.hints SET hints = $2 WHERE ${key} = $1 AND application_name = ''`, [keyValue, hints]);
  if ((updated.rowCount ?? 0) === 0) {
    await client.query(`INSERT INTO hint_plan.hints (${key}, application_name, hints) VALUES ($1, '', $2)`, [keyValue, hints]);
  }
}

async function loadStatementPlans(repo: PrismaClient, statementId: bigint): Promise<StatementPlans | null> {
  const statement = await repo.statement.findUnique({
    where: { id: statementId },
    select: { queryId: true, queryText: true, plans: { select: { id: true, status: true, enabled: true, valid: true, lastSeenAt: true, plan: true } } },
  });
  if (!statement) return null;
  return {
    queryId: statement.queryId,
    queryText: statement.queryText,
    plans: statement.plans.map((p) => {
      const parsed = readPlan(p.plan);
      return {
        id: p.id,
        status: p.status,
        enabled: p.enabled,
        valid: p.valid,
        lastSeenAt: p.lastSeenAt,
        cost: parsed?.root.estimate?.totalCost ?? null,
        hints: parsed ? planHints(parsed).text : null,
        parsed,
      };
    }),
  };
}

function readPlan(value: unknown): Plan | null {
  try {
    return parsePlan(value);
  } catch {
    return null;
  }
}
