"use client";

// The "Raw" and "Hints" tabs of the plan view.
import { useMemo } from "react";
import { planHints, type Plan } from "@/lib/plan";
import { CopyButton } from "./copy-button";
import panels from "./plan-panels.module.css";

export function RawPanel({ source }: { source: string }) {
  return (
    <div>
      <div className={panels.toolbar}>
        <span className={panels.note}>The plan as captured ({source.length.toLocaleString("en-US")} characters).</span>
        <CopyButton text={source} label="Copy plan" />
      </div>
      <pre className={panels.pre} aria-label="Plan as captured" tabIndex={0}>
        {source}
      </pre>
    </div>
  );
}

export function HintsPanel({ plan }: { plan: Plan }) {
  // Computed when the tab opens, not with the tree: nobody waits for hints they did not ask for.
  const hints = useMemo(() => planHints(plan), [plan]);
  return (
    <div>
      <div className={panels.toolbar}>
        <span className={panels.note}>pg_hint_plan hints that reproduce this plan&apos;s scans, joins and join order.</span>
        <CopyButton text={hints.text} label="Copy hints" />
      </div>
      <pre className={panels.pre} aria-label="pg_hint_plan hints">
        {hints.text}
      </pre>
      {hints.complete ? (
        <p className={panels.okText}>✓ Complete: the hints pin every planner choice in this plan.</p>
      ) : (
        <>
          <p className={panels.warnText}>⚠ Incomplete: these planner choices cannot be pinned with hints:</p>
          <ul aria-label="Not pinned by the hints">
            {hints.unsupported.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
