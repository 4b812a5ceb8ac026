// Pasted plans are untrusted and may be up to 8 Mi characters, 5,000 levels deep: analyzePlan,
// planHints and diffPlans must stay (near-)linear in the number of nodes and must not overflow the
// stack. Each case below was quadratic or cubic once (15–80 s at these sizes: the unit timeout of
// 5 s is what fails them now) or threw RangeError (a spread of 100,000s of arguments, or recursion
// over a 5,000-level tree, or over one round per sibling).
import { describe, expect, it } from "vitest";
import { analyzePlan, diffPlans, parsePlan, planHints } from "./index";

const TIME = `"Actual Startup Time":0.01,"Actual Total Time":1,"Actual Rows":1,"Actual Loops":1`;
const list = (count: number, item: (i: number) => string) => Array.from({ length: count }, (_, i) => item(i)).join(",");
const json = (plan: string) => `[{"Plan":${plan}}]`;
/** For the RangeError cases: what fails them is the error, and parsing MBs on a busy CI machine takes seconds. */
const SPACIOUS = { timeout: 30_000 };
/** Text EXPLAIN: an Append over `count` scans, one line each. */
const textAppend = (count: number, relation: (i: number) => string) =>
  ["Append", ...Array.from({ length: count }, (_, i) => `  ->  Seq Scan on ${relation(i)}`)].join("\n");

describe("analyzePlan is linear in CTE scans, CTE subplans and InitPlans", () => {
  it("reads 48,000 CTE Scans of one CTE (5.9 MB)", () => {
    // Was one copy of the scan list per scan: 48,000²/2 copies, ~30 s.
    const scans = list(48_000, () => `{"Node Type":"CTE Scan","CTE Name":"x",${TIME}}`);
    const cte = `{"Node Type":"Seq Scan","Relation Name":"t","Parent Relationship":"InitPlan","Subplan Name":"CTE x",${TIME}}`;
    const m = analyzePlan(parsePlan(json(`{"Node Type":"Append",${TIME},"Plans":[${cte},${scans}]}`)));
    expect(m.nodes[2]?.exclusiveTimeMs).toBeCloseTo(1 - 1 / 48_000); // each scan pays 1/48,000 of the CTE
  });

  it("charges 9,000 CTE subplans named x to 9,000 CTE Scans of x (2.6 MB)", () => {
    // Was one weight object per (subplan, scan): 81 million, ~19 s.
    const subplans = list(9_000, () => `{"Node Type":"Result","Parent Relationship":"InitPlan","Subplan Name":"CTE x",${TIME}}`);
    const scans = list(9_000, () => `{"Node Type":"CTE Scan","CTE Name":"x",${TIME}}`);
    const m = analyzePlan(parsePlan(json(`{"Node Type":"Append",${TIME},"Plans":[${subplans},${scans}]}`)));
    // Every subplan is charged to every scan of its name: 9,000 × 1/9,000 ms of each scan's 1 ms.
    expect(m.nodes[9_001]?.exclusiveTimeMs).toBeCloseTo(0);
    expect(m.clampedTimeMs).toBeGreaterThan(0);
  });

  it("finds the readers of 12,000 InitPlans under one node (2 MB)", () => {
    // Was a walk of the whole subtree per InitPlan: 12,000², ~35 s. Reader of InitPlan i: scan i.
    const inits = list(12_000, (i) => `{"Node Type":"Result","Parent Relationship":"InitPlan","Subplan Name":"InitPlan ${i + 1}",${TIME}}`);
    const readers = list(12_000, (i) => `{"Node Type":"Seq Scan","Relation Name":"t","Filter":"(x = (InitPlan ${i + 1}).col1)",${TIME.replace(":1,", ":2,")}}`);
    const m = analyzePlan(parsePlan(json(`{"Node Type":"Append",${TIME},"Plans":[${inits},${readers}]}`)));
    expect(m.nodes[12_001]?.exclusiveTimeMs).toBeCloseTo(1); // 2 ms − its InitPlan's 1 ms
  });

  it("reads a node with 200,000 Output items next to an InitPlan (1.4 MB)", SPACIOUS, () => {
    // push(...output) passed 200,000 arguments: RangeError.
    const output = list(200_000, (i) => `"c${i}"`);
    const init = `{"Node Type":"Result","Parent Relationship":"InitPlan","Subplan Name":"InitPlan 1",${TIME}}`;
    const m = analyzePlan(parsePlan(json(`{"Node Type":"Result",${TIME},"Output":[${output}],"Plans":[${init}]}`)));
    expect(m.nodes[0]?.exclusiveTimeMs).toBe(0);
  });
});

