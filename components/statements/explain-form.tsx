"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { explainSummary, isExplainAnswer, type ExplainSummary } from "@/lib/statements/explain";
import { formatCost, formatDurationMs } from "@/lib/statements/format";
import { queryKeys } from "../query-keys";
import styles from "./statement-page.module.css";

type State = { kind: "idle" } | { kind: "running" } | { kind: "done"; summary: ExplainSummary } | { kind: "failed"; status: number; message: string };

function failureText(status: number, message: string): string {
  if (status === 401) return "Sign in to run EXPLAIN ANALYZE (it executes the statement on the target).";
  if (status === 403) return `Not allowed: ${message}`;
  if (status === 504) return `The target did not finish in time: ${message}`;
  return message;
}

/** EXPLAIN ANALYZE on the target with one value per $n; the plan is stored (source on_demand). */
export function ExplainForm({ statementId, labels }: { statementId: string; labels: string[] }) {
  const [values, setValues] = useState<string[]>(() => labels.map(() => ""));
  const [state, setState] = useState<State>({ kind: "idle" });
  const client = useQueryClient();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState({ kind: "running" });
    try {
      const response = await fetch(`/api/statements/${statementId}/explain`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ params: values }),
      });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok || !isExplainAnswer(body)) {
        const message = typeof body === "object" && body !== null && "error" in body ? String(body.error) : `the server answered ${response.status}`;
        setState({ kind: "failed", status: response.status, message });
        return;
      }
      setState({ kind: "done", summary: explainSummary(body) });
      void client.invalidateQueries({ queryKey: queryKeys.statements.plans(statementId) });
    } catch (err) {
      setState({ kind: "failed", status: 0, message: `cannot reach PlanWatch: ${err instanceof Error ? err.message : String(err)}` });
    }
  }

  return (
    <section className={styles.panel} aria-labelledby="explain-title">
      <h2 id="explain-title">
        EXPLAIN ANALYZE now <span className={styles.hint}>runs the statement on the target, in a transaction that is rolled back</span>
      </h2>
      <form className={styles.form} onSubmit={submit} aria-label="EXPLAIN ANALYZE">
        {labels.map((label, i) => (
          <label key={label}>
            {label}
            <input
              type="text"
              value={values[i] ?? ""}
              spellCheck={false}
              onChange={(e) => setValues((v) => v.map((old, j) => (j === i ? e.target.value : old)))}
            />
          </label>
        ))}
        {labels.length === 0 ? <span className={styles.muted}>This statement has no parameters.</span> : null}
        <button type="submit" className={styles.primary} disabled={state.kind === "running"}>
          {state.kind === "running" ? "Running…" : "Run EXPLAIN ANALYZE"}
        </button>
      </form>
      <div aria-live="polite">
        {state.kind === "done" ? (
          <p className={styles.result}>
            Plan <Link href={`/statements/${statementId}/plans/${state.summary.planId}`}>{state.summary.shortFingerprint}</Link>
            {state.summary.isNew ? " (new plan)" : " (already known)"}
            {state.summary.status ? `, ${state.summary.status}` : ""}
            {state.summary.rootNode ? ` · ${state.summary.rootNode}` : ""}
            {state.summary.executionMs !== null ? ` · execution ${formatDurationMs(state.summary.executionMs)}` : ""}
            {state.summary.planningMs !== null ? ` · planning ${formatDurationMs(state.summary.planningMs)}` : ""}
            {state.summary.estimatedCost !== null ? ` · cost ${formatCost(state.summary.estimatedCost)}` : ""}
          </p>
        ) : null}
      </div>
      {state.kind === "failed" ? (
        <p className={styles.error} role="alert">
          {failureText(state.status, state.message)}
        </p>
      ) : null}
    </section>
  );
}
