// Starts PlanWatch: the plan repository (external or embedded) and the Next.js server in one
// process, so Ctrl-C stops everything and nothing is left running.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import next from "next";
import { readEnv } from "../lib/env";
import { pinClientAddress } from "../lib/http/client-address";
import { assertDataFolderFree, openRepository, type Repository } from "../lib/db/repository";
import { UserError } from "../lib/errors";
import { portIsFree } from "../lib/db/postgres-server";
import { describeRun, runCollectorLoop } from "../lib/collector/run";
import { EMBEDDED_MARKER_ENV } from "../lib/collector/secrets";
import { runMain } from "./run-main";

export const projectRoot = path.resolve(import.meta.dirname, "..");

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** Checks that need nothing started: run before building or starting anything. */
export async function assertCanStart(env = readEnv()): Promise<void> {
  if (!(await portIsFree(env.port))) {
    throw new UserError(`port ${env.port} is already in use (another PlanWatch?); stop it or set PORT`);
  }
  await assertDataFolderFree(env);
}

export async function startApp({ dev = false, log = console.log } = {}): Promise<RunningApp> {
  const env = readEnv();
  if (!dev && !existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) {
    throw new UserError("there is no production build yet: run `npm run build` first (or `npm run demo`, which builds)");
  }
  await assertCanStart(env);
  const repository: Repository = await openRepository(env, { log: (line) => log(`planwatch: ${line}`) });
  let server: Server | undefined;
  try {
    // The Next.js server and everything it imports read the repository from here.
    process.env.DATABASE_URL = repository.url;
    // Target passwords use the embedded key file, although DATABASE_URL is now set (see secrets.ts).
    if (repository.embedded) process.env[EMBEDDED_MARKER_ENV] = "1";
    const app = next({ dev, dir: projectRoot, hostname: env.hostname, port: env.port });
    await app.prepare();
    const handle = app.getRequestHandler();
    const trustProxy = process.env.PLANWATCH_TRUST_PROXY === "1";
    server = createServer((req, res) => {
      pinClientAddress(req, trustProxy);
      void handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(env.port, env.hostname, resolve);
    });
    const url = `http://${env.hostname === "0.0.0.0" ? "localhost" : env.hostname}:${env.port}`;
    const collector = startCollector(repository.url, log);
    let stopping: Promise<void> | undefined;
    return {
      url,
      stop: () =>
        (stopping ??= (async () => {
          await new Promise<void>((resolve) => {
            server!.close(() => resolve());
            server!.closeAllConnections();
          });
          await collector.stop();
          await app.close();
          await repository.close();
        })()),
    };
  } catch (err) {
    server?.close();
    await repository.close();
    throw err;
  }
}

/** The in-process collector (unless PLANWATCH_COLLECTOR=off); it logs failed runs only. */
function startCollector(repositoryUrl: string, log: (line: string) => void): { stop(): Promise<void> } {
  if (process.env.PLANWATCH_COLLECTOR === "off") return { stop: async () => undefined };
  const controller = new AbortController();
  const done = runCollectorLoop({
    repositoryUrl,
    signal: controller.signal,
    log: (line) => log(`planwatch: ${line}`),
    stepLog: () => undefined,
    onRun: (summary) => summary.errors.length > 0 && log(`planwatch: ${describeRun(summary)}`),
  }).catch((err: Error) => log(`planwatch: the collector stopped: ${err.message}`));
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Stops the app on Ctrl-C / SIGTERM, once. */
export function stopOnSignals(app: RunningApp, log = console.log) {
  const stop = (signal: string) => {
    log(`planwatch: ${signal} received, stopping…`);
    app.stop().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`planwatch: error while stopping: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMain(async () => {
    const app = await startApp({ dev: process.argv.includes("--dev") });
    stopOnSignals(app);
    console.log(`PlanWatch is running at ${app.url}`);
  });
}
