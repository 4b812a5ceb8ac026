// PLANWATCH_WEB_PROCESSES > 1: the web server in several processes (node:cluster), one event loop
// per core. Rendering a page is CPU work on the event loop; one process uses one core however many
// the machine has, so requests queue behind each other while the other cores idle.
//
// This process (the primary) keeps what must exist once: the repository (and the embedded
// PostgreSQL), the collector, the signal handling. The web server processes only serve requests;
// everything they share lives in the repository (sessions, sign-in limits, rate limits, decisions),
// so any of them can answer any request. A web server process that dies is replaced; several
// deaths in a row (a broken build, a port that cannot be shared) stop the restarts instead of
// looping. Like any crash, a death loses that process's requests, and also a connection the primary
// was handing to it at that instant (node:cluster's round-robin hand-off): that client times out.
import cluster, { type Worker } from "node:cluster";
import path from "node:path";
import { loadAuthSecret } from "../lib/auth/auth-secret";
import { UserError } from "../lib/errors";
import { APP_PID_ENV } from "../lib/app-process";
import type { WebServer } from "./web-process";

const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 1_000;
/** More deaths than this within RESTART_WINDOW_MS: no more restarts (a crash loop, not bad luck). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export interface WebClusterOptions {
  processes: number;
  hostname: string;
  port: number;
  log: (line: string) => void;
}

/**
 * The deaths (times in ms) still inside the window once one more happens at `nowMs`, and whether to
 * replace that process: a few deaths are bad luck, more within a minute are a crash loop.
 */
export function recordDeath(deathsMs: readonly number[], nowMs: number): { deathsMs: number[]; restart: boolean } {
  const recent = [...deathsMs.filter((t) => t > nowMs - RESTART_WINDOW_MS), nowMs];
  return { deathsMs: recent, restart: recent.length <= MAX_RESTARTS };
}

function exited(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.process.exitCode !== null || worker.process.signalCode !== null) resolve();
    else worker.process.once("exit", () => resolve());
  });
}

/** Resolves when the worker listens; rejects when it dies first (its own error is on stderr). */
function listening(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once("listening", () => resolve());
    worker.once("exit", (code, signal) => reject(new UserError(`a web server process exited while starting (${signal ?? `exit code ${code}`}); its error is above`)));
  });
}

async function stopWorkers(workers: Iterable<Worker>): Promise<void> {
  await Promise.all(
    [...workers].map(async (worker) => {
      worker.process.kill("SIGTERM");
      const timer = setTimeout(() => worker.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited(worker);
      clearTimeout(timer);
    }),
  );
}

export async function startWebCluster({ processes, hostname, port, log }: WebClusterOptions): Promise<WebServer> {
  // Made here once, not raced for by the web server processes' first sign-ins. An external
  // repository without PLANWATCH_AUTH_SECRET is reported by each process, as with one process.
  await loadAuthSecret().catch((err: unknown) => {
    if (!(err instanceof UserError)) throw err;
  });
  cluster.setupPrimary({ exec: path.join(import.meta.dirname, "web-worker.ts") });
  const workerEnv = { [APP_PID_ENV]: String(process.pid), PORT: String(port), HOSTNAME: hostname };
  const workers = new Set<Worker>();
  let stopping = false;
  let started = false;
  let deathsMs: number[] = [];

  const fork = (): Worker => {
    const worker = cluster.fork(workerEnv);
    workers.add(worker);
    worker.process.once("exit", (code, signal) => {
      workers.delete(worker);
      if (stopping || !started) return;
      const death = recordDeath(deathsMs, Date.now());
      deathsMs = death.deathsMs;
      if (!death.restart) {
        log(`web server process ${worker.process.pid} exited (${signal ?? `exit code ${code}`}); ${deathsMs.length} exits within a minute: not restarting (${workers.size} of ${processes} left)`);
        return;
      }
      log(`web server process ${worker.process.pid} exited (${signal ?? `exit code ${code}`}); starting another`);
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };

  const first = Array.from({ length: processes }, fork);
  try {
    await Promise.all(first.map(listening));
  } catch (err) {
    stopping = true;
    await stopWorkers(workers);
    throw err;
  }
  started = true;
  log(`the web server runs in ${processes} processes (${first.map((w) => w.process.pid).join(", ")})`);
  return {
    close: async () => {
      stopping = true;
      await stopWorkers(workers);
    },
  };
}
