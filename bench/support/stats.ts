// Small measurement helpers every bench shares: elapsed time, medians, spreads and the machine's load.
import { readFileSync } from "node:fs";

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** The median; the mean of the middle two for an even count (NaN for none). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** "min–max" of the values, for a table's comment column. */
export const spread = (xs: readonly number[], digits = 0): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

/** The 1, 5 and 15 minute load averages as /proc/loadavg prints them: "0.52 0.61 0.70". */
export const loadAverage = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
