// npm run bench:collect — how long one pg_stat_statements snapshot takes (read + delta + store) with
// 5,000 distinct statements, against a floor and a peer. (What a collection loop costs the target is
// bench:overhead, bench/collector-overhead-bench.ts.)
// Prints a table; asserts nothing (machines vary). Timings are medians of BENCH_RUNS runs (default 5)
// with the load average of the machine before and after: on a shared machine, compare ratios taken
// in the same run, not absolute numbers across runs.
//
// Targets (issue 4): a snapshot ≤ 3× the COPY floor and ≤ PoWA's powa_take_snapshot().
//
// - Server: Debian's PostgreSQL 15 (pgbench and the postgresql-15-powa package are built for it),
//   else the embedded 18 without PoWA (bench/support/collect-target.ts). pg_stat_statements.max =
//   10000. The repository database lives on the same server for the timings, as PoWA's does: both
//   pay for their writes there.
// - Floor (what the ratio divides by): COPY … FROM STDIN, in this process over the pg client's
//   connection (a minimal copy-in submittable: pg-copy-streams is not installed), of one row per
//   statement of the snapshot (its cumulative counters, as read, no delta computed) into a LOGGED
//   table shaped like statement_interval WITH its indexes (LIKE … INCLUDING DEFAULTS INCLUDING
//   INDEXES: id from the sequence, unique (statement_id, window_start), (target_id, window_end),
//   (statement_id, window_end)), no foreign keys. Each run is a new window, so the table grows as the
//   real one does. Shown alongside, not used for the ratio: the same COPY into statement_interval
//   itself (its foreign keys checked, rolled back), psql's \copy of the same rows with psql's
//   start-up (measured apart, `psql -c 'SELECT 1'`) subtracted, and one INSERT … SELECT FROM unnest.
// - PoWA: powa_take_snapshot() in its own database on the same server, skipped with a note when the
//   extension is not installed (apt-get install -y postgresql-15-powa).
import { existsSync } from "node:fs";
import pg from "pg";
import { pgssShape, readPgss } from "../lib/collector/snapshot-read";
import { createPrisma } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { ensureDatabase } from "../lib/db/postgres-server";
import type { TestCluster } from "../test/support/clusters";
import { databaseUrl } from "../test/support/databases";
import { collectBase, connect, runAll, startBenchTarget, timedCollect, type Capabilities } from "./support/collect-target";
import { runProcess } from "./support/process";
import { BenchResults, verdict } from "./support/results";
import { elapsedMs as ms, loadAverage, median } from "./support/stats";

const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COPY_RATIO_TARGET = 3;
const POWA_RATIO_TARGET = 1;

const fmt = (x: number) => x.toFixed(1).padStart(9);
const rows: [string, string, string][] = [];
const note = (what: string, value: string, comment = "") => {
  rows.push([what, value, comment]);
  console.error(`  ${what}: ${value} ${comment}`);
};

/** The step timings of collectSnapshot's progress line ("… (ms: read 12, lock 1, …)"). */
function stepTimes(line: string | undefined): Record<string, number> {
  const match = /\(ms: ([^)]*)\)$/.exec(line ?? "");
  if (!match) return {};
  return Object.fromEntries(match[1]!.split(", ").map((part) => [part.split(" ")[0]!, Number(part.split(" ")[1])]));
}

function stepMedians(lines: string[]): string {
  const steps: Record<string, number[]> = {};
  for (const line of lines) for (const [step, value] of Object.entries(stepTimes(line))) (steps[step] ??= []).push(value);
  return Object.entries(steps).map(([step, values]) => `${step} ${median(values).toFixed(0)}`).join(", ");
}

/**
 * COPY … FROM STDIN over a pg client's own connection: the query protocol's copy-in sub-protocol,
 * as pg-copy-streams does it (client.query() accepts any object with submit() and the handlers).
 */
function copyIn(c: pg.Client, sql: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let error: Error | null = null;
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        const bytes = Buffer.from(data);
        for (let at = 0; at < bytes.length; at += 1 << 16) connection.sendCopyFromChunk(bytes.subarray(at, at + (1 << 16)));
        connection.endCopyFrom();
      },
      handleError(err: Error) {
        error = err;
      },
      handleReadyForQuery() {
        if (error) reject(error);
        else resolve();
      },
      handleCommandComplete() {},
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    };
    c.query(submittable as unknown as pg.QueryConfig);
  });
}

