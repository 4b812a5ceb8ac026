// The collector run on real servers: due targets, a target that goes down and comes back (health,
// error, backoff, others unaffected), two collectors on one target, step failures, the loop, the
// `collect` CLI; and the target password never in any output.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/auth/authorize";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { PostgresServer, embeddedBinaries } from "@/lib/db/postgres-server";
import { addTarget } from "@/lib/collector/targets";
import { collectWith, loopWith, type CollectorRepository, type CollectorSteps } from "@/lib/collector/run-core";
import { LOCKED_MESSAGE, collectOnce as collectOnceReal, collectorSteps } from "@/lib/collector/run";
import type { TargetRunSummary } from "@/lib/collector/types";
import { monitoredSettings, startCluster, type TestCluster } from "../support/clusters";
import { freshDatabase, testServers, withClient, type TestServer } from "../support/databases";
import { planwatch, projectRoot } from "../support/cli";

const servers = testServers();
const SECRET = "collector-run test passphrase";
const PASSWORD = `Run-Leak-Probe-${randomBytes(4).toString("hex")}`;
const captured: string[] = [];
const log = (line: string) => captured.push(line);
const opened: PrismaClient[] = [];

beforeAll(() => {
  process.env.PLANWATCH_SECRET = SECRET;
});
afterAll(async () => {
  await Promise.all(opened.map((p) => p.$disconnect()));
});

/** A new, migrated repository database, so each test sees only its own targets. */
async function freshRepository(): Promise<CollectorRepository> {
  const url = await freshDatabase(servers[0]!, "repo");
  await applyMigrations(url);
  const prisma = createPrisma(url);
  opened.push(prisma);
  return { prisma, url };
}

/** A second, independent connection to the same repository (another collector process). */
function sameRepository(repo: CollectorRepository): CollectorRepository {
  const prisma = createPrisma(repo.url);
  opened.push(prisma);
  return { prisma, url: repo.url };
}

/** A database with pg_stat_statements, a little workload, and a role with the distinctive password. */
async function monitoredDatabase(adminUrl: string): Promise<string> {
  const name = `tgt_${randomBytes(5).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${name}`;
  const role = `run_${randomBytes(4).toString("hex")}`;
  await withClient(dbUrl.toString(), async (c) => {
    await c.query("set pg_stat_statements.track_utility = off");
    await c.query(`create role ${role} login superuser password '${PASSWORD}'`);
    await c.query("create extension pg_stat_statements");
  });
  await workload(dbUrl.toString());
  dbUrl.username = role;
  dbUrl.password = PASSWORD;
  return dbUrl.toString();
}

async function workload(url: string) {
  await withClient(url, async (c) => {
    // Every statement of this session goes to the server log as a JSON plan (auto_explain).
    await c.query("set auto_explain.log_min_duration = 0");
    await c.query("set auto_explain.log_format = 'json'");
    await c.query("create table if not exists item (id int primary key, v text)");
    await c.query("insert into item select g, md5(g::text) from generate_series(1, 200) g on conflict do nothing");
    for (let i = 1; i <= 5; i++) await c.query("select * from item where id = $1", [i]);
  });
}

async function add(repo: CollectorRepository, name: string, url: string) {
  await addTarget(repo.prisma, { name, url, actor: cliActor() });
}

/** collectOnce, keeping what it returns for the password check at the end. */
async function collectOnce(...args: Parameters<typeof collectOnceReal>): Promise<TargetRunSummary[]> {
  const summaries = await collectOnceReal(...args);
  captured.push(JSON.stringify(summaries));
  return summaries;
}

const at = (iso: string) => new Date(iso);
const byName = (summaries: TargetRunSummary[], name: string) => summaries.find((s) => s.name === name);

