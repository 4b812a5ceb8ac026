// Reads for /statements/[id]: the statement itself, its interval and sample history for the charts,
// and its plan board (plans with versions and the last decisions).
import "server-only";
import type { PlanBoard } from "../api/plan-board";
import type { IntervalInput, PlanInput, SampleInput } from "../statements/series";
import { recentDecisions } from "./audit";
import { prisma, type PrismaClient } from "./client";
import { statementPlans } from "./statement-plans";

export interface StatementHeader {
  statementId: string;
  queryId: string;
  query: string;
  target: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export async function statementHeader(statementId: bigint, repo: PrismaClient = prisma()): Promise<StatementHeader | null> {
  const s = await repo.statement.findUnique({
    where: { id: statementId },
    select: { id: true, queryId: true, queryText: true, firstSeenAt: true, lastSeenAt: true, target: { select: { name: true } } },
  });
  if (s === null) return null;
  return {
    statementId: s.id.toString(),
    queryId: s.queryId.toString(),
    query: s.queryText,
    target: s.target.name,
    firstSeenAt: s.firstSeenAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
  };
}

/** How far back the charts look, and the most samples they draw (the latest ones). */
export const TIMELINE_DAYS = 7;
export const TIMELINE_MAX_SAMPLES = 3_000;

export interface StatementTimeline {
  intervals: IntervalInput[];
  samples: SampleInput[];
  /** Every plan of the statement, first seen first (this order fixes the chart colors). */
  plans: PlanInput[];
  sinceAt: string;
}

export async function statementTimeline(statementId: bigint, repo: PrismaClient = prisma(), now = new Date()): Promise<StatementTimeline> {
  const since = new Date(now.getTime() - TIMELINE_DAYS * 86_400_000);
  const [intervals, samples, plans] = await Promise.all([
    repo.statementInterval.findMany({
      where: { statementId, windowEnd: { gt: since } },
      select: { windowStart: true, windowEnd: true, calls: true, meanExecMs: true },
      orderBy: { windowEnd: "asc" },
    }),
    repo.planSample.findMany({
      where: { plan: { statementId }, capturedAt: { gt: since } },
      select: { planId: true, capturedAt: true, estimatedTotalCost: true, actualTotalMs: true },
      orderBy: [{ capturedAt: "desc" }, { id: "desc" }],
      take: TIMELINE_MAX_SAMPLES,
    }),
    repo.plan.findMany({
      where: { statementId },
      select: { id: true, fingerprint: true, status: true, enabled: true },
      orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
    }),
  ]);
  return {
    sinceAt: since.toISOString(),
    intervals: intervals.map((i) => ({
      windowStart: i.windowStart.toISOString(),
      windowEnd: i.windowEnd.toISOString(),
      calls: Number(i.calls),
      meanExecMs: i.meanExecMs,
    })),
    plans: plans.map((p) => ({ planId: p.id.toString(), fingerprint: p.fingerprint, status: p.status, enabled: p.enabled })),
    samples: samples.reverse().map((s) => ({
      planId: s.planId.toString(),
      capturedAt: s.capturedAt.toISOString(),
      estimatedTotalCost: s.estimatedTotalCost,
      actualTotalMs: s.actualTotalMs,
    })),
  };
}

/** statementPlans with versions, and the last decisions; NotFoundError when the statement is gone. */
export async function planBoard(statementId: bigint, repo: PrismaClient = prisma()): Promise<PlanBoard> {
  const [board, versions, decisions] = await Promise.all([
    statementPlans(repo, statementId),
    repo.plan.findMany({ where: { statementId }, select: { id: true, version: true } }),
    recentDecisions(statementId, 5, repo),
  ]);
  const versionOf = new Map(versions.map((v) => [v.id.toString(), v.version]));
  return {
    statementId: board.statementId,
    target: board.target,
    runsNow: board.runsNow,
    plans: board.plans.map((p) => ({ ...p, version: versionOf.get(p.planId) ?? 0 })),
    decisions,
  };
}
