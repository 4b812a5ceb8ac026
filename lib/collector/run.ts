// The collector: snapshot → auto_explain capture → generic plans for every due target, once
// (`planwatch collect --once`) or in a loop (`planwatch collect`, and inside the app server).
// Several collectors may run against one repository: a per-target advisory lock keeps them apart.
import { evaluateAlerts } from "../alerts/evaluate";
import { createPrisma } from "../db/client";
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
}

/** Collects due targets until `signal` aborts; resolves once stopped. */
export async function runCollectorLoop(options: CollectorLoopOptions): Promise<void> {
  const prisma = createPrisma(options.repositoryUrl);
  try {
    await loopWith({ prisma, url: options.repositoryUrl }, collectorSteps, options);
  } finally {
    await prisma.$disconnect();
  }
}
