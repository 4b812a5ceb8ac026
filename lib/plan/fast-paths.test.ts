// Fast paths give what the plain code they replace gives: same values, same errors, same lines.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NodeValues, modelledKeys, nodeValues } from "./json-values";
import { indexOfQuotedKey, parsePlan } from "./parse";
import { parseNodeHeader, parseSubplanHeader, type NodeHeader } from "./text-node-line";
import { indentOf } from "./text-lines";
import { parseBuffers } from "./text-properties";

const read = (file: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", file), "utf8");

describe("indexOfQuotedKey", () => {
  it("finds what indexOf of the quoted key finds", () => {
    const key = "Query Identifier";
    const texts = [
      "",
      '"Query Identifier"',
      'Query Identifier"',
      'x"Query Identifier"',
      'Query Identifier" "Query Identifier"',
      '{"a": "Query Identifier", "Query Identifier": 1}',
      '\\"Query Identifier": 2',
      '""Query Identifier""',
      'Query IdentifierQuery Identifier"',
      read("pg18/hash-join.verbose.json"),
      read("pg18/big-union.analyze.json"),
    ];
    for (const text of texts) expect(indexOfQuotedKey(text, key)).toBe(text.indexOf(`"${key}"`));
  });

  it("keeps all 64 bits of a query identifier, wherever the key is", () => {
    const source = read("pg18/hash-join.verbose.json");
    expect(parsePlan(source).queryId).toBe("-7504941405478933545");
    // The key preceded by a value that ends in the key's letters: the search must not stop there.
    const decoy = source.replace('"Plan": {', '"Plan": {\n      "Note": "Query Identifier",');
    expect(parsePlan(decoy).queryId).toBe("-7504941405478933545");
    expect(parsePlan(source.replace(`"Query Identifier"`, `"Query Id"`)).queryId).toBeNull();
  });
});

/** A copy of parsed JSON whose objects all inherit from a prototype: the key-by-key path of nodeValues. */
function withPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPrototypes);
  if (typeof value !== "object" || value === null) return value;
  const copy = Object.create({ inherited: true }) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) copy[k] = withPrototypes(v);
  return copy;
}

const jsonText = (plan: Record<string, unknown>) => JSON.stringify([{ Plan: plan }], null, 2);
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

function errorOf(source: unknown): { message: string; line: number | null } {
  try {
    parsePlan(source);
  } catch (err) {
    const e = err as { message: string; line: number | null };
    return { message: e.message, line: e.line };
  }
  throw new Error("expected the plan to be refused");
}

describe("reading a JSON node's keys in one pass", () => {
  const fixtures = ["pg15", "pg18"].flatMap((dir) => readdirSync(path.join(import.meta.dirname, "__fixtures__", dir)).filter((f) => f.endsWith(".json")).map((f) => `${dir}/${f}`));

  it("reads objects with and without a prototype alike", () => {
    expect(fixtures).toContain("pg18/gather-merge.verbose.json"); // workers
    expect(fixtures).toContain("pg18/aggregate-mixed.analyze.json"); // grouping sets
    for (const file of fixtures) {
      const value: unknown = JSON.parse(read(file));
      expect(parsePlan(withPrototypes(value))).toEqual(parsePlan(value));
    }
  });

  it("still reads inherited keys of objects handed over with a prototype", () => {
    const node = Object.create({ "Relation Name": "orders", Filter: "(a > 1)" }) as Record<string, unknown>;
    node["Node Type"] = "Seq Scan";
    const root = parsePlan({ Plan: node }).root;
    expect(root.relationName).toBe("orders");
    // Conditions and extras come from the node's own keys, as they always did.
    expect(root.conditions).toEqual([]);
    expect(root.extra).toEqual({});
  });

  it("keeps conditions and extras in the node's key order, grouping sets in both", () => {
    const root = parsePlan(
      jsonText({
        "Node Type": "Aggregate",
        Strategy: "Mixed",
        "Join Filter": "(a = b)",
        "Async Capable": false,
        "Grouping Sets": [{ "Group Keys": [["a"], ["b"]] }],
        Filter: "(c > 0)",
        "Custom Thing": ["x", "y"],
        "Worker Number": 3,
      }),
    ).root;
    expect(root.conditions).toEqual([
      { kind: "joinFilter", expression: "(a = b)" },
      { kind: "filter", expression: "(c > 0)" },
    ]);
    expect(root.groupKey).toEqual(["a", "b"]);
    expect(Object.entries(root.extra)).toEqual([
      ["Async Capable", false],
      ["Grouping Sets", '[{"Group Keys":[["a"],["b"]]}]'],
      ["Custom Thing", "x, y"],
      ["Worker Number", 3],
    ]);
  });

  it("reports the first bad value in report order, not key order, at its line", () => {
    const text = jsonText({ "Node Type": "Seq Scan", Output: [1], "Plan Rows": "x", "Startup Cost": 0, "Total Cost": "1", Alias: 2 });
    expect(errorOf(text)).toEqual({ message: `"Total Cost" should be a number, found "1" (line ${lineOf(text, '"Total Cost"')})`, line: lineOf(text, '"Total Cost"') });
    const later = jsonText({ "Node Type": "Seq Scan", Output: [1], Alias: 2, "Startup Cost": 0, "Total Cost": 1 });
    expect(errorOf(later).message).toBe(`"Alias" should be text, found 2 (line ${lineOf(later, '"Alias"')})`);
    const last = jsonText({ "Node Type": "Seq Scan", Output: [1], "Shared Hit Blocks": 1 });
    expect(errorOf(last).message).toBe(`"Output" should be a list of texts, found [1] (line ${lineOf(last, '"Output"')})`);
    expect(errorOf(withPrototypes(JSON.parse(later))).message).toBe(`"Alias" should be text, found 2`);
  });

  it("reports bad values in workers and Planning as before", () => {
    const text = JSON.stringify([{ Plan: { "Node Type": "Gather", Workers: [{ "Worker Number": 0, "Actual Rows": 1, "Actual Loops": true }] } }], null, 2);
    expect(errorOf(text).message).toBe(`"Actual Loops" should be a number, found true (line ${lineOf(text, '"Actual Loops"')})`);
    const planning = JSON.stringify([{ Plan: { "Node Type": "Result" }, Planning: { "Shared Hit Blocks": "2" } }], null, 2);
    expect(errorOf(planning).message).toBe(`"Shared Hit Blocks" should be a number, found "2" (line ${lineOf(planning, '"Shared Hit Blocks"')})`);
  });
});

