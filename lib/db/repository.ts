// Finds (or starts) the plan repository and brings its schema up to date. Same rules for the
// app server, the demo and the CLI: DATABASE_URL when set, otherwise an embedded PostgreSQL 18
// whose data lives in the data folder (.planwatch/ by default) and is kept between runs.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { z } from "zod";
import type { Env } from "../env";
import { UserError, connectionErrorMessage, describeDatabaseUrl } from "../errors";
import { applyMigrations } from "./migrate";
import { PostgresServer, embeddedBinaries, ensureDatabase } from "./postgres-server";

export const REPOSITORY_DATABASE = "planwatch";

export interface Repository {
  url: string;
  /** host:port/database, safe to print. */
  description: string;
  /** The embedded server when this process started it (null when external or reused). */
  embedded: PostgresServer | null;
  close(): Promise<void>;
}

export interface OpenRepositoryOptions {
  /**
   * When the embedded server is already running (e.g. the demo is up), connect to it instead of
   * refusing. The CLI does this; a second app server refuses, as two servers on one data folder
   * would fight over it.
   */
  reuseRunningEmbedded?: boolean;
  log?: (line: string) => void;
}

const embeddedConfigSchema = z.object({ port: z.number().int(), password: z.string().min(16) });
type EmbeddedConfig = z.infer<typeof embeddedConfigSchema>;

/** Refuses early when another PlanWatch uses this data folder's embedded repository. */
export async function assertDataFolderFree(env: Env): Promise<void> {
  if (env.databaseUrl) return;
  const port = await runningEmbeddedPort(path.join(env.dataDir, "repository"));
  if (port !== null) throw dataFolderInUse(env, port);
}

function dataFolderInUse(env: Env, port: number): UserError {
  return new UserError(
    `the data folder ${env.dataDir} is in use by another PlanWatch (its repository runs on port ${port}); stop it first or set PLANWATCH_DATA_DIR`,
  );
}

export async function openRepository(env: Env, options: OpenRepositoryOptions = {}): Promise<Repository> {
  const log = options.log ?? (() => undefined);
  if (env.databaseUrl) {
    await assertReachable(env.databaseUrl);
    await migrate(env.databaseUrl, log);
    return { url: env.databaseUrl, description: describeDatabaseUrl(env.databaseUrl), embedded: null, close: async () => undefined };
  }

  const config = await embeddedConfig(env);
  const dataDir = path.join(env.dataDir, "repository");
  const runningPort = await runningEmbeddedPort(dataDir);
  let embedded: PostgresServer | null = null;
  let adminUrl: string;
  if (runningPort !== null) {
    if (!options.reuseRunningEmbedded) throw dataFolderInUse(env, runningPort);
    adminUrl = urlFor(runningPort, config.password, "postgres");
  } else {
    log(`starting the embedded PostgreSQL repository in ${dataDir} on port ${config.port}`);
    embedded = await PostgresServer.start({
      binaries: await embeddedBinaries(),
      dataDir,
      port: config.port,
      password: config.password,
      // The server log goes to files in the data folder, not to our terminal.
      settings: { logging_collector: "on", log_directory: "log", max_connections: 100 },
    }).catch((err: Error) => {
      throw new UserError(`cannot start the embedded repository: ${err.message}`);
    });
    adminUrl = embedded.url();
  }
  try {
    await ensureDatabase(adminUrl, REPOSITORY_DATABASE);
    const url = adminUrl.replace(/\/postgres$/, `/${REPOSITORY_DATABASE}`);
    await migrate(url, log);
    const server = embedded;
    return { url, description: describeDatabaseUrl(url), embedded: server, close: async () => server?.stop() };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

async function migrate(url: string, log: (line: string) => void) {
  const { applied } = await applyMigrations(url, { log });
  if (applied.length > 0) log(`applied ${applied.length} migration(s) to ${describeDatabaseUrl(url)}`);
}

async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
  } catch (err) {
    throw new UserError(connectionErrorMessage(url, err));
  } finally {
    await client.end().catch(() => undefined);
  }
}

function urlFor(port: number, password: string, database: string) {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/** Port and password of the embedded server, generated once and kept (mode 0600) in the data folder. */
async function embeddedConfig(env: Env): Promise<EmbeddedConfig> {
  const file = path.join(env.dataDir, "repository.json");
  if (existsSync(file)) {
    const parsed = embeddedConfigSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    if (!parsed.success) throw new UserError(`${file} is damaged; remove the data folder ${env.dataDir} to start over`);
    // PLANWATCH_EMBEDDED_PORT, when given, wins over the remembered port.
    return process.env.PLANWATCH_EMBEDDED_PORT ? { ...parsed.data, port: env.embeddedPort } : parsed.data;
  }
  await mkdir(env.dataDir, { recursive: true, mode: 0o755 });
  const config = { port: env.embeddedPort, password: randomBytes(24).toString("base64url") };
  await writeFile(file, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  return config;
}

/** The port of a live server on this data directory (from postmaster.pid), or null. */
async function runningEmbeddedPort(dataDir: string): Promise<number | null> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, "utf8")).split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0)) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? port : null;
  }
}
