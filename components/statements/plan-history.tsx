"use client";

import Link from "next/link";
import { useState } from "react";
import type { PlanBoard } from "@/lib/api/plan-board";
import { shortFingerprint } from "@/lib/plan/fingerprint";
import { formatDurationMs, formatCount, formatCost, formatShortTimestamp, formatTimestamp } from "@/lib/statements/format";
import { ACTION_LABELS, availableActions, decisionErrorMessage, decisionSuccessMessage } from "@/lib/statements/plan-actions";
import { ToastRegion, useToasts } from "../ui/toast";
import { PlanStatusBadge } from "./badges";
import { RecentDecisions } from "./recent-decisions";
import { usePlanBoard, usePlanDecision } from "./use-plan-board";
import styles from "./statements.module.css";
import pageStyles from "./statement-page.module.css";

/**
 * The statement's plans with their decisions: one click applies, optimistically; a toast says what
 * happened. Roles without plan:decide (viewers) see the history without the buttons.
 */
export function PlanHistory({ statementId, initial, canDecide, role }: { statementId: string; initial: PlanBoard; canDecide: boolean; role: string | null }) {
  const { data: board, error } = usePlanBoard(statementId, initial);
  const [reason, setReason] = useState("");
  const { toasts, push, dismiss } = useToasts();
  const decision = usePlanDecision(statementId, {
    onDecided: (v, writeBack) => {
      push(writeBack?.result === "failed" ? "error" : "ok", decisionSuccessMessage(v.fingerprint, v.action, writeBack));
      setReason("");
    },
    onFailed: (_v, failure) => push("error", decisionErrorMessage(failure)),
  });

  return (
    <section className={pageStyles.panel} aria-labelledby="plans-title">
      <h2 id="plans-title">
        Plan history <span className={pageStyles.hint}>{board.plans.length} plan{board.plans.length === 1 ? "" : "s"} · {board.runsNow.explanation}</span>
      </h2>
      {error ? (
        <p className={styles.errorNotice} role="alert">
          Cannot refresh the plans: {error.message}
        </p>
      ) : null}
      {board.plans.length === 0 ? (
        <p className={pageStyles.muted}>No plan captured yet: auto_explain samples and EXPLAIN ANALYZE add plans here.</p>
      ) : (
        <>
          {canDecide ? (
            <label className={styles.field} style={{ maxWidth: "40rem", marginBottom: "0.6rem" }}>
              Reason for the next decision (optional, kept in the audit)
              <input type="text" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} placeholder="e.g. index dropped by migration 42" />
            </label>
          ) : (
            <p className={pageStyles.muted}>Your role ({role ?? "none"}) reads plans; approvers and admins decide them.</p>
          )}
          <div className={styles.tableWrap}>
            <table className={styles.table} aria-label="Plans of this statement">
              <thead>
                <tr>
                  <th scope="col">Plan</th>
                  <th scope="col">Status</th>
                  <th scope="col">Runs now</th>
                  <th scope="col">Valid</th>
                  <th scope="col" className={styles.num}>Samples</th>
                  <th scope="col" className={styles.num}>Mean actual</th>
                  <th scope="col" className={styles.num}>Latest cost</th>
                  <th scope="col">First seen (UTC)</th>
                  <th scope="col">Last seen (UTC)</th>
                  <th scope="col">Latest write-back</th>
                  {canDecide ? <th scope="col">Decide</th> : null}
                </tr>
              </thead>
              <tbody>
                {board.plans.map((plan) => {
                  const runs = board.runsNow.planId === plan.planId;
                  const pending = decision.isPending && decision.variables?.planId === plan.planId;
                  return (
                    <tr key={plan.planId} aria-label={`Plan ${shortFingerprint(plan.fingerprint)}`}>
                      <td>
                        <Link
                          className={styles.mono}
                          href={`/statements/${statementId}/plans/${plan.planId}`}
                          title={`${plan.fingerprint} · captured by ${plan.source.replace("_", " ")}`}
                        >
                          {shortFingerprint(plan.fingerprint)}
                        </Link>
                      </td>
                      <td>
                        <PlanStatusBadge status={plan.status} enabled={plan.enabled} />
                      </td>
                      <td>{runs ? <span className={styles.badge} data-tone="accent">▶ Runs now</span> : null}</td>
                      <td>{plan.valid ? "valid" : <span className={styles.bad}>invalid</span>}</td>
                      <td className={styles.num}>{formatCount(plan.samples)}</td>
                      <td className={styles.num}>{plan.meanActualMs === null ? "—" : formatDurationMs(plan.meanActualMs)}</td>
                      <td className={styles.num}>{formatCost(plan.latestEstimatedCost)}</td>
                      <td title={formatTimestamp(plan.firstSeenAt)}>{formatShortTimestamp(plan.firstSeenAt)}</td>
                      <td title={formatTimestamp(plan.lastSeenAt)}>{formatShortTimestamp(plan.lastSeenAt)}</td>
                      <td title={plan.lastWriteBack?.detail ?? undefined}>
                        {plan.lastWriteBack === null ? (
                          <span className={styles.muted}>—</span>
                        ) : (
                          <span className={styles.badge} data-tone={plan.lastWriteBack.result === "ok" ? "ok" : plan.lastWriteBack.result === "failed" ? "bad" : undefined}>
                            {plan.lastWriteBack.result}
                          </span>
                        )}
                      </td>
                      {canDecide ? (
                        <td>
                          <span className={styles.actions} aria-busy={pending}>
                            {availableActions(plan).map((action) => (
                              <button
                                key={action}
                                type="button"
                                disabled={pending}
                                onClick={() =>
                                  decision.mutate({ planId: plan.planId, fingerprint: plan.fingerprint, action, reason, expectedVersion: plan.version })
                                }
                              >
                                {ACTION_LABELS[action]}
                              </button>
                            ))}
                          </span>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      <RecentDecisions decisions={board.decisions} />
      <ToastRegion toasts={toasts} onDismiss={dismiss} />
    </section>
  );
}
