import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprint } from "./fingerprint";
import { parsePlan } from "./parse";
import { diffPlans, timeChange } from "./diff";
import type { DiffRow, PlanDiff } from "./diff";
import type { PlanNode } from "./model";
import { act, bigJoinPlan, bufs, est, indexScan, node, plan, replaceNode, seqScan } from "./test-helpers";

function ordersJoin(ordersScan: PlanNode, joinTime = 20) {
  return plan(
    node("Hash Join", { joinType: "Inner", actual: act(joinTime, 100), estimate: est(500, 100) }, [
      ordersScan,
      node("Hash", { actual: act(10, 50), estimate: est(150, 50) }, [
        seqScan("customers", { actual: act(9, 50), estimate: est(140, 50) }),
      ]),
    ]),
  );
}

const fastIndex = indexScan("orders", "orders_customer_idx", {
  actual: act(0.02, 10),
  estimate: est(8.5, 10),
  buffers: bufs({ sharedHitBlocks: 4 }),
});
const slowSeq = seqScan("orders", { actual: act(8.24, 10), estimate: est(1900, 10), buffers: bufs({ sharedHitBlocks: 100, sharedReadBlocks: 1000 }) });

function brief(d: PlanDiff): string[] {
  return d.rows.map((r: DiffRow) => `${"  ".repeat(r.depth)}${r.status} ${r.leftLabel ?? "-"} | ${r.rightLabel ?? "-"}`);
}

