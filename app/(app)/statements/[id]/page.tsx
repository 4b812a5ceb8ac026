import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { ExplainForm } from "@/components/statements/explain-form";
import { FormattedSql } from "@/components/statements/formatted-sql";
import { PlanHistorySection } from "@/components/statements/plan-history-section";
import { RegressionVerdict } from "@/components/statements/regression-verdict";
import { StatementChartsSection } from "@/components/statements/statement-charts-section";
import styles from "@/components/statements/statement-page.module.css";
import { Skeleton } from "@/components/ui/skeleton";
import { can } from "@/lib/auth/authorize";
import { sessionActor } from "@/lib/auth/session-actor";
import { parseRouteId } from "@/lib/db/plan-detail";
import { statementHeader } from "@/lib/db/statement-detail";
import { formatTimestamp } from "@/lib/statements/format";
import { parameterLabels } from "@/lib/statements/params";

// Reads the repository at request time.
export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Statement #${id}` };
}

export default async function StatementPage({ params }: Props) {
  const statementId = parseRouteId((await params).id);
  if (statementId === null) notFound();
  const header = await statementHeader(statementId);
  if (header === null) notFound();
  // What the role may do decides which controls show (the server checks each write regardless).
  const actor = await sessionActor();
  const canDecide = actor !== null && can(actor, "plan:decide");
  const canExplain = actor !== null && can(actor, "explain:analyze");

  return (
    <>
      <div className={styles.head}>
        <h1>Statement #{header.statementId}</h1>
        <dl className={styles.facts}>
          <div>
            <dt>Target</dt>
            <dd>
              <Link href={`/?target=${encodeURIComponent(header.target)}`}>{header.target}</Link>
            </dd>
          </div>
          <div>
            <dt>Query id</dt>
            <dd>{header.queryId}</dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd>{formatTimestamp(header.firstSeenAt)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>{formatTimestamp(header.lastSeenAt)}</dd>
          </div>
        </dl>
      </div>
      <div className={styles.top}>
        <FormattedSql sql={header.query} />
        <Suspense fallback={<Skeleton lines={4} label="Loading the regression verdict" />}>
          <RegressionVerdict statementId={statementId} />
        </Suspense>
      </div>
      <Suspense fallback={<Skeleton lines={6} label="Loading the charts" />}>
        <StatementChartsSection statementId={statementId} />
      </Suspense>
      <Suspense fallback={<Skeleton lines={5} label="Loading the plan history" />}>
        <PlanHistorySection statementId={statementId} canDecide={canDecide} role={actor?.role ?? null} />
      </Suspense>
      {canExplain ? <ExplainForm statementId={header.statementId} labels={parameterLabels(header.query)} /> : null}
    </>
  );
}
