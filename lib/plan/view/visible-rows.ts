// Flattening a tree into the rows a virtualized list shows: collapsed subtrees left out, and large
// sibling groups (the 2,048 members of an Append over partitions) folded to their first few members
// plus "show N more" rows. Generic over ids so the plan tree (node ids) and the compare view (diff
// row indexes) fold the same way. Pure and iterative: plans can be thousands of levels deep.

export interface TreeShape {
  roots: readonly number[];
  childrenOf: (id: number) => readonly number[];
}

export type VisibleRow =
  | {
      kind: "node";
      id: number;
      depth: number;
      expandable: boolean;
      expanded: boolean;
      parentId: number | null;
      /** 1-based position among its siblings and their count (aria-posinset / aria-setsize). */
      posInSet: number;
      setSize: number;
    }
  | {
      kind: "more";
      /** The parent whose group is folded; a stable key with `firstHidden`. */
      parentId: number;
      depth: number;
      hiddenCount: number;
      firstHidden: number;
      posInSet: number;
      setSize: number;
    };

export interface FoldOptions {
  /** Node ids whose children are hidden. */
  collapsed: ReadonlySet<number>;
  /** Parents whose large group the user unfolded ("show N more"). */
  unfoldedGroups: ReadonlySet<number>;
  /** Ids that stay visible in a folded group (hot nodes, changed rows, the selection, and their ancestors). */
  pinned: ReadonlySet<number>;
  /** Groups above this size are folded. */
  groupLimit?: number;
  /** How many members a folded group shows before the first "more" row. */
  groupHead?: number;
}

export const GROUP_LIMIT = 20;
export const GROUP_HEAD = 5;

type Task = { id: number; depth: number; parentId: number | null; posInSet: number; setSize: number } | { more: VisibleRow };

export function visibleRows(shape: TreeShape, options: FoldOptions): VisibleRow[] {
  const limit = options.groupLimit ?? GROUP_LIMIT;
  const head = options.groupHead ?? GROUP_HEAD;
  const out: VisibleRow[] = [];
  const stack: Task[] = [];
  const pushGroup = (ids: readonly number[], depth: number, parentId: number | null) => {
    const tasks = groupTasks(ids, depth, parentId, limit, head, options);
    for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i] as Task);
  };
  pushGroup(shape.roots, 0, null);
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    if ("more" in task) {
      out.push(task.more);
      continue;
    }
    const children = shape.childrenOf(task.id);
    const expanded = children.length > 0 && !options.collapsed.has(task.id);
    out.push({ kind: "node", id: task.id, depth: task.depth, expandable: children.length > 0, expanded, parentId: task.parentId, posInSet: task.posInSet, setSize: task.setSize });
    if (expanded) pushGroup(children, task.depth + 1, task.id);
  }
  return out;
}

function groupTasks(ids: readonly number[], depth: number, parentId: number | null, limit: number, head: number, options: FoldOptions): Task[] {
  const setSize = ids.length;
  const fold = parentId !== null && ids.length > limit && !options.unfoldedGroups.has(parentId);
  if (!fold) return ids.map((id, i) => ({ id, depth, parentId, posInSet: i + 1, setSize }));
  const tasks: Task[] = [];
  let hiddenFrom = -1;
  const flush = (end: number) => {
    if (hiddenFrom < 0 || parentId === null) return;
    tasks.push({ more: { kind: "more", parentId, depth, hiddenCount: end - hiddenFrom, firstHidden: hiddenFrom, posInSet: hiddenFrom + 1, setSize } });
    hiddenFrom = -1;
  };
  ids.forEach((id, i) => {
    if (i < head || options.pinned.has(id)) {
      flush(i);
      tasks.push({ id, depth, parentId, posInSet: i + 1, setSize });
    } else if (hiddenFrom < 0) hiddenFrom = i;
  });
  flush(ids.length);
  return tasks;
}

/** The row index of the parent of row `index` (for ArrowLeft), or -1. */
export function parentRowIndex(rows: readonly VisibleRow[], index: number): number {
  const row = rows[index];
  if (row === undefined || row.parentId === null) return -1;
  for (let i = index - 1; i >= 0; i--) {
    const r = rows[i];
    if (r?.kind === "node" && r.id === row.parentId) return i;
  }
  return -1;
}

/** The ids on the path from a root to `id` (excluded), given a parent lookup. */
export function ancestorsOf(id: number, parentOf: (id: number) => number | null): number[] {
  const out: number[] = [];
  for (let p = parentOf(id); p !== null; p = parentOf(p)) out.push(p);
  return out;
}

export function rowKey(row: VisibleRow): string {
  return row.kind === "node" ? `n${row.id}` : `m${row.parentId}-${row.firstHidden}`;
}

export type TreeKeyAction =
  | { type: "move"; index: number }
  | { type: "expand"; id: number }
  | { type: "collapse"; id: number }
  | { type: "unfold"; parentId: number }
  | { type: "activate"; id: number }
  | { type: "none" };

/** What a key press does on row `index` (WAI-ARIA tree pattern). Pure so it is unit-tested. */
export function treeKeyAction(rows: readonly VisibleRow[], index: number, key: string): TreeKeyAction {
  const row = rows[index];
  if (row === undefined) return rows.length > 0 && (key === "ArrowDown" || key === "Home") ? { type: "move", index: 0 } : { type: "none" };
  switch (key) {
    case "ArrowDown":
      return index + 1 < rows.length ? { type: "move", index: index + 1 } : { type: "none" };
    case "ArrowUp":
      return index > 0 ? { type: "move", index: index - 1 } : { type: "none" };
    case "Home":
      return { type: "move", index: 0 };
    case "End":
      return { type: "move", index: rows.length - 1 };
    case "PageDown":
      return { type: "move", index: Math.min(rows.length - 1, index + 20) };
    case "PageUp":
      return { type: "move", index: Math.max(0, index - 20) };
    case "ArrowRight":
      if (row.kind === "more") return { type: "unfold", parentId: row.parentId };
      if (row.expandable && !row.expanded) return { type: "expand", id: row.id };
      if (row.expanded) return { type: "move", index: index + 1 };
      return { type: "none" };
    case "ArrowLeft": {
      if (row.kind === "node" && row.expanded) return { type: "collapse", id: row.id };
      const parent = parentRowIndex(rows, index);
      if (row.kind === "more") {
        for (let i = index - 1; i >= 0; i--) {
          const r = rows[i];
          if (r?.kind === "node" && r.id === row.parentId) return { type: "move", index: i };
        }
        return { type: "none" };
      }
      return parent >= 0 ? { type: "move", index: parent } : { type: "none" };
    }
    case "Enter":
    case " ":
      return row.kind === "more" ? { type: "unfold", parentId: row.parentId } : { type: "activate", id: row.id };
    default:
      return { type: "none" };
  }
}
