// The home page's list: a target's statements ranked by regression (rankTarget), filtered, sorted and
// paged (lib/statements/list, from orders prepared once per shared ranking), each row of the page
// with the plan that runs now (whichPlanRuns, for the page's rows only, in one query: plansRunningNow).
import "server-only";
import { toRegressionRows } from "../api/regressions";
import type { RunningPlan, StatementList, StatementListParams } from "../api/statements";
import { parseDuration } from "../regression";
import { isGenericEvidence, selectStatements } from "../statements/list";
import { prisma, type PrismaClient } from "./client";
import { rankTarget, type RankingTarget } from "./regressions";
import { plansRunningNow, type RunsNowEntry } from "./statement-plans";

/** The first target by name, the default of the target selector; null without targets. */
export async function defaultTargetName(repo: PrismaClient = prisma()): Promise<string | null> {
  const first = await repo.target.findFirst({ orderBy: { name: "asc" }, select: { name: true } });
  return first?.name ?? null;
}

/**
 * One page of the list. `targets`: every target as rankingTargets read it, when the caller has them
 * (the page, for its target selector): the default target and the ranking's key come from there.
 */
export async function statementList(params: StatementListParams, repo: PrismaClient = prisma(), targets?: readonly RankingTarget[]): Promise<StatementList> {
  const target = params.target ?? (targets ? (targets[0]?.name ?? null) : await defaultTargetName(repo));
  const base = { target, recent: params.recent, baseline: params.baseline, generatedAt: new Date().toISOString() };
  if (target === null) {
    return { ...base, total: 0, page: 1, pageSize: params.pageSize, pageCount: 1, counts: { regressions: 0, improvements: 0, all: 0 }, rows: [] };
  }
  const ranked = await rankTarget(repo, {
    targetName: target,
    recentMs: parseDuration(params.recent),
    ...(params.since === undefined ? {} : { sinceMs: params.since }),
    baselineMs: parseDuration(params.baseline),
    target: targets?.find((t) => t.name === target),
  });
  const selected = selectStatements(toRegressionRows(ranked), params);
  const running = await plansRunningNow(repo, selected.rows.map((r) => BigInt(r.statementId)));
  return {
    ...base,
    total: selected.total,
    page: selected.page,
    pageSize: params.pageSize,
    pageCount: selected.pageCount,
    counts: selected.counts,
    rows: selected.rows.map((r) => ({ ...r, generic: isGenericEvidence(r.evidence), runsNow: runningPlan(running.get(r.statementId)) })),
  };
}

/** The plan whichPlanRuns names for the statement; null when it has no plans (or just vanished). */
function runningPlan(entry: RunsNowEntry | undefined): RunningPlan | null {
  if (!entry || entry.plans.length === 0) return null;
  const plan = entry.plans.find((p) => p.id === entry.runsNow.planId);
  return {
    planId: entry.runsNow.planId,
    fingerprint: entry.runsNow.fingerprint,
    status: plan?.status ?? null,
    enabled: plan?.enabled ?? null,
  };
}
