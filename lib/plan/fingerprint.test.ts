import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "./parse";
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

// Real EXPLAIN output from PostgreSQL 15 and 18 (scripts/generate-plan-fixtures.ts): every variant of
// one query (JSON, text, ANALYZE twice, VERBOSE, COSTS OFF, TIMING OFF, SETTINGS…), and the same plans
// as pasted from psql or captured by auto_explain.
const fixtures = path.join(import.meta.dirname, "__fixtures__");
const families = ["pg15", "pg18"].filter((f) => existsSync(path.join(fixtures, f)));
const load = (file: string) => parsePlan(readFileSync(path.join(fixtures, file), "utf8"));
const planFiles = (folder: string) =>
  readdirSync(path.join(fixtures, folder)).filter((f) => /\.(json|txt)$/.test(f) && f !== "manifest.json").sort();

/** Different queries whose plans really have one shape (they differ in conditions or keys only). */
const SAME_SHAPE = [
  ["aggregate-hashed", "aggregate-hashed-spill"], // HashAggregate over Seq Scan on orders; group keys differ
  ["aggregate-plain", "jit"], // Aggregate over Seq Scan on orders; the filter differs
  ["bitmap-and", "generic-plan"], // pg18 only: Bitmap Heap Scan over BitmapAnd of the same two indexes
];

describe.each(families)("fingerprint of real %s plans", (family) => {
  const byQuery = new Map<string, Map<string, string[]>>();
  for (const file of planFiles(family)) {
    const query = file.split(".")[0] ?? file;
    const fp = fingerprint(load(`${family}/${file}`));
    const seen = byQuery.get(query) ?? new Map<string, string[]>();
    seen.set(fp, [...(seen.get(fp) ?? []), file]);
    byQuery.set(query, seen);
  }

  it("has the fixtures", () => {
    expect(byQuery.size).toBeGreaterThan(50);
    expect(byQuery.get("hash-join")?.values().next().value).toEqual(
      expect.arrayContaining(["hash-join.json", "hash-join.txt", "hash-join.analyze.json", "hash-join.analyze2.txt", "hash-join.verbose.txt", "hash-join.costs-off.txt"]),
    );
  });

  it.each([...byQuery.keys()])("%s: JSON, text, ANALYZE runs and options all give one fingerprint", (query) => {
    const variants = byQuery.get(query) ?? new Map();
    expect([...variants.values()]).toHaveLength(1);
  });

  it("gives distinct queries distinct fingerprints, except the known same-shape pairs", () => {
    const owners = new Map<string, string[]>();
    for (const [query, variants] of byQuery) {
      const fp = [...variants.keys()][0] ?? "";
      owners.set(fp, [...(owners.get(fp) ?? []), query]);
    }
    const shared = [...owners.values()].filter((qs) => qs.length > 1).map((qs) => [...qs].sort());
    const expected = SAME_SHAPE.filter((pair) => pair.every((q) => byQuery.has(q)));
    expect(shared.sort()).toEqual(expected.sort());
  });

  it("tells apart the partition scans of the same partitioned table", () => {
    const all = canonicalShape(load(`${family}/append-partitions.json`));
    const pruned = canonicalShape(load(`${family}/partition-pruning.json`));
    expect(all).toContain("Seq Scan[on=events_0]");
    expect(all).toContain("Seq Scan[on=events_255]");
    expect((all.match(/on=events_\d+/g) ?? []).length).toBe(256);
    expect(pruned).not.toBe(all);
  });

  it("names subplans by kind only: PostgreSQL 15 and 18 spell InitPlan headers differently", () => {
    expect(canonicalShape(load(`${family}/initplan.analyze.txt`))).toBe(
      "Bitmap Heap Scan[on=orders](Aggregate[sub=InitPlan;strategy=Plain;partial=Simple](Seq Scan[on=orders]),Bitmap Index Scan[index=orders_amount_idx])",
    );
  });
});

describe("fingerprint of pasted and auto_explain plans", () => {
  const sources = (folder: string) =>
    Object.entries(JSON.parse(readFileSync(path.join(fixtures, folder, "manifest.json"), "utf8")) as Record<string, { source: string }>);
  const entries = ["pasted", "auto-explain"]
    .filter((f) => existsSync(path.join(fixtures, f, "manifest.json")))
    .flatMap((folder) => sources(folder).map(([file, { source }]) => [`${folder}/${file}`, source] as const));

  if (entries.length === 0) it.todo("pasted/ and auto-explain/ fixtures are not generated yet");
  else {
    it.each(entries)("%s has the fingerprint of %s", (file, source) => {
      expect(fingerprint(load(file))).toBe(fingerprint(load(source)));
    });
  }
});
