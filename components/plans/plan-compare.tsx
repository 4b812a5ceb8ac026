"use client";

// Two plans side by side. One virtualized list renders both columns, so the aligned rows scroll
// together and collapsing a row folds the pair by construction. Status is color plus a marker
// (= ~ + −) and a word in the accessible name, never color alone.
import { useEffect, useId, useMemo, type CSSProperties } from "react";
import { diffPlans, type Plan } from "@/lib/plan";
import { buildCompareModel, STATUS_MARKERS, type CompareRowModel, type DeltaText } from "@/lib/plan/view/compare-rows";
import { formatCost, formatMs } from "@/lib/plan/view/format";
import { rowKey } from "@/lib/plan/view/visible-rows";
import { MoreRow } from "./plan-tree";
import panels from "./plan-panels.module.css";
import styles from "./plans.module.css";
import { useHashSelection } from "./use-hash-selection";
import { useVirtualTree } from "./use-virtual-tree";

const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 30;
const MAX_INDENT_LEVELS = 24;

/** performance marks read by the e2e measurement (click → first compared rows on screen). */
export const COMPARE_ROWS_MARK = "planwatch:compare:rows";

export interface PlanCompareProps {
  left: Plan;
  right: Plan;
  leftTitle: string;
  rightTitle: string;
}

export function PlanCompare({ left, right, leftTitle, rightTitle }: PlanCompareProps) {
  const diff = useMemo(() => diffPlans(left, right), [left, right]);
  const model = useMemo(() => buildCompareModel(diff), [diff]);
  const [selected, select] = useHashSelection("row");
  const domId = useId();
  const tree = useVirtualTree({ shape: model.shape, parentOf: model.parentOf, pinned: model.pinned, selectedId: selected, onActivate: select, onDismiss: () => select(null), rowHeight: ROW_HEIGHT, headerHeight: HEADER_HEIGHT });
  const active = tree.rows[tree.activeIndex];
  const selectedRow = selected === null ? undefined : model.row(selected);

  useEffect(() => {
    performance.mark(COMPARE_ROWS_MARK, { detail: { rows: diff.rows.length } });
  }, [diff]);

  return (
    <div className={styles.root}>
      <section className={panels.summary} aria-label="Comparison summary">
        <div style={{ flex: "1 1 30rem" }}>
          <p style={{ margin: 0, fontWeight: 600 }} data-testid="diff-summary">
            {diff.summary}
          </p>
          <dl className={panels.facts} style={{ marginTop: "0.5rem" }}>
            <div>
              <dt>Time</dt>
              <dd>
                {formatMs(diff.totalTimeMs.before)} → {formatMs(diff.totalTimeMs.after)}
              </dd>
            </div>
            <div>
              <dt>Total cost</dt>
              <dd>
                {formatCost(diff.totalCost.before)} → {formatCost(diff.totalCost.after)}
              </dd>
            </div>
            <div>
              <dt>Fingerprints</dt>
              <dd className={panels.mono}>
                {diff.leftFingerprint.slice(0, 8)} {diff.sameShape ? "=" : "≠"} {diff.rightFingerprint.slice(0, 8)}
              </dd>
            </div>
          </dl>
        </div>
        <div>
          <ul className={styles.legend} aria-label="Row counts by status">
            {(["changed", "added", "removed", "same"] as const).map((s) => (
              <li key={s} className={styles.legendItem}>
                <span className={styles.marker} aria-hidden="true">
                  {STATUS_MARKERS[s].marker}
                </span>
                {diff.counts[s]} {STATUS_MARKERS[s].word}
              </li>
            ))}
          </ul>
          {model.firstChange !== null && (
            <button type="button" style={{ marginTop: "0.5rem" }} onClick={() => select(model.firstChange)}>
              Go to the first change
            </button>
          )}
        </div>
      </section>

      <div className={styles.treeLayout} data-details={selectedRow !== undefined ? "open" : "closed"}>
        <div className={styles.grid}>
          <div
            ref={tree.scrollRef}
            className={styles.scroller}
            role="tree"
            aria-label="Compared plans"
            tabIndex={0}
            aria-activedescendant={active !== undefined ? `${domId}-${rowKey(active)}` : undefined}
            onKeyDown={tree.onKeyDown}
          >
            <div className={`${styles.compareCols} ${styles.head}`} aria-hidden="true">
              <span />
              <span title={leftTitle}>Left: {leftTitle}</span>
              <span className={styles.num}>Self</span>
              <span title={rightTitle}>Right: {rightTitle}</span>
              <span className={styles.num}>Self</span>
              <span className={styles.num}>Δ time</span>
              <span className={styles.num}>Δ rows</span>
              <span className={styles.num}>Δ cost</span>
              <span className={styles.num}>Δ blocks</span>
            </div>
            <div role="none" className={`${styles.canvas} ${styles.compareCanvas}`} style={{ height: tree.virtualizer.getTotalSize() }}>
              {tree.virtualizer.getVirtualItems().map((item) => {
                const row = tree.rows[item.index];
                if (row === undefined) return null;
                const id = `${domId}-${rowKey(row)}`;
                const style = { transform: `translateY(${item.start - HEADER_HEIGHT}px)` };
                const isActive = item.index === tree.activeIndex;
                if (row.kind === "more") {
                  return <MoreRow key={id} id={id} row={row} parent={undefined} style={style} active={isActive} onClick={() => tree.clickRow(item.index)} />;
                }
                const m = model.row(row.id);
                if (m === undefined) return null;
                const indent = { paddingLeft: `${Math.min(row.depth, MAX_INDENT_LEVELS) * 12}px` };
                return (
                  <div
                    key={id}
                    id={id}
                    role="treeitem"
                    aria-level={row.depth + 1}
                    aria-posinset={row.posInSet}
                    aria-setsize={row.setSize}
                    aria-expanded={row.expandable ? row.expanded : undefined}
                    aria-selected={row.id === selected}
                    aria-label={m.ariaLabel}
                    data-status={m.status}
                    data-active={isActive}
                    className={`${styles.row} ${styles.compareCols}`}
                    style={style}
                    onClick={() => tree.clickRow(item.index)}
                    title={m.summary ?? undefined}
                  >
                    <span className={styles.marker} aria-hidden="true">
                      {STATUS_MARKERS[m.status].marker}
                    </span>
                    <Side label={m.leftLabel} indent={indent} expandable={row.expandable} expanded={row.expanded} onToggle={() => tree.toggle(row.id)} missing="not in the left plan" />
                    <span className={`${styles.num} ${styles.small}`}>{m.leftSelf}</span>
                    <Side label={m.rightLabel} indent={indent} expandable={row.expandable} expanded={row.expanded} onToggle={() => tree.toggle(row.id)} missing="not in the right plan" />
                    <span className={`${styles.num} ${styles.small}`}>{m.rightSelf}</span>
                    <Delta d={m.time} />
                    <Delta d={m.rows} />
                    <Delta d={m.cost} />
                    <Delta d={m.buffers} />
                  </div>
                );
              })}
            </div>
          </div>
        </div>
        {selectedRow !== undefined && <RowDetails row={selectedRow} onClose={() => select(null)} />}
      </div>
    </div>
  );
}

