// Everything EXPLAIN said about one node, grouped for the details panel. Empty groups are left
// out, so a plain EXPLAIN shows less than EXPLAIN (ANALYZE, BUFFERS, VERBOSE) without "null" noise.
import type { NodeMetrics } from "../metrics";
import type { Buffers, Condition, PlanNode } from "../model";
import { describeNode, joinTypeOf, partialModeOf, strategyOf } from "../plan-tree";
import { formatBlocksAsBytes, formatCost, formatCount, formatMs, formatShare, NONE } from "./format";
import { misestimateBadge } from "./node-rows";

export interface DetailItem {
  label: string;
  value: string;
  /** Code-like values (conditions, keys, output) are shown in monospace and may wrap. */
  code?: boolean;
}

export interface DetailSection {
  title: string;
  items: DetailItem[];
}

export interface NodeDetails {
  title: string;
  sections: DetailSection[];
}

const CONDITION_LABELS: Record<Condition["kind"], string> = {
  indexCond: "Index Cond",
  recheckCond: "Recheck Cond",
  filter: "Filter",
  joinFilter: "Join Filter",
  hashCond: "Hash Cond",
  mergeCond: "Merge Cond",
  tidCond: "TID Cond",
  oneTimeFilter: "One-Time Filter",
  orderBy: "Order By",
  cacheKey: "Cache Key",
  runCondition: "Run Condition",
};

type Maybe = string | number | boolean | null | undefined;

function items(pairs: [string, Maybe, ((v: number) => string)?][]): DetailItem[] {
  const out: DetailItem[] = [];
  for (const [label, value, format] of pairs) {
    if (value === null || value === undefined || value === false || value === "") continue;
    const text = typeof value === "number" ? (format ?? formatCount)(value) : value === true ? "yes" : value;
    out.push({ label, value: text });
  }
  return out;
}

function bufferItems(prefix: string, b: Buffers | null): DetailItem[] {
  if (b === null) return [];
  const blocks = (n: number) => (n === 0 ? "" : `${formatCount(n)} (${formatBlocksAsBytes(n)})`);
  const list: [string, number][] = [
    ["shared hit", b.sharedHitBlocks],
    ["shared read", b.sharedReadBlocks],
    ["shared dirtied", b.sharedDirtiedBlocks],
    ["shared written", b.sharedWrittenBlocks],
    ["local hit", b.localHitBlocks],
    ["local read", b.localReadBlocks],
    ["local dirtied", b.localDirtiedBlocks],
    ["local written", b.localWrittenBlocks],
    ["temp read", b.tempReadBlocks],
    ["temp written", b.tempWrittenBlocks],
  ];
  const shown = list.filter(([, n]) => n !== 0).map(([label, n]) => ({ label: `${prefix} ${label}`, value: blocks(n) }));
  return shown.length > 0 ? shown : [{ label: prefix, value: "no blocks" }];
}

function listItems(label: string, values: string[]): DetailItem[] {
  return values.length === 0 ? [] : [{ label, value: values.join(", "), code: true }];
}

