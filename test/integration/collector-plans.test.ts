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
import type { CollectContext } from "@/lib/collector/types";
import { availableBinaries, monitoredSettings, startCluster, type TestCluster } from "../support/clusters";
import { databaseUrl, freshDatabase, testServers } from "../support/databases";

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
  let targetId: bigint;
  let executed = 0; // statements the workload ran with auto_explain on (each logs one plan)
  const logs: string[] = [];

  const ctx = (): CollectContext => ({ repo, target: { id: targetId, name: "logs", capabilities: null }, client: collector, now: new Date(), log: (l) => logs.push(l) });
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
    targetId = (await repo.target.create({ data: { name: "logs", host: "127.0.0.1", port: cluster.server.port, database: "postgres", username: "postgres" } })).id;
    // File names carry the second they were opened: let a rotation get a new name.
    await new Promise((r) => setTimeout(r, 1100));
    await workload.query("set auto_explain.log_min_duration = 0");
  });
  afterAll(async () => {
    await workload?.end();
    await probe?.end();
    await collector?.end();
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
});
