import type { Metadata } from "next";
import { Suspense } from "react";
import { z } from "zod";
import { AuditFilterForm } from "@/components/audit/audit-filter-form";
import { AuditTable } from "@/components/audit/audit-table";
import { Skeleton } from "@/components/ui/skeleton";
import { AUDIT_STATUSES, auditPage, type AuditFilters } from "@/lib/db/audit";
import { targetNames } from "@/lib/db/targets-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit" };

const PAGE_SIZE = 50;

const querySchema = z.object({
  target: z.string().trim().max(63).optional().catch(undefined),
  actor: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(AUDIT_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

async function AuditSection({ filters }: { filters: AuditFilters }) {
  const page = await auditPage(filters);
  return <AuditTable page={page} filters={filters} />;
}

export default async function AuditPage({ searchParams }: Props) {
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const q = querySchema.parse(raw);
  const filters: AuditFilters = {
    ...(q.target ? { target: q.target } : {}),
    ...(q.actor ? { actor: q.actor } : {}),
    ...(q.status ? { status: q.status } : {}),
    page: q.page,
    pageSize: PAGE_SIZE,
  };
  const targets = await targetNames();
  return (
    <>
      <h1>Audit</h1>
      <AuditFilterForm targets={targets} filters={filters} />
      <Suspense key={JSON.stringify(filters)} fallback={<Skeleton lines={6} label="Loading decisions" />}>
        <AuditSection filters={filters} />
      </Suspense>
    </>
  );
}
