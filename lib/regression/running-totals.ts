// Running totals: a window of a target's intervals as the difference of two checkpoints.
//
// A checkpoint at snapshot T holds, per statement, the sums the ranking reads over the statement's
// intervals with window_end in (P, T], P the start of T's period: 7-day periods counted from the
// Unix epoch, each (P, P + 7 d], the same end-inclusive convention as windows and rollup buckets.
// C(t) is the latest checkpoint at or before t within t's period (none: zero). For x < y:
//
//   Σ(x, y] = C(y) − C(x)                                            same period
//           = (T(period of x) − C(x)) + Σ T(periods between) + C(y)  otherwise
//
// where T(p), a period's total, is its last checkpoint. Any window costs a handful of checkpoints
// whatever its length, instead of every interval and rollup row in it (docs/scaling.md, "Ranking").
// Why periods and not totals since the first snapshot: a checkpoint then holds only the statements
// that ran in its period (not every statement ever seen), and its sums stay small, so the
// differences keep their digits.
//
// Every field is a plain sum, with the rules of window-stats' aggregate: calls, execution sums,
// rows and blocks from intervals with calls; planning from intervals that tracked it, with the calls
// of those intervals (plansPerCall divides by them). Integer counters are exact as doubles below 2^53.
import type { RankingInterval, RegressionWindows } from "./types";

export const PERIOD_MS = 7 * 86_400_000;

/** The sums of one statement; see the header for which intervals feed which field. */
export interface RunningTotals {
  calls: number;
  sumExecMs: number;
  sumSquaresExecMs2: number;
  rows: number;
  sharedReadBlocks: number;
  tempWrittenBlocks: number;
  callsWhilePlanned: number;
  plans: number;
  totalPlanMs: number;
}

/** Totals per statement id (the repository's bigint id as a number: ids stay far below 2^53). */
export type TotalsByStatement = Map<number, RunningTotals>;

export const zeroTotals = (): RunningTotals => ({
  calls: 0,
  sumExecMs: 0,
  sumSquaresExecMs2: 0,
  rows: 0,
  sharedReadBlocks: 0,
  tempWrittenBlocks: 0,
  callsWhilePlanned: 0,
  plans: 0,
  totalPlanMs: 0,
});

/** Start of the period holding instant t (ms): the P with t in (P, P + PERIOD_MS]. */
export function periodStartMs(tMs: number): number {
  return Math.floor((tMs - 1) / PERIOD_MS) * PERIOD_MS;
}

/** What one interval adds, as an IntervalRow-like shape with numbers. */
export interface IntervalSums {
  calls: number;
  meanExecMs: number;
  execVarianceMs2: number;
  rows: number;
  sharedReadBlocks: number;
  tempWrittenBlocks: number;
  totalPlanMs: number | null;
  plans: number | null;
}

/** `totals` with one interval added (a new object). */
export function addInterval(totals: RunningTotals, i: IntervalSums): RunningTotals {
  const next = { ...totals };
  if (i.calls > 0) {
    next.calls += i.calls;
    next.sumExecMs += i.calls * i.meanExecMs;
    next.sumSquaresExecMs2 += i.calls * (i.execVarianceMs2 + i.meanExecMs * i.meanExecMs);
    next.rows += i.rows;
    next.sharedReadBlocks += i.sharedReadBlocks;
    next.tempWrittenBlocks += i.tempWrittenBlocks;
  }
  if (i.totalPlanMs !== null && i.plans !== null) {
    next.plans += i.plans;
    next.totalPlanMs += i.totalPlanMs;
    next.callsWhilePlanned += i.calls;
  }
  return next;
}

/** A checkpoint to look up: the latest one with `at` in (afterMs, untilMs]. */
export interface CheckpointLookup {
  key: string;
  afterMs: number;
  untilMs: number;
}

const boundaryKey = (tMs: number) => `at:${tMs}`;
const periodKey = (startMs: number) => `period:${startMs}`;

/** Every checkpoint the two windows need: C at their three boundaries, T of each period crossed. */
export function checkpointLookups(windows: RegressionWindows): CheckpointLookup[] {
  const bounds = [windows.baseline.start, windows.recent.start, windows.recent.end].map((d) => d.getTime());
  const lookups = new Map<string, CheckpointLookup>();
  for (const t of bounds) lookups.set(boundaryKey(t), { key: boundaryKey(t), afterMs: periodStartMs(t), untilMs: t });
  for (let p = periodStartMs(bounds[0]!); p < periodStartMs(bounds[2]!); p += PERIOD_MS) {
    lookups.set(periodKey(p), { key: periodKey(p), afterMs: p, untilMs: p + PERIOD_MS });
  }
  return [...lookups.values()];
}

/** The signed checkpoints whose sum is Σ(x, y] (see the header). */
function windowTerms(xMs: number, yMs: number): { key: string; sign: 1 | -1 }[] {
  const px = periodStartMs(xMs);
  const py = periodStartMs(yMs);
  const terms: { key: string; sign: 1 | -1 }[] = [{ key: boundaryKey(yMs), sign: 1 }, { key: boundaryKey(xMs), sign: -1 }];
  for (let p = px; p < py; p += PERIOD_MS) terms.push({ key: periodKey(p), sign: 1 });
  return terms;
}