/** One row per statement of a snapshot, as read (cumulative counters): what the floor COPYs. */
async function floorRows(target: pg.Client, capabilities: Capabilities) {
  const snapshot = await readPgss(target, await pgssShape(target, capabilities));
  return snapshot.entries.map((e, i) => ({
    statementId: BigInt(i + 1),
    values: [
      e.counters.calls, e.counters.totalExecMs, e.counters.totalExecMs / Number(e.counters.calls), e.counters.sumSquaresExecMs2, e.counters.totalPlanMs ?? 0,
      e.counters.plans ?? 0n, e.counters.rows, e.counters.sharedHitBlocks, e.counters.sharedReadBlocks, e.counters.tempReadBlocks,
      e.counters.tempWrittenBlocks,
    ],
  }));
}

const INTERVAL_COLUMNS = `target_id, statement_id, window_start, window_end, calls, total_exec_ms, mean_exec_ms, exec_variance_ms2, total_plan_ms, plans,
  rows, shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks`;

function floorCsv(data: Awaited<ReturnType<typeof floorRows>>, targetId: bigint, idOffset: bigint, windowStart: Date, windowEnd: Date): string {
  const start = windowStart.toISOString();
  const end = windowEnd.toISOString();
  return data.map((r) => `${targetId},${r.statementId + idOffset},${start},${end},${r.values.join(",")}`).join("\n") + "\n";
}

async function measureFloor(repoUrl: string, data: Awaited<ReturnType<typeof floorRows>>) {
  const repo = await connect(repoUrl);
  try {
    await repo.query("DROP TABLE IF EXISTS floor_interval");
    // Logged, with statement_interval's defaults (id from its sequence) and indexes; no foreign keys.
    await repo.query("CREATE TABLE floor_interval (LIKE statement_interval INCLUDING DEFAULTS INCLUDING INDEXES)");
    let window = Date.now();
    const nextWindow = () => {
      window += 10_000;
      return [new Date(window - 10_000), new Date(window)] as const;
    };
    const copies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      await copyIn(repo, `COPY floor_interval (${INTERVAL_COLUMNS}) FROM STDIN (FORMAT csv)`, floorCsv(data, 1n, 0n, ...nextWindow()));
      copies.push(ms(t0));
    }

    // Into statement_interval itself: its foreign keys need real statements (created, rolled back).
    const intoReal: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await repo.query("BEGIN");
      const target = (await repo.query<{ id: string }>(`INSERT INTO target (name, host, port, database, username, updated_at) VALUES ('floor', 'x', 1, 'x', 'x', now()) RETURNING id::text`)).rows[0]!.id;
      const first = (await repo.query<{ id: string }>(
        `WITH s AS (INSERT INTO statement (target_id, query_id, db_id, user_id, query_text) SELECT $1::bigint, g, 1, 1, '' FROM generate_series(1, $2::int) AS g RETURNING id)
         SELECT min(id)::text AS id FROM s`,
        [target, data.length],
      )).rows[0]!.id;
      const t0 = process.hrtime.bigint();
      await copyIn(repo, `COPY statement_interval (${INTERVAL_COLUMNS}) FROM STDIN (FORMAT csv)`, floorCsv(data, BigInt(target), BigInt(first) - 1n, ...nextWindow()));
      intoReal.push(ms(t0));
      await repo.query("ROLLBACK");
    }

    // psql's \copy of the same rows, minus psql's own start-up measured apart.
    const psqlCopies: number[] = [];
    const psqlStarts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const csv = floorCsv(data, 1n, 0n, ...nextWindow());
      let t0 = process.hrtime.bigint();
      const out = await runProcess("psql", [repoUrl, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `\\copy floor_interval (${INTERVAL_COLUMNS.replaceAll("\n", " ")}) FROM STDIN WITH (FORMAT csv)`], csv);
      psqlCopies.push(ms(t0));
      if (out.code !== 0) throw new Error(`psql \\copy failed: ${out.stderr}`);
      t0 = process.hrtime.bigint();
      await runProcess("psql", [repoUrl, "-X", "-q", "-c", "SELECT 1"], null);
      psqlStarts.push(ms(t0));
    }

    const inserts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [start, end] = nextWindow();
      const t0 = process.hrtime.bigint();
      const col = (k: number) => `{${data.map((r) => String(r.values[k])).join(",")}}`;
      await repo.query(
        `INSERT INTO floor_interval (${INTERVAL_COLUMNS})
         SELECT 1, r.statement_id, $1::timestamptz, $2::timestamptz, r.c0, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8, r.c9, r.c10
           FROM unnest($3::int8[], $4::int8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], $13::int8[], $14::int8[])
             AS r(statement_id, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)`,
        [start, end, `{${data.map((r) => String(r.statementId)).join(",")}}`, ...Array.from({ length: 11 }, (_, k) => col(k))],
      );
      inserts.push(ms(t0));
    }
    return { copyMs: median(copies), copies, intoRealMs: median(intoReal), psqlCopyMs: median(psqlCopies), psqlStartMs: median(psqlStarts), insertMs: median(inserts) };
  } finally {
    await repo.query("DROP TABLE IF EXISTS floor_interval").catch(() => undefined);
    await repo.end();
  }
}

