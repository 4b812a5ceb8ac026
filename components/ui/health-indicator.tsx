"use client";

import { useHealth } from "./use-health";

export function HealthIndicator() {
  const { data, error, isPending } = useHealth();
  const state = isPending ? "pending" : error || data?.status !== "ok" ? "error" : "ok";
  const label =
    state === "pending"
      ? "Repository: checking…"
      : state === "ok"
        ? "Repository healthy"
        : `Repository unavailable: ${error?.message ?? data?.repository ?? "unknown error"}`;
  return (
    <span role="status" aria-live="polite" className="health" data-state={state} title={label}>
      <span className="health-dot" aria-hidden="true" />
      <span className="health-label">{state === "ok" ? "Repository healthy" : state === "pending" ? "Checking…" : "Repository unavailable"}</span>
      <span className="visually-hidden">{state === "error" ? label : ""}</span>
    </span>
  );
}
