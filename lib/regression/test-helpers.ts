// Builders for the regression tests: one interval or sample with only what a test cares about.
import type { IntervalPoint, PlanSamplePoint } from "./types";

export const T0 = Date.parse("2025-06-01T00:00:00Z");
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Minutes after T0 as a Date. */
export function at(minutes: number): Date {
  return new Date(T0 + minutes * MINUTE_MS);
}

/** An interval ending `endMinute` minutes after T0 (lasting `lengthMinutes`). */
export function interval(endMinute: number, fields: Partial<IntervalPoint> = {}, lengthMinutes = 1): IntervalPoint {
  return {
    windowStart: at(endMinute - lengthMinutes),
    windowEnd: at(endMinute),
    calls: 10,
    meanExecMs: 10,
    execVarianceMs2: 1,
    totalPlanMs: null,
    plans: null,
    rows: 10,
    sharedReadBlocks: 0,
    sharedHitBlocks: 100,
    tempReadBlocks: 0,
    tempWrittenBlocks: 0,
    ...fields,
  };
}

export function sample(minute: number, fingerprint: string, fields: Partial<PlanSamplePoint> = {}): PlanSamplePoint {
  return {
    planId: `plan-${fingerprint.slice(0, 4)}`,
    fingerprint,
    capturedAt: at(minute),
    estimatedTotalCost: 100,
    actualTotalMs: null,
    isGeneric: false,
    ...fields,
  };
}
