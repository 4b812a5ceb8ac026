import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "./parse";
import { preorder } from "./plan-tree";
import { analyzePlan, hotNodes, misestimate, sharedBlocks } from "./metrics";
import type { PlanMetrics, NodeMetrics } from "./metrics";
import type { Plan } from "./model";
import { act, bufs, est, node, plan, seqScan } from "./test-helpers";

function m(metrics: PlanMetrics, id: number): NodeMetrics {
  const found = metrics.nodes[id];
  if (found === undefined) throw new Error(`no metrics for node ${id}`);
  return found;
}

function sumExclusive(metrics: PlanMetrics): number {
  return Object.values(metrics.nodes).reduce((s, x) => s + (x.exclusiveTimeMs ?? 0), 0);
}

describe("analyzePlan: time", () => {
  // 0 Hash Join 20ms
  //   1 Seq Scan orders 8ms
  //   2 Hash 10ms
  //     3 Seq Scan customers 9ms
  const p = plan(
    node("Hash Join", { joinType: "Inner", actual: act(20, 100), estimate: est(500, 100) }, [
      seqScan("orders", { actual: act(8, 1000), estimate: est(300, 1000) }),
      node("Hash", { actual: act(10, 50), estimate: est(150, 50) }, [
        seqScan("customers", { actual: act(9, 50), estimate: est(140, 50) }),
      ]),
    ]),
  );
  const metrics = analyzePlan(p);

  it("subtracts the children's inclusive time", () => {
    expect(m(metrics, 0).exclusiveTimeMs).toBeCloseTo(2); // 20 - orders(8) - hash(10)
    expect(m(metrics, 1).exclusiveTimeMs).toBeCloseTo(8); // leaf
    expect(m(metrics, 2).exclusiveTimeMs).toBeCloseTo(1); // 10 - customers(9)
    expect(m(metrics, 3).exclusiveTimeMs).toBeCloseTo(9);
  });

  it("exclusive times add up to the root and shares to 1", () => {
    expect(sumExclusive(metrics)).toBeCloseTo(20);
    expect(metrics.totalTimeMs).toBe(20);
    expect(m(metrics, 1).timeShare).toBeCloseTo(0.4); // 8 / 20
    expect(metrics.clampedTimeMs).toBe(0);
  });

  it("computes exclusive cost", () => {
    expect(m(metrics, 0).exclusiveCost).toBeCloseTo(50); // 500 - 300 - 150
    expect(m(metrics, 2).exclusiveCost).toBeCloseTo(10); // 150 - 140
    expect(m(metrics, 0).costShare).toBeCloseTo(0.1); // 50 / 500
  });

  it("multiplies per-loop time by loops", () => {
    // Nested Loop 30ms; outer 5ms; inner 0.02ms × 1000 loops = 20ms
    const nl = analyzePlan(
      plan(
        node("Nested Loop", { actual: act(30, 1000) }, [
          seqScan("customers", { actual: act(5, 1000) }),
          node("Index Scan", { relationName: "orders", indexName: "orders_customer_idx", actual: act(0.02, 1, 1000) }),
        ]),
      ),
    );
    expect(m(nl, 2).inclusiveTimeMs).toBeCloseTo(20); // 0.02 × 1000
    expect(m(nl, 0).exclusiveTimeMs).toBeCloseTo(5); // 30 - 5 - 20
    expect(m(nl, 2).actualRows).toBe(1000); // 1 row × 1000 loops
  });

  it("averages per-loop numbers below a Gather over workers + leader", () => {
    // Gather 100ms, 2 workers launched; Parallel Seq Scan 95ms per loop over 3 loops (3 processes)
    // Nested Loop inner: 0.01ms × 3000 loops spread over 3 processes = 10ms each
    const g = analyzePlan(
      plan(
        node("Gather", { workersPlanned: 2, workersLaunched: 2, actual: act(100, 30) }, [
          node("Nested Loop", { actual: act(98, 10, 3) }, [
            seqScan("orders", { parallelAware: true, actual: act(80, 1000, 3) }),
            node("Index Scan", { relationName: "customers", indexName: "customers_pkey", actual: act(0.01, 1, 3000) }),
          ]),
        ]),
      ),
    );
    expect(m(g, 1).processes).toBe(3);
    expect(m(g, 1).inclusiveTimeMs).toBeCloseTo(98); // 98 × 3 loops / 3 processes
    expect(m(g, 3).inclusiveTimeMs).toBeCloseTo(10); // 0.01 × 3000 / 3
    expect(m(g, 1).exclusiveTimeMs).toBeCloseTo(8); // 98 - 80 - 10
    expect(m(g, 0).exclusiveTimeMs).toBeCloseTo(2); // 100 - 98
    expect(sumExclusive(g)).toBeCloseTo(100);
  });

  it("clamps negative exclusive time and reports what was clamped", () => {
    // child 0.011ms × 1000 loops = 11ms rounds above its parent's 10ms
    const c = analyzePlan(
      plan(node("Nested Loop", { actual: act(10, 1) }, [node("Result", { actual: act(0.011, 1, 1000) })])),
    );
    expect(m(c, 0).exclusiveTimeMs).toBe(0);
    expect(c.clampedTimeMs).toBeCloseTo(1); // 11 - 10
  });

  it("counts never-executed nodes as 0 ms", () => {
    const c = analyzePlan(
      plan(node("Nested Loop", { actual: act(3, 0) }, [seqScan("a", { actual: act(3, 0) }), seqScan("b", { neverExecuted: true })])),
    );
    expect(m(c, 2).inclusiveTimeMs).toBe(0);
    expect(m(c, 2).misestimate).toBeNull();
  });

  it("has no time without ANALYZE or with TIMING OFF", () => {
    const noTiming = analyzePlan(plan(seqScan("a", { actual: { startupTimeMs: null, totalTimeMs: null, rows: 5, loops: 1 } })));
    expect(m(noTiming, 0).exclusiveTimeMs).toBeNull();
    expect(m(noTiming, 0).actualRows).toBe(5);
    const plain = analyzePlan(plan(seqScan("a", { estimate: est(10, 5) })));
    expect(plain.totalTimeMs).toBeNull();
    expect(m(plain, 0).exclusiveCost).toBe(10);
  });
});

