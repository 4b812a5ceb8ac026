// Regression ranking over the plan repository: what GET /api/regressions and `planwatch regressions`
// answer. The statistics are lib/regression's; this module only loads pooled windows
// (regression-windows.ts) and resolves the generic-plan notes. No Next.js or "server-only" import:
// the CLI (plain Node, --conditions=react-server) imports it too.
import { z } from "zod";
import { recentWindowMs } from "../api/regressions";
import { NotFoundError, UserError } from "../errors";
import { rankStatements, regressionWindows, type RankedStatement, type RegressionWindows, type StatementWindows } from "../regression";
import type { PrismaClient } from "./client";
import { genericPlans, statementWindows, type StatementScope } from "./regression-windows";

export type { RankedStatement } from "../regression";

export interface RankThresholds {
  alpha?: number;
  minRatio?: number;
  minCalls?: number;
}

export interface RankTargetInput extends RankThresholds {
  targetName: string;
  recentMs: number;
  baselineMs: number;
  /** End of the recent window; default: now. */
  now?: Date;
  /**
   * The recent window's anchor (`since`, epoch ms): the recent window is (since, now], recentMs is
   * recomputed from it (recentWindowMs). Lets a ranking "as of now" be shared across the seconds
   * the window grows by: the baseline stays put, and new rows in the recent window change the data
   * version anyway.
   */
  sinceMs?: number;
  /**
   * The target as rankingTargets read it, when the caller already has (the statements page reads
   * every target's name and version in one query): no second lookup.
   */
  target?: RankingTarget;
}

/** A target and its data version: what a shared ranking is keyed by. */
export interface RankingTarget {
  id: bigint;
  name: string;
  version: string;
}

/**
 * Every statement of the target with intervals in either window, ranked: regressions by time lost,
 * then improvements, then stable. Unknown target: NotFoundError.
 */
export async function rankTarget(repo: PrismaClient, input: RankTargetInput): Promise<RankedStatement[]> {
  const target = input.target?.name === input.targetName ? input.target : (await rankingTargets(repo, input.targetName))[0];
  if (!target) throw new NotFoundError(`there is no target named "${input.targetName}"`);
  const rank = (now: Date) => {
    const recentMs = recentWindowMs(input.recentMs, input.sinceMs, now.getTime());
    return rankScope(repo, { targetId: target.id }, regressionWindows({ now, recentMs, baselineMs: input.baselineMs }), input);
  };
  if (input.now) return rank(input.now);
  // "Now": shared by every caller of this process asking the same question about the same data.
  const recent = input.sinceMs === undefined ? input.recentMs : `since ${input.sinceMs}`;
  const key = [target.id, target.version, recent, input.baselineMs, input.alpha, input.minRatio, input.minCalls].join("|");
  return shared(repo, key, input.sinceMs === undefined ? SHARED_RANKING_MS : ANCHORED_RANKING_MS, () => rank(new Date()));
}

/**
 * How long a ranking "as of now" is shared before it is computed again: a ranking changes when data
 * arrives (the data version is part of the key) and, slowly, as sliding windows move with the clock.
 * Ten dashboards polling one target during a collection interval then cost one ranking, and
 * concurrent requests wait for the same one instead of each computing it (5,000 statements:
 * hundreds of ms of CPU each, see bench:ranking, which always computes).
 */
export const SHARED_RANKING_MS = 15_000;
/**
 * A window anchored at `since` ranks the same rows until the data version changes (only its empty
 * end grows with the clock), so it is computed again only rarely: for what the version does not
 * see (retention dropping old partitions).
 */
export const ANCHORED_RANKING_MS = 5 * 60_000;
/** Past its age, a ranking is still answered while its successor is computed, up to this many ages. */
const STALE_AGES = 4;
const SHARED_LIMIT = 64;

interface SharedRanking {
  atMs: number;
  maxAgeMs: number;
  rows: Promise<RankedStatement[]>;
  /** rows has its answer (until then, a stale request waits for it rather than starting another). */
  settled: boolean;
  /** The computation that will replace rows, while one runs. */
  next?: Promise<RankedStatement[]>;
}
const sharedRankings = new WeakMap<PrismaClient, Map<string, SharedRanking>>();
const rankedAtMs = new WeakMap<readonly RankedStatement[], number>();

/** When a ranking returned by rankTarget was computed (epoch ms); undefined for one computed at an explicit `now`. */
export function rankingComputedAtMs(rows: readonly RankedStatement[]): number | undefined {
  return rankedAtMs.get(rows);
}

/**
 * The shared ranking for key. Once older than maxAgeMs, the old answer is still given while one
 * computation of its successor runs (a stale-while-revalidate): no request waits for a recompute of
 * data it has already seen ranked, and the twenty requests that arrive during one are not queued
 * behind its CPU. New data changes the key, and that first ranking is waited for.
 */