/** acc += sign · t, field by field (written out: a loop over field names was most of a ranking's arithmetic). */
function addScaled(acc: RunningTotals, t: RunningTotals, sign: number): void {
  acc.calls += sign * t.calls;
  acc.sumExecMs += sign * t.sumExecMs;
  acc.sumSquaresExecMs2 += sign * t.sumSquaresExecMs2;
  acc.rows += sign * t.rows;
  acc.sharedReadBlocks += sign * t.sharedReadBlocks;
  acc.tempWrittenBlocks += sign * t.tempWrittenBlocks;
  acc.callsWhilePlanned += sign * t.callsWhilePlanned;
  acc.plans += sign * t.plans;
  acc.totalPlanMs += sign * t.totalPlanMs;
}

/**
 * A checkpoint's totals as windowTotals reads them: added, times a sign, into per-statement sums.
 * The packed form (lib/db/checkpoint-codec.ts) adds its records as it decodes them, without an
 * object per record.
 */
export interface TotalsSource {
  addTo(acc: TotalsByStatement, sign: number): void;
}

/** Adds sign · t to the statement's sums in acc (creating them at zero). */
export function accumulate(acc: TotalsByStatement, id: number, t: RunningTotals, sign: number): void {
  let sums = acc.get(id);
  if (!sums) acc.set(id, (sums = zeroTotals()));
  addScaled(sums, t, sign);
}

/** A map of totals as a source. */
export function mapSource(totals: TotalsByStatement): TotalsSource {
  return { addTo: (acc, sign) => totals.forEach((t, id) => accumulate(acc, id, t, sign)) };
}

/**
 * Σ over each window per statement, from the checkpoints found for checkpointLookups (a key missing
 * from `found`: no checkpoint, all zero). Only statements with calls or plans in a window appear.
 */
export function windowTotals(
  windows: RegressionWindows,
  found: ReadonlyMap<string, TotalsSource>,
): { baseline: TotalsByStatement; recent: TotalsByStatement } {
  const combine = (x: Date, y: Date): TotalsByStatement => {
    const out: TotalsByStatement = new Map();
    for (const { key, sign } of windowTerms(x.getTime(), y.getTime())) found.get(key)?.addTo(out, sign);
    for (const [id, t] of out) if (t.calls <= 0 && t.plans <= 0) out.delete(id);
    return out;
  };
  return { baseline: combine(windows.baseline.start, windows.baseline.end), recent: combine(windows.recent.start, windows.recent.end) };
}

/**
 * Mean and population variance of one call's time from pooled sums (Σ n·m and Σ n·(v + m²)); 0 and
 * 0 without calls. The variance is clamped at 0: the subtraction can leave −ε for identical timings.
 */
export function pooledMoments(calls: number, sumExecMs: number, sumSquaresExecMs2: number): { meanExecMs: number; execVarianceMs2: number } {
  if (!(calls > 0)) return { meanExecMs: 0, execVarianceMs2: 0 };
  const meanExecMs = sumExecMs / calls;
  return { meanExecMs, execVarianceMs2: Math.max(0, sumSquaresExecMs2 / calls - meanExecMs * meanExecMs) };
}

/**
 * A window's totals as ranking points that window-stats pools back into the same figures, appended
 * to `out`: one for the calls of intervals that tracked planning (with the planning sums), one for
 * the others, both with the window's mean and variance (pooling two points of equal mean and
 * variance gives that mean and variance), and rows and blocks on one point with calls. windowEnd is
 * the window's end, so the points fall in it. (No closures or spreads: 10,000 calls per ranking.)
 */
export function appendTotalsPoints(out: RankingInterval[], t: RunningTotals, windowEnd: Date): void {
  const { meanExecMs, execVarianceMs2 } = pooledMoments(t.calls, t.sumExecMs, t.sumSquaresExecMs2);
  const untrackedCalls = t.calls - t.callsWhilePlanned;
  if (t.callsWhilePlanned > 0 || t.plans > 0) {
    const volume = untrackedCalls <= 0;
    out.push({
      windowEnd,
      calls: t.callsWhilePlanned,
      meanExecMs,
      execVarianceMs2,
      totalPlanMs: t.totalPlanMs,
      plans: t.plans,
      rows: volume ? t.rows : 0,
      sharedReadBlocks: volume ? t.sharedReadBlocks : 0,
      tempWrittenBlocks: volume ? t.tempWrittenBlocks : 0,
    });
  }
  if (untrackedCalls > 0) {
    out.push({
      windowEnd,
      calls: untrackedCalls,
      meanExecMs,
      execVarianceMs2,
      totalPlanMs: null,
      plans: null,
      rows: t.rows,
      sharedReadBlocks: t.sharedReadBlocks,
      tempWrittenBlocks: t.tempWrittenBlocks,
    });
  }
}