async function measurePowa(cluster: TestCluster, statements: string[], workload: pg.Client) {
  if (cluster.server.major !== 15 || !existsSync("/usr/share/postgresql/15/extension/powa.control")) {
    note("PoWA powa_take_snapshot()", "skipped", "(postgresql-15-powa not installed: apt-get install -y postgresql-15-powa)");
    return null;
  }
  await ensureDatabase(cluster.server.url(), "powa");
  const powa = await connect(cluster.server.url("powa"));
  try {
    await powa.query("CREATE EXTENSION IF NOT EXISTS btree_gist");
    await powa.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await powa.query("CREATE EXTENSION IF NOT EXISTS powa");
    const version = (await powa.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'powa'")).rows[0]?.v;
    const times: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      if (i > 0) await runAll(workload, statements);
      const t0 = process.hrtime.bigint();
      await powa.query("SELECT powa_take_snapshot()");
      times.push(ms(t0));
    }
    const stored = (await powa.query<{ n: string }>("SELECT count(*)::text AS n FROM powa_statements")).rows[0]?.n;
    return { version, firstMs: times[0]!, deltaMs: median(times.slice(1)), deltas: times.slice(1), stored };
  } finally {
    await powa.end();
  }
}

async function main() {
  const results = new BenchResults("bench:collect");
  const bench = await startBenchTarget(STATEMENTS);
  const { binaries, cluster, target, workload, statements, capabilities } = bench;
  results.fact("PostgreSQL (target and repository)", String(binaries.major));
  console.error(`bench:collect — PostgreSQL ${binaries.major}, ${STATEMENTS} statements`);
  try {
    await ensureDatabase(cluster.server.url(), "bench_repo");
    const repoUrl = databaseUrl(cluster.server.url(), "bench_repo");
    await applyMigrations(repoUrl);
    const repo = createPrisma(repoUrl);
    const inPgss = (await target.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_statements")).rows[0]?.n;
    note("statements in pg_stat_statements", String(inPgss));

    const progress: string[] = [];
    const session = await connect(repoUrl);
    const ctxBase = await collectBase(repo, session, bench, (line: string) => {
      progress.push(line);
      if (process.env.BENCH_VERBOSE) console.error(`    ${line}`);
    });
    note("load average before", loadAverage(), "(/proc/loadavg: 1, 5, 15 min)");

    const shape = await pgssShape(target, capabilities);
    const reads: number[] = [];
    let read = await readPgss(target, shape);
    for (let i = 0; i < RUNS; i++) {
      const t0 = process.hrtime.bigint();
      read = await readPgss(target, shape);
      reads.push(ms(t0));
    }
    note("read pg_stat_statements only (ms)", fmt(median(reads)), `median of ${RUNS}; ${read.entries.length} statements`);

    const first = await timedCollect(ctxBase);
    note("collect #1: first sight (ms)", fmt(first.ms), `${first.result.statements} statements, ${first.result.intervals} intervals; ${stepMedians(progress.slice(-1))}`);
    // The statements this bench itself ran on the target since (count(*) of pg_stat_statements and
    // the like) are new to the next collections, which then fetch query texts (one read of the
    // server's whole text file): shown apart, measured once pg_stat_statements stops growing.
    let last = first.result;
    const warmUps: number[] = [];
    for (let i = 0; i < 5; i++) {
      await runAll(workload, statements);
      const run = await timedCollect(ctxBase);
      warmUps.push(run.ms);
      const settled = run.result.statements === last.statements;
      last = run.result;
      if (settled) break;
    }
    note("  warm-up collects (ms)", warmUps.map((w) => w.toFixed(0)).join(", "), "until pg_stat_statements holds no statement the collector has not seen");
    const deltas: number[] = [];
    const deltaLines: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      await runAll(workload, statements);
      const run = await timedCollect(ctxBase);
      deltas.push(run.ms);
      deltaLines.push(progress.at(-1) ?? "");
      last = run.result;
    }
    note("collect with deltas (ms)", fmt(median(deltas)), `median of ${deltas.map((d) => d.toFixed(0)).join(", ")}; ${last.intervals} intervals`);
    results.add("snapshot with deltas", median(deltas), "ms", { note: `median of ${RUNS}; ${last.intervals} intervals` });
    note("  steps, medians (ms)", "", stepMedians(deltaLines));
    const idle = await timedCollect(ctxBase);
    note("collect: nothing ran since (ms)", fmt(idle.ms), `${idle.result.intervals} intervals; ${stepMedians(progress.slice(-1))}`);
    note("load average", loadAverage());

    const floor = await measureFloor(repoUrl, await floorRows(target, capabilities));
    note("floor: COPY FROM STDIN in-process (ms)", fmt(floor.copyMs), `median of ${floor.copies.map((c) => c.toFixed(0)).join(", ")}; ${read.entries.length} rows into a logged copy of statement_interval with its indexes, no FKs`);
    note("  COPY into statement_interval, FKs checked (ms)", fmt(floor.intoRealMs), `median of ${RUNS}, rolled back (not the floor)`);
    note("  psql \\copy − psql start-up (ms)", fmt(floor.psqlCopyMs - floor.psqlStartMs), `${floor.psqlCopyMs.toFixed(0)} − ${floor.psqlStartMs.toFixed(0)} (medians of ${RUNS}; cross-check)`);
    note("  one INSERT … unnest, same table (ms)", fmt(floor.insertMs), `median of ${RUNS}`);
    const vsCopy = results.add("snapshot ÷ COPY floor", median(deltas) / floor.copyMs, "×", { target: COPY_RATIO_TARGET, note: `COPY floor ${floor.copyMs.toFixed(0)} ms` });
    note("collect with deltas ÷ COPY", `${vsCopy.value!.toFixed(2)}×`, `(target ≤ ${COPY_RATIO_TARGET}×: ${verdict(vsCopy)})`);
    note("first collect ÷ COPY", `${(first.ms / floor.copyMs).toFixed(2)}×`);
    note("collect with deltas ÷ COPY with FKs", `${(median(deltas) / floor.intoRealMs).toFixed(2)}×`);

    const powa = await measurePowa(cluster, statements, workload);
    if (powa) {
      note(`PoWA ${powa.version} powa_take_snapshot() first (ms)`, fmt(powa.firstMs));
      note(`PoWA ${powa.version} powa_take_snapshot() with deltas (ms)`, fmt(powa.deltaMs), `median of ${powa.deltas.map((d) => d.toFixed(0)).join(", ")}; ${powa.stored} statements in powa_statements`);
      const vsPowa = results.add("snapshot ÷ PoWA snapshot", median(deltas) / powa.deltaMs, "×", { target: POWA_RATIO_TARGET, note: `PoWA ${powa.version} ${powa.deltaMs.toFixed(0)} ms` });
      note("collect with deltas ÷ PoWA", `${vsPowa.value!.toFixed(2)}×`, `(target ≤ ${POWA_RATIO_TARGET}×: ${verdict(vsPowa)})`);
    } else {
      results.skip("snapshot ÷ PoWA snapshot", "×", "postgresql-15-powa not installed", POWA_RATIO_TARGET);
    }
    note("load average after", loadAverage());

    await Promise.all([repo.$disconnect(), session.end()]);
  } finally {
    await bench.dispose();
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nbench:collect (PostgreSQL ${binaries.major}, ${STATEMENTS} distinct statements)`);
  for (const [what, value, comment] of rows) console.log(`${what.padEnd(width)}  ${value.trim().padStart(14)}  ${comment}`);
  await results.write();
}

await main();
