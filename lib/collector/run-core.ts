// The collector's run logic, independent of which steps it runs (run.ts wires in the real ones):
// which targets are due, one run per target under its advisory lock, health and backoff
// bookkeeping, and the long-running loop.
import type pg from "pg";
import type { Prisma, PrismaClient } from "../db/client";
import { UserError, redactSecrets } from "../errors";
import { detectCapabilities } from "./capabilities";
import type { SecretKeySource } from "./secrets";
import { tryLockTarget } from "./target-lock";
import { TargetNotFoundError, connectTarget, targetConnectionString } from "./targets";
import type { CollectContext, PlanCaptureResult, SnapshotResult, TargetCapabilities, TargetRunSummary } from "./types";

export const MAX_BACKOFF_MS = 15 * 60_000;
export const DEFAULT_CONCURRENCY = 4;
export const LOCKED_MESSAGE = "locked by another collector";

export interface CollectorSteps {
  snapshot(ctx: CollectContext): Promise<SnapshotResult>;
  /** Rolls up the hours and days the snapshot completed (lib/db/rollups.ts). */
  rollups?(ctx: CollectContext): Promise<unknown>;
  autoExplain(ctx: CollectContext): Promise<PlanCaptureResult>;
  genericPlans(ctx: CollectContext): Promise<PlanCaptureResult>;
  /** Marks plans whose relations or indexes are gone as invalid (QPM validate_plans). */
  validatePlans?(ctx: CollectContext): Promise<unknown>;
  /** Raises alerts for new regressions and for rejected/disabled plans seen again; delivery is background. */
  alerts?(ctx: CollectContext): Promise<unknown>;
}

/** The repository as the collector needs it: Prisma for data, the URL for lock sessions. */
export interface CollectorRepository {
  prisma: PrismaClient;
  url: string;
}

export interface CollectOptions {
  /** Only this target, due or not (unknown name: TargetNotFoundError). */
  target?: string;
  /** The run's clock (tests); default: the time each target's run starts. */
  now?: Date;
  log?: (line: string) => void;
  concurrency?: number;
  secrets?: SecretKeySource;
}

type TargetRecord = NonNullable<Awaited<ReturnType<PrismaClient["target"]["findUnique"]>>>;

/** Next attempt after `failures` failures in a row: interval × 2^failures, at most 15 minutes (never below the interval). */
export function nextDelayMs(intervalSeconds: number, failures: number): number {
  const intervalMs = intervalSeconds * 1000;
  if (failures <= 0) return intervalMs;
  return Math.max(intervalMs, Math.min(intervalMs * 2 ** Math.min(failures, 30), MAX_BACKOFF_MS));
}

export function isDue(target: Pick<TargetRecord, "nextCollectAt">, now: Date): boolean {
  return target.nextCollectAt === null || target.nextCollectAt.getTime() <= now.getTime();
}

/** `collect --once`: the named target, or every due target, a few at a time. */
export async function collectWith(repo: CollectorRepository, steps: CollectorSteps, options: CollectOptions = {}): Promise<TargetRunSummary[]> {
  let targets: { id: bigint; name: string }[];
  if (options.target !== undefined) {
    const found = await repo.prisma.target.findUnique({ where: { name: options.target }, select: { id: true, name: true } });
    if (!found) throw new TargetNotFoundError(options.target);
    targets = [found];
  } else {
    const now = options.now ?? new Date();
    targets = await repo.prisma.target.findMany({
      where: { OR: [{ nextCollectAt: null }, { nextCollectAt: { lte: now } }] },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
    });
  }
  const forced = options.target !== undefined;
  const results = await mapLimited(targets, options.concurrency ?? DEFAULT_CONCURRENCY, (t) => collectTarget(repo, steps, t, { ...options, forced }));
  return results.filter((r): r is TargetRunSummary => r !== null);
}

interface TargetRunOptions extends CollectOptions {
  /** Collect even when not due (a named target). */
  forced: boolean;
}

/**
 * One target's run under its lock. Null when there was nothing to do after all (another collector
 * just collected it, or it was removed meanwhile).
 */
