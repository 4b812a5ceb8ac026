import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePlan } from "./parse";
import { hintsFor, planHints } from "./hints";
import { indexScan, node, plan, seqScan } from "./test-helpers";

describe("planHints", () => {
  it("pins scans, join methods and the join order", () => {
    // ((o c) i): Hash Join of orders and customers, then a nested loop into order_items
    const p = plan(
      node("Nested Loop", { joinType: "Inner" }, [
        node("Hash Join", { joinType: "Inner" }, [
          seqScan("orders", { alias: "o" }),
          node("Hash", {}, [indexScan("customers", "customers_pkey", { alias: "c" })]),
        ]),
        node("Index Only Scan", { relationName: "order_items", alias: "i", indexName: "order_items_order_idx" }),
      ]),
    );
    const h = planHints(p);
    expect(h.text).toBe(
      [
        "/*+",
        "  SeqScan(o)",
        "  IndexScan(c customers_pkey)",
        "  IndexOnlyScan(i order_items_order_idx)",
        "  HashJoin(o c)",
        "  NestLoop(o c i)",
        "  Leading(((o c) i))",
        "*/",
      ].join("\n"),
    );
    expect(h.complete).toBe(true);
    expect(h.unsupported).toEqual([]);
    expect(hintsFor(p)).toBe(h.text);
  });

  it("keeps the physical outer/inner order in Leading, and uses the table name without an alias", () => {
    const p = plan(
      node("Merge Join", { joinType: "Right" }, [
        node("Sort", {}, [seqScan("customers", { alias: null })]),
        node("Sort", {}, [seqScan("orders", { alias: null })]),
      ]),
    );
    expect(hintsFor(p)).toBe("/*+ SeqScan(customers) SeqScan(orders) MergeJoin(customers orders) Leading((customers orders)) */");
  });

  it("lists every index of a bitmap scan", () => {
    const p = plan(
      node("Bitmap Heap Scan", { relationName: "orders", alias: "orders" }, [
        node("BitmapAnd", {}, [
          node("Bitmap Index Scan", { indexName: "orders_customer_idx" }),
          node("Bitmap Index Scan", { indexName: "orders_amount_idx" }),
        ]),
      ]),
    );
    expect(planHints(p)).toEqual({ text: "/*+ BitmapScan(orders orders_amount_idx orders_customer_idx) */", complete: true, unsupported: [] });
  });

  it("hints subplans as their own query level", () => {
    const p = plan(
      seqScan("customers", { alias: "c" }, ),
    );
    const withSub = plan(
      node("Seq Scan", { relationName: "customers", alias: "c" }, [
        node("Aggregate", { parentRelationship: "SubPlan", subplanName: "SubPlan 1", strategy: "Plain" }, [
          indexScan("orders", "orders_customer_idx", { alias: "o" }),
        ]),
      ]),
    );
    expect(hintsFor(p)).toBe("/*+ SeqScan(c) */");
    expect(planHints(withSub)).toEqual({ text: "/*+ SeqScan(c) IndexScan(o orders_customer_idx) */", complete: true, unsupported: [] });
  });

  it("reports what it cannot express instead of approximating", () => {
    const p = plan(
      node("Gather", { workersPlanned: 2 }, [
        node("Nested Loop", { joinType: "Inner" }, [
          seqScan("order_items", { alias: "i", parallelAware: true }),
          node("Memoize", {}, [indexScan("products", "products_pkey", { alias: "p" })]),
        ]),
      ]),
    );
    const h = planHints(p);
    expect(h.complete).toBe(false);
    expect(h.unsupported).toEqual([
      "Gather: parallel plans are not hinted",
      "Parallel Seq Scan on order_items: parallel scans are not hinted",
      "Memoize: Memoize is not hinted",
    ]);
    expect(h.text).toBe("/*+ SeqScan(i) IndexScan(p products_pkey) NestLoop(i p) Leading((i p)) */");
  });

  it("names a partitioned table by its parent alias and reports the Append", () => {
    const parts = [0, 1, 2].map((k) => seqScan(`events_${k}`, { alias: `events_${k + 1}` }));
    const p = plan(
      node("Hash Join", { joinType: "Inner" }, [node("Append", {}, parts), node("Hash", {}, [seqScan("customers", { alias: "c" })])]),
    );
    const h = planHints(p);
    expect(h.text).toBe("/*+ SeqScan(events) SeqScan(c) HashJoin(events c) Leading((events c)) */");
    expect(h.unsupported).toEqual(["Append over 3 partitions of events: per-partition scans are not hinted"]);
  });

  it("drops hints on names that are ambiguous in their query level", () => {
    const p = plan(node("Hash Join", { joinType: "Inner" }, [seqScan("orders", { alias: null }), node("Hash", {}, [seqScan("orders", { alias: null })])]));
    const h = planHints(p);
    expect(h.text).toBe("/*+ */");
    expect(h.complete).toBe(false);
    expect(h.unsupported).toEqual(["name orders appears more than once in one query level: hints would be ambiguous"]);
  });

  it("cannot name a join input without a name", () => {
    const p = plan(
      node("Nested Loop", { joinType: "Inner" }, [
        node("Function Scan", { functionName: "generate_series", alias: null }),
        seqScan("orders", { alias: "o" }),
      ]),
    );
    const h = planHints(p);
    expect(h.text).toBe("/*+ SeqScan(o) */");
    expect(h.unsupported).toEqual([
      "Function Scan on generate_series: pg_hint_plan has no scan hint for it",
      "NestLoop over a relation without a name: join method and order not hinted",
    ]);
  });

  it("quotes names that need it", () => {
    expect(hintsFor(plan(seqScan("Order Lines", { alias: "Order Lines" })))).toBe('/*+ SeqScan("Order Lines") */');
  });

  it("reports hashed and sorted aggregation", () => {
    const h = planHints(plan(node("Aggregate", { strategy: "Hashed" }, [seqScan("orders")])));
    expect(h.unsupported).toEqual(["HashAggregate: the hashed strategy is not hinted"]);
    expect(planHints(plan(node("Aggregate", { strategy: "Plain" }, [seqScan("orders")]))).complete).toBe(true);
  });
});

