"use client";

import { useActionState } from "react";
import { addTargetAction, type TargetFormState } from "@/app/(app)/targets/actions";
import styles from "../statements/statements.module.css";
import pageStyles from "../statements/statement-page.module.css";

const FIELDS = [
  { name: "name", label: "Name", placeholder: "orders", required: true, size: 12 },
  { name: "host", label: "Host", placeholder: "db1.internal", required: true, size: 18 },
  { name: "port", label: "Port", placeholder: "5432", required: false, size: 6 },
  { name: "database", label: "Database", placeholder: "orders", required: true, size: 12 },
  { name: "username", label: "User", placeholder: "planwatch", required: true, size: 12 },
] as const;

/** Add a target (admins). The password field is write-only: it is never shown again. */
export function AddTargetForm() {
  const [state, action, pending] = useActionState<TargetFormState, FormData>(addTargetAction, null);
  return (
    <section className={pageStyles.panel} aria-labelledby="add-target-title">
      <h2 id="add-target-title">
        Add a target <span className={pageStyles.hint}>administrators · PlanWatch connects and checks pg_stat_statements first</span>
      </h2>
      <form action={action} className={styles.toolbar} aria-label="Add a target">
        {FIELDS.map((f) => (
          <label key={f.name} className={styles.field}>
            {f.label}
            <input name={f.name} placeholder={f.placeholder} required={f.required} size={f.size} autoComplete="off" spellCheck={false} aria-invalid={state !== null && "field" in state && state.field === f.name} />
          </label>
        ))}
        <label className={styles.field}>
          Password
          <input name="password" type="password" autoComplete="new-password" size={12} />
        </label>
        <button type="submit" className={pageStyles.primary} disabled={pending}>
          {pending ? "Connecting…" : "Add target"}
        </button>
      </form>
      <div aria-live="polite">
        {state !== null && "ok" in state ? (
          <div className={pageStyles.result}>
            {state.ok}
            {state.warnings.length > 0 ? (
              <ul>
                {state.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
      {state !== null && "error" in state ? (
        <p className={pageStyles.error} role="alert">
          {state.error}
        </p>
      ) : null}
    </section>
  );
}
