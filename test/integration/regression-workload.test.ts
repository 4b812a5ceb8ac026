// Regression ranking on REAL workloads through the real collector (addTarget + collectOnce):
// pg_stat_statements snapshots and auto_explain plans (jsonlog) from a PostgreSQL 18 target, a
// workload before and after a set of changes, then rankTarget with baseline = before the changes and
// recent = after. Each statement shows one way a statement gets slower or faster:
//  - an index dropped under the workload → regression, plan-change, ranked first;
//  - an index added → improvement, plan-change, not a regression;
//  - a noisy statement left alone → stable;
//  - work_mem cut below a hash aggregate → regression with the same plan and temp-block evidence;
//  - plan_cache_mode = force_generic_plan for a role, skewed prepared statement → plan-change, generic.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/auth/authorize";
import { addTarget } from "@/lib/collector/targets";
import { collectOnce } from "@/lib/collector/run";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { rankTarget, type RankedStatement } from "@/lib/db/regressions";
import { embeddedBinaries } from "@/lib/db/postgres-server";
import { monitoredSettings, startCluster, type TestCluster } from "../support/clusters";
import { databaseUrl, freshDatabase, testServers } from "../support/databases";
import { applyMigrations } from "@/lib/db/migrate";

const SETTINGS = {
  ...monitoredSettings,
  log_destination: "jsonlog",
  "auto_explain.log_min_duration": 0,
  "auto_explain.log_analyze": "on",
  "auto_explain.log_buffers": "on",
  "auto_explain.log_format": "json",
  "auto_explain.sample_rate": 1,
};

const Q = {
  dropIndex: "select sum(amount) from orders where customer_id = $1",
  addIndex: "select count(*) from events where kind = $1",
  // Sleeps, not CPU work: machine load scales a CPU-bound statement between the two windows (and
  // makes it "improve" or "regress"), while it barely moves a sleep.
  noisy: "select pg_sleep($1)",
  // A hash aggregate over wide keys: spilled, it writes and reads back its input by the byte, while
  // in memory it costs by the row, so the cut is about 2× (a sort of the same bytes was 1.5–1.6×, too
  // close to the 1.5× threshold on a busy machine).
  spill: "select max(n) from (select label, count(*) as n from labels group by 1) b",
  generic: "select count(*) from skew s join detail d on d.skew_id = s.id where s.flag = $1",
};

