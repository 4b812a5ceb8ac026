"use client";

// The state behind a virtualized, keyboard-driven tree (plan tree and compare view alike):
// collapsed nodes, unfolded sibling groups, the keyboard position, and revealing a selection that
// came from outside (URL hash, a "hottest nodes" button).
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { ancestorsOf, treeKeyAction, visibleRows, type TreeShape, type VisibleRow } from "@/lib/plan/view/visible-rows";

export interface VirtualTreeOptions {
  shape: TreeShape;
  parentOf: (id: number) => number | null;
  pinned: ReadonlySet<number>;
  selectedId: number | null;
  onActivate: (id: number) => void;
  /** Escape: close whatever the selection opened (the details panel). */
  onDismiss: () => void;
  rowHeight: number;
  /** Height of the sticky column header inside the scroller, above the first row. */
  headerHeight: number;
}

// Server render and first paint show this many rows before the scroller is measured.
const INITIAL_RECT = { width: 1200, height: 640 };

export function useVirtualTree({ shape, parentOf, pinned, selectedId, onActivate, onDismiss, rowHeight, headerHeight }: VirtualTreeOptions) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(() => new Set());
  const [unfolded, setUnfolded] = useState<ReadonlySet<number>>(() => new Set());
  const [activeIndex, setActiveIndex] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  const selectionPath = useMemo(() => (selectedId === null ? [] : [selectedId, ...ancestorsOf(selectedId, parentOf)]), [selectedId, parentOf]);

  // The selection stays visible in folded groups, like hot or changed nodes.
  const keep = useMemo(() => {
    if (selectionPath.length === 0) return pinned;
    const set = new Set(pinned);
    for (const id of selectionPath) set.add(id);
    return set;
  }, [pinned, selectionPath]);

  // A selection from outside opens the subtrees above it (once per selection, so the user can collapse them again).
  useEffect(() => {
    if (selectionPath.length < 2) return;
    setCollapsed((prev) => {
      if (!selectionPath.slice(1).some((id) => prev.has(id))) return prev;
      const next = new Set(prev);
      for (const id of selectionPath.slice(1)) next.delete(id);
      return next;
    });
  }, [selectionPath]);

  const rows: VisibleRow[] = useMemo(
    () => visibleRows(shape, { collapsed, unfoldedGroups: unfolded, pinned: keep }),
    [shape, collapsed, unfolded, keep],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // Rows start below the sticky header, and scrolling to a row must not hide it under the header.
    scrollMargin: headerHeight,
    scrollPaddingStart: headerHeight,
    initialRect: INITIAL_RECT,
    useFlushSync: false,
  });

  // Scroll to a selection that came from outside; clicks and keys already have their row in view.
  const revealed = useRef<number | null>(null);
  useEffect(() => {
    if (selectedId === null || revealed.current === selectedId) return;
    const index = rows.findIndex((r) => r.kind === "node" && r.id === selectedId);
    if (index < 0) return;
    revealed.current = selectedId;
    setActiveIndex(index);
    virtualizer.scrollToIndex(index, { align: "center" });
  }, [selectedId, rows, virtualizer]);

  const toggle = useCallback((id: number) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  const unfold = useCallback((parentId: number) => {
    setUnfolded((prev) => new Set(prev).add(parentId));
  }, []);

  const moveTo = useCallback(
    (index: number) => {
      setActiveIndex(index);
      virtualizer.scrollToIndex(index, { align: "auto" });
    },
    [virtualizer],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLElement>) => {
      if (event.key === "Escape" && selectedId !== null) {
        event.preventDefault();
        onDismiss();
        return;
      }
      const action = treeKeyAction(rows, Math.min(activeIndex, rows.length - 1), event.key);
      if (action.type === "none") return;
      event.preventDefault();
      switch (action.type) {
        case "move":
          moveTo(action.index);
          break;
        case "expand":
        case "collapse":
          toggle(action.id);
          break;
        case "unfold":
          unfold(action.parentId);
          break;
        case "activate":
          revealed.current = action.id;
          onActivate(action.id);
          break;
      }
    },
    [rows, activeIndex, moveTo, toggle, unfold, onActivate, onDismiss, selectedId],
  );

  /** A click on a row: it becomes the keyboard position too, and keeps its scroll position. */
  const clickRow = useCallback(
    (index: number) => {
      setActiveIndex(index);
      const row = rows[index];
      if (row === undefined) return;
      if (row.kind === "more") unfold(row.parentId);
      else {
        revealed.current = row.id;
        onActivate(row.id);
      }
      scrollRef.current?.focus({ preventScroll: true });
    },
    [rows, unfold, onActivate],
  );

  return { rows, virtualizer, scrollRef, activeIndex: Math.min(activeIndex, Math.max(0, rows.length - 1)), toggle, onKeyDown, clickRow, moveTo };
}
