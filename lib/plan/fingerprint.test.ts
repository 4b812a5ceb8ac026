import { describe, expect, it } from "vitest";
import { canonicalShape, fingerprint, fnv1a64, shortFingerprint } from "./fingerprint";
import type { PlanNode } from "./model";
import { act, bigJoinPlan, bufs, est, indexScan, node, plan, seqScan } from "./test-helpers";

function hashJoin(spec: { orders?: PlanNode; customers?: PlanNode; joinType?: string | null } = {}) {
  return plan(
    node("Hash Join", { joinType: spec.joinType === undefined ? "Inner" : spec.joinType, estimate: est(500, 100) }, [
      spec.orders ?? seqScan("orders", { alias: "o", estimate: est(300, 1000) }),
      node("Hash", { estimate: est(150, 50) }, [spec.customers ?? seqScan("customers", { alias: "c", estimate: est(140, 50) })]),
    ]),
  );
}

describe("fnv1a64", () => {
  it("matches the published FNV-1a 64 test vectors", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
  });
});

describe("canonicalShape", () => {
  it("spells the tree with the shape attributes only", () => {
    expect(canonicalShape(hashJoin())).toBe("Hash Join[join=Inner](Seq Scan[on=orders],Hash(Seq Scan[on=customers]))");
  });

  it("normalizes what text EXPLAIN leaves implicit", () => {
    const p = plan(
      node("Aggregate", {}, [
        node("Nested Loop", {}, [
          seqScan("a"),
          node("Result", { parentRelationship: "InitPlan", subplanName: "InitPlan 2 (returns $1)" }),
        ]),
      ]),
    );
    expect(canonicalShape(p)).toBe(
      "Aggregate[strategy=Plain;partial=Simple](Nested Loop[join=Inner](Seq Scan[on=a],Result[sub=InitPlan]))",
    );
  });

  it("escapes names that contain the separators", () => {
    expect(canonicalShape(plan(seqScan("we(ird),t[1]=x")))).toBe("Seq Scan[on=we\\(ird\\)\\,t\\[1\\]\\=x]");
  });

  it("handles a 5,000-deep chain without recursion", () => {
    let n: PlanNode = seqScan("t");
    for (let i = 0; i < 5000; i++) n = node("Materialize", {}, [n]);
    expect(canonicalShape(plan(n)).length).toBeGreaterThan(5000 * "Materialize(".length);
  });
});

describe("fingerprint", () => {
  const base = fingerprint(hashJoin());

  it("is 16 hex chars and shortFingerprint its first 8", () => {
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(shortFingerprint(base)).toBe(base.slice(0, 8));
  });

  it("ignores costs, rows, times, buffers, aliases, schemas, conditions, sort keys and worker counts", () => {
    const noisy = plan(
      node("Hash Join", { joinType: "Inner", estimate: est(900, 7), actual: act(12, 3), conditions: [{ kind: "hashCond", expression: "(o.customer_id = c.id)" }] }, [
        seqScan("orders", { alias: "orders_1", schema: "public", estimate: est(1, 1), buffers: bufs({ sharedReadBlocks: 99 }), conditions: [{ kind: "filter", expression: "(amount > 42)" }] }),
        node("Hash", { hashBuckets: 1024, hashBatches: 2, peakMemoryUsageKb: 9 }, [
          seqScan("customers", { alias: null, actual: act(1, 1, 3), workersLaunched: 1, sortKey: ["x"] }),
        ]),
      ]),
    );
    expect(fingerprint(noisy)).toBe(base);
  });

  it("treats text-format spellings like their JSON equivalents", () => {
    expect(fingerprint(hashJoin({ joinType: null }))).toBe(base); // text: "Hash Join" = Inner
    const asJson = plan(node("ModifyTable", { operation: "Insert", relationName: "t" }, [node("Result")]));
    const asText = plan(node("Insert", { relationName: "t", alias: "t" }, [node("Result")]));
    expect(fingerprint(asText)).toBe(fingerprint(asJson));
    const pg15 = plan(node("Result", {}, [node("Result", { parentRelationship: "InitPlan", subplanName: "InitPlan 1 (returns $0)" })]));
    const pg18 = plan(node("Result", {}, [node("Result", { parentRelationship: "InitPlan", subplanName: "InitPlan 1" })]));
    expect(fingerprint(pg15)).toBe(fingerprint(pg18));
  });

  it("changes with the scan method, index, join type, strategy and parallelism", () => {
    const variants = [
      hashJoin({ orders: indexScan("orders", "orders_customer_idx") }),
      hashJoin({ orders: indexScan("orders", "orders_pkey") }),
      hashJoin({ orders: indexScan("orders", "orders_pkey", { scanDirection: "Backward" }) }),
      hashJoin({ joinType: "Left" }),
      hashJoin({ orders: seqScan("orders_2024") }), // another partition is another relation
      hashJoin({ orders: seqScan("orders", { parallelAware: true }) }),
      plan(node("Aggregate", { strategy: "Hashed" }, [seqScan("orders")])),
      plan(node("Aggregate", { strategy: "Sorted" }, [seqScan("orders")])),
      plan(node("Aggregate", { strategy: "Hashed", partialMode: "Finalize" }, [seqScan("orders")])),
      plan(node("SetOp", { strategy: "Hashed", command: "Except" }, [seqScan("orders")])),
      plan(node("SetOp", { strategy: "Hashed", command: "Intersect" }, [seqScan("orders")])),
    ];
    const all = [base, ...variants.map(fingerprint)];
    expect(new Set(all).size).toBe(all.length);
  });

  it("changes with the tree structure", () => {
    const swapped = plan(
      node("Hash Join", { joinType: "Inner" }, [seqScan("customers"), node("Hash", {}, [seqScan("orders")])]),
    );
    const asSubPlan = plan(
      node("Hash Join", { joinType: "Inner" }, [
        seqScan("orders"),
        node("Hash", { parentRelationship: "SubPlan", subplanName: "SubPlan 1" }, [seqScan("customers")]),
      ]),
    );
    const cteA = plan(node("CTE Scan", { cteName: "a" }, [seqScan("t", { parentRelationship: "InitPlan", subplanName: "CTE a" })]));
    const cteB = plan(node("CTE Scan", { cteName: "b" }, [seqScan("t", { parentRelationship: "InitPlan", subplanName: "CTE b" })]));
    const all = [base, fingerprint(swapped), fingerprint(asSubPlan), fingerprint(cteA), fingerprint(cteB)];
    expect(new Set(all).size).toBe(all.length);
  });

  it("is stable for a large plan", () => {
    expect(fingerprint(bigJoinPlan(700))).toBe(fingerprint(bigJoinPlan(700, false)));
    expect(fingerprint(bigJoinPlan(700))).not.toBe(fingerprint(bigJoinPlan(701)));
  });
});
