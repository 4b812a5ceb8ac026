// One loop over lib/plan/__fixtures__: a new parser bug becomes a new fixture file, not new code.
// pg18/ and pg15/ hold real EXPLAIN output (scripts/generate-plan-fixtures.ts); pasted/ and
// auto-explain/ are the same plans as people paste them, with manifest.json naming the source;
// bad/ holds inputs that must fail, with manifest.json giving the expected line and offset.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PlanParseError } from "./errors";
import type { Plan, PlanNode } from "./model";
import { parsePlan } from "./parse";

const fixtures = path.join(import.meta.dirname, "__fixtures__");
const read = (file: string) => readFileSync(path.join(fixtures, file), "utf8");
const list = (folder: string) => readdirSync(path.join(fixtures, folder)).filter((f) => f !== "manifest.json").sort();
const manifest = <T>(folder: string) => JSON.parse(read(`${folder}/manifest.json`)) as Record<string, T>;

function preorder(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const stack = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as PlanNode);
  }
  return out;
}

/** What must not differ between JSON and text of one plan, run to run included. */
function shape(plan: Plan) {
  return preorder(plan.root).map((n) => ({
    id: n.id,
    nodeType: n.nodeType,
    parentRelationship: n.parentRelationship,
    subplanName: n.subplanName,
    relationName: n.relationName,
    schema: n.schema,
    alias: n.alias,
    indexName: n.indexName,
    cteName: n.cteName,
    functionName: n.functionName,
    joinType: n.joinType,
    strategy: n.strategy,
    partialMode: n.partialMode,
    operation: n.operation,
    command: n.command,
    scanDirection: n.scanDirection,
    parallelAware: n.parallelAware,
    disabled: n.disabled,
    conditions: n.conditions,
    sortKey: n.sortKey,
    output: n.output,
    workersPlanned: n.workersPlanned,
    // Present or not (not the value): JSON prints zeros that text leaves out.
    has: [n.estimate, n.rowsRemovedByFilter, n.rowsRemovedByJoinFilter, n.rowsRemovedByIndexRecheck, n.heapFetches, n.indexSearches, n.hashBuckets].map((v) => v !== null),
  }));
}

/** Same run, same plan: the estimates must match too. */
const estimates = (plan: Plan) => preorder(plan.root).map((n) => n.estimate);

/** `summary`: both are EXPLAIN output (auto_explain prints no planning summary). */
function expectSamePlan(a: Plan, b: Plan, exact: boolean, summary = true) {
  expect(a.nodeCount).toBe(b.nodeCount);
  expect(shape(a)).toEqual(shape(b));
  expect(a.analyzed).toBe(b.analyzed);
  expect(a.hasCosts).toBe(b.hasCosts);
  expect(a.triggers.map((t) => [t.name, t.calls === null])).toEqual(b.triggers.map((t) => [t.name, t.calls === null]));
  if (exact) expect(estimates(a)).toEqual(estimates(b));
  if (!summary) return;
  expect(a.planningTimeMs === null).toBe(b.planningTimeMs === null);
  expect(a.executionTimeMs === null).toBe(b.executionTimeMs === null);
  expect(a.settings).toEqual(b.settings);
  expect(a.queryId).toBe(b.queryId);
}

/** Variants whose name says EXPLAIN ran without ANALYZE. */
const planOnly = (file: string) => !/\.(analyze2?|verbose|timing-off|settings|wal|memory|serialize)\./.test(file);

describe.each(["pg18", "pg15"])("%s fixtures", (folder) => {
  const files = list(folder);
  it.each(files)("%s parses", (file) => {
    const plan = parsePlan(read(`${folder}/${file}`));
    const nodes = preorder(plan.root);
    expect(plan.format).toBe(file.endsWith(".json") ? "json" : "text");
    expect(plan.nodeCount).toBe(nodes.length);
    expect(nodes.map((n) => n.id)).toEqual(nodes.map((_, i) => i));
    expect(plan.analyzed).toBe(!planOnly(file));
    expect(plan.hasCosts).toBe(!file.includes(".costs-off."));
    if (plan.analyzed) expect(nodes.every((n) => n.actual !== null || n.neverExecuted)).toBe(true);
  });
  it.each(files.filter((f) => f.endsWith(".json")))("%s: JSON and text agree", (file) => {
    const json = parsePlan(read(`${folder}/${file}`));
    const text = parsePlan(read(`${folder}/${file.replace(/\.json$/, ".txt")}`));
    // Both come from one session on one server; only ANALYZE runs differ (times, rows).
    expectSamePlan(json, text, planOnly(file));
  });
});

describe.each(["pasted", "auto-explain"])("%s fixtures", (folder) => {
  const sources = manifest<{ source: string; exact: boolean }>(folder);
  it("every file is in the manifest", () => {
    expect(list(folder).filter((f) => !sources[f])).toEqual([]);
  });
  it.each(Object.entries(sources))("%s reads as its source", (file, { source, exact }) => {
    const plan = parsePlan(read(`${folder}/${file}`));
    expectSamePlan(plan, parsePlan(read(source)), exact, folder !== "auto-explain");
    if (folder === "auto-explain") {
      expect(plan.durationMs).toBeGreaterThan(0);
      expect(plan.queryText).toMatch(/^\/\* fixture:[a-z-]+:(text|json) \*\/\n/);
    }
  });
});

describe("bad fixtures", () => {
  const expected = manifest<{ line: number | null; offset: number | null; message: string }>("bad");
  it("every file is in the manifest", () => {
    expect(list("bad").filter((f) => !expected[f])).toEqual([]);
  });
  it.each(Object.entries(expected))("%s fails with its line and offset", (file, want) => {
    const source = read(`bad/${file}`);
    let error: unknown = null;
    try {
      parsePlan(source);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PlanParseError);
    const e = error as PlanParseError;
    expect({ line: e.line, offset: e.offset }).toEqual({ line: want.line, offset: want.offset });
    expect(e.message).toContain(want.message);
    if (want.offset !== null && want.line !== null) {
      // The offset is on the reported line.
      expect(source.slice(0, want.offset).split(/\r\n|\r|\n/).length).toBe(want.line);
    }
  });
});
