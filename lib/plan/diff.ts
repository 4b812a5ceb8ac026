// Plan diff for side-by-side display: a flat list of aligned rows in display (pre-)order, each with
// the left/right node ids, a depth, a status, what changed and metric deltas. See diff-align.ts for
// how nodes are paired.
import { Aligner, nodeInfos } from "./diff-align";
import type { AlignOp, NodeInfo } from "./diff-align";
import { shapeHash } from "./fingerprint";
import { rowFigures } from "./metrics";
import type { RowFigures } from "./metrics";
import type { Plan, PlanNode } from "./model";
import {
  describeNode,
  joinTypeOf,
  normalizedNodeType,
  partialModeOf,
  scannedObject,
  strategyOf,
  subplanOf,
} from "./plan-tree";

export type DiffStatus = "same" | "changed" | "added" | "removed";

export type ChangeField =
  | "nodeType"
  | "relation"
  | "index"
  | "joinType"
  | "strategy"
  | "partialMode"
  | "operation"
  | "command"
  | "parallel"
  | "scanDirection"
  | "subplan";

export interface NodeChange {
  field: ChangeField;
  before: string | null;
  after: string | null;
}

export interface MetricDelta {
  before: number | null;
  after: number | null;
  /** after − before, when both are known. */
  delta: number | null;
  /** after / before, when both are known and before > 0. */
  ratio: number | null;
}

export interface RowDeltas {
  exclusiveTimeMs: MetricDelta;
  /** Rows over all loops. */
  actualRows: MetricDelta;
  totalCost: MetricDelta;
  /** Exclusive shared blocks read + hit. */
  sharedBlocks: MetricDelta;
}

export interface DiffRow {
  /** Node id in the left (a) plan, null when the node exists on the right only. */
  left: number | null;
  right: number | null;
  /** Indentation in the aligned view. */
  depth: number;
  /** Depth of the node in its own tree (differs from `depth` around an added/removed wrapper). */
  leftDepth: number | null;
  rightDepth: number | null;
  status: DiffStatus;
  changes: NodeChange[];
  deltas: RowDeltas;
  leftLabel: string | null;
  rightLabel: string | null;
  /** "Index Scan using i on orders → Seq Scan on orders; 412× slower at this node", or null when unremarkable. */
  summary: string | null;
}

export interface PlanDiff {
  rows: DiffRow[];
  /** Same fingerprint: the shapes are identical (metrics may still differ). */
  sameShape: boolean;
  leftFingerprint: string;
  rightFingerprint: string;
  counts: Record<DiffStatus, number>;
  /** Root inclusive time (or execution time) and root cost, left vs right. */
  totalTimeMs: MetricDelta;
  totalCost: MetricDelta;
  summary: string;
}

function delta(before: number | null, after: number | null): MetricDelta {
  const both = before !== null && after !== null;
  return {
    before,
    after,
    delta: both ? after - before : null,
    ratio: both && before > 0 ? after / before : null,
  };
}

/** A figure of node `id` (null when the node is absent or has no record, as analyzePlan would say). */
function figure(f: RowFigures, values: (number | null)[], id: number | null): number | null {
  return id === null || f.has[id] !== true ? null : (values[id] ?? null);
}

/** Deltas between node `a` of the left plan and `b` of the right: analyzePlan's figures, read from RowFigures. */
function rowDeltas(left: RowFigures, a: number | null, right: RowFigures, b: number | null): RowDeltas {
  return {
    exclusiveTimeMs: delta(figure(left, left.exclusiveTimeMs, a), figure(right, right.exclusiveTimeMs, b)),
    actualRows: delta(figure(left, left.actualRows, a), figure(right, right.actualRows, b)),
    totalCost: delta(figure(left, left.inclusiveCost, a), figure(right, right.inclusiveCost, b)),
    sharedBlocks: delta(figure(left, left.sharedBlocks, a), figure(right, right.sharedBlocks, b)),
  };
}

