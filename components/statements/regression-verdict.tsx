import Link from "next/link";
import { DEFAULT_BASELINE, DEFAULT_RECENT } from "@/lib/api/regressions";
import { prisma } from "@/lib/db/client";
import { statementRegression } from "@/lib/db/regressions";
import { shortFingerprint } from "@/lib/plan/fingerprint";
import { parseDuration, regressionWindows } from "@/lib/regression";
import { formatCount, formatDurationMs, formatImpactMs, formatRatio } from "@/lib/statements/format";
import { CauseBadges, VerdictBadge } from "./badges";
import { isGenericEvidence } from "@/lib/statements/list";
import styles from "./statement-page.module.css";

/** The statement's verdict over the default windows (last 1h vs the 24h before), with its evidence. */
export async function RegressionVerdict({ statementId }: { statementId: bigint }) {
  const repo = prisma();
  const windows = regressionWindows({ now: new Date(), recentMs: parseDuration(DEFAULT_RECENT), baselineMs: parseDuration(DEFAULT_BASELINE) });
  const [row, plans] = await Promise.all([
    statementRegression(repo, statementId, windows),
    repo.plan.findMany({ where: { statementId }, select: { id: true, fingerprint: true } }),
  ]);
  const planIdOf = (fp: string | null) => (fp === null ? undefined : plans.find((p) => p.fingerprint === fp)?.id.toString());
  const baselineId = planIdOf(row?.baselinePlan ?? null);
  const recentId = planIdOf(row?.recentPlan ?? null);

  return (
    <section className={styles.panel} aria-labelledby="verdict-title">
      <h2 id="verdict-title">
        Regression verdict <span className={styles.hint}>last {DEFAULT_RECENT} vs the {DEFAULT_BASELINE} before</span>
      </h2>
      {row === null ? (
        <p className={styles.muted}>No collection intervals in either window: nothing to compare yet.</p>
      ) : (
        <>
          <div className={styles.verdictLine}>
            <VerdictBadge verdict={row.verdict} />
            <CauseBadges cause={row.cause} generic={isGenericEvidence(row.evidence)} />
          </div>
          <dl className={styles.facts}>
            <div>
              <dt>Ratio</dt>
              <dd>{formatRatio(row.ratio)}</dd>
            </div>
            <div>
              <dt>Impact</dt>
              <dd>{formatImpactMs(row.impactMs)}</dd>
            </div>
            <div>
              <dt>Baseline mean</dt>
              <dd>{row.baselineMeanMs === null ? "—" : formatDurationMs(row.baselineMeanMs)}</dd>
            </div>
            <div>
              <dt>Recent mean</dt>
              <dd>{row.recentMeanMs === null ? "—" : formatDurationMs(row.recentMeanMs)}</dd>
            </div>
            <div>
              <dt>Recent calls</dt>
              <dd>{formatCount(row.recentCalls)}</dd>
            </div>
            <div>
              <dt>p-value</dt>
              <dd>{row.pValue === null ? "—" : row.pValue < 1e-12 ? "< 1e-12" : row.pValue.toPrecision(2)}</dd>
            </div>
          </dl>
          <p className={styles.evidence}>
            <span className={styles.muted}>Evidence: </span>
            {row.evidence}
          </p>
          {baselineId !== undefined && recentId !== undefined && baselineId !== recentId ? (
            <p>
              <Link href={`/statements/${statementId}/compare?a=${baselineId}&b=${recentId}`}>Compare baseline vs recent plan</Link>{" "}
              <span className={styles.muted}>
                ({shortFingerprint(row.baselinePlan ?? "")} → {shortFingerprint(row.recentPlan ?? "")})
              </span>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
