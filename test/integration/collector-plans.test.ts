// Plan capture against real servers: auto_explain output read from the server log in each format
// (jsonlog, csvlog, stderr with %Q) on PostgreSQL 15 and 18, with rotation, truncation, vanished
// files and junk; and generic plans that never execute the statement.
import { rm, truncate } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { fingerprint, parsePlan } from "@/lib/plan";
import { captureAutoExplain } from "@/lib/collector/auto-explain";
import { captureGenericPlans } from "@/lib/collector/generic-plans";
import { recordPlan } from "@/lib/collector/plan-store";
import type { CollectContext } from "@/lib/collector/types";
import { availableBinaries, monitoredSettings, startCluster, type TestCluster } from "../support/clusters";
import { databaseUrl, freshDatabase, testServers, withClient } from "../support/databases";

const FORMATS = {
  jsonlog: { log_destination: "jsonlog" },
  csvlog: { log_destination: "csvlog" },
  stderr: { log_destination: "stderr", log_line_prefix: "%m [%p] %q%u@%d qid=%Q " },
} as const;

const AUTO_EXPLAIN = {
  // Off server-wide (the collector's own queries stay out of the log); the workload session turns it on.
  "auto_explain.log_min_duration": -1,
  "auto_explain.log_format": "json",
  "auto_explain.log_analyze": "on",
  "auto_explain.log_buffers": "on",
};

const BY_ID = "select * from t where id = $1";
const BY_RANGE = "select v from t where id < $1 order by id";

const binaries = await availableBinaries();
const cases = binaries.flatMap((b) => (Object.keys(FORMATS) as Array<keyof typeof FORMATS>).map((format) => ({ major: b.major, format, binaries: b })));

