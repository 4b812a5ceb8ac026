// Why a statement's time moved. A plan change is evidence, not proof: the plan that dominated the
// recent window differing from the baseline's is reported as `plan-change`, naming both; otherwise the
// per-call counters say what else moved with the same plan (`same-plan`): temp blocks (spills past
// work_mem), shared reads (cache misses), rows (data growth), planning time.
//
// Improvements are attributed the same way as regressions: a new plan that made a statement faster is
// exactly what a DBA wants to find and approve. Stable statements get no cause (the ranking decides).
import { shortFingerprint } from "../plan/fingerprint";
import { formatNumber, missingWindows } from "./format";
import type { PlanSamplePoint, TimeWindow } from "./types";
import { inWindow, type WindowStats } from "./window-stats";

export type Cause = "plan-change" | "same-plan";

/** Which way the statement moved: the metrics that moved the same way explain it. */
export type Direction = "slower" | "faster";

export interface DominantPlan {
  planId: string;
  fingerprint: string;
  /** This plan's samples in the window, and all samples in the window. */
  samples: number;
  windowSamples: number;
  /** Most of this plan's samples in the window were generic plans. */
  isGeneric: boolean;
}

export interface Attribution {
  cause: Cause;
  baselinePlan: string | null;
  recentPlan: string | null;
  evidence: string;
}

export type MetricName = "tempBlocksPerCall" | "sharedReadBlocksPerCall" | "rowsPerCall" | "meanPlanMs";

export interface MetricMove {
  metric: MetricName;
  baseline: number;
  recent: number;
  /** (recent + floor) / (baseline + floor): a move from 0 still has a finite size. */
  factor: number;
}

/** A metric counts as moved when it changed by this factor at least... */
export const MIN_METRIC_FACTOR = 1.5;

/** ...and by more than its floor (one block, one row, 0.05 ms of planning), so 0 → 0.2 blocks is noise. */
const METRICS: readonly { metric: MetricName; label: string; why: string; floor: number }[] = [
  { metric: "tempBlocksPerCall", label: "temp blocks/call", why: "spills: work_mem", floor: 1 },
  { metric: "sharedReadBlocksPerCall", label: "shared reads/call", why: "cache misses", floor: 1 },
  { metric: "rowsPerCall", label: "rows/call", why: "data growth", floor: 1 },
  { metric: "meanPlanMs", label: "planning ms", why: "planning time", floor: 0.05 },
];

/** At most this many moved metrics in one evidence text. */
const MAX_MOVES_SHOWN = 2;

/**
 * The plan with the most samples captured in the window; ties go to the plan sampled last (the one
 * running as the window ended), then to the smaller fingerprint so the answer never depends on row
 * order. Null when no sample falls in the window.
 */
export function dominantPlan(samples: readonly PlanSamplePoint[], window: TimeWindow): DominantPlan | null {
  // Most statements of a large target have no samples (auto_explain samples the slow ones).
  if (samples.length === 0) return null;
  const inside = samples.filter((s) => inWindow(s.capturedAt, window));
  const byFingerprint = new Map<string, { planId: string; count: number; generic: number; lastMs: number }>();
  for (const s of inside) {
    const entry = byFingerprint.get(s.fingerprint) ?? { planId: s.planId, count: 0, generic: 0, lastMs: -Infinity };
    byFingerprint.set(s.fingerprint, {
      planId: entry.planId,
      count: entry.count + 1,
      generic: entry.generic + (s.isGeneric ? 1 : 0),
      lastMs: Math.max(entry.lastMs, s.capturedAt.getTime()),
    });
  }
  const ranked = [...byFingerprint.entries()].sort(
    ([fa, a], [fb, b]) => b.count - a.count || b.lastMs - a.lastMs || (fa < fb ? -1 : fa > fb ? 1 : 0),
  );
  const top = ranked[0];
  if (top === undefined) return null;
  const [fingerprint, entry] = top;
  return {
    planId: entry.planId,
    fingerprint,
    samples: entry.count,
    windowSamples: inside.length,
    isGeneric: entry.generic * 2 > entry.count,
  };
}

/** The per-call metrics that moved in `direction` (up when slower), largest factor first. */
export function metricMoves(baseline: WindowStats, recent: WindowStats, direction: Direction): MetricMove[] {
  const moves: MetricMove[] = [];
  for (const { metric, floor } of METRICS) {
    const before = baseline[metric];
    const after = recent[metric];
    if (before === null || after === null) continue;
    const factor = (after + floor) / (before + floor);
    const grew = factor >= MIN_METRIC_FACTOR && after - before > floor;
    const shrank = factor <= 1 / MIN_METRIC_FACTOR && before - after > floor;
    if (direction === "slower" ? grew : shrank) moves.push({ metric, baseline: before, recent: after, factor });
  }
  return moves.sort((a, b) => Math.abs(Math.log(b.factor)) - Math.abs(Math.log(a.factor)));
}

/** "temp blocks/call 0 → 1,024 (spills: work_mem)" */
export function describeMove(move: MetricMove): string {
  const spec = METRICS.find((m) => m.metric === move.metric);
  const label = spec?.label ?? move.metric;
  return `${label} ${formatNumber(move.baseline)} → ${formatNumber(move.recent)}${spec ? ` (${spec.why})` : ""}`;
}

export function attribute(input: {
  direction: Direction;
  baseline: WindowStats;
  recent: WindowStats;
  baselinePlan: DominantPlan | null;
  recentPlan: DominantPlan | null;
}): Attribution {
  const { baselinePlan: before, recentPlan: after } = input;
  const moves = metricMoves(input.baseline, input.recent, input.direction).slice(0, MAX_MOVES_SHOWN).map(describeMove);
  const plans = { baselinePlan: before?.fingerprint ?? null, recentPlan: after?.fingerprint ?? null };

  if (before !== null && after !== null && before.fingerprint !== after.fingerprint) {
    const parts = [`plan changed ${shortFingerprint(before.fingerprint)} → ${shortFingerprint(after.fingerprint)}`];
    if (after.isGeneric) parts.push(genericNote(before.isGeneric));
    return { cause: "plan-change", ...plans, evidence: [...parts, ...moves].join("; ") };
  }

  // No plan change seen: either the same plan, or plans were not captured and the counters are all
  // there is to go on (still `same-plan`, the text says which).
  const planPart =
    before !== null && after !== null
      ? `same plan ${shortFingerprint(after.fingerprint)}`
      : `plans not captured in ${missingWindows(before === null, after === null)}`;
  const movedPart = moves.length > 0 ? moves : ["no per-call metric moved (temp blocks, shared reads, rows, planning)"];
  return { cause: "same-plan", ...plans, evidence: [planPart, ...movedPart].join("; ") };
}

function genericNote(oldWasGeneric: boolean): string {
  return oldWasGeneric
    ? "new plan is a generic plan ($n parameters), as was the old one"
    : "new plan is a generic plan ($n parameters): plan_cache_mode / prepared statements after 5 executions";
}