// Real EXPLAIN output (scripts/generate-plan-fixtures.ts).
const fixtures = path.join(import.meta.dirname, "__fixtures__");
const families = ["pg15", "pg18"].filter((f) => existsSync(path.join(fixtures, f)));
const load = (file: string) => parsePlan(readFileSync(path.join(fixtures, file), "utf8"));

describe.each(families)("planHints on real %s plans", (family) => {
  it("hints a hash join by alias, outer side first", () => {
    // HashAggregate → Hash Join (Bitmap Heap Scan on orders o, Hash → Seq Scan on customers c)
    expect(planHints(load(`${family}/hash-join.txt`))).toEqual({
      text: "/*+ BitmapScan(o orders_status_idx) SeqScan(c) HashJoin(o c) Leading((o c)) */",
      complete: false,
      unsupported: ["HashAggregate: the hashed strategy is not hinted"],
    });
  });

  it("hints a merge join completely", () => {
    expect(planHints(load(`${family}/merge-join.txt`))).toEqual({
      text: "/*+ IndexOnlyScan(c customers_pkey) IndexScan(o orders_customer_idx) MergeJoin(c o) Leading((c o)) */",
      complete: true,
      unsupported: [],
    });
  });

  it("reports Memoize, partitions and EXPLAIN's renamed aliases", () => {
    expect(planHints(load(`${family}/memoize.txt`)).unsupported).toEqual(["Memoize: Memoize is not hinted"]);
    expect(planHints(load(`${family}/append-partitions.txt`)).unsupported).toContain(
      "Append over 256 partitions of events: per-partition scans are not hinted",
    );
    const init = planHints(load(`${family}/initplan.txt`));
    expect(init.text).toBe("/*+ BitmapScan(orders orders_amount_idx) */");
    expect(init.unsupported).toEqual([
      'Seq Scan on orders: "orders_1" is EXPLAIN\'s rename of a repeated name "orders"; no hint can target it',
    ]);
  });

  it("gives the same hints for the JSON and the text of every plan", () => {
    const dir = path.join(fixtures, family);
    const queries = readdirSync(dir).filter((f) => /^[a-z0-9-]+\.json$/.test(f) && existsSync(path.join(dir, f.replace(/\.json$/, ".txt"))));
    expect(queries.length).toBeGreaterThan(50);
    for (const json of queries) {
      const txt = json.replace(/\.json$/, ".txt");
      expect(planHints(load(`${family}/${txt}`)), txt).toEqual(planHints(load(`${family}/${json}`)));
    }
  });
});
