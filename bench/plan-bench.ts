// npm run bench:plan — how fast lib/plan parses, fingerprints and diffs the biggest plans we have.
// Prints medians over RUNS runs (after warm-up) and memory use; asserts nothing (CI machines vary).
// Targets: parse + fingerprint + diff of a 2,000-node plan under 50 ms; retained heap ≤ 10× the input.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { analyzePlan, diffPlans, fingerprint, hintsFor, parsePlan } from "../lib/plan/index";
import type { Plan, PlanNode } from "../lib/plan/index";
import { replaceNode } from "../lib/plan/test-helpers";

const RUNS = 30;
const WARMUP = 10;
const TARGET_MS = 50;
const fixtures = path.join(import.meta.dirname, "..", "lib", "plan", "__fixtures__");

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Raw EXPLAIN (FORMAT JSON) of an Append over `members` scans: what big-union looks like. */
function syntheticSource(members: number): string {
  const scan = (i: number) => ({
    "Node Type": "Seq Scan",
    "Parent Relationship": "Member",
    "Parallel Aware": false,
    "Async Capable": false,
    "Relation Name": `events_${i % 256}`,
    Alias: `events_${i + 1}`,
    "Startup Cost": 0,
    "Total Cost": 2.25,
    "Plan Rows": 33,
    "Plan Width": 8,
    "Actual Startup Time": 0.004,
    "Actual Total Time": 0.01 + (i % 13) / 1000,
    "Actual Rows": 33,
    "Actual Loops": 1,
    Filter: "(kind = 'buy'::text)",
    "Rows Removed by Filter": 67,
    "Shared Hit Blocks": 1,
    "Shared Read Blocks": 0,
    "Shared Dirtied Blocks": 0,
    "Shared Written Blocks": 0,
    "Local Hit Blocks": 0,
    "Local Read Blocks": 0,
    "Local Dirtied Blocks": 0,
    "Local Written Blocks": 0,
    "Temp Read Blocks": 0,
    "Temp Written Blocks": 0,
  });
  const root = {
    "Node Type": "Append",
    "Parallel Aware": false,
    "Async Capable": false,
    "Startup Cost": 0,
    "Total Cost": 2.25 * members,
    "Plan Rows": 33 * members,
    "Plan Width": 8,
    "Actual Startup Time": 0.005,
    "Actual Total Time": 40,
    "Actual Rows": 33 * members,
    "Actual Loops": 1,
    Plans: Array.from({ length: members }, (_, i) => scan(i)),
  };
  return JSON.stringify([{ Plan: root, "Planning Time": 5, Triggers: [], "Execution Time": 41 }], null, 2);
}

function source(file: string, fallbackMembers: number): { label: string; text: string } {
  const full = path.join(fixtures, file);
  if (existsSync(full)) return { label: file, text: readFileSync(full, "utf8") };
  return { label: `synthetic Append of ${fallbackMembers} (no ${file})`, text: syntheticSource(fallbackMembers) };
}

function median(f: () => unknown): number {
  for (let i = 0; i < WARMUP; i++) f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return ((times[(RUNS - 1) >> 1] ?? 0) + (times[RUNS >> 1] ?? 0)) / 2;
}

/** The plan with its last plain scan turned into an index scan: a realistic one-node plan change. */
function variant(plan: Plan): Plan {
  const stack: PlanNode[] = [plan.root];
  let last: PlanNode | null = null;
  while (stack.length > 0) {
    const n = stack.pop() as PlanNode;
    if (n.nodeType === "Seq Scan") last = n;
    stack.push(...n.children);
  }
  if (last === null) return plan;
  return replaceNode(plan, last.id, (n) => ({
    ...n,
    nodeType: "Index Scan",
    indexName: `${n.relationName ?? "t"}_id_idx`,
    actual: n.actual === null ? null : { ...n.actual, totalTimeMs: (n.actual.totalTimeMs ?? 0) * 40 },
  }));
}

/** Heap retained per result of `make()`: several copies kept alive between forced GCs, to rise above noise. */
function retainedBytes(make: () => unknown, copies = 5): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: copies }, make);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept.length !== copies) throw new Error("unreachable: keeps `kept` alive until after the measurement");
  return (after - before) / copies;
}

function fmt(ms: number): string {
  return ms.toFixed(2).padStart(9);
}

const inputs = [source("pg18/big-union.analyze.json", 2048), source("pg18/big-union.analyze.txt", 2048), source("pg18/append-partitions.analyze.json", 256)];

console.log(`lib/plan benchmark: median of ${RUNS} runs after ${WARMUP} warm-up runs (ms)\n`);
console.log(`${"input".padEnd(44)} ${"nodes".padStart(6)} ${"parse".padStart(9)} ${"fingerp.".padStart(9)} ${"metrics".padStart(9)} ${"diff".padStart(9)} ${"hints".padStart(9)} ${"p+f+d".padStart(9)}`);
const totals: { label: string; nodes: number; total: number; bytes: number; retained: number }[] = [];
for (const input of inputs) {
  const plan = parsePlan(input.text);
  const changed = variant(plan);
  const parse = median(() => parsePlan(input.text));
  const fp = median(() => fingerprint(plan));
  const metrics = median(() => analyzePlan(plan));
  const diff = median(() => diffPlans(plan, changed));
  const hints = median(() => hintsFor(plan));
  const total = parse + fp + diff;
  const bytes = Buffer.byteLength(input.text, "utf8");
  const retained = retainedBytes(() => parsePlan(input.text));
  totals.push({ label: input.label, nodes: plan.nodeCount, total, bytes, retained });
  console.log(`${input.label.padEnd(44)} ${String(plan.nodeCount).padStart(6)} ${fmt(parse)} ${fmt(fp)} ${fmt(metrics)} ${fmt(diff)} ${fmt(hints)} ${fmt(total)}`);
  const d = diffPlans(plan, changed);
  console.log(`${"".padEnd(44)} diff: ${d.counts.changed} changed of ${d.rows.length} rows; ${d.rows.find((r) => r.status === "changed")?.summary ?? "-"}`);
}

console.log(`\nparse + fingerprint + diff vs the ${TARGET_MS} ms target:`);
for (const t of totals) {
  console.log(`  ${t.label.padEnd(44)} ${fmt(t.total)} ms  ${t.total <= TARGET_MS ? "within" : "OVER"} target`);
}
console.log(`\nmemory: heap retained by a parsed plan vs input size (target ≤ 10×):`);
for (const t of totals) {
  const ratio = t.retained / t.bytes;
  console.log(
    `  ${t.label.padEnd(44)} input ${(t.bytes / 1024).toFixed(0).padStart(6)} KiB, heap ${(t.retained / 1024).toFixed(0).padStart(6)} KiB = ${ratio.toFixed(2)}× ${ratio <= 10 ? "within" : "OVER"} target`,
  );
}
