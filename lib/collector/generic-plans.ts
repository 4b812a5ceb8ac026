// Generic plans for statements that have no plan yet (auto_explain off, sampled out, or not run
// since): what the planner picks without parameter values, i.e. what a prepared statement gets
// after its fifth execution. Obtained WITHOUT executing the statement:
// - PostgreSQL 16+: EXPLAIN (GENERIC_PLAN, FORMAT JSON) <normalized text with $n>;
// - PostgreSQL 15: SET LOCAL plan_cache_mode = force_generic_plan; PREPARE p AS <text>;
//   EXPLAIN (FORMAT JSON) EXECUTE p(NULL, …); DEALLOCATE p (PREPARE infers the parameter types).
//
// Safety rule (classifySql): only one read-only statement (SELECT/WITH/VALUES/TABLE without
// INSERT/UPDATE/DELETE/MERGE anywhere, no FOR UPDATE/SHARE, no SELECT INTO). EXPLAIN without ANALYZE
// never runs the plan; the planner itself may only evaluate IMMUTABLE/STABLE functions with constant
// arguments (constant folding, selectivity estimates), so function calls are allowed. What a
// mislabeled function might still do is bounded by BEGIN READ ONLY (writes fail), SET LOCAL
// statement_timeout, and ROLLBACK.
//
// The EXPLAIN must run in the statement's database (its tables are there) and runs as the
// collector's role (so its search_path and privileges apply, not the statement's role's). Statements
// of another database are skipped and counted unless `connectTo` opens a session there.
import type pg from "pg";
import { parsePlan } from "../plan";
import { appendSample, recordPlan, sampleFromPlan } from "./plan-store";
import { classifySql } from "./sql-safety";
import type { CollectContext, PlanCaptureResult } from "./types";

export interface GenericPlanOptions {
  /** Statements explained per run (default 20). */
  maxStatements?: number;
  /** Per EXPLAIN (default 5 s). */
  statementTimeoutMs?: number;
  /** A session on another database of the same server; released after use. */
  connectTo?: (database: string) => Promise<{ client: pg.ClientBase; release: () => Promise<void> }>;
}

export interface GenericPlanResult extends PlanCaptureResult {
  /** Statements not explained: may write, another database without connectTo, or the target refused. */
  skippedStatements: number;
}

/** How many candidates to look at per run (statements that stay unexplainable are looked at again). */
const CANDIDATE_WINDOW = 500;

export async function captureGenericPlans(ctx: CollectContext, options: GenericPlanOptions = {}): Promise<GenericPlanResult> {
  const max = options.maxStatements ?? 20;
  const timeoutMs = options.statementTimeoutMs ?? 5_000;
  const result: GenericPlanResult = { newPlans: 0, samples: 0, skippedLogEntries: 0, skippedStatements: 0 };
  const here = await serverInfo(ctx.client);
  const candidates = await ctx.repo.statement.findMany({
    where: { targetId: ctx.target.id, plans: { none: {} } },
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
    take: CANDIDATE_WINDOW,
    select: { id: true, queryText: true, dbId: true },
  });

  const eligible: Array<{ id: bigint; queryText: string; dbId: bigint; parameterCount: number }> = [];
  for (const s of candidates) {
    const verdict = classifySql(s.queryText);
    const reason = verdict.refused ?? verdict.writes;
    if (reason !== null) result.skippedStatements++;
    else if (s.dbId !== here.dbOid && !options.connectTo) {
      result.skippedStatements++;
      ctx.log(`generic plan of statement ${s.id}: it belongs to database oid ${s.dbId}, the session is on ${here.database}; skipped`);
    } else eligible.push({ ...s, parameterCount: verdict.parameterCount });
  }

  const sessions = new Map<bigint, { client: pg.ClientBase; release: () => Promise<void> } | null>();
  try {
    for (const s of eligible.slice(0, max)) {
      const session = s.dbId === here.dbOid ? { client: ctx.client } : await otherDatabase(ctx, s.dbId, sessions, options);
      if (!session) {
        result.skippedStatements++;
        continue;
      }
      let planJson: unknown;
      try {
        planJson = await explainGeneric(session.client, here.major, s.queryText, s.parameterCount, timeoutMs);
      } catch (err) {
        result.skippedStatements++;
        ctx.log(`generic plan of statement ${s.id} failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const plan = parsePlan(planJson);
      const recorded = await ctx.repo.$transaction(async (tx) => {
        const r = await recordPlan(tx, { statementId: s.id, plan, planJson, source: "generic_explain", capturedAt: ctx.now });
        await appendSample(tx, r.planId, sampleFromPlan(plan, "generic_explain", ctx.now));
        return r;
      });
      if (recorded.isNew) result.newPlans++;
      result.samples++;
    }
  } finally {
    for (const s of sessions.values()) await s?.release().catch(() => undefined);
  }
  return result;
}

async function serverInfo(client: pg.ClientBase): Promise<{ major: number; database: string; dbOid: bigint }> {
  const { rows } = await client.query<{ num: string; database: string; oid: string }>(
    "SELECT current_setting('server_version_num') AS num, current_database() AS database, (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid",
  );
  const row = rows[0];
  if (!row) throw new Error("cannot read the server version");
  return { major: Math.floor(Number(row.num) / 10000), database: row.database, dbOid: BigInt(row.oid) };
}

async function otherDatabase(
  ctx: CollectContext,
  dbOid: bigint,
  sessions: Map<bigint, { client: pg.ClientBase; release: () => Promise<void> } | null>,
  options: GenericPlanOptions,
): Promise<{ client: pg.ClientBase } | null> {
  if (sessions.has(dbOid)) return sessions.get(dbOid) ?? null;
  let session: { client: pg.ClientBase; release: () => Promise<void> } | null = null;
  const { rows } = await ctx.client.query<{ name: string }>("SELECT datname AS name FROM pg_database WHERE oid = $1::oid", [dbOid.toString()]);
  const name = rows[0]?.name;
  if (name && options.connectTo) {
    try {
      session = await options.connectTo(name);
    } catch (err) {
      ctx.log(`generic plans: cannot connect to database ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  sessions.set(dbOid, session);
  return session;
}

/** The generic plan's JSON, in a read-only transaction that is always rolled back. */
export async function explainGeneric(client: pg.ClientBase, major: number, sql: string, parameterCount: number, timeoutMs: number): Promise<unknown> {
  const text = sql.trim().replace(/;\s*$/, "");
  const verdict = classifySql(text);
  if (verdict.refused || verdict.writes) throw new Error(`not explained: ${verdict.refused ?? verdict.writes}`);
  const name = `planwatch_generic_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await client.query("BEGIN READ ONLY");
  try {
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
    if (major >= 16) {
      // Simple protocol on purpose: with the extended protocol $n would be the EXPLAIN's own
      // parameters. classifySql has made sure it is one statement.
      const { rows } = await client.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${text}`);
      return rows[0]?.["QUERY PLAN"];
    }
    await client.query("SET LOCAL plan_cache_mode = force_generic_plan");
    await client.query(`PREPARE ${name} AS ${text}`);
    const args = parameterCount > 0 ? `(${Array.from({ length: parameterCount }, () => "NULL").join(", ")})` : "";
    const { rows } = await client.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) EXECUTE ${name}${args}`);
    return rows[0]?.["QUERY PLAN"];
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    // Prepared statements outlive ROLLBACK.
    if (major < 16) await client.query(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}
