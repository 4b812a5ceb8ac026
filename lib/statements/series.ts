// Chart-ready series for a statement's page: mean execution time and calls per collection interval
// (downsampled to a readable number of points), the instants where the dominant plan changed, and
// estimated cost against actual time per plan. Pure: the chart components draw these as they are.
import { shortFingerprint } from "../plan/fingerprint";

export interface IntervalInput {
  windowStart: string;
  windowEnd: string;
  calls: number;
  meanExecMs: number;
}

export interface SampleInput {
  planId: string;
  capturedAt: string;
  estimatedTotalCost: number;
  actualTotalMs: number | null;
}

export interface PlanInput {
  planId: string;
  fingerprint: string;
  status: string;
  enabled: boolean;
}

/** One point of the time series: an interval, or several pooled into one bucket. */
export interface IntervalPoint {
  /** Start and end of the (pooled) interval, epoch ms; the chart plots at the end. */
  startMs: number;
  endMs: number;
  calls: number;
  /** Calls-weighted mean; null when the bucket had no calls. */
  meanExecMs: number | null;
}

export interface PlanChangeMarker {
  /** Epoch ms of the point where the new plan first dominated (a point's endMs). */
  atMs: number;
  fromPlanId: string;
  toPlanId: string;
  label: string;
}

export interface ScatterSeries {
  planId: string;
  name: string;
  /** Index into the chart palette: plans keep their color across renders. */
  colorIndex: number;
  points: { estimatedCost: number; actualMs: number }[];
}

export const MAX_SERIES_POINTS = 240;
export const PALETTE_SIZE = 8;

/**
 * Intervals sorted by end; more than maxPoints are pooled into equal time buckets, each with the
 * summed calls and the calls-weighted mean (Σ calls·mean / Σ calls), so the line keeps its level.
 */
export function intervalSeries(intervals: readonly IntervalInput[], maxPoints = MAX_SERIES_POINTS): IntervalPoint[] {
  const points = intervals
    .map((i) => ({ startMs: Date.parse(i.windowStart), endMs: Date.parse(i.windowEnd), calls: i.calls, meanExecMs: i.calls > 0 ? i.meanExecMs : null }))
    .filter((p) => Number.isFinite(p.startMs) && Number.isFinite(p.endMs))
    .sort((a, b) => a.endMs - b.endMs);
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length <= maxPoints || first === undefined || last === undefined) return points;
  const widthMs = Math.max(1, Math.ceil((last.endMs - first.endMs + 1) / maxPoints));
  const buckets = new Map<number, { startMs: number; endMs: number; calls: number; sumMs: number }>();
  for (const p of points) {
    const key = Math.floor((p.endMs - first.endMs) / widthMs);
    const b = buckets.get(key) ?? { startMs: p.startMs, endMs: p.endMs, calls: 0, sumMs: 0 };
    b.startMs = Math.min(b.startMs, p.startMs);
    b.endMs = Math.max(b.endMs, p.endMs);
    b.calls += p.calls;
    b.sumMs += p.meanExecMs === null ? 0 : p.calls * p.meanExecMs;
    buckets.set(key, b);
  }
  return [...buckets.values()].map((b) => ({ startMs: b.startMs, endMs: b.endMs, calls: b.calls, meanExecMs: b.calls > 0 ? b.sumMs / b.calls : null }));
}

/**
 * Per point, the plan with the most samples captured in (startMs, endMs] (ties: the plan sampled
 * last); a marker wherever that plan differs from the previous point that had samples.
 */
