"use client";

// One plan: summary (times, size, fingerprint, hottest nodes), then tabs for the tree with its
// details panel, the raw plan as captured, and pg_hint_plan hints. The tab is in the query string
// (?tab=raw) and the selected node in the hash (#node-12), so both survive a reload and a shared link.
import { useSearchParams } from "next/navigation";
import { useCallback, useId, useMemo, useState, type KeyboardEvent } from "react";
import type { Plan } from "@/lib/plan";
import { nodeDetails } from "@/lib/plan/view/node-details";
import { buildTreeModel } from "@/lib/plan/view/node-rows";
import { planSummary } from "@/lib/plan/view/plan-summary";
import { preorder } from "@/lib/plan/plan-tree";
import { NodeDetailsPanel } from "./node-details-panel";
import { PlanTree } from "./plan-tree";
import { HintsPanel, RawPanel } from "./plan-text-panels";
import panels from "./plan-panels.module.css";
import styles from "./plans.module.css";
import { useHashSelection } from "./use-hash-selection";

const TABS = [
  { id: "tree", label: "Tree" },
  { id: "raw", label: "Raw" },
  { id: "hints", label: "Hints" },
] as const;
type TabId = (typeof TABS)[number]["id"];

function isTab(value: string | null): value is TabId {
  return TABS.some((t) => t.id === value);
}

export function PlanView({ plan, source, label = "Plan" }: { plan: Plan; source: string; label?: string }) {
  const model = useMemo(() => buildTreeModel(plan), [plan]);
  const summary = useMemo(() => planSummary(plan, model), [plan, model]);
  const nodes = useMemo(() => preorder(plan.root), [plan]);
  const [selectedId, select] = useHashSelection("node");
  const searchParams = useSearchParams();
  const initialTab = searchParams.get("tab");
  const [tab, setTabState] = useState<TabId>(isTab(initialTab) ? initialTab : "tree");
  const domId = useId();

  const setTab = useCallback((next: TabId) => {
    setTabState(next);
    const url = new URL(window.location.href);
    if (next === "tree") url.searchParams.delete("tab");
    else url.searchParams.set("tab", next);
    window.history.replaceState(window.history.state, "", url);
  }, []);

  const selectedNode = selectedId === null ? undefined : nodes.find((n) => n.id === selectedId);
  const details = useMemo(
    () => (selectedNode === undefined ? null : nodeDetails(selectedNode, model.metrics.nodes[selectedNode.id] ?? null)),
    [selectedNode, model],
  );

  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = TABS.findIndex((t) => t.id === tab);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(at + step + TABS.length) % TABS.length];
    if (next !== undefined) {
      setTab(next.id);
      document.getElementById(`${domId}-tab-${next.id}`)?.focus();
    }
  };

  return (
    <div className={styles.root}>
      <section className={panels.summary} aria-label={`${label} summary`}>
        <div>
          <dl className={panels.facts}>
            {summary.facts.map((f) => (
              <div key={f.label}>
                <dt>{f.label}</dt>
                <dd className={f.mono === true ? panels.mono : undefined} title={f.title}>
                  {f.value}
                </dd>
              </div>
            ))}
          </dl>
          {summary.note !== null && <p className={panels.note}>{summary.note}</p>}
        </div>
        {summary.hot.length > 0 && (
          <div>
            <h2 className={panels.hotTitle}>Hottest nodes</h2>
            <ol className={panels.hotList}>
              {summary.hot.map((h) => (
                <li key={h.id}>
                  <button
                    type="button"
                    className={panels.hotButton}
                    onClick={() => {
                      setTab("tree");
                      select(h.id);
                    }}
                  >
                    <span className={panels.hotRank}>#{h.rank}</span>
                    <span>{h.label}</span>
                    <span className={styles.muted}>{h.figure}</span>
                  </button>
                </li>
              ))}
            </ol>
          </div>
        )}
      </section>

      <div role="tablist" aria-label={`${label} views`} className={panels.tabs} onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`${domId}-tab-${t.id}`}
            type="button"
            role="tab"
            className={panels.tab}
            aria-selected={tab === t.id}
            aria-controls={`${domId}-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>

      <div role="tabpanel" id={`${domId}-panel-${tab}`} aria-labelledby={`${domId}-tab-${tab}`}>
        {tab === "tree" && (
          <div className={styles.treeLayout} data-details={details !== null ? "open" : "closed"}>
            <PlanTree model={model} selectedId={selectedId} onSelect={select} label={`${label} tree`} />
            {details !== null && <NodeDetailsPanel details={details} onClose={() => select(null)} />}
          </div>
        )}
        {tab === "raw" && <RawPanel source={source} />}
        {tab === "hints" && <HintsPanel plan={plan} />}
      </div>
    </div>
  );
}