describe("analyzePlan: subplans", () => {
  // 0 Hash Join 60ms, with InitPlan 1 attached but read by the Seq Scan on a (1)
  //   1 Seq Scan a 30ms  (Filter: x > (InitPlan 1).col1)
  //   2 Hash 15ms
  //     3 Seq Scan b 14ms
  //   4 Aggregate 10ms [InitPlan 1]
  //     5 Seq Scan c 9ms
  function initPlanCase(subplanName: string, filter: string) {
    return plan(
      node("Hash Join", { joinType: "Inner", actual: act(60, 10) }, [
        seqScan("a", { actual: act(30, 10), conditions: [{ kind: "filter", expression: filter }] }),
        node("Hash", { actual: act(15, 10) }, [seqScan("b", { actual: act(14, 10) })]),
        node("Aggregate", { parentRelationship: "InitPlan", subplanName, actual: act(10, 1) }, [seqScan("c", { actual: act(9, 100) })]),
      ]),
    );
  }

  it("charges an InitPlan to the node that reads it (PostgreSQL 16+ naming)", () => {
    const r = analyzePlan(initPlanCase("InitPlan 1", "(x > (InitPlan 1).col1)"));
    expect(m(r, 1).exclusiveTimeMs).toBeCloseTo(20); // 30 - InitPlan(10)
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(15); // 60 - a(30) - hash(15)
    expect(m(r, 4).exclusiveTimeMs).toBeCloseTo(1); // 10 - c(9)
    expect(sumExclusive(r)).toBeCloseTo(60);
  });

  it("charges an InitPlan to the node that reads its $param (PostgreSQL ≤ 15 naming)", () => {
    const r = analyzePlan(initPlanCase("InitPlan 1 (returns $0)", "(x > $0)"));
    expect(m(r, 1).exclusiveTimeMs).toBeCloseTo(20); // 30 - InitPlan(10)
    expect(sumExclusive(r)).toBeCloseTo(60);
  });

  it("falls back to the attaching node when nothing references the InitPlan", () => {
    const r = analyzePlan(initPlanCase("InitPlan 1", "(x > 5)"));
    expect(m(r, 1).exclusiveTimeMs).toBeCloseTo(30);
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(5); // 60 - 30 - 15 - InitPlan(10)
  });

  it("does not take a $10 reference for $1", () => {
    const r = analyzePlan(initPlanCase("InitPlan 1 (returns $1)", "(x > $10)"));
    expect(m(r, 1).exclusiveTimeMs).toBeCloseTo(30);
  });

  it("charges a SubPlan to the node it hangs off", () => {
    const r = analyzePlan(
      plan(
        seqScan("customers", { actual: act(50, 20), conditions: [{ kind: "filter", expression: "(SubPlan 1)" }] }, ),
      ),
    );
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(50);
    const withSub = analyzePlan(
      plan(
        node("Seq Scan", { relationName: "customers", actual: act(50, 20) }, [
          node("Index Scan", { parentRelationship: "SubPlan", subplanName: "SubPlan 1", actual: act(2, 1, 20) }),
        ]),
      ),
    );
    expect(m(withSub, 0).exclusiveTimeMs).toBeCloseTo(10); // 50 - 2 × 20 loops
  });

  it("takes a CTE's time out of the CTE Scans reading it, in proportion", () => {
    // 0 Append 40ms
    //   1 Seq Scan orders 12ms [CTE c]
    //   2 CTE Scan c 20ms
    //   3 CTE Scan c 10ms
    const r = analyzePlan(
      plan(
        node("Append", { actual: act(40, 10) }, [
          seqScan("orders", { parentRelationship: "InitPlan", subplanName: "CTE c", actual: act(12, 10) }),
          node("CTE Scan", { cteName: "c", alias: "x", actual: act(20, 5) }),
          node("CTE Scan", { cteName: "c", alias: "y", actual: act(10, 5) }),
        ]),
      ),
    );
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(10); // 40 - 20 - 10 (the CTE is inside the scans)
    expect(m(r, 2).exclusiveTimeMs).toBeCloseTo(12); // 20 - 12 × 20/30
    expect(m(r, 3).exclusiveTimeMs).toBeCloseTo(6); // 10 - 12 × 10/30
    expect(sumExclusive(r)).toBeCloseTo(40);
  });
});

