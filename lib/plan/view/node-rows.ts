// The plan tree's view model: one row model per node, computed once per plan (2,000-node plans
// included) so rendering a virtualized row is only reading fields. Pure.
import { analyzePlan, hotNodes } from "../metrics";
import type { Misestimate, PlanMetrics } from "../metrics";
import type { Plan, PlanNode } from "../model";
import { describeNode, isJoin, joinTypeOf, partialModeOf, preorder, strategyOf, subplanOf } from "../plan-tree";
import { formatCost, formatCount, formatFactor, formatMs, formatShare } from "./format";

/** Misestimate badges start at 10× and step by orders of magnitude. */
export type MisestimateLevel = 10 | 100 | 1000;

export interface MisestimateBadge {
  level: MisestimateLevel;
  direction: "under" | "over";
  factor: number;
  /** "120× under": more rows than the planner expected; "over": fewer. */
  text: string;
  /** Spelled out for the tooltip and screen readers. */
  description: string;
}

export interface RowBuffers {
  sharedHitBlocks: number;
  sharedReadBlocks: number;
  tempBlocks: number;
}

export interface NodeRowModel {
  id: number;
  parentId: number | null;
  depth: number;
  childIds: number[];
  /** describeNode: "Hash Left Join", "Index Scan using i on t". */
  label: string;
  nodeType: string;
  /** "InitPlan 1", "CTE x", "SubPlan 2" when the node heads a subplan. */
  subplan: string | null;
  relation: string | null;
  /** Only when it differs from the relation name. */
  alias: string | null;
  index: string | null;
  /** Join type, aggregate strategy or partial mode, when the label does not already say it. */
  qualifier: string | null;
  /** What the bar and the self column measure. */
  metric: "time" | "cost" | "none";
  exclusiveMs: number | null;
  exclusiveCost: number | null;
  /** Share of the root's time (or cost when there are no timings), 0..1. */
  share: number | null;
  /** "12.3 ms" or "cost 123" (plans without ANALYZE), "—" with COSTS OFF and no ANALYZE. */
  selfText: string;
  shareText: string;
  estimatedRows: number | null;
  actualRows: number | null;
  misestimate: MisestimateBadge | null;
  /** Exclusive buffers (what this node itself touched). */
  buffers: RowBuffers | null;
  neverExecuted: boolean;
  /** 1 for the hottest node; null when the node is not among the hot ones. */
  hotRank: number | null;
  /** The row's accessible name: the label plus the figures a sighted user reads at a glance. */
  ariaLabel: string;
}

export interface PlanTreeModel {
  rows: NodeRowModel[];
  metrics: PlanMetrics;
  /** Hottest node ids, hottest first (up to HOT_COUNT, each at least HOT_MIN_SHARE). */
  hotIds: number[];
  metric: "time" | "cost" | "none";
  /** The ancestors of every hot node: kept visible when large sibling groups are folded. */
  pinnedIds: Set<number>;
}

export const HOT_COUNT = 3;
/** A node below 5% of the total is not worth highlighting, even if it ranks in the top 3. */
export const HOT_MIN_SHARE = 0.05;

export function misestimateBadge(m: Misestimate | null): MisestimateBadge | null {
  if (m === null || m.direction === "exact" || m.factor < 10) return null;
  const level: MisestimateLevel = m.factor >= 1000 ? 1000 : m.factor >= 100 ? 100 : 10;
  const direction = m.direction;
  const factor = formatFactor(m.factor);
  return {
    level,
    direction,
    factor: m.factor,
    text: `${factor} ${direction}`,
    description:
      direction === "under"
        ? `underestimated ${factor}: ${formatCount(m.actualRows)} rows, planner expected ${formatCount(m.estimatedRows)}`
        : `overestimated ${factor}: ${formatCount(m.actualRows)} rows, planner expected ${formatCount(m.estimatedRows)}`,
  };
}

function qualifierOf(node: PlanNode, label: string): string | null {
  const parts: string[] = [];
  if (isJoin(node)) {
    const jt = joinTypeOf(node);
    // The label says "Hash Left Join" already; say "inner" explicitly since the label omits it.
    if (jt === "Inner") parts.push("inner");
  } else {
    const strategy = strategyOf(node);
    if (strategy !== null && !label.includes(strategy)) parts.push(strategy.toLowerCase());
    const mode = partialModeOf(node);
    if (mode !== null && mode !== "Simple" && !label.includes(mode)) parts.push(mode.toLowerCase());
  }
  if (node.operation !== null && !label.includes(node.operation)) parts.push(node.operation.toLowerCase());
  return parts.length > 0 ? parts.join(", ") : null;
}