export async function collectTarget(
  repo: CollectorRepository,
  steps: CollectorSteps,
  ref: { id: bigint; name: string },
  options: TargetRunOptions,
): Promise<TargetRunSummary | null> {
  const startedMs = performance.now();
  const summary: TargetRunSummary = { name: ref.name, statements: 0, intervals: 0, newPlans: 0, samples: 0, skippedLogEntries: 0, durationMs: 0, errors: [] };
  const finish = () => ({ ...summary, durationMs: Math.round(performance.now() - startedMs) });
  const log = options.log ?? (() => undefined);

  let lock;
  try {
    lock = await tryLockTarget(repo.url, ref.id);
  } catch (err) {
    summary.errors.push(`repository: ${redactSecrets(messageOf(err), repo.url)}`);
    return finish();
  }
  if (!lock) {
    summary.errors.push(LOCKED_MESSAGE);
    return finish();
  }
  try {
    // Re-read under the lock: another collector may have just finished this target.
    const target = await repo.prisma.target.findUnique({ where: { id: ref.id } });
    if (!target || (!options.forced && !isDue(target, options.now ?? new Date()))) return null;
    const now = options.now ?? new Date();
    const outcome = await runSteps(repo.prisma, lock.session, steps, target, summary, now, options, (line) => log(`${target.name}: ${line}`));
    await recordOutcome(repo.prisma, target, outcome, summary.errors, now).catch((err: unknown) => {
      summary.errors.push(`repository: ${redactSecrets(messageOf(err), repo.url)}`);
    });
    return finish();
  } catch (err) {
    summary.errors.push(`repository: ${redactSecrets(messageOf(err), repo.url)}`);
    return finish();
  } finally {
    await lock.release();
  }
}

interface RunOutcome {
  /** The target could not be monitored this time (down, refused, lost mid-run): back off. */
  failed: boolean;
  capabilities: TargetCapabilities | null;
}

async function runSteps(
  repo: PrismaClient,
  repoSession: pg.ClientBase,
  steps: CollectorSteps,
  target: TargetRecord,
  summary: TargetRunSummary,
  now: Date,
  options: TargetRunOptions,
  log: (line: string) => void,
): Promise<RunOutcome> {
  const fail = (message: string): RunOutcome => {
    summary.errors.push(message);
    return { failed: true, capabilities: null };
  };
  let url: string;
  let client: pg.Client;
  try {
    url = await targetConnectionString(target, options.secrets);
    client = await connectTarget(target, options.secrets);
  } catch (err) {
    return fail(err instanceof UserError ? err.message : redactSecrets(messageOf(err)));
  }
  const clean = (err: unknown) => redactSecrets(messageOf(err), url);
  try {
    let capabilities: TargetCapabilities;
    try {
      // A few catalog queries: cheap enough to repeat every run, and settings do change.
      capabilities = await detectCapabilities(client);
    } catch (err) {
      return fail(clean(err));
    }
    const ctx: CollectContext = { repo, repoSession, target: { id: target.id, name: target.name, capabilities }, client, now, log };

    const snapshot = await attempt("snapshot", () => steps.snapshot(ctx), summary, clean);
    if (snapshot) {
      summary.statements = snapshot.statements;
      summary.intervals = snapshot.intervals;
      const rollups = steps.rollups;
      if (rollups) await attempt("rollups", () => rollups(ctx), summary, clean);
    }
    // A failed step may mean the target went away: then later steps would only repeat the error.
    if (!snapshot && !(await stillConnected(client))) return { failed: true, capabilities };

    if (capabilities.autoExplain.loaded && capabilities.serverLog.readableThroughSql) {
      addCapture(summary, await attempt("auto_explain", () => steps.autoExplain(ctx), summary, clean));
    }
    addCapture(summary, await attempt("generic plans", () => steps.genericPlans(ctx), summary, clean));
    // After capture, so plans seen for the first time in this run are checked too.
    const validate = steps.validatePlans;
    if (validate) await attempt("plan validation", () => validate(ctx), summary, clean);
    // Last: it ranks what this run stored.
    const alerts = steps.alerts;
    if (alerts) await attempt("alerts", () => alerts(ctx), summary, clean);
    return { failed: false, capabilities };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function attempt<T>(step: string, fn: () => Promise<T>, summary: TargetRunSummary, clean: (err: unknown) => string): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    summary.errors.push(`${step}: ${clean(err)}`);
    return null;
  }
}

function addCapture(summary: TargetRunSummary, result: PlanCaptureResult | null) {
  if (!result) return;
  summary.newPlans += result.newPlans;
  summary.samples += result.samples;
  summary.skippedLogEntries += result.skippedLogEntries;
}

async function stillConnected(client: pg.Client): Promise<boolean> {
  try {
    await client.query("select 1");
    return true;
  } catch {
    return false;
  }
}