export function nodeDetails(node: PlanNode, metrics: NodeMetrics | null): NodeDetails {
  const sections: DetailSection[] = [];
  const push = (title: string, list: DetailItem[]) => {
    if (list.length > 0) sections.push({ title, items: list });
  };

  push(
    "Node",
    items([
      ["Node type", node.nodeType],
      ["Subplan", node.subplanName],
      ["Parent relationship", node.parentRelationship],
      ["Relation", node.relationName === null ? null : node.schema !== null ? `${node.schema}.${node.relationName}` : node.relationName],
      ["Alias", node.alias],
      ["Index", node.indexName],
      ["CTE", node.cteName],
      ["Function", node.functionName],
      ["Join type", joinTypeOf(node)],
      ["Strategy", strategyOf(node)],
      ["Partial mode", partialModeOf(node)],
      ["Operation", node.operation],
      ["Command", node.command],
      ["Scan direction", node.scanDirection],
      ["Parallel aware", node.parallelAware],
      ["Disabled node type", node.disabled],
    ]),
  );

  const a = node.actual;
  push(
    "Time",
    node.neverExecuted
      ? [{ label: "Executed", value: "never executed" }]
      : items([
          ["Self (exclusive)", metrics?.exclusiveTimeMs ?? null, formatMs],
          ["Share of total", metrics?.timeShare === null || metrics?.timeShare === undefined ? null : formatShare(metrics.timeShare)],
          ["Inclusive", metrics?.inclusiveTimeMs ?? null, formatMs],
          ["Startup per loop", a?.startupTimeMs ?? null, formatMs],
          ["Total per loop", a?.totalTimeMs ?? null, formatMs],
          ["Loops", a?.loops ?? null],
          ["Averaged over processes", metrics !== null && metrics.processes > 1 ? metrics.processes : null],
        ]),
  );

  const e = node.estimate;
  push(
    "Cost",
    items([
      ["Startup cost", e?.startupCost ?? null, formatCost],
      ["Total cost", e?.totalCost ?? null, formatCost],
      ["Self cost", metrics?.exclusiveCost ?? null, formatCost],
      ["Share of total cost", metrics?.costShare === null || metrics?.costShare === undefined ? null : formatShare(metrics.costShare)],
      ["Width", e === null ? null : `${e.widthBytes} bytes`],
    ]),
  );

  const badge = misestimateBadge(metrics?.misestimate ?? null);
  push(
    "Rows",
    items([
      ["Estimated (all loops)", metrics?.estimatedRows ?? null],
      ["Actual (all loops)", metrics?.actualRows ?? null],
      ["Estimated per loop", e?.rows ?? null],
      ["Actual per loop", a?.rows ?? null],
      ["Misestimate", badge?.description ?? null],
      ["Removed by filter", node.rowsRemovedByFilter],
      ["Removed by join filter", node.rowsRemovedByJoinFilter],
      ["Removed by index recheck", node.rowsRemovedByIndexRecheck],
      ["Heap fetches", node.heapFetches],
      ["Index searches", node.indexSearches],
    ]),
  );

  push(
    "Conditions",
    node.conditions.map((c) => ({ label: CONDITION_LABELS[c.kind], value: c.expression, code: true })),
  );

  push("Sort and grouping", [
    ...listItems("Sort key", node.sortKey),
    ...items([
      ["Sort method", node.sortMethod],
      ["Sort space", node.sortSpaceUsedKb === null ? null : `${formatCount(node.sortSpaceUsedKb)} kB${node.sortSpaceType !== null ? ` (${node.sortSpaceType})` : ""}`],
    ]),
    ...listItems("Group key", node.groupKey),
    ...items([
      ["Hash buckets", node.hashBuckets],
      ["Hash batches", node.hashBatches],
      ["Peak memory", node.peakMemoryUsageKb === null ? null : `${formatCount(node.peakMemoryUsageKb)} kB`],
    ]),
  ]);

  push("Workers", [
    ...items([
      ["Planned", node.workersPlanned],
      ["Launched", node.workersLaunched],
    ]),
    ...node.workers.map((w) => ({
      label: `Worker ${w.workerNumber}`,
      value: [
        w.actual === null ? null : `${formatCount(w.actual.rows * w.actual.loops)} rows`,
        w.actual?.totalTimeMs == null ? null : formatMs(w.actual.totalTimeMs * w.actual.loops),
        w.buffers === null ? null : `shared hit ${formatCount(w.buffers.sharedHitBlocks)}, read ${formatCount(w.buffers.sharedReadBlocks)}`,
      ]
        .filter((s) => s !== null)
        .join(" · ") || NONE,
    })),
  ]);

  if (metrics?.exclusiveBuffers != null || node.buffers !== null) {
    push("Buffers", [...bufferItems("Self", metrics?.exclusiveBuffers ?? null), ...bufferItems("Inclusive", node.buffers)]);
  }

  const io = node.ioTiming;
  if (io !== null) {
    push(
      "I/O timings",
      items([
        ["Read", io.readMs, formatMs],
        ["Write", io.writeMs, formatMs],
        ["Temp read", io.tempReadMs, formatMs],
        ["Temp write", io.tempWriteMs, formatMs],
      ]),
    );
  }

  push("Output", listItems("Columns", node.output));
  push(
    "Other",
    Object.entries(node.extra).map(([label, value]) => ({ label, value: typeof value === "boolean" ? (value ? "true" : "false") : String(value) })),
  );

  return { title: describeNode(node), sections };
}