describe("analyzePlan: buffers and rows", () => {
  it("computes exclusive buffers, clamped at 0", () => {
    const r = analyzePlan(
      plan(
        node("Sort", { buffers: bufs({ sharedHitBlocks: 100, sharedReadBlocks: 50, tempWrittenBlocks: 7 }) }, [
          seqScan("a", { buffers: bufs({ sharedHitBlocks: 30, sharedReadBlocks: 60 }) }),
        ]),
      ),
    );
    const own = m(r, 0).exclusiveBuffers;
    expect(own?.sharedHitBlocks).toBe(70); // 100 - 30
    expect(own?.sharedReadBlocks).toBe(0); // 50 - 60 < 0
    expect(own?.tempWrittenBlocks).toBe(7);
    expect(sharedBlocks(own ?? null)).toBe(70);
    expect(m(r, 1).exclusiveBuffers?.sharedReadBlocks).toBe(60);
  });

  it("reports misestimates in both directions", () => {
    expect(misestimate(seqScan("a", { estimate: est(1, 100), actual: act(1, 1, 5) }))).toEqual({
      factor: 100, // 500 estimated / 5 actual
      direction: "over",
      estimatedRows: 500,
      actualRows: 5,
    });
    expect(misestimate(seqScan("a", { estimate: est(1, 1), actual: act(1, 400) }))?.direction).toBe("under");
    expect(misestimate(seqScan("a", { estimate: est(1, 1), actual: act(1, 400) }))?.factor).toBe(400);
    // 0 actual rows count as 1: 10 estimated vs 1
    expect(misestimate(seqScan("a", { estimate: est(1, 10), actual: act(1, 0) }))?.factor).toBe(10);
    expect(misestimate(seqScan("a", { estimate: est(1, 7), actual: act(1, 7) }))).toMatchObject({ factor: 1, direction: "exact" });
    expect(misestimate(seqScan("a", { estimate: est(1, 7) }))).toBeNull();
    // PostgreSQL 18 fractional rows: 0.5 per loop × 4 loops = 2 actual vs 1 × 4 = 4 estimated
    expect(misestimate(seqScan("a", { estimate: est(1, 1), actual: act(1, 0.5, 4) }))?.factor).toBe(2);
  });
});

