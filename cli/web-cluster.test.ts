import { describe, expect, it } from "vitest";
import { recordDeath } from "./web-cluster";

describe("recordDeath", () => {
  it("replaces a process that dies now and then", () => {
    // deaths at 0 s and 30 s are more than a minute before 100 s: only this one counts
    expect(recordDeath([0, 30_000], 100_000)).toEqual({ deathsMs: [100_000], restart: true });
  });

  it("replaces up to five deaths within a minute, not the sixth", () => {
    let deathsMs: number[] = [];
    const restarts: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const death = recordDeath(deathsMs, 1_000_000 + i * 5_000);
      deathsMs = death.deathsMs;
      restarts.push(death.restart);
    }
    expect(restarts).toEqual([true, true, true, true, true, false]);
    expect(deathsMs).toHaveLength(6);
  });

  it("forgets deaths once they are a minute old", () => {
    const five = [0, 1_000, 2_000, 3_000, 4_000];
    expect(recordDeath(five, 59_000).restart).toBe(false); // 0 s is 59 s ago: still 6 in the window
    expect(recordDeath(five, 60_000)).toEqual({ deathsMs: [1_000, 2_000, 3_000, 4_000, 60_000], restart: true }); // 60 - 0 = one minute: out
  });
});
