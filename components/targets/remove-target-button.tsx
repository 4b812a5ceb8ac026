"use client";

import { useActionState, useState } from "react";
import { removeTargetAction, type TargetFormState } from "@/app/(app)/targets/actions";
import pageStyles from "../statements/statement-page.module.css";

/** Two steps: "Remove" asks, "Remove <name> and its data" does it. */
export function RemoveTargetButton({ name }: { name: string }) {
  const [state, action, pending] = useActionState<TargetFormState, FormData>(removeTargetAction, null);
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)} aria-label={`Remove ${name}`}>
        Remove
      </button>
    );
  }
  return (
    <form action={action} style={{ display: "inline-flex", gap: "0.3rem", alignItems: "center", flexWrap: "wrap" }}>
      <input type="hidden" name="name" value={name} />
      <button type="submit" disabled={pending} style={{ borderColor: "var(--bad)", color: "var(--bad)" }}>
        {pending ? "Removing…" : `Remove ${name} and its data`}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {state !== null && "error" in state ? (
        <span className={pageStyles.error} role="alert" style={{ margin: 0, padding: "0.2rem 0.5rem" }}>
          {state.error}
        </span>
      ) : null}
    </form>
  );
}
