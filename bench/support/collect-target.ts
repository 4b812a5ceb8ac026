// The monitored server both collector benches measure against: Debian's PostgreSQL 15 when present
// (pgbench and PoWA are built for it), else the embedded 18, with pg_stat_statements holding
// STATEMENTS distinct normalized statements (one column of one table each), so a snapshot reads
// as much as a busy production server's would.
import pg from "pg";
import { collectSnapshot } from "../../lib/collector/snapshot";
import type { CollectContext, SnapshotResult } from "../../lib/collector/types";
import type { PrismaClient } from "../../lib/db/client";
import { embeddedBinaries, ensureDatabase, systemBinaries, type PostgresBinaries } from "../../lib/db/postgres-server";
import { monitoredSettings, startCluster, type TestCluster } from "../../test/support/clusters";
import { detectCapabilities } from "../../test/support/snapshot-harness";
import { elapsedMs } from "./stats";

const TABLES = 50;

export type Capabilities = Awaited<ReturnType<typeof detectCapabilities>>;
export type CollectBase = Omit<CollectContext, "now">;

export interface BenchTarget {
  binaries: PostgresBinaries;
  cluster: TestCluster;
  /** The collector's connection to bench_target. */
  target: pg.Client;
  /** A second connection that runs the statements (the "application"). */
  workload: pg.Client;
  statements: string[];
  capabilities: Capabilities;
  /** Closes the connections and removes the cluster. */
  dispose(): Promise<void>;
}

export async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

export async function runAll(c: pg.Client, statements: readonly string[]): Promise<void> {
  for (const s of statements) await c.query(s);
}

/** `statementCount` distinct normalized statements: one column of one table each. */
async function createWorkload(c: pg.Client, statementCount: number): Promise<string[]> {
  const columns = Math.ceil(statementCount / TABLES);
  const cols = Array.from({ length: columns }, (_, i) => `c${i} int`).join(", ");
  for (let t = 0; t < TABLES; t++) await c.query(`CREATE TABLE IF NOT EXISTS t${t} (${cols})`);
  return Array.from({ length: statementCount }, (_, i) => `SELECT c${Math.floor(i / TABLES)} FROM t${i % TABLES} WHERE c${Math.floor(i / TABLES)} = 1`);
}

/** Starts the server, creates bench_target with the workload's tables and runs every statement once. */
export async function startBenchTarget(statementCount: number): Promise<BenchTarget> {
  const binaries = systemBinaries(15) ?? (await embeddedBinaries());
  const cluster = await startCluster(binaries, { ...monitoredSettings, "pg_stat_statements.max": 10000, logging_collector: "off" });
  try {
    await ensureDatabase(cluster.server.url(), "bench_target");
    const target = await connect(cluster.server.url("bench_target"));
    const workload = await connect(cluster.server.url("bench_target"));
    await target.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const capabilities = await detectCapabilities(target);
    const statements = await createWorkload(workload, statementCount);
    await runAll(workload, statements);
    return {
      binaries,
      cluster,
      target,
      workload,
      statements,
      capabilities,
      async dispose() {
        await Promise.allSettled([target.end(), workload.end()]);
        await cluster.dispose();
      },
    };
  } catch (err) {
    await cluster.dispose();
    throw err;
  }
}

/** Registers the bench server as a target in `repo` and returns what collectSnapshot needs (repoSession: a session on the same repository, as the collector's lock session). */
export async function collectBase(repo: PrismaClient, repoSession: pg.ClientBase, bench: BenchTarget, log: (line: string) => void): Promise<CollectBase> {
  const row = await repo.target.create({
    data: { name: "bench", host: "127.0.0.1", port: bench.cluster.server.port, database: "bench_target", username: "postgres", capabilities: bench.capabilities as unknown as object },
  });
  return { repo, repoSession, target: { id: row.id, name: row.name, capabilities: bench.capabilities }, client: bench.target, log };
}

export async function timedCollect(ctxBase: CollectBase): Promise<{ ms: number; result: SnapshotResult }> {
  const t0 = process.hrtime.bigint();
  const result = await collectSnapshot({ ...ctxBase, now: new Date() });
  return { ms: elapsedMs(t0), result };
}
