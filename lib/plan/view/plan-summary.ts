// The figures above a plan tree: how long it took, how big it is, what it is (fingerprint), which
// nodes to look at first, and what kind of EXPLAIN it was. Pure.
import { fingerprint, shortFingerprint } from "../fingerprint";
import type { Plan } from "../model";
import { formatCost, formatCount, formatMs } from "./format";
import type { PlanTreeModel } from "./node-rows";

export interface SummaryFact {
  label: string;
  value: string;
  mono?: boolean;
  title?: string;
}

export interface HotEntry {
  id: number;
  rank: number;
  label: string;
  figure: string;
}

export interface PlanSummary {
  facts: SummaryFact[];
  hot: HotEntry[];
  /** What this EXPLAIN could not say, in one sentence; null for a full EXPLAIN ANALYZE. */
  note: string | null;
}

export function planSummary(plan: Plan, model: PlanTreeModel): PlanSummary {
  const fp = fingerprint(plan);
  const executionMs = plan.executionTimeMs ?? plan.durationMs ?? model.metrics.totalTimeMs;
  const facts: SummaryFact[] = [
    { label: "Execution time", value: plan.analyzed ? formatMs(executionMs) : "not executed" },
    { label: "Planning time", value: formatMs(plan.planningTimeMs) },
    { label: "Nodes", value: formatCount(plan.nodeCount) },
    { label: "Total cost", value: plan.hasCosts ? formatCost(plan.root.estimate?.totalCost ?? null) : "COSTS OFF" },
    { label: "Fingerprint", value: shortFingerprint(fp), mono: true, title: fp },
  ];
  const hot = model.hotIds.map((id, i) => {
    const row = model.rows[id];
    return { id, rank: i + 1, label: row?.label ?? `node ${id}`, figure: row === undefined ? "" : `${row.selfText} · ${row.shareText}` };
  });
  let note: string | null = null;
  if (!plan.analyzed && !plan.hasCosts) note = "EXPLAIN with COSTS OFF and without ANALYZE: the plan's shape only, no costs, rows or times.";
  else if (!plan.analyzed) note = "EXPLAIN without ANALYZE: self cost and estimated rows are shown instead of times.";
  else if (model.metric !== "time") note = "ANALYZE with TIMING OFF: self cost is shown instead of times; actual rows are real.";
  return { facts, hot, note };
}