describe.each(cases)("auto_explain capture, PostgreSQL $major, $format", ({ format, binaries: bin }) => {
  let cluster: TestCluster;
  let collector: pg.Client; // the collector's session: database postgres, auto_explain off
  let workload: pg.Client; // the application: database app, auto_explain on
  let probe: pg.Client; // the test's look at database app, auto_explain off
  let repo: PrismaClient;
  let repoSession: pg.Client; // the collector's own repository session (its lock session in a real run)
  let targetId: bigint;
  let executed = 0; // statements the workload ran with auto_explain on (each logs one plan)
  const logs: string[] = [];

  const ctx = (): CollectContext => ({ repo, repoSession, target: { id: targetId, name: "logs", capabilities: null }, client: collector, now: new Date(), log: (l) => logs.push(l) });
  const run = async (sql: string, values?: unknown[]) => {
    await workload.query(sql, values);
    executed++;
  };
  // The server writes its log asynchronously (backend → pipe → logger process): wait until a marker
  // logged after the workload is in the file, so everything before it is there too.
  let markers = 0;
  const flushLog = async () => {
    const marker = `planwatch-test-marker-${++markers}`;
    await workload.query(`do $$ begin raise log '${marker}'; end $$`);
    for (let i = 0; i < 100; i++) {
      const { rows } = await collector.query<{ found: boolean }>("select strpos(pg_read_file(pg_current_logfile($1)), $2) > 0 as found", [format, marker]);
      if (rows[0]?.found) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`marker ${marker} never reached the log`);
  };
  const capture = async () => {
    await flushLog();
    return captureAutoExplain(ctx());
  };
  const queryId = async (text: string) => BigInt((await probe.query<{ id: string }>("select queryid::text as id from pg_stat_statements where query = $1", [text])).rows[0]!.id);
  const shape = async (sql: string, values: unknown[]) => fingerprint(parsePlan((await probe.query<{ "QUERY PLAN": unknown }>(`explain (format json) ${sql}`, values)).rows[0]!["QUERY PLAN"]));

  beforeAll(async () => {
    cluster = await startCluster(bin, { ...monitoredSettings, ...FORMATS[format], ...AUTO_EXPLAIN });
    collector = new pg.Client({ connectionString: cluster.server.url() });
    await collector.connect();
    await collector.query("create database app");
    workload = new pg.Client({ connectionString: databaseUrl(cluster.server.url(), "app") });
    await workload.connect();
    probe = new pg.Client({ connectionString: databaseUrl(cluster.server.url(), "app") });
    await probe.connect();
    await workload.query(`
      create extension pg_stat_statements;
      create table t (id int primary key, v text);
      insert into t select g, 'v' || g from generate_series(1, 5000) g;
      analyze t;`);
    const repoUrl = await freshDatabase(testServers()[0]!, "plans_repo");
    await applyMigrations(repoUrl);
    repo = createPrisma(repoUrl);
    repoSession = new pg.Client({ connectionString: repoUrl });
    await repoSession.connect();
    targetId = (await repo.target.create({ data: { name: "logs", host: "127.0.0.1", port: cluster.server.port, database: "postgres", username: "postgres" } })).id;
    // File names carry the second they were opened: let a rotation get a new name.
    await new Promise((r) => setTimeout(r, 1100));
    await workload.query("set auto_explain.log_min_duration = 0");
  });
  afterAll(async () => {
    await workload?.end();
    await probe?.end();
    await collector?.end();
    await repoSession?.end();
    await repo?.$disconnect();
    await cluster?.dispose();
  });

  it("captures plans, samples and query ids; first shape Approved, a second Unapproved; junk is counted", async () => {
    await run(BY_ID, [5]);
    await run(BY_ID, [6]);
    await workload.query("set enable_indexscan = off; set enable_bitmapscan = off");
    await run(BY_ID, [7]);
    await workload.query("reset enable_indexscan; reset enable_bitmapscan");
    const indexScan = await shape(BY_ID, [7]);
    await probe.query("set enable_indexscan = off; set enable_bitmapscan = off");
    const seqScan = await shape(BY_ID, [7]);
    await probe.query("reset enable_indexscan; reset enable_bitmapscan");
    await workload.query("do $$ begin raise log 'duration: 1 ms  plan: {broken'; end $$");
    await run(BY_RANGE, [10]);

    const result = await capture();
    // Two shapes of BY_ID, one of BY_RANGE.
    expect(result).toEqual({ newPlans: 3, samples: executed, skippedLogEntries: 1 });

    const statement = await repo.statement.findFirstOrThrow({ where: { targetId, queryId: await queryId(BY_ID) }, include: { plans: { include: { samples: true }, orderBy: { id: "asc" } } } });
    const appOid = (await probe.query<{ oid: string }>("select oid::text as oid from pg_database where datname = 'app'")).rows[0]!.oid;
    expect(statement.dbId.toString()).toBe(appOid);
    expect(statement.plans.map((p) => [p.fingerprint, p.status, p.source, p.samples.length])).toEqual([
      [indexScan, "Approved", "auto_explain", 2],
      [seqScan, "Unapproved", "auto_explain", 1],
    ]);
    const sample = statement.plans[0]!.samples[0]!;
    expect(sample.actualTotalMs).toBeGreaterThan(0);
    expect(sample.actualRows).toBe(1);
    expect(sample.sharedHitBlocks! + sample.sharedReadBlocks!).toBeGreaterThan(0n);
    expect(Math.abs(sample.capturedAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await repo.statement.count({ where: { targetId, queryId: await queryId(BY_RANGE) } })).toBe(1);
  });

  it("a second run reads nothing new (cursors persist)", async () => {
    expect(await capture()).toEqual({ newPlans: 0, samples: 0, skippedLogEntries: 0 });
    expect(await repo.logCursor.count({ where: { targetId } })).toBeGreaterThan(0);
  });

  it("after a rotation, entries of both files are captured exactly once", async () => {
    await run(BY_RANGE, [20]);
    await collector.query("select pg_rotate_logfile()");
    await new Promise((r) => setTimeout(r, 300));
    await run(BY_RANGE, [30]);
    await run(BY_ID, [8]);
    const result = await capture();
    expect(result).toMatchObject({ newPlans: 0, samples: 3 });
    expect(await repo.planSample.count()).toBe(executed);
    const files = new Set((await collector.query<{ name: string }>("select name from pg_ls_logdir()")).rows.map((r) => r.name));
    const cursors = await repo.logCursor.findMany({ where: { targetId } });
    expect(cursors.length).toBeGreaterThanOrEqual(2);
    for (const c of cursors) expect(files.has(c.fileName)).toBe(true);
  });

  it("a truncated file is read again from the start; a vanished file's cursor is dropped", async () => {
    const current = (await collector.query<{ f: string }>("select pg_current_logfile($1) as f", [format])).rows[0]!.f;
    await truncate(path.join(cluster.dataDir, current), 0);
    await run(BY_ID, [9]);
    expect(await capture()).toMatchObject({ samples: 1 });
    expect(await repo.planSample.count()).toBe(executed);

    const cursors = await repo.logCursor.findMany({ where: { targetId } });
    const old = cursors.find((c) => c.fileName !== path.basename(current))!;
    await rm(path.join(cluster.logDir, old.fileName));
    expect(await capture()).toEqual({ newPlans: 0, samples: 0, skippedLogEntries: 0 });
    expect((await repo.logCursor.findMany({ where: { targetId } })).map((c) => c.fileName)).not.toContain(old.fileName);
  });

  it("two captures of one target at the same time store each entry once", async () => {
    await run(BY_ID, [10]);
    await run(BY_RANGE, [40]);
    await run(BY_ID, [11]);
    await flushLog();
    const second = new pg.Client({ connectionString: cluster.server.url() });
    await second.connect();
    try {
      const results = await Promise.all([captureAutoExplain(ctx()), captureAutoExplain({ ...ctx(), client: second })]);
      expect(results[0]!.samples + results[1]!.samples).toBe(3);
    } finally {
      await second.end();
    }
    expect(await repo.planSample.count()).toBe(executed);
  });
});

describe.each(testServers())("generic plans and the plan store, PostgreSQL $major", (server) => {
  let targetUrl: string;
  let otherUrl: string;
  let repo: PrismaClient;
  let repoSession: pg.Client;
  let client: pg.Client;
  let targetId: bigint;
  let dbOid: bigint;
  const logs: string[] = [];
  const ctx = (): CollectContext => ({ repo, repoSession, target: { id: targetId, name: "generic", capabilities: null }, client, now: new Date(), log: (l) => logs.push(l) });
  const statement = (queryText: string, dbId = dbOid) =>
    repo.statement.create({ data: { targetId, queryId: BigInt(Math.floor(Math.random() * 1e15)), dbId, userId: 10n, queryText } }).then((s) => s.id);
  const sideEffects = async () => Number((await client.query<{ n: string }>("select count(*) as n from side_effects")).rows[0]!.n);

  beforeAll(async () => {
    targetUrl = await freshDatabase(server, "generic_target");
    otherUrl = await freshDatabase(server, "generic_other");
    const repoUrl = await freshDatabase(server, "generic_repo");
    await applyMigrations(repoUrl);
    repo = createPrisma(repoUrl);
    repoSession = new pg.Client({ connectionString: repoUrl });
    await repoSession.connect();
    client = new pg.Client({ connectionString: targetUrl });
    await client.connect();
    await client.query(`
      create table t (id int primary key, v text);
      insert into t select g, 'v' || g from generate_series(1, 2000) g;
      analyze t;
      create table side_effects (x int);
      -- VOLATILE and writing: if the statement were executed, side_effects would get a row.
      create function bump(x int) returns int language plpgsql volatile as $$
      begin insert into side_effects values (x); return x; end $$;`);
    dbOid = BigInt((await client.query<{ oid: string }>("select oid::text as oid from pg_database where datname = current_database()")).rows[0]!.oid);
    const u = new URL(targetUrl);
    targetId = (await repo.target.create({ data: { name: "generic", host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), username: "postgres" } })).id;
  });
  afterAll(async () => {
    await client?.end();
    await repoSession?.end();
    await repo?.$disconnect();
  });

  it("explains read-only statements without executing them; writes and other databases are skipped", async () => {
    const byId = await statement("select * from t where id = $1");
    const withBump = await statement("select bump($1), v from t where id > $2 order by id limit $3");
    const write = await statement("delete from t where id = $1");
    const forUpdate = await statement("select * from t where id = $1 for update");
    const otherOid = BigInt((await client.query<{ oid: string }>("select oid::text as oid from pg_database where datname = $1", [new URL(otherUrl).pathname.slice(1)])).rows[0]!.oid);
    const elsewhere = await statement("select count(*) from t2 where x = $1", otherOid);

    const result = await captureGenericPlans(ctx());
    expect(result).toEqual({ newPlans: 2, samples: 2, skippedLogEntries: 0, skippedStatements: 3 });
    expect(await sideEffects()).toBe(0);
    expect(await repo.plan.count({ where: { statementId: { in: [write, forUpdate, elsewhere] } } })).toBe(0);

    const plan = await repo.plan.findFirstOrThrow({ where: { statementId: byId }, include: { samples: true } });
    expect(plan).toMatchObject({ status: "Approved", source: "generic_explain" });
    expect(JSON.stringify(plan.plan)).toMatch(/"Index Cond":\s*"\((t\.)?id = \$1\)"/);
    expect(plan.samples).toMatchObject([{ source: "generic_explain", actualTotalMs: null, actualRows: null }]);
    expect(plan.samples[0]!.estimatedTotalCost).toBeGreaterThan(0);
    expect(await repo.plan.count({ where: { statementId: withBump } })).toBe(1);

    // Statements with a plan are not explained again; the refused ones are counted again.
    expect(await captureGenericPlans(ctx())).toEqual({ newPlans: 0, samples: 0, skippedLogEntries: 0, skippedStatements: 3 });
  });

  it("explains statements of another database through connectTo, and honours maxStatements", async () => {
    await withClient(otherUrl, (c) => c.query("create table t2 (x int); create index on t2 (x);"));
    const opened: string[] = [];
    const connectTo = async (database: string) => {
      opened.push(database);
      const c = new pg.Client({ connectionString: databaseUrl(server.adminUrl, database) });
      await c.connect();
      return { client: c, release: () => c.end() };
    };
    const extra = await statement("select v from t where id between $1 and $2");
    const first = await captureGenericPlans(ctx(), { maxStatements: 1, connectTo });
    expect(first.newPlans).toBe(1);
    const second = await captureGenericPlans(ctx(), { connectTo });
    expect(second.newPlans).toBe(1);
    // The most recently seen statement (here: the newest) comes first; the other database's one next.
    expect(opened).toEqual([new URL(otherUrl).pathname.slice(1)]);
    expect(await repo.plan.count({ where: { statementId: extra } })).toBe(1);
    expect(await repo.plan.count({ where: { statement: { queryText: "select count(*) from t2 where x = $1" } } })).toBe(1);
    expect(await sideEffects()).toBe(0);
  });

  it("first plan of a statement is Approved even when several first captures race", async () => {
    const id = await statement("select 1");
    const shapes = await Promise.all(
      ["select 1", "select * from t", "select * from t where id = 1", "select count(*) from t", "select * from t order by v limit 1", "select v from t group by v"].map(
        async (sql) => {
          const json = (await client.query<{ "QUERY PLAN": unknown }>(`explain (format json) ${sql}`)).rows[0]!["QUERY PLAN"];
          return { plan: parsePlan(json), planJson: json };
        },
      ),
    );
    const results = await Promise.all(
      shapes.map((s) => repo.$transaction((tx) => recordPlan(tx, { statementId: id, ...s, source: "auto_explain", capturedAt: new Date() }))),
    );
    expect(results.filter((r) => r.status === "Approved")).toHaveLength(1);
    expect(new Set(results.map((r) => r.fingerprint)).size).toBe(shapes.length);
    const stored = await repo.plan.groupBy({ by: ["status"], where: { statementId: id }, _count: true });
    expect(Object.fromEntries(stored.map((g) => [g.status, g._count]))).toEqual({ Approved: 1, Unapproved: shapes.length - 1 });
    // The same shape again is not new; its last_seen_at moves forward only.
    const later = new Date(Date.now() + 60_000);
    const again = await repo.$transaction((tx) => recordPlan(tx, { statementId: id, ...shapes[0]!, source: "auto_explain", capturedAt: later }));
    expect(again).toMatchObject({ isNew: false, status: null });
    expect((await repo.plan.findUniqueOrThrow({ where: { id: again.planId } })).lastSeenAt.getTime()).toBe(later.getTime());
    await repo.$transaction((tx) => recordPlan(tx, { statementId: id, ...shapes[0]!, source: "auto_explain", capturedAt: new Date(0) }));
    expect((await repo.plan.findUniqueOrThrow({ where: { id: again.planId } })).lastSeenAt.getTime()).toBe(later.getTime());
  });
});
