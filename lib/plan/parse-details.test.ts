// Values read from particular fixtures (numbers copied from the fixture files named in each test),
// and inputs that are awkward to keep as files: a 10 MB paste, already-parsed JSON.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PlanParseError } from "./errors";
import type { PlanNode } from "./model";
import { MAX_PLAN_SOURCE_CHARS, parsePlan } from "./parse";

const read = (file: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", file), "utf8");
const nodes = (root: PlanNode): PlanNode[] => [root, ...root.children.flatMap(nodes)];

describe("pg18/hash-join.verbose", () => {
  const json = parsePlan(read("pg18/hash-join.verbose.json"));
  const text = parsePlan(read("pg18/hash-join.verbose.txt"));

  it("reads the summary", () => {
    expect(json.planningTimeMs).toBe(0.219);
    expect(json.executionTimeMs).toBe(16.231);
    expect(json.planningBuffers?.sharedHitBlocks).toBe(12);
    expect(text.planningTimeMs).toBe(0.214);
    expect(text.planningBuffers?.sharedHitBlocks).toBe(12);
    // 64-bit identifier: a JSON number would round it to -7504941405478934000.
    expect(json.queryId).toBe("-7504941405478933545");
    expect(text.queryId).toBe("-7504941405478933545");
  });

  it("reads nodes in pre-order with their fields", () => {
    const [agg, join, heap, bitmap, hash, seq] = nodes(text.root);
    expect(nodes(text.root).map((n) => n.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(agg).toMatchObject({ nodeType: "Aggregate", strategy: "Hashed", partialMode: "Simple", groupKey: ["c.country"], peakMemoryUsageKb: 32 });
    expect(agg?.estimate).toEqual({ startupCost: 1597.27, totalCost: 1597.33, rows: 5, widthBytes: 35 });
    expect(agg?.actual).toEqual({ startupTimeMs: 20.043, totalTimeMs: 20.048, rows: 5, loops: 1 });
    expect(join).toMatchObject({ nodeType: "Hash Join", joinType: "Inner", parentRelationship: "Outer" });
    expect(join?.conditions).toEqual([{ kind: "hashCond", expression: "(o.customer_id = c.id)" }]);
    expect(heap).toMatchObject({ relationName: "orders", schema: "public", alias: "o", rowsRemovedByIndexRecheck: 0 });
    expect(heap?.output).toEqual(["o.id", "o.customer_id", "o.status", "o.amount", "o.created_at", "o.note"]);
    expect(bitmap).toMatchObject({ nodeType: "Bitmap Index Scan", indexName: "orders_status_idx", indexSearches: 1 });
    expect(hash).toMatchObject({ parentRelationship: "Inner", hashBuckets: 2048, hashBatches: 1, peakMemoryUsageKb: 95 });
    // The join's buffers are its children's: 793 (bitmap heap scan) + 15 (hash) = 808.
    expect(join?.buffers?.sharedHitBlocks).toBe(793 + 15);
    expect(seq?.buffers?.sharedHitBlocks).toBe(15);
  });

  it("agrees with JSON on the fields both print", () => {
    const [jAgg, jJoin] = nodes(json.root);
    expect(jAgg?.actual?.totalTimeMs).toBe(16.187);
    expect(jJoin?.actual?.rows).toBe(25000);
    expect(jJoin?.buffers?.sharedHitBlocks).toBe(793 + 15);
  });
});

describe("node shapes", () => {
  it("gives text InitPlans the JSON relationship and name (pg15 prints \"(returns $0)\")", () => {
    for (const file of ["pg18/initplan.analyze.txt", "pg15/initplan.analyze.txt", "pg15/initplan.analyze.json"]) {
      const plan = parsePlan(read(file));
      const [heap, agg, seq, bitmap] = nodes(plan.root);
      expect(agg).toMatchObject({ nodeType: "Aggregate", parentRelationship: "InitPlan", subplanName: "InitPlan 1" });
      expect(seq).toMatchObject({ relationName: "orders", alias: "orders_1", parentRelationship: "Outer" });
      expect(bitmap).toMatchObject({ parentRelationship: "Outer", subplanName: null });
      expect(heap?.extra["Exact Heap Blocks"]).toBe(556);
    }
  });

  it("reads sort spills, disabled nodes, WAL and triggers", () => {
    const sort = parsePlan(read("pg18/sort-disk.analyze.txt")).root;
    expect(sort).toMatchObject({ sortMethod: "external merge", sortSpaceType: "Disk", sortSpaceUsedKb: 4416, sortKey: ["note", "amount"] });
    expect(sort.buffers).toMatchObject({ sharedHitBlocks: 770, tempReadBlocks: 1643, tempWrittenBlocks: 1766 });

    const disabled = parsePlan(read("pg18/disabled-seqscan.analyze.txt")).root;
    expect(disabled).toMatchObject({ disabled: true, rowsRemovedByFilter: 900 });
    // 1,000 rows in nokey, b = g % 10 keeps 1 in 10: 1000 - 900 removed = 100 returned.
    expect(disabled.actual?.rows).toBe(1000 - 900);

    const insert = parsePlan(read("pg18/insert.wal.txt")).root;
    expect(insert).toMatchObject({ nodeType: "ModifyTable", operation: "Insert", relationName: "orders_archive" });
    expect(insert.extra).toMatchObject({ "WAL Records": 1201, "WAL Bytes": 85707 });
    expect(parsePlan(read("pg18/insert.analyze.txt")).triggers).toEqual([
      { name: "orders_archive_audit", relationName: null, timeMs: 0.255, calls: 199 },
    ]);
    const fk = parsePlan(read("pg18/insert-fk.analyze.txt")).triggers;
    expect(fk.map((t) => [t.name, t.calls])).toEqual([["order_items_order_id_fkey", 49], ["order_items_product_id_fkey", 49]]);
  });

  it("reads memoize and parallel workers", () => {
    const memoize = nodes(parsePlan(read("pg18/memoize.analyze.txt")).root).find((n) => n.nodeType === "Memoize");
    // 3,998 lookups = 3948 hits + 50 misses; the inner index scan ran once per miss.
    expect(memoize?.extra).toMatchObject({ "Cache Hits": 3948, "Cache Misses": 50 });
    expect(memoize?.actual?.loops).toBe(3948 + 50);
    expect(memoize?.children[0]?.actual?.loops).toBe(50);

    const gather = parsePlan(read("pg18/gather.verbose.txt"));
    const partial = nodes(gather.root).find((n) => n.partialMode === "Partial");
    expect(nodes(gather.root).find((n) => n.nodeType === "Gather")).toMatchObject({ workersPlanned: 2, workersLaunched: 2 });
    expect(partial?.workers.map((w) => [w.workerNumber, w.actual?.loops, w.buffers?.sharedHitBlocks])).toEqual([[0, 1, 53], [1, 1, 166]]);
    const scan = nodes(gather.root).find((n) => n.nodeType === "Seq Scan");
    expect(scan).toMatchObject({ parallelAware: true, rowsRemovedByFilter: 342 });
  });

  it("reads a 2,000+-node plan", () => {
    const plan = parsePlan(read("pg18/big-union.analyze.json"));
    // 1 outer Append + 8 UNION ALL arms × (1 Append + 256 partition scans) = 2,057 nodes.
    expect(plan.nodeCount).toBe(1 + 8 * (1 + 256));
    expect(parsePlan(read("pg18/big-union.analyze.txt")).nodeCount).toBe(1 + 8 * (1 + 256));
  });

  it("keeps auto_explain's duration and query text", () => {
    const plan = parsePlan(read("auto-explain/pg18-seq-scan.log.txt"));
    expect(plan.durationMs).toBe(2.701);
    expect(plan.queryText).toBe("/* fixture:seq-scan:text */\nselect * from orders where amount > 990");
  });
});

describe("inputs that are not text", () => {
  it("accepts already-parsed JSON, the array or the object alone", () => {
    const value: unknown = JSON.parse(read("pg18/hash-join.json"));
    const fromArray = parsePlan(value);
    const fromObject = parsePlan((value as unknown[])[0]);
    expect(fromArray.nodeCount).toBe(6);
    expect(fromObject.root).toEqual(fromArray.root);
    expect(fromArray.format).toBe("json");
  });

  it("rejects non-plans passed as values", () => {
    expect(() => parsePlan(null)).toThrow(PlanParseError);
    expect(() => parsePlan({ rows: 1 })).toThrow(PlanParseError);
    expect(() => parsePlan([[[[]]]])).toThrow(PlanParseError);
  });
});

describe("limits", () => {
  // How fast the refusal is lives in bench/plan-bench.ts, not in a timed test.
  it("refuses a 10 MB paste, naming the limit", () => {
    const huge = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n".padEnd(10 * 1024 * 1024, "x");
    expect(() => parsePlan(huge)).toThrow(/limit of 8,388,608 characters/);
    expect(MAX_PLAN_SOURCE_CHARS).toBe(8 * 1024 * 1024);
  });

  it("refuses 100k nested arrays without overflowing the stack", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(() => parsePlan(deep)).toThrow(PlanParseError);
    expect(() => parsePlan(JSON.parse(deep))).toThrow(PlanParseError);
  });
});
