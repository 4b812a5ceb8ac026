// Throwaway PostgreSQL clusters for tests, benchmarks and fixture generation.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PostgresServer, embeddedBinaries, portIsFree, systemBinaries, type PostgresBinaries } from "../../lib/db/postgres-server";

export interface TestCluster {
  server: PostgresServer;
  dataDir: string;
  /** Server log folder (logging_collector on), relative to dataDir: "log". */
  logDir: string;
  dispose(): Promise<void>;
}

/** Settings every test cluster gets: what a monitored production server would have. */
export const monitoredSettings = {
  shared_preload_libraries: "pg_stat_statements,auto_explain",
  compute_query_id: "on",
  "pg_stat_statements.track": "all",
  "pg_stat_statements.track_planning": "on",
  logging_collector: "on",
  log_directory: "log",
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: 200,
} as const;

export async function availableBinaries(): Promise<PostgresBinaries[]> {
  const found = [await embeddedBinaries()];
  const pg15 = systemBinaries(15);
  if (pg15) found.push(pg15);
  else console.warn("PostgreSQL 15 server not found in /usr/lib/postgresql/15/bin: testing on 18 only");
  return found;
}

export async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 500; port++) if (await portIsFree(port)) return port;
  throw new Error(`no free port from ${from}`);
}

export async function startCluster(
  binaries: PostgresBinaries,
  settings: Record<string, string | number | boolean> = monitoredSettings,
): Promise<TestCluster> {
  const root = await mkdtemp(path.join(tmpdir(), `planwatch-pg${binaries.major}-`));
  const dataDir = path.join(root, "data");
  const port = await freePort(56000 + binaries.major * 10 + Math.floor(Math.random() * 200));
  const server = await PostgresServer.start({ binaries, dataDir, port, password: "test-Pa55word", settings });
  return {
    server,
    dataDir,
    logDir: path.join(dataDir, String(settings.log_directory ?? "log")),
    async dispose() {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function startTestClusters(): Promise<TestCluster[]> {
  return Promise.all((await availableBinaries()).map((b) => startCluster(b)));
}
