// The facts above a stored plan: where it comes from and what a DBA decided about it. Server component.
import Link from "next/link";
import type { PlanDetail } from "@/lib/db/plan-detail";
import panels from "./plan-panels.module.css";
import styles from "./plans.module.css";

const when = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");

export function StoredPlanHeader({ plan }: { plan: PlanDetail }) {
  return (
    <section className={panels.summary} aria-label="Stored plan">
      <div style={{ flex: "1 1 100%" }}>
        <dl className={panels.facts}>
          <div>
            <dt>Target</dt>
            <dd>{plan.targetName}</dd>
          </div>
          <div>
            <dt>Statement</dt>
            <dd>
              <Link href={`/statements/${plan.statementId}`}>#{plan.statementId}</Link>
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              {plan.status}
              {!plan.enabled && " · disabled"}
              {!plan.valid && " · invalid"}
            </dd>
          </div>
          <div>
            <dt>Captured by</dt>
            <dd>{plan.source.replace("_", " ")}</dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd className={styles.small}>{when(plan.firstSeenAt)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd className={styles.small}>{when(plan.lastSeenAt)}</dd>
          </div>
        </dl>
        <pre className={panels.queryText} aria-label="Query text">
          {plan.queryText}
        </pre>
        <p className={panels.note}>
          <Link href={`/statements/${plan.statementId}/compare?b=${plan.planId}`}>Compare with the statement&apos;s other plans</Link>
        </p>
      </div>
    </section>
  );
}