describe("hotNodes", () => {
  it("ranks by exclusive time", () => {
    const p = plan(
      node("Hash Join", { actual: act(20, 1), estimate: est(500, 1) }, [
        seqScan("orders", { actual: act(8, 1), estimate: est(300, 1) }),
        node("Hash", { actual: act(10, 1), estimate: est(150, 1) }, [seqScan("customers", { actual: act(9, 1), estimate: est(140, 1) })]),
      ]),
    );
    const hot = hotNodes(p, 2);
    expect(hot.map((h) => [h.node.relationName, h.value])).toEqual([
      ["customers", 9],
      ["orders", 8],
    ]);
    expect(hot[0]?.by).toBe("time");
    expect(hot[0]?.share).toBeCloseTo(0.45); // 9 / 20
  });

  it("falls back to exclusive cost without ANALYZE", () => {
    const p = plan(
      node("Hash Join", { estimate: est(500, 1) }, [
        seqScan("orders", { estimate: est(300, 1) }),
        node("Hash", { estimate: est(150, 1) }, [seqScan("customers", { estimate: est(140, 1) })]),
      ]),
    );
    const hot = hotNodes(p, 3);
    expect(hot.map((h) => h.node.id)).toEqual([1, 3, 0]); // 300, 140, 50 (500 - 300 - 150)
    expect(hot[0]?.by).toBe("cost");
    expect(hotNodes(p, 0)).toEqual([]);
  });
});

// Real EXPLAIN ANALYZE output from PostgreSQL 15 and 18 (scripts/generate-plan-fixtures.ts).
const fixtures = path.join(import.meta.dirname, "__fixtures__");
const families = ["pg15", "pg18"].filter((f) => existsSync(path.join(fixtures, f)));
const load = (file: string) => parsePlan(readFileSync(path.join(fixtures, file), "utf8"));