export function nodeChanges(a: PlanNode, b: PlanNode): NodeChange[] {
  const na = normalizedNodeType(a);
  const nb = normalizedNodeType(b);
  const fields: [ChangeField, string | null, string | null][] = [
    ["nodeType", na.nodeType, nb.nodeType],
    ["relation", scannedObject(a), scannedObject(b)],
    ["index", a.indexName, b.indexName],
    ["joinType", joinTypeOf(a), joinTypeOf(b)],
    ["strategy", strategyOf(a), strategyOf(b)],
    ["partialMode", partialModeOf(a), partialModeOf(b)],
    ["operation", na.operation, nb.operation],
    ["command", a.command, b.command],
    ["parallel", a.parallelAware ? "parallel" : null, b.parallelAware ? "parallel" : null],
    ["scanDirection", a.scanDirection === "Backward" ? "Backward" : null, b.scanDirection === "Backward" ? "Backward" : null],
    ["subplan", subplanOf(a)?.kind ?? null, subplanOf(b)?.kind ?? null],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([field, before, after]) => ({ field, before, after }));
}

function formatRatio(r: number): string {
  return r >= 9.95 ? `${Math.round(r).toLocaleString("en-US")}×` : `${r.toFixed(1)}×`;
}

function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms).toLocaleString("en-US")} ms` : `${ms.toFixed(ms >= 10 ? 1 : 2)} ms`;
}

/** "412× slower at this node" / "3.0× faster …" / "+12.5 ms …" when one side is ~0; null below 5%. */
export function timeChange(d: MetricDelta, where = "at this node"): string | null {
  if (d.before === null || d.after === null || d.delta === null) return null;
  const tiny = 0.005;
  if (d.before < tiny || d.after < tiny) {
    if (Math.abs(d.delta) < 0.05) return null;
    return `${d.delta > 0 ? "+" : "−"}${formatMs(Math.abs(d.delta))} ${where}`;
  }
  const r = d.after / d.before;
  if (r >= 1.05) return `${formatRatio(r)} slower ${where}`;
  if (r <= 1 / 1.05) return `${formatRatio(1 / r)} faster ${where}`;
  return null;
}

function rowSummary(row: DiffRow): string | null {
  const time = timeChange(row.deltas.exclusiveTimeMs);
  switch (row.status) {
    case "added":
      return `added ${row.rightLabel ?? ""}`;
    case "removed":
      return `removed ${row.leftLabel ?? ""}`;
    case "changed":
      return `${row.leftLabel ?? ""} → ${row.rightLabel ?? ""}${time !== null ? `; ${time}` : ""}`;
    case "same": {
      // Only worth a line when the node itself got much slower or faster (2× either way).
      const r = row.deltas.exclusiveTimeMs.ratio;
      return time !== null && r !== null && (r >= 2 || r <= 0.5) ? `${row.leftLabel ?? ""}: ${time}` : null;
    }
  }
}

interface Side {
  infos: NodeInfo[];
  figures: RowFigures;
}

type Task = { op: AlignOp; depth: number };

function pushOps(stack: Task[], ops: AlignOp[], depth: number): void {
  for (let i = ops.length - 1; i >= 0; i--) stack.push({ op: ops[i] as AlignOp, depth });
}

function buildRows(left: Side, right: Side, aligner: Aligner, rootOps: AlignOp[]): DiffRow[] {
  const rows: DiffRow[] = [];
  const stack: Task[] = rootOps.map((op) => ({ op, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { op, depth } = stack.pop() as Task;
    const a = op.kind === "pair" || op.kind === "left" || op.kind === "liftLeft" ? op.a : null;
    const b = op.kind === "pair" || op.kind === "right" || op.kind === "liftRight" ? op.b : null;
    const sameShape = a !== null && b !== null && left.infos[a.id]?.shape === right.infos[b.id]?.shape;
    const changes = a !== null && b !== null && !sameShape ? nodeChanges(a, b) : [];
    const status: DiffStatus = a === null ? "added" : b === null ? "removed" : changes.length > 0 ? "changed" : "same";
    const row: DiffRow = {
      left: a?.id ?? null,
      right: b?.id ?? null,
      depth,
      leftDepth: a === null ? null : (left.infos[a.id]?.depth ?? null),
      rightDepth: b === null ? null : (right.infos[b.id]?.depth ?? null),
      status,
      changes,
      deltas: rowDeltas(left.figures, a === null ? null : a.id, right.figures, b === null ? null : b.id),
      leftLabel: a === null ? null : describeNode(a),
      rightLabel: b === null ? null : describeNode(b),
      summary: null,
    };
    row.summary = rowSummary(row);
    rows.push(row);
    // Children go on the stack last first, so they come off in order.
    if (op.kind === "pair") {
      // Identical subtrees (most of a typical diff) pair child by child without running the aligner.
      const identical = left.infos[op.a.id]?.subtree === right.infos[op.b.id]?.subtree;
      const ac = op.a.children;
      const bc = op.b.children;
      if (identical) for (let i = ac.length - 1; i >= 0; i--) stack.push({ op: { kind: "pair", a: ac[i] as PlanNode, b: bc[i] as PlanNode }, depth: depth + 1 });
      else pushOps(stack, aligner.align(ac, bc), depth + 1);
    } else if (op.kind === "left") {
      for (let i = op.a.children.length - 1; i >= 0; i--) stack.push({ op: { kind: "left", a: op.a.children[i] as PlanNode }, depth: depth + 1 });
    } else if (op.kind === "right") {
      for (let i = op.b.children.length - 1; i >= 0; i--) stack.push({ op: { kind: "right", b: op.b.children[i] as PlanNode }, depth: depth + 1 });
    } else pushOps(stack, op.ops, depth + 1);
  }
  return rows;
}

function planTime(plan: Plan, figures: RowFigures): number | null {
  return figures.totalTimeMs ?? plan.executionTimeMs;
}

function diffSummary(d: Omit<PlanDiff, "summary">): string {
  const overall = timeChange(d.totalTimeMs, "overall");
  const total =
    d.totalTimeMs.before !== null && d.totalTimeMs.after !== null
      ? `${formatMs(d.totalTimeMs.before)} → ${formatMs(d.totalTimeMs.after)}${overall !== null ? ` (${overall})` : ""}`
      : null;
  if (d.sameShape) return ["Same plan shape", total].filter((s) => s !== null).join("; ");
  const c = d.counts;
  const parts = [`${c.changed} changed`, `${c.added} added`, `${c.removed} removed`];
  // The change that matters most: the changed row whose time moved most, else the first one.
  const changed = d.rows.filter((r) => r.status === "changed");
  const key = [...changed].sort(
    (x, y) => Math.abs(y.deltas.exclusiveTimeMs.delta ?? 0) - Math.abs(x.deltas.exclusiveTimeMs.delta ?? 0),
  )[0];
  const headline = key?.summary ?? d.rows.find((r) => r.status !== "same")?.summary ?? null;
  return [`Plan shape changed (${parts.join(", ")})`, headline, total].filter((s) => s !== null).join("; ");
}

/** Aligns plan `a` (before / left) with plan `b` (after / right). */
export function diffPlans(a: Plan, b: Plan): PlanDiff {
  const left: Side = { infos: nodeInfos(a), figures: rowFigures(a) };
  const right: Side = { infos: nodeInfos(b), figures: rowFigures(b) };
  const aligner = new Aligner(left.infos, right.infos);
  const rows = buildRows(left, right, aligner, aligner.align([a.root], [b.root]));
  const counts: Record<DiffStatus, number> = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const r of rows) counts[r.status]++;
  // Same value as fingerprint(), reusing the node shapes the aligner already computed.
  const leftFingerprint = shapeHash(a.root, (n) => left.infos[n.id]?.shape ?? "");
  const rightFingerprint = shapeHash(b.root, (n) => right.infos[n.id]?.shape ?? "");
  const base = {
    rows,
    sameShape: leftFingerprint === rightFingerprint,
    leftFingerprint,
    rightFingerprint,
    counts,
    totalTimeMs: delta(planTime(a, left.figures), planTime(b, right.figures)),
    totalCost: delta(a.root.estimate?.totalCost ?? null, b.root.estimate?.totalCost ?? null),
  };
  return { ...base, summary: diffSummary(base) };
}
