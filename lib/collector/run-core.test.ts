import { describe, expect, it } from "vitest";
import { describeRun, isDue, mapLimited, nextDelayMs } from "./run-core";

describe("nextDelayMs", () => {
  it("is the interval after a success and doubles per failure, up to 15 minutes", () => {
    expect(nextDelayMs(60, 0)).toBe(60_000);
    expect(nextDelayMs(60, 1)).toBe(120_000);
    expect(nextDelayMs(60, 3)).toBe(480_000);
    expect(nextDelayMs(60, 4)).toBe(900_000);
    expect(nextDelayMs(60, 100)).toBe(900_000);
  });

  it("never retries sooner than the interval itself", () => {
    expect(nextDelayMs(3600, 2)).toBe(3_600_000);
  });
});

describe("isDue", () => {
  it("is due when never scheduled or when the time has come", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(isDue({ nextCollectAt: null }, now)).toBe(true);
    expect(isDue({ nextCollectAt: now }, now)).toBe(true);
    expect(isDue({ nextCollectAt: new Date(now.getTime() + 1) }, now)).toBe(false);
  });
});

describe("mapLimited", () => {
  it("keeps order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimited([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, n * 5));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(await mapLimited([], 3, async () => 1)).toEqual([]);
  });
});

describe("describeRun", () => {
  const base = { name: "db1", statements: 3, intervals: 2, newPlans: 1, samples: 4, skippedLogEntries: 0, durationMs: 12, errors: [] };
  it("says what was collected, the errors, or that another collector has the target", () => {
    expect(describeRun(base)).toBe("collected db1: 3 statements, 2 intervals, 1 new plans, 4 samples (12 ms)");
    expect(describeRun({ ...base, errors: ["snapshot: boom"] })).toMatch(/^collected db1 with errors: snapshot: boom — 3 statements/);
    expect(describeRun({ ...base, errors: ["locked by another collector"] })).toBe("skipped db1: locked by another collector");
  });
});