function subplanLabel(node: PlanNode): string | null {
  if (node.subplanName !== null) return node.subplanName;
  const sub = subplanOf(node);
  return sub === null ? null : sub.kind;
}

export function buildTreeModel(plan: Plan, metrics: PlanMetrics = analyzePlan(plan)): PlanTreeModel {
  const nodes = preorder(plan.root);
  const timed = nodes.some((n) => metrics.nodes[n.id]?.exclusiveTimeMs != null);
  const costed = nodes.some((n) => metrics.nodes[n.id]?.exclusiveCost != null);
  const metric: PlanTreeModel["metric"] = timed ? "time" : costed ? "cost" : "none";
  const hot = metric === "none" ? [] : hotNodes(plan, HOT_COUNT, metrics).filter((h) => (h.share ?? 0) >= HOT_MIN_SHARE);
  const hotIds = hot.map((h) => h.node.id);
  const hotRank = new Map(hotIds.map((id, i) => [id, i + 1]));

  const size = nodes.reduce((m, n) => Math.max(m, n.id + 1), 0);
  const parentOf = new Array<number | null>(size).fill(null);
  const depthOf = new Array<number>(size).fill(0);
  for (const n of nodes) {
    for (const c of n.children) {
      parentOf[c.id] = n.id;
      depthOf[c.id] = (depthOf[n.id] ?? 0) + 1;
    }
  }

  const rows: NodeRowModel[] = new Array<NodeRowModel>(size);
  for (const n of nodes) {
    const m = metrics.nodes[n.id];
    const label = describeNode(n);
    const exclusiveMs = m?.exclusiveTimeMs ?? null;
    const exclusiveCost = m?.exclusiveCost ?? null;
    const share = metric === "time" ? (m?.timeShare ?? null) : metric === "cost" ? (m?.costShare ?? null) : null;
    const selfText = metric === "time" ? formatMs(exclusiveMs) : metric === "cost" ? `cost ${formatCost(exclusiveCost)}` : "—";
    const b = m?.exclusiveBuffers ?? null;
    const buffers: RowBuffers | null =
      b === null ? null : { sharedHitBlocks: b.sharedHitBlocks, sharedReadBlocks: b.sharedReadBlocks, tempBlocks: b.tempReadBlocks + b.tempWrittenBlocks };
    const badge = misestimateBadge(m?.misestimate ?? null);
    const rank = hotRank.get(n.id) ?? null;
    const row: NodeRowModel = {
      id: n.id,
      parentId: parentOf[n.id] ?? null,
      depth: depthOf[n.id] ?? 0,
      childIds: n.children.map((c) => c.id),
      label,
      nodeType: n.nodeType,
      subplan: subplanLabel(n),
      relation: n.relationName,
      alias: n.alias !== null && n.alias !== n.relationName ? n.alias : null,
      index: n.indexName,
      qualifier: qualifierOf(n, label),
      metric,
      exclusiveMs,
      exclusiveCost,
      share,
      selfText,
      shareText: formatShare(share),
      estimatedRows: m?.estimatedRows ?? null,
      actualRows: m?.actualRows ?? null,
      misestimate: badge,
      buffers,
      neverExecuted: n.neverExecuted,
      hotRank: rank,
      ariaLabel: "",
    };
    row.ariaLabel = ariaLabelOf(row);
    rows[n.id] = row;
  }

  const pinnedIds = new Set<number>();
  for (const id of hotIds) {
    for (let p = parentOf[id] ?? null; p !== null; p = parentOf[p] ?? null) pinnedIds.add(p);
    pinnedIds.add(id);
  }
  return { rows, metrics, hotIds, metric, pinnedIds };
}

function ariaLabelOf(r: NodeRowModel): string {
  const parts = [r.subplan !== null ? `${r.subplan}: ${r.label}` : r.label];
  if (r.alias !== null) parts.push(`alias ${r.alias}`);
  if (r.neverExecuted) parts.push("never executed");
  else if (r.metric !== "none") parts.push(`self ${r.selfText} (${r.shareText})`);
  if (r.actualRows !== null) parts.push(`${formatCount(r.actualRows)} rows, estimated ${formatCount(r.estimatedRows)}`);
  else if (r.estimatedRows !== null) parts.push(`estimated ${formatCount(r.estimatedRows)} rows`);
  if (r.misestimate !== null) parts.push(r.misestimate.description);
  if (r.hotRank !== null) parts.push(`hot node ${r.hotRank}`);
  return parts.join(", ");
}
