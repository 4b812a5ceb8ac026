// npm run bench:overhead — what a collection loop costs the monitored server: pgbench throughput
// without and with a pg_stat_statements snapshot every 10 s, on a server whose pg_stat_statements
// holds BENCH_STATEMENTS (default 5,000) distinct statements, so each snapshot reads a realistic
// amount. Prints a table; asserts nothing.
//
// Target (issue 4): throughput loss ≤ 1 %.
//
// - pgbench (Debian's PostgreSQL 15, scale 10, -c 4 -j 2, BENCH_PGBENCH_SECONDS each, default 15)
//   on the server of bench/support/collect-target.ts; skipped with a note when pgbench is missing.
// - The loop writes to a repository on a second server (embedded 18, as in production the
//   repository is elsewhere), so the target pays for the read only; both servers still share this
//   machine's CPUs, which makes the number an upper bound.
// - BENCH_PGBENCH_ROUNDS rounds (default 4) of one run without and one with the loop, in alternating
//   order (ABBA) so a drift of the machine's load hits both; the loss is the median of the per-round
//   losses, printed with their spread and the load average of each round.
// - With BENCH_OVERHEAD_PIN=1 (default when taskset exists), the machine is split in two as production
//   is: the target server and pgbench on CPU 0, this process (the collector) and the repository
//   server on CPU 1. The collector's read of pg_stat_statements still runs on the target (CPU 0),
//   which is the cost being measured; without pinning, the collector's own CPU time and the
//   repository's writes compete with pgbench for both cores and the loss is overstated.
//   Other processes on the machine are not pinned and disturb both sides alike.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createPrisma } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { embeddedBinaries, ensureDatabase } from "../lib/db/postgres-server";
import { startCluster } from "../test/support/clusters";
import { databaseUrl } from "../test/support/databases";
import { collectBase, connect, startBenchTarget, timedCollect, type BenchTarget, type CollectBase } from "./support/collect-target";
import { runProcess } from "./support/process";
import { BenchResults, verdict } from "./support/results";
import { loadAverage, median, spread } from "./support/stats";

const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 5000);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 15);
const PGBENCH_ROUNDS = Number(process.env.BENCH_PGBENCH_ROUNDS ?? 4);
const LOOP_INTERVAL_MS = 10_000;
const LOSS_TARGET_PERCENT = 1;
const PGBENCH = "/usr/lib/postgresql/15/bin/pgbench";
const PGBENCH_DB = "bench_pgbench";
const TASKSET = "/usr/bin/taskset";
const PIN = (process.env.BENCH_OVERHEAD_PIN ?? (existsSync(TASKSET) ? "1" : "0")) === "1";

/** Pins a PostgreSQL server (postmaster and its processes; later backends inherit it) to one CPU. */
async function pinServer(dataDir: string, cpu: number): Promise<void> {
  const postmaster = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]!;
  const children = (await runProcess("/usr/bin/pgrep", ["-P", postmaster], null)).stdout.split("\n").filter(Boolean);
  for (const pid of [postmaster, ...children]) await pinProcess(pid, cpu);
}

async function pinProcess(pid: string | number, cpu: number): Promise<void> {
  const out = await runProcess(TASKSET, ["-a", "-p", "-c", String(cpu), String(pid)], null);
  if (out.code !== 0) throw new Error(`taskset failed for ${pid}: ${out.stderr}`);
}

function pgbenchArgs(bench: BenchTarget, extra: string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  const url = new URL(bench.cluster.server.url(PGBENCH_DB));
  const args = ["-h", url.hostname, "-p", url.port, "-U", decodeURIComponent(url.username), ...extra, PGBENCH_DB];
  return { args, env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } };
}

async function pgbenchTps(bench: BenchTarget): Promise<number> {
  const { args, env } = pgbenchArgs(bench, ["-n", "-c", "4", "-j", "2", "-T", String(PGBENCH_SECONDS)]);
  const out = PIN ? await runProcess(TASKSET, ["-c", "0", PGBENCH, ...args], null, env) : await runProcess(PGBENCH, args, null, env);
  const match = /tps = ([\d.]+)/.exec(out.stdout);
  if (out.code !== 0 || !match) throw new Error(`pgbench failed: ${out.stderr || out.stdout}`);
  return Number(match[1]);
}

/** One pgbench run while a snapshot is taken every LOOP_INTERVAL_MS; each snapshot's time goes to `loopMs`. */
async function tpsWithCollector(bench: BenchTarget, ctxBase: CollectBase, loopMs: number[]): Promise<number> {
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const started = Date.now();
      loopMs.push((await timedCollect(ctxBase)).ms);
      const wait = LOOP_INTERVAL_MS - (Date.now() - started);
      for (let waited = 0; waited < wait && !stop; waited += 100) await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return await pgbenchTps(bench);
  } finally {
    stop = true;
    await loop;
  }
}

