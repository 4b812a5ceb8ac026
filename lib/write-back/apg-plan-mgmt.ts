// Aurora Query Plan Management: a decision becomes apg_plan_mgmt.set_plan_status(sql_hash,
// plan_hash, status) and/or apg_plan_mgmt.set_plan_enabled(sql_hash, plan_hash, enabled).
//
// PlanWatch's ids are not Aurora's: the statement is found in apg_plan_mgmt.dba_plans by queryId
// (when the view has that column and the row carries it) or else by its text, and the plan by
// fingerprinting each managed plan's plan_outline with lib/plan. Anything but exactly one
// statement and exactly one plan is refused with the reason: writing to the wrong managed plan
// would enforce a decision nobody made.
import type pg from "pg";
import type { PrismaClient } from "../db/client";
import type { WriteBackOutcome, WriteBackRequest } from "../db/plan-decisions";
import { normalizeQueryText } from "../db/query-text";
import { fingerprint, parsePlan } from "../plan";
import { WriteBackRefusal, failureOf, inTargetTransaction, type WriteBackOptions, type WriteBackTarget } from "./target-session";

const ADAPTER = "apg_plan_mgmt";

interface ManagedPlanRow {
  sql_hash: string;
  plan_hash: string;
  sql_text: string | null;
  plan_outline: string | null;
}

interface ManagedPlan {
  sqlHash: string;
  planHash: string;
}

export async function apgPlanMgmtWriteBack(repo: PrismaClient, target: WriteBackTarget, request: WriteBackRequest, options: WriteBackOptions = {}): Promise<WriteBackOutcome> {
  const statement = await repo.statement.findUnique({ where: { id: request.statementId }, select: { queryId: true, queryText: true } });
  if (!statement) return { result: "failed", detail: `statement ${request.statementId} no longer exists in the repository; nothing was written` };
  try {
    return await inTargetTransaction(target, options, async (client) => {
      const managed = await findManagedPlan(client, statement, request.fingerprint);
      const calls: string[] = [];
      if (request.to.status !== request.from.status) {
        await expectSuccess(client, "SELECT apg_plan_mgmt.set_plan_status($1, $2, $3) AS r", [managed.sqlHash, managed.planHash, request.to.status], "set_plan_status");
        calls.push(`set_plan_status(${managed.sqlHash}, ${managed.planHash}, '${request.to.status}')`);
      }
      if (request.to.enabled !== request.from.enabled) {
        await expectSuccess(client, "SELECT apg_plan_mgmt.set_plan_enabled($1, $2, $3) AS r", [managed.sqlHash, managed.planHash, request.to.enabled], "set_plan_enabled");
        calls.push(`set_plan_enabled(${managed.sqlHash}, ${managed.planHash}, ${request.to.enabled})`);
      }
      return { result: "ok", detail: `apg_plan_mgmt.${calls.join(" and apg_plan_mgmt.")} on target "${target.name}"` };
    });
  } catch (err) {
    return failureOf(target, ADAPTER, err);
  }
}

/** The documented functions return 0 on success and -1 on failure. */
async function expectSuccess(client: pg.ClientBase, sql: string, params: unknown[], name: string): Promise<void> {
  const { rows } = await client.query<{ r: unknown }>(sql, params);
  const value = rows[0]?.r;
  if (value !== null && value !== undefined && Number(value) !== 0) throw new WriteBackRefusal(`apg_plan_mgmt.${name} returned ${String(value)} (failure)`);
}

async function findManagedPlan(client: pg.ClientBase, statement: { queryId: bigint; queryText: string }, planFingerprint: string): Promise<ManagedPlan> {
  const view = await client.query<{ ok: boolean }>("SELECT to_regclass('apg_plan_mgmt.dba_plans') IS NOT NULL AS ok");
  if (!view.rows[0]?.ok) throw new WriteBackRefusal("apg_plan_mgmt.dba_plans does not exist (is the extension installed in this database?)");
  const rows = await statementRows(client, statement);
  const sqlHashes = [...new Set(rows.map((r) => r.sql_hash))];
  if (sqlHashes.length === 0) {
    throw new WriteBackRefusal(`no managed statement in apg_plan_mgmt.dba_plans matches this statement (queryId ${statement.queryId}, or its text); capture its plans with apg_plan_mgmt first`);
  }
  if (sqlHashes.length > 1) throw new WriteBackRefusal(`${sqlHashes.length} managed statements (sql_hash ${sqlHashes.join(", ")}) match this statement; refusing to guess`);

  let unreadable = 0;
  const matches: ManagedPlan[] = [];
  for (const row of rows) {
    const fp = outlineFingerprint(row.plan_outline);
    if (fp === null) unreadable += 1;
    else if (fp === planFingerprint) matches.push({ sqlHash: row.sql_hash, planHash: row.plan_hash });
  }
  const [only, ...more] = matches;
  if (only && more.length === 0) return only;
  if (more.length > 0) throw new WriteBackRefusal(`${matches.length} managed plans of sql_hash ${sqlHashes[0]} have this plan's shape; refusing to guess`);
  const why = unreadable > 0 ? ` (${unreadable} of its ${rows.length} plans have a plan_outline PlanWatch cannot read as EXPLAIN output)` : "";
  throw new WriteBackRefusal(`none of the ${rows.length} managed plans of sql_hash ${sqlHashes[0]} has this plan's shape${why}`);
}

/** The managed plans of the statement: by queryId when the view has it, else by normalized text. */
async function statementRows(client: pg.ClientBase, statement: { queryId: bigint; queryText: string }): Promise<ManagedPlanRow[]> {
  const columns = "sql_hash::text AS sql_hash, plan_hash::text AS plan_hash, sql_text::text AS sql_text, plan_outline::text AS plan_outline";
  const queryIdColumn = await client.query<{ name: string }>(
    `SELECT quote_ident(attname) AS name FROM pg_attribute
     WHERE attrelid = 'apg_plan_mgmt.dba_plans'::regclass AND lower(attname) = 'queryid' AND attnum > 0 AND NOT attisdropped`,
  );
  const column = queryIdColumn.rows[0]?.name;
  if (column) {
    const byId = await client.query<ManagedPlanRow>(`SELECT ${columns} FROM apg_plan_mgmt.dba_plans WHERE ${column}::text = $1`, [statement.queryId.toString()]);
    if (byId.rows.length > 0) return byId.rows;
  }
  // Rows without a queryId (older captures): compare texts in TypeScript, where the normalization lives.
  const all = await client.query<ManagedPlanRow>(`SELECT ${columns} FROM apg_plan_mgmt.dba_plans`);
  const wanted = normalizeQueryText(statement.queryText);
  return all.rows.filter((r) => r.sql_text !== null && normalizeQueryText(r.sql_text) === wanted);
}

function outlineFingerprint(outline: string | null): string | null {
  if (outline === null || outline.trim() === "") return null;
  try {
    return fingerprint(parsePlan(outline));
  } catch {
    return null;
  }
}
