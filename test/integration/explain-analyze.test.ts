// On-demand EXPLAIN ANALYZE against real PostgreSQL 18 and 15 targets: bound values stay data,
// writes are refused or rolled back, hidden writes fail inside READ ONLY, timeouts hold, the plan
// is stored, and the route refuses a request without identity before touching anything.
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/authorize";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { ExplainError, explainAnalyze, recordOnDemandExplain } from "@/lib/collector/explain-analyze";
import { explainStatement } from "@/lib/collector/explain-statement";
import { encryptPassword } from "@/lib/collector/secrets";
import { freshDatabase, testServers, withClient } from "../support/databases";
import { planwatch } from "../support/cli";

// The one identity hook: no accounts exist yet (null → 401); some tests act as an approver.
const identity = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/authorize", async (original) => {
  const mod = await original<typeof import("@/lib/auth/authorize")>();
  return { ...mod, actorFromRequest: async () => identity.actor };
});

const root = path.resolve(import.meta.dirname, "../..");

/** Runs the planwatch CLI like a user does. */
const cli = planwatch;

const SETUP = `
  create extension pg_stat_statements;
  create table t (id int primary key, v text);
  insert into t select g, 'v' || g from generate_series(1, 100) g;
  analyze t;
  create table audit (at timestamptz default now());
  -- A write hidden behind a SELECT.
  create function sneaky(x int) returns int language plpgsql as $$
  begin insert into t values (1000 + x, 'sneaky'); return x; end $$;
  -- Called only through the route, so pg_stat_statements shows whether the route ran anything.
  create function route_probe(x int) returns int language sql as $$ select x $$;
`;