let cluster: TestCluster;
let repo: PrismaClient;
let admin: pg.Client;
let appUrl: string;
let genericUrl: string;
let rows: RankedStatement[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * One phase of the workload; `spillWorkMem` is the session's work_mem for the aggregating statement.
 * `calls` 1 is the warm-up: pg_stat_statements must know a statement at one snapshot for the next
 * snapshot to store an interval of it.
 */
async function workload(spillWorkMem: string, calls = 60): Promise<void> {
  const app = await connect(appUrl);
  const generic = await connect(genericUrl);
  try {
    for (let i = 0; i < calls; i++) await app.query(Q.dropIndex, [1 + (i % 50)]);
    for (let i = 0; i < calls; i++) await app.query(Q.addIndex, [`rare-${i % 20}`]);
    // Slow and fast calls mixed (0–20 ms), the same sequence in both phases.
    for (let i = 0; i < calls; i++) await app.query(Q.noisy, [((i * 7_919) % 21) / 1000]);
    // Sorts off and no parallel plan: with less work_mem the planner would otherwise switch to a sorted
    // aggregate or Gather (a plan change, not a spill).
    await app.query(`set work_mem = '${spillWorkMem}'; set enable_sort = off; set max_parallel_workers_per_gather = 0`);
    for (let i = 0; i < Math.ceil(calls / 2); i++) await app.query(Q.spill);
    // A named statement: prepared once per session, then executed (custom plans, or generic when forced).
    for (let i = 0; i < Math.ceil(calls / 2); i++) await generic.query({ name: "skewed", text: Q.generic, values: [1] });
  } finally {
    await app.end();
    await generic.end();
  }
}

/** Waits until the server log holds everything so far (the logging collector writes asynchronously). */
async function flushLog(): Promise<void> {
  const marker = `flush_${randomBytes(6).toString("hex")}`;
  await admin.query(`select '${marker}'`);
  for (let i = 0; i < 200; i++) {
    const { rows: found } = await admin.query<{ found: boolean }>("select strpos(pg_read_file(pg_current_logfile('jsonlog')), $1) > 0 as found", [marker]);
    if (found[0]?.found) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the server log never caught up");
}

async function collect(prismaUrl: string): Promise<void> {
  await flushLog();
  const [summary] = await collectOnce({ prisma: repo, url: prismaUrl }, { target: "shop" });
  expect(summary?.errors).toEqual([]);
}

const row = (sql: string): RankedStatement => {
  const found = rows.find((r) => r.query === sql);
  if (!found) throw new Error(`statement not ranked: ${sql}\n${rows.map((r) => r.query).join("\n")}`);
  return found;
};

describe("ranking a real workload before and after changes (PostgreSQL 18)", () => {
  beforeAll(async () => {
    process.env.PLANWATCH_SECRET ??= "regression-workload test passphrase";
    cluster = await startCluster(await embeddedBinaries(), SETTINGS);
    admin = await connect(cluster.server.url());
    await admin.query("create database shop");
    appUrl = databaseUrl(cluster.server.url(), "shop");
    const setup = await connect(appUrl);
    await setup.query(`
      create extension pg_stat_statements;
      create table orders (id int primary key, customer_id int not null, amount numeric not null);
      insert into orders select g, g % 5000, g % 97 from generate_series(1, 500000) g;
      create index orders_customer_idx on orders (customer_id);
      create table events (id int primary key, kind text not null);
      insert into events select g, case when g % 5000 = 0 then 'rare-' || (g / 5000 % 20) else 'common' end from generate_series(1, 200000) g;
      create table labels (id int primary key, label text not null);
      insert into labels select g, repeat(md5(((g::bigint * 7919) % 10007)::text), 8) from generate_series(1, 30000) g;
      create table skew (id int primary key, flag int not null);
      -- Three flags: 50 rows of 1, the rest 0 or 2. A custom plan for flag 1 joins 50 rows through the
      -- index; a generic plan expects a third of the table (1/ndistinct) and hashes all of detail.
      insert into skew select g, case when g % 2000 = 0 then 1 when (g * 7919) % 13 < 6 then 0 else 2 end from generate_series(1, 100000) g;
      create index skew_flag_idx on skew (flag);
      create table detail (id int primary key, skew_id int not null);
      insert into detail select g, g from generate_series(1, 100000) g;
      create index detail_skew_idx on detail (skew_id);
      analyze;
      create role generic_app login password 'Generic-Pa55' superuser;`);
    await setup.end();
    const g = new URL(appUrl);
    g.username = "generic_app";
    g.password = "Generic-Pa55";
    genericUrl = g.toString();

    const repoUrl = await freshDatabase(testServers()[0]!, "workload_repo");
    await applyMigrations(repoUrl);
    repo = createPrisma(repoUrl);
    await addTarget(repo, { name: "shop", url: appUrl, actor: cliActor() });

    await workload("64MB", 1);
    const start = new Date(Date.now() - 1_000);
    await collect(repoUrl);
    await workload("64MB");
    await collect(repoUrl);

    const changedAt = new Date();
    await admin.query("select 1"); // the change instant is between the two collections
    const change = await connect(appUrl);
    await change.query(`
      drop index orders_customer_idx;
      create index events_kind_idx on events (kind);
      alter role generic_app set plan_cache_mode = force_generic_plan;`);
    await change.end();
    await new Promise((r) => setTimeout(r, 20));

    await workload("64kB");
    await collect(repoUrl);
    const now = new Date(Date.now() + 1_000);
    rows = await rankTarget(repo, { targetName: "shop", now, recentMs: now.getTime() - changedAt.getTime(), baselineMs: changedAt.getTime() - start.getTime() });
  });

  afterAll(async () => {
    await admin?.end();
    await repo?.$disconnect();
    await cluster?.dispose();
  });

  it("the dropped index: first regression, plan-change, both fingerprints", () => {
    const regressions = rows.filter((r) => r.verdict === "regression");
    expect(regressions.map((r) => `${r.query}: ${r.impactMs} ms`)[0]).toMatch(/^select sum\(amount\) from orders/);
    const r = row(Q.dropIndex);
    expect(r).toMatchObject({ verdict: "regression", cause: "plan-change" });
    expect(r.baselinePlan).toMatch(/^[0-9a-f]{8,}/);
    expect(r.recentPlan).toMatch(/^[0-9a-f]{8,}/);
    expect(r.recentPlan).not.toBe(r.baselinePlan);
  });

  it("the added index: an improvement with a plan change, never listed as a regression", () => {
    expect(row(Q.addIndex)).toMatchObject({ verdict: "improvement", cause: "plan-change" });
  });

  it("the noisy, unchanged statement: stable", () => {
    expect(row(Q.noisy)).toMatchObject({ verdict: "stable", cause: null });
  });

  it("the work_mem cut: same plan, temp blocks in the evidence", () => {
    const r = row(Q.spill);
    expect(r).toMatchObject({ verdict: "regression", cause: "same-plan" });
    expect(r.recentPlan).toBe(r.baselinePlan);
    expect(r.evidence).toMatch(/temp blocks\/call 0 → [\d,]+ \(spills: work_mem\)/);
  });

  it("forced generic plans: plan-change noted as a generic plan", () => {
    const r = row(Q.generic);
    expect(r).toMatchObject({ verdict: "regression", cause: "plan-change" });
    expect(r.evidence).toMatch(/new plan is a generic plan/);
  });
});
