import { shortFingerprint } from "@/lib/plan/fingerprint";
import styles from "./statements.module.css";

export function VerdictBadge({ verdict }: { verdict: "regression" | "improvement" | "stable" }) {
  const tone = verdict === "regression" ? "bad" : verdict === "improvement" ? "ok" : undefined;
  const label = verdict === "regression" ? "Regression" : verdict === "improvement" ? "Improvement" : "Stable";
  return (
    <span className={styles.badge} data-tone={tone}>
      {label}
    </span>
  );
}

/** "Plan change" / "Same plan", plus "generic" when the evidence says the new plan is generic. */
export function CauseBadges({ cause, generic }: { cause: "plan-change" | "same-plan" | null; generic: boolean }) {
  if (cause === null) return <span className={styles.muted}>—</span>;
  return (
    <>
      <span className={styles.badge} data-tone={cause === "plan-change" ? "warn" : undefined}>
        {cause === "plan-change" ? "Plan change" : "Same plan"}
      </span>
      {generic ? (
        <span className={styles.badge} data-tone="accent" title="The new plan is a generic plan ($n parameters)">
          generic
        </span>
      ) : null}
    </>
  );
}

const STATUS_TONE: Record<string, string | undefined> = { Approved: "ok", Preferred: "accent", Rejected: "bad", Unapproved: "warn" };

export function PlanStatusBadge({ status, enabled = true }: { status: string; enabled?: boolean | null }) {
  return (
    <>
      <span className={styles.badge} data-tone={STATUS_TONE[status]}>
        {status}
      </span>
      {enabled === false ? (
        <span className={styles.badge} data-tone="bad">
          disabled
        </span>
      ) : null}
    </>
  );
}

/** The plan that runs now, for the list: short fingerprint and its status. */
export function RunningPlanCell({ plan }: { plan: { fingerprint: string | null; status: string | null; enabled: boolean | null } | null }) {
  if (plan === null) return <span className={styles.muted}>no plans captured</span>;
  if (plan.fingerprint === null) return <span className={styles.bad}>none of the known plans</span>;
  return (
    <>
      <span className={styles.mono}>{shortFingerprint(plan.fingerprint)}</span>{" "}
      {plan.status === null ? <span className={styles.badge}>new</span> : <PlanStatusBadge status={plan.status} enabled={plan.enabled} />}
    </>
  );
}