function shared(repo: PrismaClient, key: string, maxAgeMs: number, compute: () => Promise<RankedStatement[]>): Promise<RankedStatement[]> {
  const entries = sharedRankings.get(repo) ?? new Map<string, SharedRanking>();
  sharedRankings.set(repo, entries);
  const nowMs = Date.now();
  const start = () => {
    const startedMs = Date.now();
    const rows = compute();
    void rows.then((r) => rankedAtMs.set(r, startedMs), () => undefined);
    return rows;
  };
  const hit = entries.get(key);
  if (hit && (nowMs - hit.atMs < maxAgeMs || !hit.settled)) return hit.rows;
  if (hit && nowMs - hit.atMs < STALE_AGES * maxAgeMs) {
    if (!hit.next) {
      const next = start();
      hit.next = next;
      next.then(
        () => entries.get(key) === hit && entries.set(key, { atMs: Date.now(), maxAgeMs, rows: next, settled: true }),
        () => (hit.next = undefined),
      );
    }
    return hit.rows;
  }
  for (const [k, e] of entries) if (nowMs - e.atMs >= STALE_AGES * e.maxAgeMs || entries.size >= SHARED_LIMIT) entries.delete(k);
  const rows = start();
  const entry: SharedRanking = { atMs: nowMs, maxAgeMs, rows, settled: false };
  entries.set(key, entry);
  // A failure is not shared beyond the requests already waiting for it.
  rows.then(
    () => (entry.settled = true),
    () => entries.get(key) === entry && entries.delete(key),
  );
  return rows;
}

/**
 * Targets (every one by name, or the one named) with their data version, in one round trip: every
 * request needs both. The version changes whenever the collector stores anything the ranking reads:
 * a snapshot, a rollup, plans or samples.
 */
export async function rankingTargets(repo: PrismaClient, name?: string): Promise<RankingTarget[]> {
  const rows = await repo.$queryRaw<unknown[]>`
    SELECT t.id, t.name, concat_ws('/', t.last_snapshot_at, t.rolled_up_hour_until, (SELECT max(id) FROM plan), (SELECT max(id) FROM plan_sample)) AS version
      FROM target t WHERE ${name ?? null}::text IS NULL OR t.name = ${name ?? null}::text ORDER BY t.name`;
  return rankingTargetRows.parse(rows);
}

const rankingTargetRows = z.array(z.object({ id: z.bigint(), name: z.string(), version: z.string() }));

/** One statement's row for its own page; NotFoundError when the statement does not exist. */
export async function statementRegression(
  repo: PrismaClient,
  statementId: bigint,
  windows: RegressionWindows,
  thresholds: RankThresholds = {},
): Promise<RankedStatement | null> {
  const found = await repo.statement.findUnique({ where: { id: statementId }, select: { id: true } });
  if (!found) throw new NotFoundError(`statement ${statementId} does not exist`);
  const [row] = await rankScope(repo, { statementId }, windows, thresholds);
  return row ?? null;
}

async function rankScope(repo: PrismaClient, scope: StatementScope, windows: RegressionWindows, thresholds: RankThresholds): Promise<RankedStatement[]> {
  if (windows.baseline.end.getTime() !== windows.recent.start.getTime()) {
    throw new UserError("the baseline window must end where the recent window starts");
  }
  const inputs = await statementWindows(repo, scope, windows);
  const options = { windows, ...thresholds };
  const first = rankStatements(inputs, options);
  // Attribution reads isGeneric only for a plan change of a regression or an improvement: resolve it
  // for those few plans, then rank again (pure and cheap) so the evidence carries the note.
  const changed = new Set(first.filter(needsGenericNote).map((r) => r.statementId));
  if (changed.size === 0) return first;
  const changedInputs = inputs.filter((i) => changed.has(i.statementId));
  const generic = await genericPlans(repo, changedInputs.flatMap((i) => i.samples.map((s) => s.planId)));
  // Only the changed statements are ranked again: the note changes their evidence, never their verdict
  // or impact, so every row keeps its place.
  const again = new Map(rankStatements(changedInputs.map((i) => withGeneric(i, generic)), options).map((r) => [r.statementId, r]));
  return first.map((r) => again.get(r.statementId) ?? r);
}

function needsGenericNote(row: RankedStatement): boolean {
  return row.verdict !== "stable" && row.baselinePlan !== null && row.recentPlan !== null && row.baselinePlan !== row.recentPlan;
}

function withGeneric(input: StatementWindows, generic: ReadonlyMap<string, boolean>): StatementWindows {
  return { ...input, samples: input.samples.map((s) => ({ ...s, isGeneric: generic.get(s.planId) ?? false })) };
}
