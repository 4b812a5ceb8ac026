// Which table answers which part of a time window. A window (start, end] over interval window_end is
// cut into pieces: whole UTC days from daily rollups, whole hours from hourly rollups, and the ragged
// edges (less than an hour each) from raw intervals. Rollups are used only up to what has been rolled
// up (coverage). Because every rollup column is a plain sum of the intervals it covers, the pieces
// add up to exactly what the raw intervals of the whole window would give.
export type RollupGrain = "hour" | "day";
export type SegmentSource = "raw" | RollupGrain;

/** Intervals with window_end in (start, end]; for a rollup source, buckets with bucket_start in [start, end). */
export interface Segment {
  source: SegmentSource;
  start: Date;
  end: Date;
}

export interface RollupCoverage {
  /** Hourly buckets ending at or before this time exist (null: none). */
  hourUntil: Date | null;
  dayUntil: Date | null;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/** The pieces of (start, end], in time order, none empty. */
export function windowSegments(start: Date, end: Date, coverage: RollupCoverage): Segment[] {
  const a = start.getTime();
  const b = end.getTime();
  if (!(b > a)) return [];
  const raw = (from: number, to: number): Segment[] => (to > from ? [{ source: "raw", start: new Date(from), end: new Date(to) }] : []);
  if (coverage.hourUntil === null) return raw(a, b);
  const h0 = ceilTo(a, HOUR_MS);
  const h1 = Math.min(floorTo(b, HOUR_MS), floorTo(coverage.hourUntil.getTime(), HOUR_MS));
  if (!(h1 > h0)) return raw(a, b);
  return [...raw(a, h0), ...rollupSegments(h0, h1, coverage.dayUntil), ...raw(h1, b)];
}

/** Hour-aligned (h0, h1] from daily buckets where whole covered days fit, hourly ones around them. */
function rollupSegments(h0: number, h1: number, dayUntil: Date | null): Segment[] {
  const hours = (from: number, to: number): Segment[] => (to > from ? [{ source: "hour", start: new Date(from), end: new Date(to) }] : []);
  if (dayUntil === null) return hours(h0, h1);
  const d0 = ceilTo(h0, DAY_MS);
  const d1 = Math.min(floorTo(h1, DAY_MS), floorTo(dayUntil.getTime(), DAY_MS));
  if (!(d1 > d0)) return hours(h0, h1);
  return [...hours(h0, d0), { source: "day", start: new Date(d0), end: new Date(d1) }, ...hours(d1, h1)];
}