describe.each(testServers())("PostgreSQL $major", (server) => {
  let targetUrl: string;
  let repoUrl: string;
  let repo: PrismaClient;
  let client: pg.Client;
  let targetId: bigint;

  const rowCount = () => withClient(targetUrl, async (c) => Number((await c.query<{ n: string }>("select count(*) as n from t")).rows[0]?.n));
  const connect = async () => {
    const c = new pg.Client({ connectionString: targetUrl });
    await c.connect();
    return c;
  };
  async function statement(queryText: string): Promise<bigint> {
    const dbId = await withClient(targetUrl, async (c) => BigInt((await c.query<{ oid: string }>("select oid::text as oid from pg_database where datname = current_database()")).rows[0]!.oid));
    const row = await repo.statement.create({ data: { targetId, queryId: BigInt(Math.floor(Math.random() * 1e15)), dbId, userId: 10n, queryText } });
    return row.id;
  }

  beforeAll(async () => {
    targetUrl = await freshDatabase(server, "explain_target");
    repoUrl = await freshDatabase(server, "explain_repo");
    await applyMigrations(repoUrl);
    await withClient(targetUrl, (c) => c.query(SETUP));
    repo = createPrisma(repoUrl);
    const u = new URL(targetUrl);
    // The route connects with the stored (encrypted) password, as in production.
    process.env.PLANWATCH_SECRET = "explain-analyze integration test secret";
    const passwordCiphertext = new Uint8Array(await encryptPassword(decodeURIComponent(u.password)));
    targetId = (
      await repo.target.create({ data: { name: `t${server.major}`, host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), username: decodeURIComponent(u.username), passwordCiphertext } })
    ).id;
    client = await connect();
  });
  afterAll(async () => {
    await client?.end();
    await repo?.$disconnect();
  });

  it("binds values as data: SQL inside a value is never run", async () => {
    const { plan } = await explainAnalyze(client, { sql: "select * from t where v = $1 or id = $2", params: ["'); DROP TABLE t; --", "5"] });
    expect(plan.analyzed).toBe(true);
    expect(plan.root.actual?.rows).toBe(1);
    expect(await rowCount()).toBe(100);
    // Same for a NULL and for SQL text in a statement without a string context.
    await explainAnalyze(client, { sql: "select * from t where id = $1::int", params: [null] });
    await expect(explainAnalyze(client, { sql: "select * from t where id = $1", params: ["1; drop table t"] })).rejects.toThrow(/invalid input syntax/);
    expect(await rowCount()).toBe(100);
  });

  it("refuses data-modifying statements unless writes are allowed, and then rolls them back", async () => {
    for (const sql of ["delete from t where id = $1", "with d as (delete from t where id = $1 returning *) select * from d", "select * from t where id = $1 for update"]) {
      await expect(explainAnalyze(client, { sql, params: ["1"] })).rejects.toThrow(/refused: the statement may write/);
    }
    await expect(explainAnalyze(client, { sql: "select 1; delete from t", params: [] })).rejects.toThrow(/more than one statement/);
    const { plan } = await explainAnalyze(client, { sql: "delete from t where id <= $1", params: ["50"], allowWrites: true });
    expect(plan.root.nodeType).toMatch(/Delete|ModifyTable/);
    expect(await rowCount()).toBe(100);
    // The session is usable afterwards and not left inside a transaction.
    expect((await client.query<{ s: string }>("select pg_current_xact_id_if_assigned()::text as s")).rows[0]?.s ?? null).toBeNull();
  });

  it("a write hidden in a function fails cleanly inside READ ONLY; nothing is committed", async () => {
    const err = await explainAnalyze(client, { sql: "select sneaky($1::int)", params: ["1"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExplainError);
    expect((err as ExplainError).reason).toBe("read-only");
    expect((err as Error).message).toMatch(/read-only transaction.*nothing was committed/);
    expect(await rowCount()).toBe(100);
    // Even with writes allowed the insert is rolled back.
    await explainAnalyze(client, { sql: "select sneaky($1::int)", params: ["2"], allowWrites: true });
    expect(await rowCount()).toBe(100);
  });

  it("enforces statement_timeout", async () => {
    const started = Date.now();
    const err = await explainAnalyze(client, { sql: "select pg_sleep($1::float8)", params: ["10"], statementTimeoutMs: 300 }).catch((e: unknown) => e);
    expect((err as ExplainError).reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("checks the number of values against $1…$n", async () => {
    await expect(explainAnalyze(client, { sql: "select * from t where id = $1 and v = $2", params: ["1"] })).rejects.toThrow(/takes 2 parameter\(s\).*1 given/);
  });

  it("stores the plan (first Approved) and a sample per run, source on_demand", async () => {
    const statementId = await statement("select * from t where id = $1");
    const first = await recordOnDemandExplain(repo, statementId, await explainAnalyze(client, { sql: "select * from t where id = $1", params: ["3"] }));
    expect(first).toMatchObject({ isNew: true, status: "Approved" });
    const again = await recordOnDemandExplain(repo, statementId, await explainAnalyze(client, { sql: "select * from t where id = $1", params: ["4"] }));
    expect(again).toMatchObject({ isNew: false, planId: first.planId });
    const plan = await repo.plan.findUniqueOrThrow({ where: { id: first.planId }, include: { samples: true, statusChanges: true } });
    expect(plan.source).toBe("on_demand");
    expect(plan.samples.map((s) => s.source)).toEqual(["on_demand", "on_demand"]);
    expect(plan.samples[0]?.actualTotalMs).toBeGreaterThan(0);
    expect(plan.samples[0]?.planningMs).not.toBeNull();
    expect(plan.statusChanges).toMatchObject([{ fromStatus: null, toStatus: "Approved", actor: "collector" }]);
  });

  it("explainStatement runs a stored statement's text on its target", async () => {
    const statementId = await statement("select v from t where id > $1 order by id limit $2");
    const result = await explainStatement(repo, statementId, { params: ["10", "5"] }, connect);
    expect(result?.plan.root.actual?.rows).toBe(5);
    expect(await explainStatement(repo, 987654321n, { params: [] }, connect)).toBeNull();
  });

  it("planwatch explain ID --param … runs it on the target and stores the plan", async () => {
    const env = { DATABASE_URL: repoUrl, PLANWATCH_SECRET: process.env.PLANWATCH_SECRET ?? "" };
    const statementId = await statement("select v from t where id = $1 and v <> $2");
    const ok = await cli(["explain", statementId.toString(), "--param", "9", "--param", "'); drop table t; --", "--json"], env);
    expect(ok.stderr).not.toMatch(/planwatch:.*(error|failed)/i);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ statementId: statementId.toString(), isNew: true, status: "Approved" });
    expect(await rowCount()).toBe(100);

    const writer = await statement("update t set v = $1 where id = $2");
    const refused = await cli(["explain", writer.toString(), "--param", "x", "--param", "1"], env);
    expect(refused, refused.stdout + refused.stderr).toMatchObject({ code: 1 });
    expect(refused.stderr).toMatch(/refused: the statement may write/);
    const allowed = await cli(["explain", writer.toString(), "--param", "x", "--param", "1", "--allow-writes"], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/rolled back/);
    expect((await withClient(targetUrl, (c) => c.query("select v from t where id = 1"))).rows[0]).toEqual({ v: "v1" });
    const missing = await cli(["explain", "987654321"], env);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/there is no statement 987654321/);
  });

  describe("POST /api/statements/[id]/explain", () => {
    // The route uses the process-wide client for DATABASE_URL: point it at this server's repository.
    beforeAll(async () => {
      const global = globalThis as { __planwatchPrisma?: PrismaClient };
      await global.__planwatchPrisma?.$disconnect();
      delete global.__planwatchPrisma;
      process.env.DATABASE_URL = repoUrl;
    });
    const post = async (id: string, body: unknown) => {
      const { POST } = await import("@/app/api/statements/[id]/explain/route");
      const request = new Request(`http://localhost:3000/api/statements/${id}/explain`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost:3000", host: "localhost:3000" },
        body: JSON.stringify(body),
      });
      return POST(request, { params: Promise.resolve({ id }) });
    };

    it("without an identity answers 401 and runs nothing", async () => {
      identity.actor = null;
      const statementId = await statement("select route_probe($1::int)");
      const response = await post(statementId.toString(), { params: ["7"], allowWrites: true });
      expect(response.status).toBe(401);
      expect(await repo.plan.count({ where: { statementId } })).toBe(0);
      // Not even an attempt reached the target: pg_stat_statements never saw the call.
      const calls = await withClient(targetUrl, (c) => c.query("select 1 from pg_stat_statements where query like '%route_probe(%' and query not like '%create function%'"));
      expect(calls.rowCount).toBe(0);
      // The control: the same request with an approver's identity does reach the target.
      identity.actor = { kind: "token", tokenId: "a", role: "approver" };
      const allowed = await post(statementId.toString(), { params: ["7"], allowWrites: true });
      identity.actor = null;
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toMatchObject({ isNew: true, status: "Approved" });
      const after = await withClient(targetUrl, (c) => c.query("select 1 from pg_stat_statements where query like '%route_probe(%' and query not like '%create function%'"));
      expect(after.rowCount).toBeGreaterThan(0);
      expect(await rowCount()).toBe(100);
    });

    it("a viewer gets 403; an approver gets 404 for an unknown statement and 400 for a bad body", async () => {
      identity.actor = { kind: "token", tokenId: "v", role: "viewer" };
      expect((await post("1", { params: [] })).status).toBe(403);
      identity.actor = { kind: "token", tokenId: "a", role: "approver" };
      expect((await post("987654321", { params: [] })).status).toBe(404);
      expect((await post("abc", { params: [] })).status).toBe(404);
      const bad = await post("1", { params: [1] });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ field: "params.0" });
      identity.actor = null;
    });
  });
});
