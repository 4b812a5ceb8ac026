// Read functions for the stored-plan pages: one plan with its statement and target, and the pair
// of plans a statement's compare page shows by default.
import "server-only";
import { DEFAULT_BASELINE, DEFAULT_RECENT } from "../api/regressions";
import { regressionWindows, tryParseDuration } from "../regression";
import { prisma } from "./client";
import { statementRegression } from "./regressions";

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A route segment as a repository id, or null for anything that cannot be one ("abc", "0", "1e3", 20 digits). */
export function parseRouteId(text: string | undefined): bigint | null {
  if (text === undefined || !/^[1-9]\d{0,18}$/.test(text)) return null;
  const id = BigInt(text);
  return id <= MAX_BIGINT ? id : null;
}

export interface PlanDetail {
  planId: string;
  statementId: string;
  fingerprint: string;
  status: string;
  enabled: boolean;
  valid: boolean;
  source: string;
  firstSeenAt: string;
  lastSeenAt: string;
  /** The captured EXPLAIN JSON, indented for the Raw tab (the column is jsonb: its own formatting is gone). */
  planJson: string;
  queryText: string;
  targetName: string;
}

/** The plan, when it exists and belongs to the statement; null otherwise (the page answers 404). */
export async function planDetail(statementId: bigint, planId: bigint): Promise<PlanDetail | null> {
  const row = await prisma().plan.findFirst({
    where: { id: planId, statementId },
    select: {
      id: true,
      statementId: true,
      fingerprint: true,
      status: true,
      enabled: true,
      valid: true,
      source: true,
      firstSeenAt: true,
      lastSeenAt: true,
      plan: true,
      statement: { select: { queryText: true, target: { select: { name: true } } } },
    },
  });
  if (row === null) return null;
  return {
    planId: row.id.toString(),
    statementId: row.statementId.toString(),
    fingerprint: row.fingerprint,
    status: row.status,
    enabled: row.enabled,
    valid: row.valid,
    source: row.source,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    planJson: JSON.stringify(row.plan, null, 2),
    queryText: row.statement.queryText,
    targetName: row.statement.target.name,
  };
}

export interface StatementPlanChoice {
  planId: string;
  fingerprint: string;
  status: string;
  lastSeenAt: string;
}

export interface ComparePair {
  statementId: string;
  queryText: string;
  targetName: string;
  /** Every plan of the statement, most recently seen first (for the pickers). */
  plans: StatementPlanChoice[];
  /** Null when the statement has fewer than two plans and none was asked for. */
  a: string | null;
  b: string | null;
  /** How the default pair was chosen, for the page to say. */
  chosenBy: "request" | "regression" | "recency";
}

function windowMs(text: string): number {
  const parsed = tryParseDuration(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.ms;
}

/**
 * The statement's plans and the pair to compare: `a`/`b` as requested, the rest filled with the
 * regression-aware default — the plan that dominated the baseline window vs the recent one
 * (statementRegression, same windows as /api/regressions) when they differ — else the two most
 * recently seen plans (older on the left). Null when the statement does not exist.
 */
export async function comparePair(statementId: bigint, requestedA: bigint | null, requestedB: bigint | null): Promise<ComparePair | null> {
  const db = prisma();
  const statement = await db.statement.findUnique({
    where: { id: statementId },
    select: {
      queryText: true,
      target: { select: { name: true } },
      plans: { select: { id: true, fingerprint: true, status: true, lastSeenAt: true }, orderBy: [{ lastSeenAt: "desc" }, { id: "desc" }] },
    },
  });
  if (statement === null) return null;
  const plans = statement.plans.map((p) => ({ planId: p.id.toString(), fingerprint: p.fingerprint, status: p.status, lastSeenAt: p.lastSeenAt.toISOString() }));
  const has = (id: bigint | null) => id !== null && plans.some((p) => p.planId === id.toString());
  let a = has(requestedA) ? String(requestedA) : null;
  let b = has(requestedB) ? String(requestedB) : null;
  let chosenBy: ComparePair["chosenBy"] = "request";
  if (a === null || b === null) {
    const [baseline, recent, by] = await defaultPair(statementId, plans);
    chosenBy = by;
    if (a === null) a = baseline !== b ? baseline : recent !== b ? recent : null;
    if (b === null) b = recent !== a ? recent : baseline !== a ? baseline : null;
    // Still missing: any other plan, most recent first.
    a ??= plans.find((p) => p.planId !== b)?.planId ?? null;
    b ??= plans.find((p) => p.planId !== a)?.planId ?? null;
  }
  return { statementId: statementId.toString(), queryText: statement.queryText, targetName: statement.target.name, plans, a, b, chosenBy };
}

async function defaultPair(statementId: bigint, plans: StatementPlanChoice[]): Promise<[string | null, string | null, "regression" | "recency"]> {
  try {
    const windows = regressionWindows({ now: new Date(), recentMs: windowMs(DEFAULT_RECENT), baselineMs: windowMs(DEFAULT_BASELINE) });
    const ranked = await statementRegression(prisma(), statementId, windows);
    const byFingerprint = (fp: string | null) => plans.find((p) => p.fingerprint === fp)?.planId ?? null;
    const baseline = byFingerprint(ranked?.baselinePlan ?? null);
    const recent = byFingerprint(ranked?.recentPlan ?? null);
    if (baseline !== null && recent !== null && baseline !== recent) return [baseline, recent, "regression"];
  } catch (err) {
    // The ranking is a nicety here: without it the page still compares the latest plans.
    console.error("planwatch: compare default from the regression ranking failed:", err instanceof Error ? err.message : err);
  }
  return [plans[1]?.planId ?? null, plans[0]?.planId ?? null, "recency"];
}

/** The captured JSON of two plans of one statement (either may be missing). */
export async function planSources(statementId: bigint, ids: string[]): Promise<Map<string, string>> {
  const rows = await prisma().plan.findMany({ where: { statementId, id: { in: ids.map((id) => BigInt(id)) } }, select: { id: true, plan: true } });
  return new Map(rows.map((r) => [r.id.toString(), JSON.stringify(r.plan, null, 2)]));
}
