// Regression ranking over the plan repository: what GET /api/regressions and `planwatch regressions`
// answer. The statistics are lib/regression's; this module only loads pooled windows
// (regression-windows.ts) and resolves the generic-plan notes. No Next.js or "server-only" import:
// the CLI (plain Node, --conditions=react-server) imports it too.
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
}

/**
 * Every statement of the target with intervals in either window, ranked: regressions by time lost,
 * then improvements, then stable. Unknown target: NotFoundError.
 */
export async function rankTarget(repo: PrismaClient, input: RankTargetInput): Promise<RankedStatement[]> {
  const target = await repo.target.findUnique({ where: { name: input.targetName }, select: { id: true } });
  if (!target) throw new NotFoundError(`there is no target named "${input.targetName}"`);
  const windows = regressionWindows({ now: input.now ?? new Date(), recentMs: input.recentMs, baselineMs: input.baselineMs });
  return rankScope(repo, { targetId: target.id }, windows, input);
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
