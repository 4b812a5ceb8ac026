"use client";

// The plan tree: a virtualized list of the visible rows (only what is on screen is in the DOM, so a
// 2,000-node plan costs the same as a 20-node one), with the WAI-ARIA tree pattern: focus stays on
// the tree and aria-activedescendant names the keyboard position, which survives rows scrolling out.
import { useId, useMemo, type CSSProperties } from "react";
import type { NodeRowModel, PlanTreeModel } from "@/lib/plan/view/node-rows";
import { formatCount } from "@/lib/plan/view/format";
import { rowKey, type TreeShape, type VisibleRow } from "@/lib/plan/view/visible-rows";
import styles from "./plans.module.css";
import { useVirtualTree } from "./use-virtual-tree";

const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 30;
/** Deeper levels stop indenting: a 2,000-deep chain must not push the figures off screen. */
const MAX_INDENT_LEVELS = 32;

export interface PlanTreeProps {
  model: PlanTreeModel;
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  label: string;
}

export function PlanTree({ model, selectedId, onSelect, label }: PlanTreeProps) {
  const domId = useId();
  const shape: TreeShape = useMemo(() => ({ roots: [0], childrenOf: (id) => model.rows[id]?.childIds ?? [] }), [model]);
  const parentOf = useMemo(() => (id: number) => model.rows[id]?.parentId ?? null, [model]);
  const tree = useVirtualTree({ shape, parentOf, pinned: model.pinnedIds, selectedId, onActivate: onSelect, onDismiss: () => onSelect(null), rowHeight: ROW_HEIGHT, headerHeight: HEADER_HEIGHT });
  const active = tree.rows[tree.activeIndex];
  const metricTitle = model.metric === "time" ? "Self time" : model.metric === "cost" ? "Self cost" : "Self";

  return (
    <div className={styles.grid}>
      <div
        ref={tree.scrollRef}
        className={styles.scroller}
        role="tree"
        aria-label={label}
        tabIndex={0}
        aria-activedescendant={active !== undefined ? `${domId}-${rowKey(active)}` : undefined}
        onKeyDown={tree.onKeyDown}
      >
        {/* Inside the scroller so it scrolls sideways with the rows when the panel leaves little room. */}
        <div className={`${styles.treeCols} ${styles.head}`} aria-hidden="true">
          <span>Node</span>
          <span className={styles.num}>{metricTitle}</span>
          <span>Share</span>
          <span className={styles.num}>Rows actual / est.</span>
          <span>Misestimate</span>
          <span className={styles.num}>Buffers: hit / read / temp</span>
        </div>
        <div role="none" className={`${styles.canvas} ${styles.treeCanvas}`} style={{ height: tree.virtualizer.getTotalSize() }}>
          {tree.virtualizer.getVirtualItems().map((item) => {
            const row = tree.rows[item.index];
            if (row === undefined) return null;
            const id = `${domId}-${rowKey(row)}`;
            const style = { transform: `translateY(${item.start - HEADER_HEIGHT}px)` };
            const isActive = item.index === tree.activeIndex;
            if (row.kind === "more") {
              return <MoreRow key={id} id={id} row={row} parent={model.rows[row.parentId]} style={style} active={isActive} onClick={() => tree.clickRow(item.index)} />;
            }
            const node = model.rows[row.id];
            if (node === undefined) return null;
            return (
              <TreeRow
                key={id}
                id={id}
                row={row}
                node={node}
                style={style}
                active={isActive}
                selected={row.id === selectedId}
                onClick={() => tree.clickRow(item.index)}
                onToggle={() => tree.toggle(row.id)}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

interface TreeRowProps {
  id: string;
  row: Extract<VisibleRow, { kind: "node" }>;
  node: NodeRowModel;
  style: CSSProperties;
  active: boolean;
  selected: boolean;
  onClick: () => void;
  onToggle: () => void;
}

function indent(depth: number): CSSProperties {
  return { paddingLeft: `${Math.min(depth, MAX_INDENT_LEVELS) * 14}px` };
}

function TreeRow({ id, row, node, style, active, selected, onClick, onToggle }: TreeRowProps) {
  const share = node.share === null ? 0 : Math.min(1, Math.max(0, node.share));
  return (
    <div
      id={id}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-expanded={row.expandable ? row.expanded : undefined}
      aria-selected={selected}
      aria-label={node.ariaLabel}
      data-hot={node.hotRank ?? undefined}
      data-active={active}
      className={`${styles.row} ${styles.treeCols}`}
      style={style}
      onClick={onClick}
    >
      <span className={styles.nameCell} style={indent(row.depth)} title={node.label}>
        <span
          className={styles.toggle}
          data-leaf={!row.expandable}
          aria-hidden="true"
          onClick={(e) => {
            e.stopPropagation();
            onToggle();
          }}
        >
          {row.expanded ? "▼" : "▶"}
        </span>
        {node.hotRank !== null && <span className={styles.hotBadge}>hot #{node.hotRank}</span>}
        <span className={styles.label}>
          {node.subplan !== null && <span className={styles.subplanTag}>{node.subplan} › </span>}
          <span className={styles.nodeType}>{node.label}</span>
          {node.alias !== null && <span className={styles.muted}> {node.alias}</span>}
          {node.qualifier !== null && <span className={`${styles.muted} ${styles.small}`}> · {node.qualifier}</span>}
          {!row.expanded && row.expandable && <span className={`${styles.muted} ${styles.small}`}> ({node.childIds.length} hidden)</span>}
        </span>
      </span>
      <span className={styles.num}>{node.neverExecuted ? <span className={`${styles.muted} ${styles.small}`}>never ran</span> : node.selfText}</span>
      <span className={styles.barCell} aria-hidden="true">
        <span className={styles.barTrack}>
          <span className={styles.barFill} data-metric={node.metric} style={{ display: "block", width: `${share * 100}%` }} />
        </span>
        <span className={styles.shareText}>{node.shareText}</span>
      </span>
      <span className={styles.num}>
        {node.actualRows !== null ? formatCount(node.actualRows) : <span className={styles.muted}>—</span>}
        <span className={styles.muted}> / {formatCount(node.estimatedRows)}</span>
      </span>
      <span>
        {node.misestimate !== null && (
          <span className={styles[`mis${node.misestimate.level}`]} title={node.misestimate.description}>
            {node.misestimate.direction === "under" ? "▲" : "▼"} {node.misestimate.text}
          </span>
        )}
      </span>
      <span className={`${styles.small} ${styles.num}`}>
        {node.buffers === null ? (
          <span className={styles.muted}>—</span>
        ) : (
          <>
            {formatCount(node.buffers.sharedHitBlocks)}
            <span className={styles.muted}> / </span>
            <span style={node.buffers.sharedReadBlocks > 0 ? { fontWeight: 600 } : undefined}>{formatCount(node.buffers.sharedReadBlocks)}</span>
            <span className={styles.muted}> / </span>
            <span style={node.buffers.tempBlocks > 0 ? { color: "var(--bad)", fontWeight: 600 } : undefined}>{formatCount(node.buffers.tempBlocks)}</span>
          </>
        )}
      </span>
    </div>
  );
}

interface MoreRowProps {
  id: string;
  row: Extract<VisibleRow, { kind: "more" }>;
  parent: NodeRowModel | undefined;
  style: CSSProperties;
  active: boolean;
  onClick: () => void;
}

export function MoreRow({ id, row, parent, style, active, onClick }: MoreRowProps) {
  const text = `Show ${formatCount(row.hiddenCount)} more of ${formatCount(row.setSize)}${parent !== undefined ? ` under ${parent.label}` : ""}`;
  return (
    <div
      id={id}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-label={text}
      data-active={active}
      className={`${styles.moreRow} ${styles.treeCols}`}
      style={style}
      onClick={onClick}
    >
      <span className={styles.nameCell} style={indent(row.depth)}>
        <span className={styles.toggle} aria-hidden="true">
          ⋯
        </span>
        <span className={styles.label}>{text}</span>
      </span>
    </div>
  );
}