function Side(props: { label: string | null; indent: CSSProperties; expandable: boolean; expanded: boolean; onToggle: () => void; missing: string }) {
  return (
    <span className={styles.nameCell} style={props.indent}>
      <span
        className={styles.toggle}
        data-leaf={!props.expandable}
        aria-hidden="true"
        onClick={(e) => {
          e.stopPropagation();
          props.onToggle();
        }}
      >
        {props.expanded ? "▼" : "▶"}
      </span>
      {props.label === null ? <span className={styles.sideEmpty}>{props.missing}</span> : <span className={`${styles.side} ${styles.nodeType}`}>{props.label}</span>}
    </span>
  );
}

function Delta({ d }: { d: DeltaText | null }) {
  if (d === null) return <span />;
  return (
    <span className={`${styles.num} ${styles.small} ${styles.delta}`} data-tone={d.tone} title={d.title}>
      {d.text}
    </span>
  );
}

function RowDetails({ row, onClose }: { row: CompareRowModel; onClose: () => void }) {
  const deltas = [row.time, row.rows, row.cost, row.buffers].filter((d): d is DeltaText => d !== null);
  return (
    <aside className={panels.details} aria-label="Row details" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <div className={panels.detailsHead}>
        <h2>
          {STATUS_MARKERS[row.status].marker} {STATUS_MARKERS[row.status].word}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close row details">
          ✕
        </button>
      </div>
      <dl className={panels.kv}>
        <dt>Left</dt>
        <dd>{row.leftLabel ?? "—"}</dd>
        <dt>Right</dt>
        <dd>{row.rightLabel ?? "—"}</dd>
        {row.summary !== null && (
          <>
            <dt>Summary</dt>
            <dd>{row.summary}</dd>
          </>
        )}
        {row.changesText !== null && (
          <>
            <dt>Changes</dt>
            <dd className={panels.code}>{row.changesText}</dd>
          </>
        )}
        {deltas.map((d) => (
          <div key={d.title} style={{ display: "contents" }}>
            <dt>{d.what}</dt>
            <dd>
              {d.change} <span className={styles.delta} data-tone={d.tone}>({d.text})</span>
            </dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}