/** Health, last error, schedule; one UPDATE, so a repository failure leaves the previous state whole. */
async function recordOutcome(repo: PrismaClient, target: TargetRecord, outcome: RunOutcome, errors: string[], now: Date): Promise<void> {
  const failures = outcome.failed ? target.consecutiveFailures + 1 : 0;
  const schedule = {
    consecutiveFailures: failures,
    nextCollectAt: new Date(now.getTime() + nextDelayMs(target.collectIntervalSeconds, failures)),
    lastError: errors.length > 0 ? errors.join("; ") : null,
  };
  const health = outcome.failed ? { health: "unhealthy" as const } : { health: "healthy" as const, lastCollectedAt: now };
  const caps = outcome.capabilities;
  // updateMany: a target removed during its run is simply not updated.
  await repo.target.updateMany({
    where: { id: target.id },
    data: {
      ...schedule,
      ...health,
      ...(caps ? { capabilities: caps as unknown as Prisma.InputJsonValue, serverVersion: caps.serverVersion, serverVersionNum: caps.serverVersionNum } : {}),
    },
  });
}

export interface LoopOptions {
  signal: AbortSignal;
  log?: (line: string) => void;
  concurrency?: number;
  /** Longest sleep between two looks at the repository (new targets, changed schedules). */
  pollMs?: number;
  /** On abort, how long running target runs may take to finish before the loop returns anyway. */
  stopGraceMs?: number;
  secrets?: SecretKeySource;
  /** The steps' progress lines (default: log); the app server keeps them out of its output. */
  stepLog?: (line: string) => void;
  /** Called after each target run; default: one log line per run. */
  onRun?: (summary: TargetRunSummary) => void;
}

/**
 * Collects due targets until aborted. Each target runs on its own: a slow or down target holds one
 * of `concurrency` slots (bounded by its connect and statement timeouts), never the others.
 */
export async function loopWith(repo: CollectorRepository, steps: CollectorSteps, options: LoopOptions): Promise<void> {
  const { signal } = options;
  const log = options.log ?? (() => undefined);
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pollMs = options.pollMs ?? 5_000;
  const onRun = options.onRun ?? ((summary: TargetRunSummary) => log(describeRun(summary)));
  const running = new Map<bigint, Promise<void>>();
  let wake: (() => void) | undefined;
  let repositoryDown = false;

  while (!signal.aborted) {
    let sleepMs = pollMs;
    try {
      const targets = await repo.prisma.target.findMany({ select: { id: true, name: true, nextCollectAt: true }, orderBy: { nextCollectAt: { sort: "asc", nulls: "first" } } });
      if (repositoryDown) log("collector: the repository answers again");
      repositoryDown = false;
      const now = new Date();
      for (const t of targets) {
        if (!isDue(t, now)) {
          sleepMs = Math.min(sleepMs, t.nextCollectAt!.getTime() - now.getTime());
          continue;
        }
        if (running.has(t.id) || running.size >= limit) continue;
        const run = collectTarget(repo, steps, t, { forced: false, log: options.stepLog ?? log, secrets: options.secrets })
          .then((summary) => {
            if (summary) onRun(summary);
          })
          .catch((err: unknown) => log(`collector: ${t.name}: ${redactSecrets(messageOf(err), repo.url)}`))
          .finally(() => {
            running.delete(t.id);
            wake?.();
          });
        running.set(t.id, run);
      }
    } catch (err) {
      if (!repositoryDown) log(`collector: cannot read targets from the repository (retrying): ${redactSecrets(messageOf(err), repo.url)}`);
      repositoryDown = true;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(250, sleepMs));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        wake = undefined;
        resolve();
      }
      wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }
  if (running.size > 0) {
    const graceMs = options.stopGraceMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      Promise.allSettled(running.values()).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (late) log(`collector: stopped with ${running.size} target run(s) still in progress`);
  }
}

/** One log line per target run. */
export function describeRun(s: TargetRunSummary): string {
  if (s.errors.length === 1 && s.errors[0] === LOCKED_MESSAGE) return `skipped ${s.name}: ${LOCKED_MESSAGE}`;
  const counts = `${s.statements} statements, ${s.intervals} intervals, ${s.newPlans} new plans, ${s.samples} samples (${s.durationMs} ms)`;
  return s.errors.length === 0 ? `collected ${s.name}: ${counts}` : `collected ${s.name} with errors: ${s.errors.join("; ")} — ${counts}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs fn over items with at most `limit` at once, keeping the input order in the result. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