describe.each(servers.map((s) => [s.major, s] as const))("collecting PostgreSQL %i", (_major, server: TestServer) => {
  it("snapshots a target, stores intervals on the next run and schedules the next collection", async () => {
    const repo = await freshRepository();
    const url = await monitoredDatabase(server.adminUrl);
    await add(repo, "main", url);

    const t0 = at("2030-01-01T00:00:00Z");
    const [first] = await collectOnce(repo, { now: t0, log });
    expect(first).toMatchObject({ name: "main", errors: [] });
    expect(first!.statements).toBeGreaterThan(0);

    await workload(url);
    const t1 = at("2030-01-01T00:01:00Z");
    const [second] = await collectOnce(repo, { now: t1, log });
    expect(second).toMatchObject({ name: "main", errors: [] });
    expect(second!.intervals).toBeGreaterThan(0);

    const target = await repo.prisma.target.findUniqueOrThrow({ where: { name: "main" } });
    expect(target).toMatchObject({ health: "healthy", lastError: null, consecutiveFailures: 0, lastCollectedAt: t1 });
    // The capture steps ran too: generic EXPLAINs, and the server log was read (on these stderr logs
    // without %Q, auto_explain entries cannot be matched to statements: they count as skipped).
    expect(first!.newPlans + second!.newPlans).toBeGreaterThan(0);
    const sources = await repo.prisma.planSample.groupBy({ by: ["source"], where: { plan: { statement: { targetId: target.id } } }, _count: true });
    expect(sources.map((s) => s.source)).toContain("generic_explain");
    expect(first!.skippedLogEntries + second!.skippedLogEntries + first!.samples + second!.samples).toBeGreaterThan(0);
    expect(target.nextCollectAt).toEqual(at("2030-01-01T00:02:00Z"));
    // The alerts step ran after the snapshot: verdicts of the ranked statements are on record.
    expect(await repo.prisma.alertState.findUnique({ where: { targetId: target.id } })).not.toBeNull();
    expect(await repo.prisma.statementVerdict.count({ where: { statement: { targetId: target.id } } })).toBeGreaterThan(0);
    // Not due yet: nothing to do.
    expect(await collectOnce(repo, { now: at("2030-01-01T00:01:30Z"), log })).toEqual([]);

    // Each collection validates plans: one that reads an index that is gone becomes invalid.
    const plans = await repo.prisma.plan.findMany({ where: { statement: { targetId: target.id } }, select: { id: true, plan: true, valid: true } });
    const readsPkey = plans.filter((p) => JSON.stringify(p.plan).includes('"item_pkey"')).map((p) => p.id);
    expect(readsPkey.length).toBeGreaterThan(0);
    expect(plans.every((p) => p.valid)).toBe(true);
    await withClient(url, (c) => c.query("alter table item drop constraint item_pkey"));
    const [third] = await collectOnce(repo, { now: at("2030-01-01T00:02:00Z"), log });
    expect(third).toMatchObject({ name: "main", errors: [] });
    const after = await repo.prisma.plan.findMany({ where: { id: { in: readsPkey } }, select: { valid: true } });
    expect(after.map((p) => p.valid)).toEqual(readsPkey.map(() => false));
  });
});