describe("planHints is linear in query levels and joins, and iterative in depth", () => {
  // First in the file so that tree() still runs unoptimized (bigger frames) as on a server's first call.
  it("hints a Limit chain 4,999 levels deep on a cold first call", () => {
    // tree() recursed once per level: RangeError.
    const src = json(`${'{"Node Type":"Limit","Plans":['.repeat(4_999)}{"Node Type":"Seq Scan","Relation Name":"t"}${"]}".repeat(4_999)}`);
    expect(planHints(parsePlan(src)).text).toBe("/*+ SeqScan(t) */");
  });

  it("hints a UNION ALL of 4 × 30,000 members (3.3 MB of text)", () => {
    // Was blocks.shift() per query level: 120,000²/2 moves, ~27 s.
    const lines = ["Append"];
    for (let g = 0; g < 4; g++) {
      lines.push("  ->  Append");
      for (let i = 0; i < 30_000; i++) lines.push(`        ->  Seq Scan on t${g * 30_000 + i}`);
    }
    const hints = planHints(parsePlan(lines.join("\n")));
    expect(hints.text.split("\n")).toHaveLength(120_002); // "/*+", one SeqScan per member, "*/"
  });

  it("hints a left-deep chain of 3,000 joins (0.26 MB)", () => {
    // Each join rebuilt its leaf list from the whole subtree with spreads: 3,000³/6, ~23 s. The
    // output itself lists 3,000²/2 names (one NestLoop(...) per join), which now is the cost.
    const parts = [`[{"Plan":`, `{"Node Type":"Nested Loop","Plans":[`.repeat(3_000), `{"Node Type":"Seq Scan","Relation Name":"t0"}`];
    for (let i = 1; i <= 3_000; i++) parts.push(`,{"Node Type":"Seq Scan","Relation Name":"t${i}"}]}`);
    parts.push("}]");
    const text = planHints(parsePlan(parts.join(""))).text;
    expect(text).toContain("NestLoop(t0 t1 t2)");
    expect(text).toContain(`Leading(${"(".repeat(3_000)}t0 t1)`);
  });

  it("hints an Append of 130,000 members (2.8 MB of text)", SPACIOUS, () => {
    // stack.push(...children) passed 130,000 arguments: RangeError.
    expect(planHints(parsePlan(textAppend(130_000, (i) => `t${i}`))).unsupported).toEqual([]);
  });
});

describe("diffPlans is iterative in sibling alignment", () => {
  it("aligns 20,000 siblings where each patience round finds one anchor (2.9 MB)", SPACIOUS, () => {
    // a = 1..n, b = 1, 2,1, 3,2, …: each round scans the whole gap to find one anchor at its end.
    // alignInto ↔ alignMiddle recursed once per round (RangeError from 2,000), and the rounds cost
    // n²/2 (8,000: 26 s, so 20,000: ~160 s, past even the 30 s timeout); rounds now stop at an
    // allowance linear in n.
    const a = Array.from({ length: 20_000 }, (_, i) => `t${i + 1}`);
    const b = ["t1"];
    for (let k = 2; k <= 20_000; k++) b.push(`t${k}`, `t${k - 1}`);
    const d = diffPlans(parsePlan(textAppend(a.length, (i) => a[i] as string)), parsePlan(textAppend(b.length, (i) => b[i] as string)));
    expect(d.counts.same + d.counts.changed).toBe(20_001); // every left scan paired
    expect(d.rows).toHaveLength(1 + 20_000 + 19_999);
  });

  it("diffs Appends of 130,000 scans of t and of u (2.6 MB each)", SPACIOUS, () => {
    // No anchors, so the gap is paired by position: out.push(...ops) passed 130,000 arguments: RangeError.
    const d = diffPlans(parsePlan(textAppend(130_000, () => "t")), parsePlan(textAppend(130_000, () => "u")));
    expect(d.rows).toHaveLength(130_001);
  });
});
