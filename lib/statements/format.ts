// Human units for the statement views: milliseconds shown as ms, s, min or h with the digits a
// reader can use, en-US grouping whatever the locale (the same text on the server and in the browser).
// Numbers go through lib/regression/format (one Intl.NumberFormat per digit count): toLocaleString
// with options builds a formatter per call, ~10 ms of every statements page (50 rows) under load.
import { formatDigits, formatNumber as digits, formatRatio as ratioText } from "../regression/format";

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** 0.4213 → "0.42 ms", 1234 → "1.23 s", 95000 → "1.58 min", 7200000 → "2 h". */
export function formatDurationMs(ms: number): string {
  const magnitude = Math.abs(ms);
  if (magnitude < SECOND_MS) return `${digits(ms)} ms`;
  if (magnitude < MINUTE_MS) return `${digits(ms / SECOND_MS)} s`;
  if (magnitude < HOUR_MS) return `${digits(ms / MINUTE_MS)} min`;
  return `${digits(ms / HOUR_MS)} h`;
}

/** Time lost (+) or saved (−) in the recent window; "—" when unknown. */
export function formatImpactMs(ms: number | null): string {
  if (ms === null) return "—";
  // Below what two decimals show: no sign, no "−0 ms".
  if (Math.abs(ms) < 0.005) return "0 ms";
  return `${ms > 0 ? "+" : "−"}${formatDurationMs(Math.abs(ms))}`;
}

/** "2.5×", "0.33×", "—". */
export function formatRatio(ratio: number | null): string {
  return ratio === null ? "—" : ratioText(ratio);
}

/** 1234567 → "1,234,567"; fractions (pooled averages) keep two digits. */
export function formatCount(n: number): string {
  return formatDigits(n, 2);
}

/** Estimated cost units: "1,234.5". */
export function formatCost(cost: number | null): string {
  return cost === null ? "—" : formatDigits(cost, cost >= 100 ? 0 : 2);
}

/** "2026-05-04 13:07:22 UTC": one fixed format, no locale or time zone surprises between server and browser. */
export function formatTimestamp(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** "05-04 13:07:22" (UTC): dense table cells; the full form goes in the title. */
export function formatShortTimestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : d.toISOString().slice(5, 19).replace("T", " ");
}

/** "13:07" (UTC) for chart ticks within a day, "05-04 13:07" across days. */
export function formatTick(epochMs: number, spanMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return spanMs > 20 * HOUR_MS ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** "3 min ago", "2 h ago", "just now" relative to `now`. */
export function formatAgo(iso: string | null, now: Date): string {
  if (iso === null) return "never";
  const ms = now.getTime() - new Date(iso).getTime();
  if (ms < 45 * SECOND_MS) return "just now";
  if (ms < HOUR_MS) return `${Math.round(ms / MINUTE_MS)} min ago`;
  if (ms < 48 * HOUR_MS) return `${Math.round(ms / HOUR_MS)} h ago`;
  return `${Math.round(ms / (24 * HOUR_MS))} d ago`;
}
