// The audit trail of plan decisions (PlanStatusChange): the /audit page's filtered pages and a
// statement's last few decisions. Plain rows: ids as strings, times as ISO 8601.
import "server-only";
import type { Prisma } from "./generated/prisma/client";
import { prisma, type PrismaClient } from "./client";

export const AUDIT_STATUSES = ["Approved", "Unapproved", "Rejected", "Preferred"] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  target: string;
  statementId: string;
  queryText: string;
  planId: string;
  fingerprint: string;
  fromStatus: string | null;
  toStatus: string;
  fromEnabled: boolean | null;
  toEnabled: boolean;
  reason: string | null;
  writeBackResult: string | null;
  writeBackDetail: string | null;
}

export interface AuditFilters {
  target?: string;
  /** Substring of the actor, case-insensitive. */
  actor?: string;
  /** The status the change led to. */
  status?: AuditStatus;
  page: number;
  pageSize: number;
}

export interface AuditPage {
  rows: AuditRow[];
  total: number;
  page: number;
  pageCount: number;
}

const select = {
  id: true,
  at: true,
  actor: true,
  fromStatus: true,
  toStatus: true,
  fromEnabled: true,
  toEnabled: true,
  reason: true,
  writeBackResult: true,
  writeBackDetail: true,
  plan: { select: { id: true, fingerprint: true, statement: { select: { id: true, queryText: true, target: { select: { name: true } } } } } },
} as const satisfies Prisma.PlanStatusChangeSelect;

type Record = Prisma.PlanStatusChangeGetPayload<{ select: typeof select }>;

function toRow(r: Record): AuditRow {
  return {
    id: r.id.toString(),
    at: r.at.toISOString(),
    actor: r.actor,
    target: r.plan.statement.target.name,
    statementId: r.plan.statement.id.toString(),
    queryText: r.plan.statement.queryText,
    planId: r.plan.id.toString(),
    fingerprint: r.plan.fingerprint,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    fromEnabled: r.fromEnabled,
    toEnabled: r.toEnabled,
    reason: r.reason,
    writeBackResult: r.writeBackResult,
    writeBackDetail: r.writeBackDetail,
  };
}

/** Newest first. A page past the end shows the last page. */
export async function auditPage(filters: AuditFilters, repo: PrismaClient = prisma()): Promise<AuditPage> {
  const where: Prisma.PlanStatusChangeWhereInput = {
    ...(filters.actor ? { actor: { contains: filters.actor, mode: "insensitive" } } : {}),
    ...(filters.status ? { toStatus: filters.status } : {}),
    ...(filters.target ? { plan: { statement: { target: { name: filters.target } } } } : {}),
  };
  const total = await repo.planStatusChange.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / filters.pageSize));
  const page = Math.min(Math.max(1, filters.page), pageCount);
  const rows = await repo.planStatusChange.findMany({
    where,
    select,
    orderBy: [{ at: "desc" }, { id: "desc" }],
    skip: (page - 1) * filters.pageSize,
    take: filters.pageSize,
  });
  return { rows: rows.map(toRow), total, page, pageCount };
}

/** The statement's last decisions, newest first. */
export async function recentDecisions(statementId: bigint, limit = 5, repo: PrismaClient = prisma()): Promise<AuditRow[]> {
  const rows = await repo.planStatusChange.findMany({
    where: { plan: { statementId } },
    select,
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(toRow);
}
