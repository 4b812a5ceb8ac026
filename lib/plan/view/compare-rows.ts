// The compare view's model: diffPlans' aligned rows as a tree over row indexes (so one collapse
// folds the pair), the rows worth keeping visible in folded groups, and per-row texts for the
// markers and metric deltas. Pure.
import type { DiffRow, DiffStatus, MetricDelta, PlanDiff } from "../diff";
import { formatCost, formatCount, formatFactor, formatMs, formatSigned } from "./format";
import type { TreeShape } from "./visible-rows";

/** Not color alone: every status has a text marker and a word. */
export const STATUS_MARKERS: Record<DiffStatus, { marker: string; word: string }> = {
  same: { marker: "=", word: "same" },
  changed: { marker: "~", word: "changed" },
  added: { marker: "+", word: "added" },
  removed: { marker: "−", word: "removed" },
};

export type DeltaTone = "worse" | "better" | "neutral";

export interface DeltaText {
  text: string;
  tone: DeltaTone;
  /** "self time" */
  what: string;
  /** "0.01 ms → 4.12 ms" */
  change: string;
  /** "self time 0.01 ms → 4.12 ms" */
  title: string;
}

export interface CompareRowModel {
  index: number;
  status: DiffStatus;
  leftLabel: string | null;
  rightLabel: string | null;
  leftSelf: string;
  rightSelf: string;
  time: DeltaText | null;
  rows: DeltaText | null;
  cost: DeltaText | null;
  buffers: DeltaText | null;
  summary: string | null;
  /** "nodeType: Index Scan → Seq Scan; index: orders_pkey → —" */
  changesText: string | null;
  ariaLabel: string;
}

export interface CompareModel {
  shape: TreeShape;
  parentOf: (index: number) => number | null;
  /** Rows whose subtree holds a change or a notable delta: never folded away. */
  pinned: Set<number>;
  /** The row model of diff row `index`, built on first use: only rows on screen pay for their texts. */
  row: (index: number) => CompareRowModel | undefined;
  /** Index of the first row that is not "same", for "jump to first change". */
  firstChange: number | null;
}

/** Below this relative change a delta is noise (timing jitter, re-ANALYZE). */
const NOTABLE_RATIO = 1.1;

function describeDelta(d: MetricDelta, what: string, format: (v: number) => string, higherIsWorse = true): DeltaText | null {
  if (d.before === null && d.after === null) return null;
  const change = `${d.before === null ? "—" : format(d.before)} → ${d.after === null ? "—" : format(d.after)}`;
  const title = `${what} ${change}`;
  if (d.delta === null) return { text: d.before === null ? "new" : "gone", tone: "neutral", what, change, title };
  if (d.delta === 0) return null;
  const r = d.ratio;
  const notable = r === null ? Math.abs(d.delta) > 0 : r >= NOTABLE_RATIO || r <= 1 / NOTABLE_RATIO;
  if (!notable) return null;
  const worse = higherIsWorse ? d.delta > 0 : d.delta < 0;
  const big = r !== null && (r >= 2 || r <= 0.5);
  const text = big && r !== null ? (r >= 1 ? `${formatFactor(r)}↑` : `${formatFactor(1 / r)}↓`) : formatSigned(d.delta, format);
  return { text, tone: worse ? "worse" : "better", what, change, title };
}

function changesText(row: DiffRow): string | null {
  if (row.changes.length === 0) return null;
  return row.changes.map((c) => `${c.field}: ${c.before ?? "—"} → ${c.after ?? "—"}`).join("; ");
}

export function buildCompareModel(diff: PlanDiff): CompareModel {
  const n = diff.rows.length;
  const parent = new Int32Array(n).fill(-1);
  const children: number[][] = Array.from({ length: n }, () => []);
  const roots: number[] = [];
  // Rows are in pre-order with depths: the parent of a row is the nearest earlier row one level up.
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const depth = (diff.rows[i] as DiffRow).depth;
    while (stack.length > depth) stack.pop();
    const p = stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
    parent[i] = p;
    if (p >= 0) (children[p] as number[]).push(i);
    else roots.push(i);
    stack.push(i);
  }

  const pinned = new Set<number>();
  let firstChange: number | null = null;
  for (let i = 0; i < n; i++) {
    const r = diff.rows[i] as DiffRow;
    if (r.status === "same" && r.summary === null) continue;
    if (r.status !== "same" && firstChange === null) firstChange = i;
    for (let p = i; p >= 0 && !pinned.has(p); p = parent[p] ?? -1) pinned.add(p);
  }
  const cache = new Array<CompareRowModel | undefined>(n);
  const row = (i: number): CompareRowModel | undefined => {
    const r = diff.rows[i];
    if (r === undefined) return undefined;
    return (cache[i] ??= compareRow(r, i));
  };
  return {
    shape: { roots, childrenOf: (i) => children[i] ?? [] },
    parentOf: (i) => {
      const p = parent[i] ?? -1;
      return p >= 0 ? p : null;
    },
    pinned,
    row,
    firstChange,
  };
}

function compareRow(r: DiffRow, i: number): CompareRowModel {
  const model: CompareRowModel = {
    index: i,
    status: r.status,
    leftLabel: r.leftLabel,
    rightLabel: r.rightLabel,
    leftSelf: r.left === null ? "" : formatMs(r.deltas.exclusiveTimeMs.before),
    rightSelf: r.right === null ? "" : formatMs(r.deltas.exclusiveTimeMs.after),
    time: describeDelta(r.deltas.exclusiveTimeMs, "self time", formatMs),
    rows: describeDelta(r.deltas.actualRows, "rows", formatCount),
    cost: describeDelta(r.deltas.totalCost, "total cost", formatCost),
    buffers: describeDelta(r.deltas.sharedBlocks, "shared blocks", formatCount),
    summary: r.summary,
    changesText: changesText(r),
    ariaLabel: "",
  };
  model.ariaLabel = compareAriaLabel(model);
  return model;
}

function compareAriaLabel(m: CompareRowModel): string {
  const { word } = STATUS_MARKERS[m.status];
  const sides =
    m.status === "added"
      ? `${m.rightLabel ?? ""} (only in the right plan)`
      : m.status === "removed"
        ? `${m.leftLabel ?? ""} (only in the left plan)`
        : m.status === "changed"
          ? `${m.leftLabel ?? ""} → ${m.rightLabel ?? ""}`
          : (m.leftLabel ?? "");
  const parts = [`${word}: ${sides}`];
  if (m.time !== null) parts.push(m.time.title);
  return parts.join(", ");
}
