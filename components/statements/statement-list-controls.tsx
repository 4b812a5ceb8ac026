"use client";

import { useEffect, useState } from "react";
import { BASELINE_WINDOWS, RECENT_WINDOWS, type StatementList, type StatementListParams, type VerdictFilter } from "@/lib/api/statements";
import styles from "./statements.module.css";

const VERDICT_LABELS: Record<VerdictFilter, string> = { regressions: "Regressions", improvements: "Improvements", all: "All" };
const SEARCH_DEBOUNCE_MS = 250;
const SINCE_OPTION = "since";

interface Props {
  params: StatementListParams;
  /** The target the list shows (the URL's, or the default first target). */
  target: string;
  targets: string[];
  counts: StatementList["counts"] | undefined;
  /** replace: typing in the search box does not stack history entries. */
  onChange: (next: Partial<StatementListParams>, mode?: "push" | "replace") => void;
}

export function StatementListControls({ params, target, targets, counts, onChange }: Props) {
  const [search, setSearch] = useState(params.q);
  // Back/forward (or a new deep link) changes the URL's q under the input.
  useEffect(() => setSearch(params.q), [params.q]);
  useEffect(() => {
    if (search === params.q) return;
    const timer = setTimeout(() => onChange({ q: search, page: 1 }, "replace"), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, params.q, onChange]);

  return (
    <form className={styles.toolbar} role="search" aria-label="Filter statements" onSubmit={(e) => e.preventDefault()}>
      <label className={styles.field}>
        Target
        <select value={target} onChange={(e) => onChange({ target: e.target.value, page: 1 })}>
          {targets.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        Recent window
        <select
          value={params.since === undefined ? params.recent : SINCE_OPTION}
          onChange={(e) => {
            if (e.target.value !== SINCE_OPTION) onChange({ recent: e.target.value as StatementListParams["recent"], since: undefined, page: 1 });
          }}
        >
          {/* A deep link's ?since= (e.g. the demo banner's): the window starts there and does not slide. */}
          {params.since === undefined ? null : <option value={SINCE_OPTION}>since {new Date(params.since).toLocaleTimeString()}</option>}
          {RECENT_WINDOWS.map((w) => (
            <option key={w} value={w}>
              last {w}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        Baseline window
        <select value={params.baseline} onChange={(e) => onChange({ baseline: e.target.value as StatementListParams["baseline"], page: 1 })}>
          {BASELINE_WINDOWS.map((w) => (
            <option key={w} value={w}>
              {w} before
            </option>
          ))}
        </select>
      </label>
      <label className={`${styles.field} ${styles.search}`}>
        Search query text
        <input type="search" value={search} placeholder="e.g. from orders" spellCheck={false} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <fieldset className={styles.segmented}>
        <legend>Verdict</legend>
        {(["regressions", "improvements", "all"] as const).map((v) => (
          <label key={v}>
            <input type="radio" name="verdict" value={v} checked={params.verdict === v} onChange={() => onChange({ verdict: v, page: 1 })} />
            {VERDICT_LABELS[v]}
            {counts ? <span className={styles.count}>{counts[v]}</span> : null}
          </label>
        ))}
      </fieldset>
    </form>
  );
}