describe("nodeValues", () => {
  const keys = Object.keys(new NodeValues()) as Array<keyof NodeValues>;

  it("has a switch case for every key it holds: a missing case would read the key as absent", () => {
    for (const key of keys) {
      const marker = { key };
      const { values, rest } = nodeValues({ [key]: marker });
      expect(values[key]).toBe(marker);
      expect(rest).toEqual(key === "Grouping Sets" ? [key] : []);
    }
    expect(nodeValues({ Filter: "x", Other: 1 }).rest).toEqual(["Filter", "Other"]);
  });

  it("leaves to `extra` exactly the keys the parser always left there", () => {
    // The modelled keys before one-pass reading, conditions included.
    const before = [
      "Index Cond", "Recheck Cond", "Filter", "Join Filter", "Hash Cond", "Merge Cond", "TID Cond", "One-Time Filter",
      "Order By", "Cache Key", "Run Condition", "Shared Hit Blocks", "Shared Read Blocks", "Shared Dirtied Blocks",
      "Shared Written Blocks", "Local Hit Blocks", "Local Read Blocks", "Local Dirtied Blocks", "Local Written Blocks",
      "Temp Read Blocks", "Temp Written Blocks", "Node Type", "Parent Relationship", "Subplan Name", "Relation Name",
      "Schema", "Alias", "Index Name", "CTE Name", "Function Name", "Join Type", "Strategy", "Partial Mode", "Operation",
      "Command", "Scan Direction", "Parallel Aware", "Startup Cost", "Total Cost", "Plan Rows", "Plan Width",
      "Actual Startup Time", "Actual Total Time", "Actual Rows", "Actual Loops", "Workers Planned", "Workers Launched",
      "Workers", "I/O Read Time", "I/O Write Time", "Shared I/O Read Time", "Shared I/O Write Time", "Local I/O Read Time",
      "Local I/O Write Time", "Temp I/O Read Time", "Temp I/O Write Time", "Rows Removed by Filter",
      "Rows Removed by Join Filter", "Rows Removed by Index Recheck", "Heap Fetches", "Index Searches", "Disabled",
      "Sort Key", "Sort Method", "Sort Space Used", "Sort Space Type", "Group Key", "Hash Buckets", "Hash Batches",
      "Peak Memory Usage", "Output", "Plans",
    ];
    const conditions = before.slice(0, 11);
    expect([...modelledKeys(conditions)].sort()).toEqual([...before].sort());
  });
});