export function planChangeMarkers(points: readonly IntervalPoint[], samples: readonly SampleInput[], plans: readonly PlanInput[]): PlanChangeMarker[] {
  const sorted = samples.map((s) => ({ planId: s.planId, atMs: Date.parse(s.capturedAt) })).sort((a, b) => a.atMs - b.atMs);
  const fingerprintOf = new Map(plans.map((p) => [p.planId, p.fingerprint]));
  const markers: PlanChangeMarker[] = [];
  let previous: string | null = null;
  let cursor = 0;
  for (const point of points) {
    while (cursor < sorted.length && (sorted[cursor]?.atMs ?? Infinity) <= point.startMs) cursor++;
    const counts = new Map<string, { n: number; lastMs: number }>();
    let i = cursor;
    for (; i < sorted.length && (sorted[i]?.atMs ?? Infinity) <= point.endMs; i++) {
      const s = sorted[i];
      if (s === undefined) continue;
      const c = counts.get(s.planId) ?? { n: 0, lastMs: -Infinity };
      counts.set(s.planId, { n: c.n + 1, lastMs: Math.max(c.lastMs, s.atMs) });
    }
    cursor = i;
    const dominant = [...counts.entries()].sort(([, a], [, b]) => b.n - a.n || b.lastMs - a.lastMs)[0]?.[0];
    if (dominant === undefined) continue;
    if (previous !== null && dominant !== previous) {
      const from = shortFingerprint(fingerprintOf.get(previous) ?? previous);
      const to = shortFingerprint(fingerprintOf.get(dominant) ?? dominant);
      markers.push({ atMs: point.endMs, fromPlanId: previous, toPlanId: dominant, label: `plan ${from} → ${to}` });
    }
    previous = dominant;
  }
  return markers;
}

/** "a1b2c3d4 · Approved", "… · Rejected, disabled". */
export function planLegendName(plan: PlanInput): string {
  return `${shortFingerprint(plan.fingerprint)} · ${plan.status}${plan.enabled ? "" : ", disabled"}`;
}

/** One series per plan (in the plans' order, which fixes the colors), analyzed samples only. */
export function costScatter(samples: readonly SampleInput[], plans: readonly PlanInput[]): ScatterSeries[] {
  const byPlan = new Map<string, ScatterSeries["points"]>();
  for (const s of samples) {
    if (s.actualTotalMs === null) continue;
    const list = byPlan.get(s.planId) ?? [];
    list.push({ estimatedCost: s.estimatedTotalCost, actualMs: s.actualTotalMs });
    byPlan.set(s.planId, list);
  }
  return plans.flatMap((plan, index) => {
    const points = byPlan.get(plan.planId);
    return points === undefined ? [] : [{ planId: plan.planId, name: planLegendName(plan), colorIndex: index % PALETTE_SIZE, points }];
  });
}

/** Time span of the series, for tick formats. */
export function seriesSpanMs(points: readonly IntervalPoint[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  return first === undefined || last === undefined ? 0 : last.endMs - first.startMs;
}

/** A sentence for screen readers and the chart's caption: what the series holds. */
export function intervalSummary(points: readonly IntervalPoint[], markers: readonly PlanChangeMarker[]): string {
  if (points.length === 0) return "No collection intervals in this period.";
  const means = points.map((p) => p.meanExecMs).filter((m): m is number => m !== null);
  const calls = points.reduce((sum, p) => sum + p.calls, 0);
  const range = means.length === 0 ? "no calls" : `mean ${formatMsShort(Math.min(...means))} to ${formatMsShort(Math.max(...means))}`;
  const changes = markers.length === 0 ? "no plan change" : `${markers.length} plan change${markers.length === 1 ? "" : "s"} (${markers.map((m) => m.label).join("; ")})`;
  return `${points.length} point${points.length === 1 ? "" : "s"}, ${calls.toLocaleString("en-US")} calls, ${range}, ${changes}.`;
}

function formatMsShort(ms: number): string {
  return `${ms.toLocaleString("en-US", { maximumFractionDigits: ms >= 100 ? 0 : 2 })} ms`;
}

export function scatterSummary(series: readonly ScatterSeries[]): string {
  if (series.length === 0) return "No analyzed plan samples.";
  return series.map((s) => `${s.name}: ${s.points.length} sample${s.points.length === 1 ? "" : "s"}`).join("; ") + ".";
}
