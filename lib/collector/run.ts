// The collector: snapshot → auto_explain capture → generic plans for every due target, once
// (`planwatch collect --once`) or in a loop (`planwatch collect`, and inside the app server).
// Several collectors may run against one repository: a per-target advisory lock keeps them apart.
import { evaluateAlerts } from "../alerts/evaluate";
import { createPrisma, type PrismaClient } from "../db/client";
import { describePurge, purgeRepository, retentionFromEnv, type RetentionSettings } from "../db/retention";
import { rollUpTarget } from "../db/rollups";
import { prismaRunner } from "../db/sql-runner";
import { MAINTENANCE_LOCK_KEY, tryRepositoryLock } from "./target-lock";
import { captureAutoExplain } from "./auto-explain";
import { captureGenericPlans } from "./generic-plans";
import { validatePlans } from "./validate-plans";
import { collectWith, loopWith, type CollectOptions, type CollectorRepository, type CollectorSteps, type LoopOptions } from "./run-core";
import { collectSnapshot } from "./snapshot";
import type { TargetRunSummary } from "./types";

export type { CollectOptions, CollectorRepository, LoopOptions } from "./run-core";
export { LOCKED_MESSAGE, describeRun, nextDelayMs } from "./run-core";

export const collectorSteps: CollectorSteps = {
  snapshot: collectSnapshot,
  rollups: (ctx) => rollUpTarget(prismaRunner(ctx.repo), ctx.target.id),
  autoExplain: captureAutoExplain,
  genericPlans: captureGenericPlans,
  validatePlans,
  alerts: (ctx) => evaluateAlerts(ctx.repo, ctx.target.id, ctx.now, { log: ctx.log }),
};

/** Collects every due target (or the named one, due or not) once; one summary per target run. */
export async function collectOnce(repo: CollectorRepository, options: CollectOptions = {}): Promise<TargetRunSummary[]> {
  return collectWith(repo, collectorSteps, options);
}

export interface CollectorLoopOptions extends LoopOptions {
  /** The repository URL (its own Prisma client and lock sessions are opened from it). */
  repositoryUrl: string;
  /** Retention (default: from the environment, see retention.ts); null: this process never purges. */
  retention?: RetentionSettings | null;
  /** Between two retention passes; default one hour. */
  purgeEveryMs?: number;
}

export const PURGE_EVERY_MS = 3_600_000;

/** Collects due targets until `signal` aborts, and applies retention once an hour; resolves once stopped. */
export async function runCollectorLoop(options: CollectorLoopOptions): Promise<void> {
  const prisma = createPrisma(options.repositoryUrl);
  const retention = options.retention === undefined ? retentionFromEnv() : options.retention;
  try {
    await Promise.all([
      loopWith({ prisma, url: options.repositoryUrl }, collectorSteps, options),
      retention ? purgeLoop(prisma, options.repositoryUrl, retention, options) : Promise.resolve(),
    ]);
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * Retention in the collector: the first pass a minute after start, then every purgeEveryMs. With
 * several collectors, the one that gets the repository-wide maintenance lock purges; the others skip.
 */
async function purgeLoop(prisma: PrismaClient, url: string, retention: RetentionSettings, options: CollectorLoopOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  let waitMs = Math.min(60_000, options.purgeEveryMs ?? PURGE_EVERY_MS);
  while (await sleep(waitMs, options.signal)) {
    waitMs = options.purgeEveryMs ?? PURGE_EVERY_MS;
    const lock = await tryRepositoryLock(url, MAINTENANCE_LOCK_KEY).catch(() => null);
    if (!lock) continue;
    try {
      log(describePurge(await purgeRepository(prismaRunner(prisma), retention)));
    } catch (err) {
      log(`retention failed (next pass in ${Math.round(waitMs / 60_000)} min): ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await lock.release();
    }
  }
}

/** Resolves true after ms, false at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve(true);
    }, ms);
    function abort() {
      clearTimeout(timer);
      resolve(false);
    }
    signal.addEventListener("abort", abort, { once: true });
  });
}