describe("text cleanup and properties", () => {
  it("still drops psql's footer and rules, in any language, once the source is checked for them", () => {
    const plain = read("pg18/hash-join.txt");
    const expected = parsePlan(plain);
    const framed = ` QUERY PLAN\n${"-".repeat(40)}\n${plain.trimEnd().split("\n").map((l) => ` ${l}`).join("\n")}\n(7 Zeilen)\n`;
    expect(parsePlan(framed)).toEqual(expected);
    expect(parsePlan(`${plain.trimEnd()}\n(12 rows)\n`)).toEqual(expected);
    expect(parsePlan(`${plain.trimEnd()}\n═══\n`)).toEqual(expected);
  });

  it("reads every buffer counter and ignores ones EXPLAIN does not print", () => {
    const value = "shared hit=1 read=2 dirtied=3 written=4, local hit=5 read=6 dirtied=7 written=8, temp read=9 written=10, temp hit=11 dirtied=12, shared other=13";
    expect(parseBuffers(value)).toEqual({
      sharedHitBlocks: 1, sharedReadBlocks: 2, sharedDirtiedBlocks: 3, sharedWrittenBlocks: 4,
      localHitBlocks: 5, localReadBlocks: 6, localDirtiedBlocks: 7, localWrittenBlocks: 8,
      tempReadBlocks: 9, tempWrittenBlocks: 10,
    });
  });
});

describe("node labels, with each regex tried only for labels that can start its match", () => {
  it("reads a label of every kind", () => {
    const cases: Array<[string, Partial<NodeHeader>]> = [
      ["Nested Loop Left Join", { nodeType: "Nested Loop", joinType: "Left" }],
      ["Hash Right Anti Join", { nodeType: "Hash Join", joinType: "Right Anti" }],
      ["Merge Join", { nodeType: "Merge Join", joinType: "Inner" }],
      ["Partial HashAggregate", { nodeType: "Aggregate", strategy: "Hashed", partialMode: "Partial" }],
      ["Finalize GroupAggregate", { nodeType: "Aggregate", strategy: "Sorted", partialMode: "Finalize" }],
      ["Aggregate", { nodeType: "Aggregate", strategy: "Plain", partialMode: "Simple" }],
      ["MixedAggregate", { nodeType: "Aggregate", strategy: "Mixed" }],
      ["SetOp Except All", { nodeType: "SetOp", strategy: "Sorted", command: "Except All" }],
      ["HashSetOp Intersect", { nodeType: "SetOp", strategy: "Hashed", command: "Intersect" }],
      ["Hash", { nodeType: "Hash" }],
      ["Index Only Scan Backward using t_pkey on public.t x", { nodeType: "Index Only Scan", scanDirection: "Backward", indexName: "t_pkey" }],
      ["Custom Scan (Citus Adaptive) on t", { nodeType: "Custom Scan", customProvider: "Citus Adaptive" }],
      ["Foreign Update on remote r", { nodeType: "Foreign Scan", operation: "Update" }],
      ["Insert on t", { nodeType: "ModifyTable", operation: "Insert" }],
      ["Delete on t", { nodeType: "ModifyTable", operation: "Delete" }],
      ["Merge on t", { nodeType: "ModifyTable", operation: "Merge" }],
      ["Seq Scan on orders o", { nodeType: "Seq Scan" }],
      ["Parallel Seq Scan on orders", { nodeType: "Seq Scan", parallelAware: true }],
    ];
    for (const [label, expected] of cases) expect(parseNodeHeader(`${label}  (cost=0.00..1.00 rows=1 width=4)`)).toMatchObject(expected);
    for (const label of ["", "Join", "Hash Sideways Join", "Update t", "index Scan using i on t"]) expect(parseNodeHeader(label)).toBeNull();
  });
});

describe("subplan headers, looked for only in lines that start with I, S or C", () => {
  it("reads the three kinds and nothing else", () => {
    expect(parseSubplanHeader("  InitPlan 1 (returns $0)")).toEqual({ relationship: "InitPlan", name: "InitPlan 1" });
    expect(parseSubplanHeader("SubPlan 2")).toEqual({ relationship: "SubPlan", name: "SubPlan 2" });
    expect(parseSubplanHeader("CTE orders_cte ")).toEqual({ relationship: "InitPlan", name: "CTE orders_cte" });
    for (const line of ["Sort Key: a", "Index Cond: (a = 1)", "Cache Key: a", "Subplan 1", "InitPlan", "CTE", "Filter: (SubPlan 1)", ""]) {
      expect(parseSubplanHeader(line)).toBeNull();
    }
  });
});

describe("indentOf", () => {
  it("counts what trimStart drops, spaces fast and anything else by the regex", () => {
    const texts = ["", "   ", "a", "  ->  Seq Scan", "\t-> x", "  \t x", " \u00a0x", "\u3000\u3000y", "  \u2028z", "  é", "  \u00ff", "  ~", "  \u007f"];
    for (const text of texts) expect(indentOf(text)).toBe(text.length - text.trimStart().length);
  });
});

describe("psql frames", () => {
  it("are found by any of the four border characters", () => {
    const plain = read("pg18/hash-join.txt");
    const expected = parsePlan(plain);
    for (const border of ["|", "│", "║", "┃"]) {
      const framed = plain.trimEnd().split("\n").map((l) => `${border} ${l.padEnd(120)} ${border}`).join("\n");
      expect(parsePlan(framed)).toEqual(expected);
    }
  });
});