describe("analyzePlan on real plans", () => {
  const analyzed = families.flatMap((family) =>
    readdirSync(path.join(fixtures, family))
      .filter((f) => /\.(json|txt)$/.test(f) && f !== "manifest.json")
      .map((f) => `${family}/${f}`)
      .filter((f) => load(f).analyzed),
  );

  it("finds analyzed fixtures", () => {
    expect(analyzed.length).toBeGreaterThan(families.length * 50);
  });

  it.each(analyzed)("%s: exclusive times add up to the root's time", (file) => {
    const p = load(file);
    const metrics = analyzePlan(p);
    const nodes = preorder(p.root);
    if (metrics.totalTimeMs === null) return; // TIMING OFF
    for (const n of nodes) expect(m(metrics, n.id).exclusiveTimeMs).toBeGreaterThanOrEqual(0);
    // Exact identity: every node is subtracted once, so only clamping can add to the sum.
    expect(sumExclusive(metrics) - metrics.clampedTimeMs).toBeCloseTo(metrics.totalTimeMs, 6);
    // And clamping only ever absorbs rounding: EXPLAIN rounds per-loop times to 1 µs (±0.0005 ms × loops).
    const rounding = nodes.reduce((s, n) => s + (0.0005 * (n.actual?.loops ?? 0)) / m(metrics, n.id).processes, 0.001);
    expect(metrics.clampedTimeMs).toBeLessThanOrEqual(rounding);
  });

  // The fixtures get regenerated, so the expected values are computed from the plan's printed
  // per-loop times (t) rather than copied from today's files.
  const t = (p: Plan, id: number) => preorder(p.root).find((n) => n.id === id)?.actual?.totalTimeMs ?? NaN;

  it("averages a parallel scan over workers + leader (pg18/gather)", () => {
    const p = load("pg18/gather.analyze.txt");
    const r = analyzePlan(p);
    // 0 Finalize Aggregate, 1 Gather (2 workers launched), 2 Partial Aggregate ×3 loops, 3 Parallel Seq Scan ×3 loops
    expect(preorder(p.root).map((n) => n.nodeType)).toEqual(["Aggregate", "Gather", "Aggregate", "Seq Scan"]);
    expect(m(r, 3).processes).toBe(3); // 2 workers launched + leader
    expect(m(r, 3).inclusiveTimeMs).toBeCloseTo(t(p, 3)); // t × 3 loops / 3 processes
    expect(m(r, 2).exclusiveTimeMs).toBeCloseTo(t(p, 2) - t(p, 3));
    expect(m(r, 1).exclusiveTimeMs).toBeCloseTo(t(p, 1) - t(p, 2));
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(t(p, 0) - t(p, 1));
  });

  it("takes the CTE out of the CTE Scan, not the node it hangs off (pg18/cte-scan)", () => {
    const p = load("pg18/cte-scan.analyze.txt");
    const r = analyzePlan(p);
    // 0 Aggregate, 1 Index Scan [CTE recent], 2 Hash Join, 3 Seq Scan customers, 4 Hash, 5 CTE Scan on recent
    expect(preorder(p.root).map((n) => n.nodeType)).toEqual(["Aggregate", "Index Scan", "Hash Join", "Seq Scan", "Hash", "CTE Scan"]);
    expect(m(r, 5).exclusiveTimeMs).toBeCloseTo(t(p, 5) - t(p, 1)); // CTE Scan - the CTE it ran
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(t(p, 0) - t(p, 2)); // the CTE is not taken out twice
    expect(m(r, 4).exclusiveTimeMs).toBeCloseTo(t(p, 4) - t(p, 5));
    const scanBuffers = preorder(p.root)[5]?.buffers?.sharedHitBlocks ?? NaN;
    const cteBuffers = preorder(p.root)[1]?.buffers?.sharedHitBlocks ?? NaN;
    expect(m(r, 5).exclusiveBuffers?.sharedHitBlocks).toBe(Math.max(0, scanBuffers - cteBuffers));
    expect(m(r, 1).exclusiveBuffers?.sharedHitBlocks).toBe(cteBuffers);
  });

  it.each(families)("charges the InitPlan to the index scan that reads it (%s naming)", (family) => {
    const p = load(`${family}/initplan.analyze.txt`);
    const r = analyzePlan(p);
    // 0 Bitmap Heap Scan, 1 Aggregate [InitPlan 1], 2 Seq Scan, 3 Bitmap Index Scan reading "$0" (15) / "(InitPlan 1).col1" (18)
    expect(preorder(p.root).map((n) => n.nodeType)).toEqual(["Bitmap Heap Scan", "Aggregate", "Seq Scan", "Bitmap Index Scan"]);
    expect(m(r, 3).exclusiveTimeMs).toBeCloseTo(t(p, 3) - t(p, 1));
    expect(m(r, 0).exclusiveTimeMs).toBeCloseTo(t(p, 0) - t(p, 3));
    expect(r.clampedTimeMs).toBe(0);
  });

  it("ranks the hot nodes of a real plan", () => {
    const hot = hotNodes(load("pg18/hash-join.analyze.txt"), 3);
    expect(hot).toHaveLength(3);
    expect(hot.map((h) => h.value)).toEqual([...hot.map((h) => h.value)].sort((a, b) => b - a));
    const noAnalyze = hotNodes(load("pg18/hash-join.txt"), 1);
    expect(noAnalyze[0]?.by).toBe("cost");
    expect(noAnalyze[0]?.node.nodeType).toBe("Bitmap Heap Scan"); // 1356.79 - 272.92 = 1083.87, the costliest node itself
  });
});
