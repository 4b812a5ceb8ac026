// Pasted plans are untrusted and may be up to 8 Mi characters: parsing must stay linear in the
// number of lines of one kind. Each case below was quadratic once (an array copied or scanned per
// line) and took 20–100 s at these sizes; the unit timeout (5 s) is what fails them now.
import { describe, expect, it } from "vitest";
import { parsePlan } from "./index";

const ROOT = "HashAggregate  (cost=0.00..35.50 rows=2550 width=4) (actual time=0.010..0.250 rows=2550 loops=1)";
const lines = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => line(i)).join("\n");

describe("parsing time is linear in repeated lines", () => {
  it("reads 40,000 trigger lines", () => {
    const plan = parsePlan(`${ROOT}\n${lines(40_000, (i) => `Trigger t${i}: time=0.100 calls=1`)}`);
    expect(plan.triggers).toHaveLength(40_000);
    expect(plan.triggers[39_999]?.name).toBe("t39999");
  });

  it("reads 40,000 distinct Group Key lines (grouping sets) and keeps each key once", () => {
    const plan = parsePlan(`${ROOT}\n${lines(40_000, (i) => `  Group Key: k${i % 30_000}`)}`);
    expect(plan.root.groupKey).toHaveLength(30_000); // 40,000 lines − 10,000 repeats
    expect(plan.root.groupKey.slice(0, 2)).toEqual(["k0", "k1"]);
  });

  it("reads JSON grouping sets with 160,000 distinct keys", () => {
    const keys = Array.from({ length: 160_000 }, (_, i) => `k${i}`);
    const node = { "Node Type": "Aggregate", Strategy: "Mixed", "Startup Cost": 0, "Total Cost": 1, "Plan Rows": 1, "Plan Width": 4 };
    const plan = parsePlan(JSON.stringify([{ Plan: { ...node, "Grouping Sets": [{ "Group Keys": [keys, keys.slice(0, 10)] }] } }]));
    expect(plan.root.groupKey).toHaveLength(160_000);
  });
});
