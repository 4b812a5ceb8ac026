// npm run bench:collect — how long one pg_stat_statements snapshot takes (read + delta + store) with
// 5,000 distinct statements, against a floor and a peer, and what a collection loop costs the target.
// Prints a table; asserts nothing (machines vary).
//
// Targets (issue 4): a snapshot ≤ 3× the COPY floor and ≤ PoWA's powa_take_snapshot(); pgbench
// throughput loss ≤ 1 % with a collection every 10 s.
//
// - Server: Debian's PostgreSQL 15 (pgbench and the postgresql-15-powa package are built for it),
//   else the embedded 18 without PoWA and pgbench. pg_stat_statements.max = 10000. The repository
//   database lives on the same server for the timings, as PoWA's does: both pay for their writes
//   there. The pgbench overhead loop writes to a repository on a second server instead.
// - Floor: psql's `\copy … FROM STDIN (FORMAT csv)` of the same rows (ids + counters: what a
//   snapshot must persist at the least) into an unlogged table, timed from spawning psql to its exit
//   (pg-copy-streams is not installed; psql is the real COPY protocol). A single
//   INSERT … SELECT FROM unnest of the same rows is shown too, as the floor without a process spawn.
// - PoWA: powa_take_snapshot() in its own database on the same server, skipped with a note when the
//   extension is not installed (apt-get install -y postgresql-15-powa).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import pg from "pg";
import { collectSnapshot } from "../lib/collector/snapshot";
import { pgssShape, readPgss } from "../lib/collector/snapshot-read";
import type { CollectContext, SnapshotResult } from "../lib/collector/types";
import { createPrisma } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { embeddedBinaries, ensureDatabase, systemBinaries } from "../lib/db/postgres-server";
import { monitoredSettings, startCluster, type TestCluster } from "../test/support/clusters";
import { databaseUrl } from "../test/support/databases";
import { detectCapabilities } from "../test/support/snapshot-harness";

const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 5000);
const TABLES = 50;
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 20);
const LOOP_INTERVAL_MS = 10_000;

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (x: number) => x.toFixed(1).padStart(9);
const rows: [string, string, string][] = [];
const note = (what: string, value: string, comment = "") => {
  rows.push([what, value, comment]);
  console.error(`  ${what}: ${value} ${comment}`);
};

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** STATEMENTS distinct normalized statements: one column of one table each. */
async function createWorkload(c: pg.Client): Promise<string[]> {
  const columns = Math.ceil(STATEMENTS / TABLES);
  const cols = Array.from({ length: columns }, (_, i) => `c${i} int`).join(", ");
  for (let t = 0; t < TABLES; t++) await c.query(`CREATE TABLE IF NOT EXISTS t${t} (${cols})`);
  return Array.from({ length: STATEMENTS }, (_, i) => `SELECT c${Math.floor(i / TABLES)} FROM t${i % TABLES} WHERE c${Math.floor(i / TABLES)} = 1`);
}

async function runAll(c: pg.Client, statements: string[]) {
  for (const s of statements) await c.query(s);
}

async function timedCollect(ctxBase: Omit<CollectContext, "now">): Promise<{ ms: number; result: SnapshotResult }> {
  const t0 = process.hrtime.bigint();
  const result = await collectSnapshot({ ...ctxBase, now: new Date() });
  return { ms: ms(t0), result };
}

