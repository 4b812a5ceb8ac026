// Starts PlanWatch: the plan repository (external or embedded), the collector and the Next.js web
// server, in this process or, with PLANWATCH_WEB_PROCESSES > 1, in web server processes this one
// starts and owns; Ctrl-C or SIGTERM stops everything and nothing is left running.
import { existsSync } from "node:fs";
import path from "node:path";
import { readEnv } from "../lib/env";
import { assertDataFolderFree, openRepository, type Repository } from "../lib/db/repository";
import { UserError } from "../lib/errors";
import { portIsFree } from "../lib/db/postgres-server";
import { describeRun, runCollectorLoop } from "../lib/collector/run";
import { EMBEDDED_MARKER_ENV } from "../lib/collector/secrets";
import { runMain } from "./run-main";
import { startWebCluster } from "./web-cluster";
import { projectRoot } from "./project-root";
import { startWebServer, type WebServer } from "./web-process";

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
  let web: WebServer | undefined;
  try {
    // The Next.js server and everything it imports read the repository from here (web server
    // processes inherit it).
    process.env.DATABASE_URL = repository.url;
    // Target passwords use the embedded key file, although DATABASE_URL is now set (see secrets.ts).
    if (repository.embedded) process.env[EMBEDDED_MARKER_ENV] = "1";
    // `next dev` recompiles in its one process: never clustered.
    const processes = dev ? 1 : env.webProcesses;
    web =
      processes === 1
        ? await startWebServer({ dev, hostname: env.hostname, port: env.port })
        : await startWebCluster({ processes, hostname: env.hostname, port: env.port, log: (line) => log(`planwatch: ${line}`) });
    const url = `http://${env.hostname === "0.0.0.0" ? "localhost" : env.hostname}:${env.port}`;
    const collector = startCollector(repository.url, log);
    let stopping: Promise<void> | undefined;
    const server = web;
    return {
      url,
      stop: () =>
        (stopping ??= (async () => {
          await server.close();
          await collector.stop();
          await repository.close();
        })()),
    };
  } catch (err) {
    await web?.close();
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