describe("a target that goes down and comes back", () => {
  let cluster: TestCluster;
  let restarted: PostgresServer | undefined;
  beforeAll(async () => {
    // jsonlog: auto_explain entries carry query ids, so plans are captured once it is back.
    cluster = await startCluster(await embeddedBinaries(), { ...monitoredSettings, log_destination: "jsonlog" });
  });
  afterAll(async () => {
    await restarted?.stop();
    await cluster?.dispose();
  });

  it("is marked unhealthy with its error and backed off while the others still collect, then recovers", async () => {
    const repo = await freshRepository();
    const flakyUrl = await monitoredDatabase(cluster.server.url());
    await add(repo, "flaky", flakyUrl);
    await add(repo, "steady", await monitoredDatabase(servers[0]!.adminUrl));
    await cluster.server.stop();

    const t0 = at("2030-02-01T00:00:00Z");
    const down = await collectOnce(repo, { now: t0, log });
    const port = new URL(flakyUrl).port;
    const database = new URL(flakyUrl).pathname.slice(1);
    expect(byName(down, "flaky")!.errors).toEqual([expect.stringMatching(new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}/${database}: `))]);
    expect(byName(down, "steady")).toMatchObject({ errors: [] });
    expect(byName(down, "steady")!.statements).toBeGreaterThan(0);

    let flaky = await repo.prisma.target.findUniqueOrThrow({ where: { name: "flaky" } });
    expect(flaky).toMatchObject({ health: "unhealthy", consecutiveFailures: 1, lastCollectedAt: null });
    expect(flaky.lastError).toMatch(/^cannot connect to 127\.0\.0\.1/);
    expect(flaky.nextCollectAt).toEqual(at("2030-02-01T00:02:00Z"));

    // Still down: the delay doubles.
    await collectOnce(repo, { now: at("2030-02-01T00:02:00Z"), log });
    flaky = await repo.prisma.target.findUniqueOrThrow({ where: { name: "flaky" } });
    expect(flaky).toMatchObject({ consecutiveFailures: 2, nextCollectAt: at("2030-02-01T00:06:00Z") });
    captured.push(flaky.lastError ?? "");

    restarted = await PostgresServer.start(cluster.server.options);
    const up = await collectOnce(repo, { target: "flaky", now: at("2030-02-01T00:03:00Z"), log });
    expect(up).toEqual([expect.objectContaining({ name: "flaky", errors: [] })]);
    flaky = await repo.prisma.target.findUniqueOrThrow({ where: { name: "flaky" } });
    expect(flaky).toMatchObject({ health: "healthy", consecutiveFailures: 0, lastError: null, nextCollectAt: at("2030-02-01T00:04:00Z") });

    // Back to normal: executed plans arrive through the server log again.
    await workload(flakyUrl);
    const [next] = await collectOnce(repo, { target: "flaky", now: at("2030-02-01T00:04:00Z"), log });
    expect(next).toMatchObject({ errors: [] });
    const autoExplained = await repo.prisma.planSample.count({ where: { source: "auto_explain", plan: { statement: { targetId: flaky.id } } } });
    expect(autoExplained).toBeGreaterThan(0);
  });
});

describe("a repository that goes away and comes back", () => {
  let cluster: TestCluster;
  let restarted: PostgresServer | undefined;
  beforeAll(async () => {
    cluster = await startCluster(await embeddedBinaries());
  });
  afterAll(async () => {
    await restarted?.stop();
    await cluster?.dispose();
  });

  it("does not stop the loop: it says so once, then collects again", async () => {
    await cluster.server.ensureDatabase("repo");
    const url = cluster.server.url("repo");
    await applyMigrations(url);
    const prisma = createPrisma(url);
    opened.push(prisma);
    const repo = { prisma, url };
    await add(repo, "kept", await monitoredDatabase(servers[0]!.adminUrl));

    const lines: string[] = [];
    const runs: TargetRunSummary[] = [];
    const controller = new AbortController();
    const until = async (what: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(what()).toBe(true);
    };
    const loop = loopWith(repo, collectorSteps, { signal: controller.signal, log: (l) => lines.push(l), pollMs: 200, onRun: (r) => runs.push(r) });
    try {
      await until(() => runs.length === 1);
      await cluster.server.stop();
      await until(() => lines.some((l) => l.startsWith("collector: cannot read targets from the repository (retrying)")));
      restarted = await PostgresServer.start(cluster.server.options);
      await until(() => lines.includes("collector: the repository answers again"));
      await prisma.target.update({ where: { name: "kept" }, data: { nextCollectAt: null } });
      await until(() => runs.length === 2);
    } finally {
      controller.abort();
      await loop;
    }
    expect(runs.map((r) => r.errors)).toEqual([[], []]);
    expect(lines.filter((l) => l.includes("cannot read targets"))).toHaveLength(1);
  });
});

describe("two collectors at once", () => {
  it("two `planwatch collect` processes share the targets: every target keeps collecting, no window is collected twice", async () => {
    const repo = await freshRepository();
    const names = ["p1", "p2", "p3"];
    for (const name of names) await add(repo, name, await monitoredDatabase(servers.at(-1)!.adminUrl));
    await repo.prisma.target.updateMany({ data: { collectIntervalSeconds: 1 } });
    const env = { ...process.env, DATABASE_URL: repo.url, PLANWATCH_SECRET: SECRET };
    const start = () => {
      // Node itself with tsx as a loader, not the tsx binary: the binary relays SIGTERM to its child
      // and SIGKILLs it when the child does not acknowledge within 30 ms (exit 143), which a
      // collector busy with a snapshot on a loaded machine missed now and then.
      const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "cli/planwatch.ts", "collect"], { cwd: projectRoot, env });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      return { child, exited, output: () => output };
    };
    const processes = [start(), start()];
    const windowsOf = async (name: string) =>
      (await repo.prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(DISTINCT i.window_end) AS n FROM statement_interval i JOIN target t ON t.id = i.target_id WHERE t.name = ${name}`)[0]!.n;
    // Until every target has three collection windows (a few seconds; generous for a loaded machine).
    for (let waited = 0; waited < 120_000; waited += 500) {
      const counts = await Promise.all(names.map(windowsOf));
      if (counts.every((n) => n >= 3n)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const p of processes) p.child.kill("SIGTERM");
    const codes = await Promise.all(processes.map((p) => p.exited));
    expect(codes, processes.map((p) => p.output()).join("\n----\n")).toEqual([0, 0]);
    for (const name of names) expect(await windowsOf(name)).toBeGreaterThanOrEqual(3n);
    // Consecutive snapshots of a target tile time: each interval starts where the statement's previous
    // one ended. Two collectors snapshotting one target at once would overlap (and double count).
    const overlaps = await repo.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM (
        SELECT window_start < lag(window_end) OVER (PARTITION BY statement_id ORDER BY window_end) AS overlap FROM statement_interval) w
       WHERE overlap`;
    expect(overlaps[0]!.n).toBe(0n);
    for (const p of processes) expect(p.output()).toMatch(/collecting from .* until Ctrl-C/);
    expect(processes.map((p) => p.output()).join("\n")).not.toContain(PASSWORD);
  }, 180_000);

  it("collect each target exactly once: the other reports it locked, and no interval is doubled", async () => {
    const repo = await freshRepository();
    const url = await monitoredDatabase(servers.at(-1)!.adminUrl);
    await add(repo, "shared", url);
    await collectOnce(repo, { now: at("2030-03-01T00:00:00Z"), log });
    await workload(url);

    // A slower snapshot keeps the first collector inside its run while the second one tries.
    const slow: CollectorSteps = {
      ...collectorSteps,
      snapshot: async (ctx) => {
        await new Promise((r) => setTimeout(r, 500));
        return collectorSteps.snapshot(ctx);
      },
    };
    const other = sameRepository(repo);
    const now = at("2030-03-01T00:01:00Z");
    const results = await Promise.all([
      collectWith(repo, slow, { target: "shared", now, log }),
      collectWith(other, slow, { target: "shared", now, log }),
    ]);
    const summaries = results.flat();
    expect(summaries).toHaveLength(2);
    expect(summaries.filter((s) => s.errors.length === 0)).toHaveLength(1);
    expect(summaries.filter((s) => s.errors.length === 1 && s.errors[0] === LOCKED_MESSAGE)).toHaveLength(1);

    const duplicates = await repo.prisma.$queryRaw<{ n: bigint }[]>`
      select count(*) as n from (select statement_id, window_end from statement_interval group by 1, 2 having count(*) > 1) d`;
    expect(Number(duplicates[0]!.n)).toBe(0);
    const windows = await repo.prisma.statementInterval.findMany({ distinct: ["windowEnd"], select: { windowEnd: true } });
    expect(windows.map((w) => w.windowEnd)).toEqual([now]);

    // Due-target runs started together: one collects, the other finds it locked or already done.
    const later = at("2030-03-01T00:02:00Z");
    const due = (await Promise.all([collectWith(repo, slow, { now: later, log }), collectWith(other, slow, { now: later, log })])).flat();
    expect(due.filter((s) => s.errors.length === 0)).toHaveLength(1);
  });
});

describe("step failures", () => {
  it("are recorded per step; later steps still run and the target stays healthy", async () => {
    const repo = await freshRepository();
    await add(repo, "partial", await monitoredDatabase(servers[0]!.adminUrl));
    const calls: string[] = [];
    const steps: CollectorSteps = {
      snapshot: async () => {
        calls.push("snapshot");
        throw new Error("boom");
      },
      autoExplain: async () => {
        calls.push("autoExplain");
        return { newPlans: 0, samples: 2, skippedLogEntries: 1 };
      },
      genericPlans: async () => {
        calls.push("genericPlans");
        return { newPlans: 3, samples: 3, skippedLogEntries: 0 };
      },
    };
    const [summary] = await collectWith(repo, steps, { target: "partial", log });
    // auto_explain is loaded and the server log readable on the test servers: its step runs too.
    expect(calls).toEqual(["snapshot", "autoExplain", "genericPlans"]);
    expect(summary).toMatchObject({ errors: ["snapshot: boom"], newPlans: 3, samples: 5, skippedLogEntries: 1 });
    const target = await repo.prisma.target.findUniqueOrThrow({ where: { name: "partial" } });
    expect(target).toMatchObject({ health: "healthy", lastError: "snapshot: boom", consecutiveFailures: 0 });
  });

  it("make a target that lost pg_stat_statements unhealthy, with the command that fixes it", async () => {
    const repo = await freshRepository();
    const url = await monitoredDatabase(servers[0]!.adminUrl);
    await add(repo, "dropped", url);
    await withClient(url, (c) => c.query("drop extension pg_stat_statements"));
    const [summary] = await collectOnce(repo, { target: "dropped", log });
    expect(summary!.errors).toEqual([expect.stringMatching(/extension is not created in database tgt_\w+: run CREATE EXTENSION pg_stat_statements/)]);
    expect(await repo.prisma.target.findUniqueOrThrow({ where: { name: "dropped" } })).toMatchObject({ health: "unhealthy", consecutiveFailures: 1 });
  });
});

describe("the loop", () => {
  it("collects due targets until aborted, then returns", async () => {
    const repo = await freshRepository();
    await add(repo, "looped", await monitoredDatabase(servers[0]!.adminUrl));
    const controller = new AbortController();
    const runs: TargetRunSummary[] = [];
    const loop = loopWith(repo, collectorSteps, { signal: controller.signal, log, pollMs: 200, onRun: (s) => runs.push(s) });
    const deadline = Date.now() + 30_000;
    while (runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await loop;
    expect(runs).toEqual([expect.objectContaining({ name: "looped", errors: [] })]);
    const target = await repo.prisma.target.findUniqueOrThrow({ where: { name: "looped" } });
    expect(target.lastCollectedAt).not.toBeNull();
  });
});

describe("planwatch collect --once", () => {
  async function cli(args: string[], env: Record<string, string>) {
    const result = await planwatch(args, env);
    captured.push(result.stdout, result.stderr);
    return result;
  }

  it("prints the JSON contract and exits non-zero when a target failed; a table otherwise", async () => {
    const repo = await freshRepository();
    await add(repo, "good", await monitoredDatabase(servers[0]!.adminUrl));
    const env = { DATABASE_URL: repo.url, PLANWATCH_SECRET: SECRET };
    const table = await cli(["collect", "--once"], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^TARGET +STATEMENTS +INTERVALS +NEW PLANS +SAMPLES +SKIPPED LOG +MS +ERRORS\ngood +\d+ +\d+ +\d+ +\d+ +\d+ +\d+ +-\n$/);

    // A target whose server is gone (its database dropped) fails; the command says so.
    const goneUrl = await monitoredDatabase(servers[0]!.adminUrl);
    await add(repo, "gone", goneUrl);
    await withClient(servers[0]!.adminUrl, (c) => c.query(`drop database ${new URL(goneUrl).pathname.slice(1)} with (force)`));
    const json = await cli(["collect", "--once", "--json"], env);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { targets: TargetRunSummary[] };
    expect(Object.keys(parsed)).toEqual(["targets"]);
    expect(parsed.targets.map((t) => t.name)).toEqual(["gone"]);
    expect(Object.keys(parsed.targets[0]!)).toEqual(["name", "statements", "intervals", "newPlans", "samples", "skippedLogEntries", "durationMs", "errors"]);
    expect(parsed.targets[0]!.errors[0]).toMatch(/^cannot connect to 127\.0\.0\.1:\d+\/tgt_\w+: .*does not exist/);

    const named = await cli(["collect", "--once", "--target", "good", "--json"], env);
    expect(named.code, named.stderr).toBe(0);
    expect((JSON.parse(named.stdout) as { targets: TargetRunSummary[] }).targets).toEqual([expect.objectContaining({ name: "good", errors: [] })]);
  });
});

describe("the password", () => {
  it("never appears in run logs, summaries, CLI output or stored errors", () => {
    expect(captured.length).toBeGreaterThan(5);
    for (const text of captured) expect(text).not.toContain(PASSWORD);
  });
});
