// Regression ranking over the plan repository: what GET /api/regressions and `planwatch regressions`
// answer. The statistics are lib/regression's; this module only loads pooled windows
// (regression-windows.ts) and resolves the generic-plan notes. No Next.js or "server-only" import:
// the CLI (plain Node, --conditions=react-server) imports it too.
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
}

/**
 * Every statement of the target with intervals in either window, ranked: regressions by time lost,
 * then improvements, then stable. Unknown target: NotFoundError.
 */
export async function rankTarget(repo: PrismaClient, input: RankTargetInput): Promise<RankedStatement[]> {
  const target = await repo.target.findUnique({ where: { name: input.targetName }, select: { id: true } });
  if (!target) throw new NotFoundError(`there is no target named "${input.targetName}"`);
  const rank = (now: Date) => {
    const recentMs = recentWindowMs(input.recentMs, input.sinceMs, now.getTime());
    return rankScope(repo, { targetId: target.id }, regressionWindows({ now, recentMs, baselineMs: input.baselineMs }), input);
  };
  if (input.now) return rank(input.now);
  // "Now": shared by every caller of this process asking the same question about the same data.
  const version = await dataVersion(repo, target.id);
  const recent = input.sinceMs === undefined ? input.recentMs : `since ${input.sinceMs}`;
  const key = [target.id, version, recent, input.baselineMs, input.alpha, input.minRatio, input.minCalls].join("|");
  return shared(repo, key, () => rank(new Date()));
}

/**
 * How long a ranking "as of now" is shared: a ranking changes when data arrives (the data version
 * is part of the key) and, slowly, as the windows slide. Ten dashboards polling one target during a
 * collection interval then cost one ranking, and concurrent requests wait for the same one instead
 * of each computing it (5,000 statements: hundreds of ms of CPU each, see bench:ranking, which
 * always computes).
 */
export const SHARED_RANKING_MS = 15_000;
const SHARED_LIMIT = 64;
const sharedRankings = new WeakMap<PrismaClient, Map<string, { atMs: number; rows: Promise<RankedStatement[]> }>>();

function shared(repo: PrismaClient, key: string, compute: () => Promise<RankedStatement[]>): Promise<RankedStatement[]> {
  const entries = sharedRankings.get(repo) ?? new Map<string, { atMs: number; rows: Promise<RankedStatement[]> }>();
  sharedRankings.set(repo, entries);
  const nowMs = Date.now();
  const hit = entries.get(key);
  if (hit && nowMs - hit.atMs < SHARED_RANKING_MS) return hit.rows;
  for (const [k, e] of entries) if (nowMs - e.atMs >= SHARED_RANKING_MS || entries.size >= SHARED_LIMIT) entries.delete(k);
  const rows = compute();
  entries.set(key, { atMs: nowMs, rows });
  // A failure is not shared beyond the requests already waiting for it.
  rows.catch(() => entries.get(key)?.rows === rows && entries.delete(key));
  return rows;
}

/** Changes whenever the collector stores anything the ranking reads: a snapshot, a rollup, plans or samples. */
async function dataVersion(repo: PrismaClient, targetId: bigint): Promise<string> {
  const [row] = await repo.$queryRaw<{ v: string }[]>`
    SELECT concat_ws('/', (SELECT concat_ws(',', t.last_snapshot_at, t.rolled_up_hour_until) FROM target t WHERE t.id = ${targetId}::bigint),
                     (SELECT max(id)::text FROM plan), (SELECT max(id)::text FROM plan_sample)) AS v`;
  return row?.v ?? "";
}

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
