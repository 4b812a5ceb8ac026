// The production server for bench:web: `cli/serve.ts` in a child process of its own (so the load
// generator in the bench process does not share its event loop), on a given port and repository,
// without the in-process collector, and a signed-in session made through the product's own sign-in.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { cliActor } from "../../lib/auth/authorize";
import { createApiToken } from "../../lib/auth/api-tokens";
import { createUser } from "../../lib/auth/users";
import { createPrisma } from "../../lib/db/client";

const projectRoot = path.resolve(import.meta.dirname, "..", "..");
const START_TIMEOUT_MS = 120_000;

export interface BenchServer {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface ProductionServerOptions {
  port: number;
  repositoryUrl: string;
  logFile: string;
  /** PLANWATCH_WEB_PROCESSES of the server (default 1). */
  webProcesses?: number;
  /**
   * Write a V8 CPU profile of the server into this folder when it stops (node --cpu-prof; open it
   * in Chrome DevTools or speedscope).
   */
  cpuProfileDir?: string;
}

export async function startProductionServer(options: ProductionServerOptions): Promise<BenchServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const log = createWriteStream(options.logFile);
  const profile = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "cli/serve.ts"], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(options.port),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: options.repositoryUrl,
      PLANWATCH_COLLECTOR: "off",
      PLANWATCH_WEB_PROCESSES: String(options.webProcesses ?? 1),
      // Fresh secrets per run: sessions of an earlier run must not count, and no target password is read.
      PLANWATCH_AUTH_SECRET: randomBytes(32).toString("hex"),
      PLANWATCH_SECRET: randomBytes(32).toString("hex"),
    },
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
    log.end();
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before answering (log: ${options.logFile})`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return { url, logFile: options.logFile, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer /api/health within ${START_TIMEOUT_MS / 1000} s (log: ${options.logFile})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface BenchCredentials {
  /** "planwatch.session_token=…" for the Cookie header. */
  cookie: string;
  /** "Bearer pw_…" for the Authorization header. */
  authorization: string;
}

/**
 * A viewer account created with the product's account library, signed in through the real
 * sign-in route (so the cookie is the one a browser would hold), and an API token of its own.
 */
export async function benchCredentials(serverUrl: string, repositoryUrl: string): Promise<BenchCredentials> {
  const repo = createPrisma(repositoryUrl);
  const email = `bench-${randomBytes(4).toString("hex")}@planwatch.local`;
  const password = randomBytes(18).toString("base64url");
  try {
    await createUser(repo, { email, password, role: "viewer", actor: cliActor(), action: "bench.user" });
    const { token } = await createApiToken(repo, { name: `bench:web ${email}`, role: "viewer", actor: cliActor() });
    const response = await fetch(`${serverUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: serverUrl },
      body: JSON.stringify({ email, password }),
    });
    if (!response.ok) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]!)
      .join("; ");
    if (!cookie.includes("session_token")) throw new Error(`sign-in set no session cookie (${cookie || "no cookie"})`);
    return { cookie, authorization: `Bearer ${token}` };
  } finally {
    await repo.$disconnect();
  }
}
