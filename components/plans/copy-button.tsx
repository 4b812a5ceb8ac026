"use client";

import { useState } from "react";

/** Copies text to the clipboard and says so in a live region (or why it could not). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <>
      <button
        type="button"
        onClick={() => {
          navigator.clipboard.writeText(text).then(
            () => setState("copied"),
            () => setState("failed"),
          );
        }}
      >
        {label}
      </button>
      <span role="status" aria-live="polite" style={{ fontSize: "0.85rem", color: "var(--text-muted)" }}>
        {state === "copied" ? "Copied" : state === "failed" ? "The browser refused clipboard access: select the text and copy it" : ""}
      </span>
    </>
  );
}