describe("diffPlans", () => {
  it("finds nothing to report between a plan and itself", () => {
    const p = ordersJoin(fastIndex);
    const d = diffPlans(p, p);
    expect(d.sameShape).toBe(true);
    expect(d.counts).toEqual({ same: 4, changed: 0, added: 0, removed: 0 });
    expect(d.rows.map((r) => [r.left, r.right, r.depth])).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 1],
      [3, 3, 2],
    ]);
    expect(d.rows.every((r) => r.summary === null && r.deltas.exclusiveTimeMs.delta === 0)).toBe(true);
    expect(d.summary).toBe("Same plan shape; 20.0 ms → 20.0 ms");
  });

  it("pairs a replaced scan on the same table and summarizes it", () => {
    const d = diffPlans(ordersJoin(fastIndex), ordersJoin(slowSeq, 28.22));
    expect(brief(d)).toEqual([
      "same Hash Join | Hash Join",
      "  changed Index Scan using orders_customer_idx on orders | Seq Scan on orders",
      "  same Hash | Hash",
      "    same Seq Scan on customers | Seq Scan on customers",
    ]);
    const scan = d.rows[1] as DiffRow;
    expect(scan.changes).toEqual([
      { field: "nodeType", before: "Index Scan", after: "Seq Scan" },
      { field: "index", before: "orders_customer_idx", after: null },
    ]);
    expect(scan.deltas.exclusiveTimeMs.ratio).toBeCloseTo(412); // 8.24 / 0.02
    expect(scan.deltas.sharedBlocks).toMatchObject({ before: 4, after: 1100, delta: 1096 });
    expect(scan.deltas.totalCost.delta).toBeCloseTo(1891.5); // 1900 - 8.5
    expect(scan.summary).toBe("Index Scan using orders_customer_idx on orders → Seq Scan on orders; 412× slower at this node");
    expect(d.counts).toEqual({ same: 3, changed: 1, added: 0, removed: 0 });
    expect(d.summary).toBe(
      "Plan shape changed (1 changed, 0 added, 0 removed); Index Scan using orders_customer_idx on orders → Seq Scan on orders; 412× slower at this node; 20.0 ms → 28.2 ms (1.4× slower overall)",
    );
  });

  it("reports a changed join method as a changed pair", () => {
    const nl = plan(
      node("Nested Loop", { joinType: "Left" }, [seqScan("customers"), indexScan("orders", "orders_customer_idx")]),
    );
    const hj = plan(
      node("Hash Join", { joinType: "Left" }, [seqScan("customers"), node("Hash", {}, [seqScan("orders")])]),
    );
    const d = diffPlans(nl, hj);
    expect(brief(d)).toEqual([
      "changed Nested Loop Left Join | Hash Left Join",
      "  same Seq Scan on customers | Seq Scan on customers",
      "  added - | Hash",
      "    changed Index Scan using orders_customer_idx on orders | Seq Scan on orders",
    ]);
    expect(d.rows[0]?.changes.map((c) => c.field)).toEqual(["nodeType"]);
  });

  it("lifts a removed wrapper and pairs what was under it", () => {
    const sorted = plan(node("Sort", {}, [seqScan("orders")]));
    const indexed = plan(indexScan("orders", "orders_created_idx"));
    const d = diffPlans(sorted, indexed);
    expect(brief(d)).toEqual(["removed Sort | -", "  changed Seq Scan on orders | Index Scan using orders_created_idx on orders"]);
    expect(d.rows.map((r) => [r.leftDepth, r.rightDepth])).toEqual([
      [0, null],
      [1, 0],
    ]);
  });

  it("marks subtrees that exist on one side only", () => {
    const a = plan(node("Append", {}, [seqScan("p1"), seqScan("p2"), seqScan("p3")]));
    const b = plan(node("Append", {}, [seqScan("p1"), seqScan("p3"), node("Sort", {}, [seqScan("p4")])]));
    expect(brief(diffPlans(a, b))).toEqual([
      "same Append | Append",
      "  same Seq Scan on p1 | Seq Scan on p1",
      "  removed Seq Scan on p2 | -",
      "  same Seq Scan on p3 | Seq Scan on p3",
      "  added - | Sort",
      "    added - | Seq Scan on p4",
    ]);
  });

  it("notes a much slower node even when its shape is unchanged", () => {
    const d = diffPlans(ordersJoin(slowSeq), ordersJoin(seqScan("orders", { actual: act(41.2, 10) }), 61));
    expect(d.sameShape).toBe(true);
    expect(d.rows[1]?.summary).toBe("Seq Scan on orders: 5.0× slower at this node"); // 41.2 / 8.24
    // join: 20 - 8.24 - 10 = 1.76 ms on the left, 61 - 41.2 - 10 = 9.8 ms on the right
    expect(d.rows[0]?.summary).toBe("Hash Join: 5.6× slower at this node");
    expect(d.rows[2]?.summary).toBeNull(); // Hash: 1 ms on both sides
  });

  it("phrases time changes", () => {
    expect(timeChange({ before: 2, after: 1, delta: -1, ratio: 0.5 })).toBe("2.0× faster at this node");
    expect(timeChange({ before: 0, after: 12.5, delta: 12.5, ratio: null })).toBe("+12.5 ms at this node");
    expect(timeChange({ before: 10, after: 10.2, delta: 0.2, ratio: 1.02 })).toBeNull();
    expect(timeChange({ before: null, after: 1, delta: null, ratio: null })).toBeNull();
  });

  // Its speed is measured by bench/plan-bench.ts, not asserted here.
  it("diffs 2,000-node plans with one changed scan", () => {
    const a = bigJoinPlan(700);
    const target = a.root.children[0]?.children[0]?.children[1]?.children[0]; // a Seq Scan deep on the left
    expect(target?.nodeType).toBe("Seq Scan");
    const b = replaceNode(a, target?.id ?? -1, (n) => ({ ...n, nodeType: "Index Scan", indexName: `${n.relationName ?? ""}_pkey` }));
    const d = diffPlans(a, b);
    expect(d.rows.length).toBe(a.nodeCount);
    expect(d.counts.changed).toBe(1);
    expect(d.rows.filter((r) => r.status === "changed").map((r) => r.changes.map((c) => c.field))).toEqual([["nodeType", "index"]]);
  });

  it("survives two completely different plans", () => {
    const d = diffPlans(bigJoinPlan(50), plan(node("Result")));
    expect(d.counts.added + d.counts.removed + d.counts.changed).toBeGreaterThan(100);
    expect(d.rows.filter((r) => r.left !== null).length).toBe(bigJoinPlan(50).nodeCount);
  });
});