async function measure(bench: BenchTarget, ctxBase: CollectBase, results: BenchResults, table: [string, string, string][]) {
  await ensureDatabase(bench.cluster.server.url(), PGBENCH_DB);
  const init = pgbenchArgs(bench, ["-i", "-q", "-s", "10"]);
  const out = await runProcess(PGBENCH, init.args, null, init.env);
  if (out.code !== 0) throw new Error(`pgbench -i failed: ${out.stderr}`);
  const without: number[] = [];
  const withLoop: number[] = [];
  const losses: number[] = [];
  const loopMs: number[] = [];
  for (let round = 0; round < PGBENCH_ROUNDS; round++) {
    // ABBA: without/with, then with/without, so a steady drift of the machine hits both sides.
    const first = round % 2 === 0 ? await pgbenchTps(bench) : await tpsWithCollector(bench, ctxBase, loopMs);
    const second = round % 2 === 0 ? await tpsWithCollector(bench, ctxBase, loopMs) : await pgbenchTps(bench);
    const [a, b] = round % 2 === 0 ? [first, second] : [second, first];
    without.push(a);
    withLoop.push(b);
    losses.push((1 - b / a) * 100);
    console.error(`    pgbench round ${round + 1}: ${a.toFixed(0)} without, ${b.toFixed(0)} with (${losses.at(-1)!.toFixed(2)} %), load ${loadAverage()}`);
  }
  const runs = `-c 4 -j 2, ${PGBENCH_SECONDS} s each`;
  table.push(["pgbench TPS, no collector", median(without).toFixed(0), `median of ${PGBENCH_ROUNDS} (${spread(without)}; ${runs})`]);
  results.add("pgbench TPS, no collector", median(without), "tps", { note: `median of ${PGBENCH_ROUNDS} (${spread(without)}; ${runs})` });
  const loopNote = `median of ${PGBENCH_ROUNDS} (${spread(withLoop)}); ${loopMs.length} snapshots, median ${median(loopMs).toFixed(0)} ms`;
  table.push(["pgbench TPS, collection every 10 s", median(withLoop).toFixed(0), loopNote]);
  results.add("pgbench TPS, collection every 10 s", median(withLoop), "tps", { note: loopNote });
  const loss = median(losses);
  const noisy = Math.max(...losses) - Math.min(...losses) > 2 * Math.abs(loss);
  const row = results.add("throughput loss", loss, "%", {
    target: LOSS_TARGET_PERCENT,
    note: `median of per-round losses (${spread(losses, 2)} %)${noisy ? "; the spread exceeds the effect: noise" : ""}`,
  });
  table.push(["throughput loss", `${loss.toFixed(2)} %`, `${row.note} (target ≤ ${LOSS_TARGET_PERCENT} %: ${verdict(row)})`]);
}

async function main() {
  const results = new BenchResults("bench:overhead");
  const table: [string, string, string][] = [];
  const bench = await startBenchTarget(STATEMENTS);
  results.fact("PostgreSQL (target)", String(bench.binaries.major));
  console.error(`bench:overhead — PostgreSQL ${bench.binaries.major} target, ${STATEMENTS} statements, load ${loadAverage()}`);
  try {
    if (!existsSync(PGBENCH)) {
      results.skip("throughput loss", "%", `no ${PGBENCH}`, LOSS_TARGET_PERCENT);
      table.push(["throughput loss", "skipped", `(no ${PGBENCH})`]);
    } else {
      const repoCluster = await startCluster(await embeddedBinaries(), { fsync: "off", synchronous_commit: "off", full_page_writes: "off" });
      try {
        await ensureDatabase(repoCluster.server.url(), "bench_repo");
        const repoUrl = databaseUrl(repoCluster.server.url(), "bench_repo");
        await applyMigrations(repoUrl);
        const repo = createPrisma(repoUrl);
        if (PIN) {
          await pinServer(bench.cluster.dataDir, 0);
          await pinServer(repoCluster.dataDir, 1);
          await pinProcess(process.pid, 1);
        }
        results.fact("CPU pinning", PIN ? "target + pgbench on CPU 0, collector + repository on CPU 1" : "none");
        table.push(["CPU pinning", PIN ? "on" : "off", PIN ? "(target server + pgbench: CPU 0; collector + repository server: CPU 1)" : "(all processes share every core)"]);
        table.push(["load average before", loadAverage(), "(/proc/loadavg: 1, 5, 15 min)"]);
        const session = await connect(repoUrl);
        await measure(bench, await collectBase(repo, session, bench, () => undefined), results, table);
        table.push(["load average after", loadAverage(), ""]);
        await Promise.all([repo.$disconnect(), session.end()]);
      } finally {
        await repoCluster.dispose();
      }
    }
  } finally {
    await bench.dispose();
  }
  const width = Math.max(...table.map((r) => r[0].length));
  console.log(`\nbench:overhead (PostgreSQL ${bench.binaries.major} target, ${STATEMENTS} distinct statements, snapshot every ${LOOP_INTERVAL_MS / 1000} s)`);
  for (const [what, value, comment] of table) console.log(`${what.padEnd(width)}  ${value.padStart(14)}  ${comment}`);
  await results.write();
}

await main();