function runProcess(cmd: string, args: string[], input: string | null, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** The snapshot's rows as the floor writes them: keys and counters, 16 columns. */
async function floorRows(target: pg.Client, capabilities: Awaited<ReturnType<typeof detectCapabilities>>) {
  const snapshot = await readPgss(target, await pgssShape(target, capabilities));
  return snapshot.entries.map((e) => [
    e.userId, e.dbId, e.queryId, e.counters.calls, e.counters.totalExecMs, e.counters.sumSquaresExecMs2, e.counters.totalPlanMs ?? 0,
    e.counters.plans ?? 0n, e.counters.rows, e.counters.sharedHitBlocks, e.counters.sharedReadBlocks, e.counters.tempReadBlocks,
    e.counters.tempWrittenBlocks, e.queryText,
  ] as const);
}

const FLOOR_TABLE = `CREATE UNLOGGED TABLE IF NOT EXISTS floor_copy (user_id int8, db_id int8, query_id int8, calls int8, total_exec_ms float8,
  sum_squares_exec_ms2 float8, total_plan_ms float8, plans int8, rows int8, shared_hit_blocks int8, shared_read_blocks int8,
  temp_read_blocks int8, temp_written_blocks int8, query_text text)`;

const csvField = (v: string | number | bigint) => (typeof v === "string" ? `"${v.replaceAll('"', '""')}"` : String(v));

async function measureFloor(repoUrl: string, data: Awaited<ReturnType<typeof floorRows>>) {
  const repo = await client(repoUrl);
  try {
    await repo.query(FLOOR_TABLE);
    await repo.query("TRUNCATE floor_copy");
    const copies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const csv = data.map((r) => r.map(csvField).join(",")).join("\n") + "\n";
      const out = await runProcess("psql", [repoUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\copy floor_copy FROM STDIN WITH (FORMAT csv)"], csv);
      copies.push(ms(t0));
      if (out.code !== 0) throw new Error(`psql \\copy failed: ${out.stderr}`);
    }
    const inserts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const col = (k: number) => data.map((r) => (typeof r[k] === "bigint" ? String(r[k]) : r[k]));
      await repo.query(
        `INSERT INTO floor_copy SELECT * FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::float8[], $6::float8[], $7::float8[],
           $8::int8[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], $13::int8[], $14::text[])`,
        Array.from({ length: 14 }, (_, k) => col(k)),
      );
      inserts.push(ms(t0));
    }
    const t0 = process.hrtime.bigint();
    await runProcess("psql", [repoUrl, "-X", "-q", "-c", "SELECT 1"], null);
    return { copyMs: Math.min(...copies), insertMs: Math.min(...inserts), psqlStartMs: ms(t0) };
  } finally {
    await repo.end();
  }
}

async function measurePowa(cluster: TestCluster, statements: string[], workload: pg.Client) {
  if (cluster.server.major !== 15 || !existsSync("/usr/share/postgresql/15/extension/powa.control")) {
    note("PoWA powa_take_snapshot()", "skipped", "(postgresql-15-powa not installed: apt-get install -y postgresql-15-powa)");
    return null;
  }
  await ensureDatabase(cluster.server.url(), "powa");
  const powa = await client(cluster.server.url("powa"));
  try {
    await powa.query("CREATE EXTENSION IF NOT EXISTS btree_gist");
    await powa.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await powa.query("CREATE EXTENSION IF NOT EXISTS powa");
    const version = (await powa.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'powa'")).rows[0]?.v;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await runAll(workload, statements);
      const t0 = process.hrtime.bigint();
      await powa.query("SELECT powa_take_snapshot()");
      times.push(ms(t0));
    }
    const stored = (await powa.query<{ n: string }>("SELECT count(*)::text AS n FROM powa_statements")).rows[0]?.n;
    return { version, firstMs: times[0]!, deltaMs: Math.min(...times.slice(1)), stored };
  } finally {
    await powa.end();
  }
}

async function pgbenchTps(cluster: TestCluster, database: string): Promise<number> {
  const url = new URL(cluster.server.url(database));
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const args = ["-h", url.hostname, "-p", url.port, "-U", decodeURIComponent(url.username), "-n", "-c", "4", "-j", "2", "-T", String(PGBENCH_SECONDS), database];
  const out = await runProcess("/usr/lib/postgresql/15/bin/pgbench", args, null, env);
  const match = /tps = ([\d.]+)/.exec(out.stdout);
  if (out.code !== 0 || !match) throw new Error(`pgbench failed: ${out.stderr || out.stdout}`);
  return Number(match[1]);
}

async function measureOverhead(cluster: TestCluster, ctxBase: Omit<CollectContext, "now">) {
  if (!existsSync("/usr/lib/postgresql/15/bin/pgbench")) {
    note("pgbench overhead", "skipped", "(no /usr/lib/postgresql/15/bin/pgbench)");
    return;
  }
  await ensureDatabase(cluster.server.url(), "bench_pgbench");
  const url = new URL(cluster.server.url("bench_pgbench"));
  const init = await runProcess("/usr/lib/postgresql/15/bin/pgbench", ["-h", url.hostname, "-p", url.port, "-U", decodeURIComponent(url.username), "-i", "-q", "-s", "10", "bench_pgbench"], null, {
    ...process.env,
    PGPASSWORD: decodeURIComponent(url.password),
  });
  if (init.code !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  const without: number[] = [];
  const withLoop: number[] = [];
  const loopRuns: number[] = [];
  for (let round = 0; round < 2; round++) {
    without.push(await pgbenchTps(cluster, "bench_pgbench"));
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const started = Date.now();
        loopRuns.push((await timedCollect(ctxBase)).ms);
        const wait = LOOP_INTERVAL_MS - (Date.now() - started);
        for (let waited = 0; waited < wait && !stop; waited += 100) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    withLoop.push(await pgbenchTps(cluster, "bench_pgbench"));
    stop = true;
    await loop;
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  note("pgbench TPS, no collector", without.map((x) => x.toFixed(0)).join(" / "), `mean ${mean(without).toFixed(0)} (-c 4 -j 2, ${PGBENCH_SECONDS} s each)`);
  note("pgbench TPS, collection every 10 s", withLoop.map((x) => x.toFixed(0)).join(" / "), `mean ${mean(withLoop).toFixed(0)}; ${loopRuns.length} collections, median ${median(loopRuns).toFixed(0)} ms`);
  const loss = (1 - mean(withLoop) / mean(without)) * 100;
  note("throughput loss", `${loss.toFixed(2)} %`, loss <= 1 ? "(target ≤ 1 %: met)" : "(target ≤ 1 %: NOT met; see noise between rounds)");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main() {
  const binaries = systemBinaries(15) ?? (await embeddedBinaries());
  console.error(`bench:collect — PostgreSQL ${binaries.major}, ${STATEMENTS} statements`);
  const cluster = await startCluster(binaries, { ...monitoredSettings, "pg_stat_statements.max": 10000, logging_collector: "off" });
  try {
    await ensureDatabase(cluster.server.url(), "bench_target");
    await ensureDatabase(cluster.server.url(), "bench_repo");
    const repoUrl = databaseUrl(cluster.server.url(), "bench_repo");
    await applyMigrations(repoUrl);
    const repo = createPrisma(repoUrl);
    const target = await client(cluster.server.url("bench_target"));
    const workload = await client(cluster.server.url("bench_target"));
    await target.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const capabilities = await detectCapabilities(target);
    const statements = await createWorkload(workload);
    await runAll(workload, statements);
    const inPgss = (await target.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_statements")).rows[0]?.n;
    note("statements in pg_stat_statements", String(inPgss));

    const row = await repo.target.create({ data: { name: "bench", host: "127.0.0.1", port: cluster.server.port, database: "bench_target", username: "postgres", capabilities: capabilities as unknown as object } });
    const ctxBase = { repo, target: { id: row.id, name: row.name, capabilities }, client: target, log: (line: string) => (process.env.BENCH_VERBOSE ? console.error(`    ${line}`) : undefined) };

    const t0 = process.hrtime.bigint();
    const shape = await pgssShape(target, capabilities);
    const read = await readPgss(target, shape);
    note("read pg_stat_statements only (ms)", fmt(ms(t0)), `${read.entries.length} statements`);

    const first = await timedCollect(ctxBase);
    note("collect #1: first sight (ms)", fmt(first.ms), `${first.result.statements} statements, ${first.result.intervals} intervals`);
    const deltas: number[] = [];
    let last = first.result;
    for (let i = 0; i < 3; i++) {
      await runAll(workload, statements);
      const run = await timedCollect(ctxBase);
      deltas.push(run.ms);
      last = run.result;
    }
    note("collect #2–4: with deltas (ms)", fmt(median(deltas)), `median of ${deltas.map((d) => d.toFixed(0)).join(", ")}; ${last.intervals} intervals`);
    const idle = await timedCollect(ctxBase);
    note("collect: nothing ran since (ms)", fmt(idle.ms), `${idle.result.intervals} intervals`);

    const floor = await measureFloor(repoUrl, await floorRows(target, capabilities));
    note("floor: psql \\copy of the same rows (ms)", fmt(floor.copyMs), `best of 3, incl. psql start ≈ ${floor.psqlStartMs.toFixed(0)} ms`);
    note("floor: one INSERT … unnest, unlogged (ms)", fmt(floor.insertMs), "best of 3");
    const ratio = median(deltas) / floor.copyMs;
    note("collect with deltas ÷ COPY", `${ratio.toFixed(2)}×`, ratio <= 3 ? "(target ≤ 3×: met)" : "(target ≤ 3×: NOT met)");
    note("first collect ÷ COPY", `${(first.ms / floor.copyMs).toFixed(2)}×`);

    const powa = await measurePowa(cluster, statements, workload);
    if (powa) {
      note(`PoWA ${powa.version} powa_take_snapshot() first (ms)`, fmt(powa.firstMs));
      note(`PoWA ${powa.version} powa_take_snapshot() with deltas (ms)`, fmt(powa.deltaMs), `best of 2; ${powa.stored} statements in powa_statements`);
      const vsPowa = median(deltas) / powa.deltaMs;
      note("collect with deltas ÷ PoWA", `${vsPowa.toFixed(2)}×`, vsPowa <= 1 ? "(target ≤ 1×: met)" : "(target ≤ 1×: NOT met)");
    }

    // The loop writes to a repository on another server (as in production), so the target pays for
    // the read only; both servers still share this machine's CPUs.
    if (PGBENCH_SECONDS > 0) {
      const repoCluster = await startCluster(await embeddedBinaries(), { fsync: "off", synchronous_commit: "off", full_page_writes: "off" });
      try {
        await ensureDatabase(repoCluster.server.url(), "bench_repo");
        const remoteUrl = databaseUrl(repoCluster.server.url(), "bench_repo");
        await applyMigrations(remoteUrl);
        const remote = createPrisma(remoteUrl);
        const remoteRow = await remote.target.create({ data: { name: "bench", host: "127.0.0.1", port: cluster.server.port, database: "bench_target", username: "postgres" } });
        await measureOverhead(cluster, { ...ctxBase, repo: remote, target: { id: remoteRow.id, name: remoteRow.name, capabilities } });
        await remote.$disconnect();
      } finally {
        await repoCluster.dispose();
      }
    } else {
      note("pgbench overhead", "skipped", "(BENCH_PGBENCH_SECONDS=0)");
    }
    await Promise.allSettled([repo.$disconnect(), target.end(), workload.end()]);
  } finally {
    await cluster.dispose();
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nbench:collect (PostgreSQL ${binaries.major}, ${STATEMENTS} distinct statements)`);
  for (const [what, value, comment] of rows) console.log(`${what.padEnd(width)}  ${value.trim().padStart(14)}  ${comment}`);
}

await main();
