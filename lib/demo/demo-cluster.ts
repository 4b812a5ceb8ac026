// The demo's own PostgreSQL: a second cluster from the same embedded PostgreSQL 18 binaries as the
// repository, with its data in <data folder>/demo/cluster. A cluster of its own, not a database in the
// repository's cluster, because the demo changes server-level things a repository must not have:
// preloaded auto_explain logging sampled plans, a jsonlog server log the collector reads through SQL,
// tables with autovacuum off, planner and memory settings per role.
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { PostgresServer, embeddedBinaries } from "../db/postgres-server";
import { UserError } from "../errors";

export const demoFolder = (dataDir: string) => path.join(dataDir, "demo");

/**
 * Server settings: what a monitored production server would have (pg_stat_statements, auto_explain
 * in JSON to a jsonlog file, query ids), with auto_explain sampling a quarter of the statements:
 * at about one call per second per statement that gives each statement a few samples per 15 s
 * collection, in the baseline and after each change, at a quarter of the instrumentation cost.
 */
export const DEMO_SERVER_SETTINGS = {
  shared_preload_libraries: "pg_stat_statements,auto_explain",
  compute_query_id: "on",
  "pg_stat_statements.track": "top",
  "pg_stat_statements.track_planning": "on",
  "auto_explain.log_format": "json",
  "auto_explain.log_min_duration": 0,
  "auto_explain.sample_rate": 0.25,
  "auto_explain.log_analyze": "on",
  "auto_explain.log_buffers": "on",
  logging_collector: "on",
  log_destination: "jsonlog",
  log_directory: "log",
  log_rotation_size: "10MB",
  // Two cores: no parallel workers, so a regressed statement costs one core's share, and a smaller
  // work_mem changes how a sort runs rather than whether it runs in parallel (a plan change).
  max_parallel_workers_per_gather: 0,
  max_connections: 60,
  // A demo needs no crash safety; fewer writes leave the disk and CPU to the workload.
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
} as const;

const configSchema = z.object({ port: z.number().int().min(1).max(65535), password: z.string().min(16) });
export type DemoClusterConfig = z.infer<typeof configSchema>;

/** PLANWATCH_DEMO_PORT, else the port after the embedded repository's. */
export function demoPort(embeddedPort: number, env: Record<string, string | undefined> = process.env): number {
  const raw = env.PLANWATCH_DEMO_PORT?.trim();
  if (!raw) return embeddedPort + 1;
  const port = z.coerce.number().int().min(1).max(65535).safeParse(raw);
  if (!port.success) throw new UserError("invalid environment: PLANWATCH_DEMO_PORT must be a port number (1–65535)");
  return port.data;
}

/** Password generated once (mode 0600); the port given now wins over the remembered one. */
async function clusterConfig(folder: string, port: number): Promise<DemoClusterConfig> {
  const file = path.join(folder, "config.json");
  if (existsSync(file)) {
    const parsed = configSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    if (!parsed.success) throw new UserError(`${file} is damaged; run \`npm run demo -- --reset\` to start over`);
    return { ...parsed.data, port };
  }
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const config = { port, password: randomBytes(24).toString("base64url") };
  await writeFile(file, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  return config;
}

export interface DemoCluster {
  server: PostgresServer;
  config: DemoClusterConfig;
}

export async function startDemoCluster(dataDir: string, port: number, log: (line: string) => void): Promise<DemoCluster> {
  const folder = demoFolder(dataDir);
  const config = await clusterConfig(folder, port);
  const clusterDir = path.join(folder, "cluster");
  // The demo target is registered anew each run (demo-run.ts) and would read every old log file
  // from the start; the server is not running yet, so its old logs can go.
  const logDir = path.join(clusterDir, DEMO_SERVER_SETTINGS.log_directory);
  if (existsSync(logDir)) for (const name of await readdir(logDir)) await rm(path.join(logDir, name), { force: true });
  log(`starting the demo database's PostgreSQL in ${clusterDir} on port ${config.port}`);
  const server = await PostgresServer.start({
    binaries: await embeddedBinaries(),
    dataDir: clusterDir,
    port: config.port,
    password: config.password,
    settings: DEMO_SERVER_SETTINGS,
  }).catch((err: Error) => {
    throw new UserError(`cannot start the demo database: ${err.message} (set PLANWATCH_DEMO_PORT for another port)`);
  });
  return { server, config };
}