// Real EXPLAIN output from PostgreSQL 15 and 18 (scripts/generate-plan-fixtures.ts).
const fixtures = path.join(import.meta.dirname, "__fixtures__");
const families = ["pg15", "pg18"].filter((f) => existsSync(path.join(fixtures, f)));
const load = (file: string) => parsePlan(readFileSync(path.join(fixtures, file), "utf8"));
const planFiles = (family: string) =>
  readdirSync(path.join(fixtures, family))
    .filter((f) => /\.(json|txt)$/.test(f) && f !== "manifest.json")
    .map((f) => `${family}/${f}`);

describe("diffPlans on real plans", () => {
  const files = families.flatMap(planFiles);

  it.each(files)("%s: a plan diffed with itself has no changes", (file) => {
    const p = load(file);
    const d = diffPlans(p, p);
    expect(d.counts).toEqual({ same: p.nodeCount, changed: 0, added: 0, removed: 0 });
    expect(d.rows.every((r) => r.left === r.right && r.depth === r.leftDepth)).toBe(true);
    expect(d.leftFingerprint).toBe(fingerprint(p));
  });

  it.each(families)("%s: two ANALYZE runs (JSON, then text) differ in metrics only", (family) => {
    for (const query of ["hash-join", "cte-scan", "initplan", "gather", "memoize", "nested-loop"]) {
      const d = diffPlans(load(`${family}/${query}.analyze.json`), load(`${family}/${query}.analyze2.txt`));
      expect(d.sameShape).toBe(true);
      expect(d.counts.changed + d.counts.added + d.counts.removed).toBe(0);
    }
  });

  it("pairs a real index scan with the seq scan that replaced it", () => {
    // pg18/index-scan: Index Scan using orders_pkey on orders o; the regressed plan reads the whole table, 412× longer.
    const before = load("pg18/index-scan.analyze.txt");
    const after = replaceNode(before, 0, (n) => ({
      ...n,
      nodeType: "Seq Scan",
      indexName: null,
      scanDirection: null,
      actual: n.actual === null ? null : { ...n.actual, totalTimeMs: (n.actual.totalTimeMs ?? 0) * 412 },
    }));
    const d = diffPlans(before, after);
    expect(d.rows).toHaveLength(1);
    expect(d.rows[0]).toMatchObject({ left: 0, right: 0, status: "changed" });
    expect(d.rows[0]?.changes.map((c) => c.field)).toEqual(["nodeType", "index"]);
    expect(d.rows[0]?.summary).toBe("Index Scan using orders_pkey on orders → Seq Scan on orders; 412× slower at this node");
  });

  it("finds the one changed partition scan among 2,000+ nodes", () => {
    const big = load("pg18/big-union.analyze.json");
    const append = big.root.children[3];
    const scan = append?.children[100];
    expect(scan?.nodeType).toBe("Seq Scan");
    const changed = replaceNode(big, scan?.id ?? -1, (n) => ({ ...n, nodeType: "Index Scan", indexName: "events_100_id_idx" }));
    const d = diffPlans(big, changed);
    expect(big.nodeCount).toBeGreaterThan(2000);
    expect(d.rows).toHaveLength(big.nodeCount);
    const rows = d.rows.filter((r) => r.status !== "same");
    expect(rows.map((r) => [r.left, r.right, r.status])).toEqual([[scan?.id, scan?.id, "changed"]]);
    expect(rows[0]?.summary).toBe("Seq Scan on events_100 → Index Scan using events_100_id_idx on events_100");
  });
});
