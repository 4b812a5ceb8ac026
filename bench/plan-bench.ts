// npm run bench:plan — how fast lib/plan parses, fingerprints and diffs the biggest plans we have.
// Prints medians over RUNS runs (after warm-up) and memory use; asserts nothing (CI machines vary).
//
// The target (issue): comparing two 2,000-node plans — parse(a) + parse(b) + fingerprint(a) +
// fingerprint(b) + diffPlans(a, b) — takes ≤ 50 ms in total, for EXPLAIN JSON and for text; a parsed
// plan retains ≤ 10× its input size on the heap. Plan b is the same source with one scan changed in
// the text itself, so both parses read real input. The "pipeline" column times the whole sequence
// end to end; that median is what is compared with the target.
//
// Also timed here rather than in unit tests: refusing a 10 MB paste and rejecting hostile nesting.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { analyzePlan, diffPlans, fingerprint, hintsFor, parsePlan } from "../lib/plan/index";
import { BenchResults } from "./support/results";

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 10;
const TARGET_MS = 50;
const MEMORY_TARGET = 10;
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

/**
 * Plan b's source: the last Seq Scan of the source rewritten as an Index Scan 40× slower, in the
 * text itself (not in the parsed model), so parsing b costs what parsing a real second plan does.
 * Serializing a parsed value instead would also round a 64-bit "Query Identifier".
 */
function variantSource(text: string): string {
  const json = text.lastIndexOf('"Node Type": "Seq Scan"');
  if (json >= 0) {
    const end = text.indexOf("}", json);
    const body = text.slice(json, end);
    const relation = /"Relation Name": "([^"]*)"/.exec(body)?.[1] ?? "t";
    const changed = body
      .replace('"Node Type": "Seq Scan"', `"Node Type": "Index Scan", "Index Name": "${relation}_id_idx"`)
      .replace(/("Actual Total Time": )([\d.]+)/, (_, key: string, ms: string) => `${key}${(Number(ms) * 40).toFixed(3)}`);
    return text.slice(0, json) + changed + text.slice(end);
  }
  const at = text.lastIndexOf("->  Seq Scan on ");
  if (at < 0) throw new Error("bench: no Seq Scan to change in the source");
  const end = text.indexOf("\n", at);
  const line = text.slice(at, end < 0 ? text.length : end);
  const changed = line
    .replace(/Seq Scan on (\S+)/, (_, relation: string) => `Index Scan using ${relation}_id_idx on ${relation}`)
    .replace(/(actual time=[\d.]+\.\.)([\d.]+)/, (_, head: string, ms: string) => `${head}${(Number(ms) * 40).toFixed(3)}`);
  return text.slice(0, at) + changed + (end < 0 ? "" : text.slice(end));
}

/** Median CPU time of the process (all its threads, GC helpers included): what waiting for a busy CPU does not inflate. */
function cpuMedian(f: () => unknown, runs = RUNS): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return ((times[(runs - 1) >> 1] ?? 0) + (times[runs >> 1] ?? 0)) / 2;
}

function median(f: () => unknown, runs = RUNS, warmup = WARMUP): number {
  for (let i = 0; i < warmup; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return ((times[(runs - 1) >> 1] ?? 0) + (times[runs >> 1] ?? 0)) / 2;
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

function fmt(ms: number, width = 8): string {
  return ms.toFixed(2).padStart(width);
}

const results = new BenchResults("bench:plan");
const inputs = [
  source("pg18/big-union.analyze.json", 2048),
  source("pg18/big-union.analyze.txt", 2048),
  source("pg18/append-partitions.analyze.json", 256),
];

console.log(`lib/plan benchmark: median of ${RUNS} runs after ${WARMUP} warm-up runs (ms); a = the fixture, b = a with one scan changed`);
// Wall-clock medians mean little on a busy machine: say how busy it was.
const load = os.loadavg()[0] ?? 0;
const cores = os.availableParallelism();
console.log(`machine: ${cores} cores, load average ${load.toFixed(2)}${load > cores * 0.75 ? " (busy: other processes share the CPUs, timings are inflated)" : ""}\n`);
const columns = ["parse a", "parse b", "fp a", "fp b", "diff", "sum", "pipeline", "pipe cpu", "metrics", "hints"];
console.log(`${"input".padEnd(38)} ${"nodes".padStart(5)} ${columns.map((c) => c.padStart(8)).join(" ")}`);
const totals: { label: string; nodes: number; pipeline: number; cpu: number; bytes: number; retained: number; diffRetained: number }[] = [];
for (const input of inputs) {
  const textA = input.text;
  const textB = variantSource(textA);
  const a = parsePlan(textA);
  const b = parsePlan(textB);
  const d = diffPlans(a, b);
  if (d.counts.changed + d.counts.added + d.counts.removed === 0) throw new Error(`bench: the variant of ${input.label} does not differ`);

  const parseA = median(() => parsePlan(textA));
  const parseB = median(() => parsePlan(textB));
  const fpA = median(() => fingerprint(a));
  const fpB = median(() => fingerprint(b));
  const diff = median(() => diffPlans(a, b));
  const compare = () => {
    const pa = parsePlan(textA);
    const pb = parsePlan(textB);
    fingerprint(pa);
    fingerprint(pb);
    return diffPlans(pa, pb);
  };
  const pipeline = median(compare);
  const cpu = cpuMedian(compare);
  const metrics = median(() => analyzePlan(a));
  const hints = median(() => hintsFor(a));
  const sum = parseA + parseB + fpA + fpB + diff;

  const bytes = Buffer.byteLength(textA, "utf8");
  const retained = retainedBytes(() => parsePlan(textA));
  const diffRetained = retainedBytes(() => diffPlans(a, b));
  totals.push({ label: input.label, nodes: a.nodeCount, pipeline, cpu, bytes, retained, diffRetained });
  const cells = [parseA, parseB, fpA, fpB, diff, sum, pipeline, cpu, metrics, hints].map((v) => fmt(v)).join(" ");
  console.log(`${input.label.padEnd(38)} ${String(a.nodeCount).padStart(5)} ${cells}`);
  console.log(`${"".padEnd(38)} diff: ${d.counts.changed} changed of ${d.rows.length} rows; ${d.rows.find((r) => r.status === "changed")?.summary ?? "-"}`);
}
console.log(
  `(sum = parse a + parse b + fp a + fp b + diff medians; pipeline = median of the whole sequence run end to end, wall clock;\n` +
    ` pipe cpu = its median CPU time, all threads: not inflated by a busy machine, but counts parallel GC work too; metrics and hints: plan a, informational)`,
);

console.log(`\nparse a + parse b + fingerprint a + fingerprint b + diff (pipeline median) vs the ${TARGET_MS} ms target:`);
for (const t of totals) {
  console.log(`  ${t.label.padEnd(44)} ${fmt(t.pipeline)} ms  ${t.pipeline <= TARGET_MS ? "within" : "OVER"} target  (CPU time ${fmt(t.cpu, 0)} ms)`);
  results.add(`compare two plans: ${t.label}`, t.pipeline, "ms", { target: TARGET_MS, note: `${t.nodes} nodes; median of ${RUNS}, CPU time ${t.cpu.toFixed(1)} ms` });
}
console.log(`\nmemory: heap retained by a parsed plan vs input size (target ≤ ${MEMORY_TARGET}×):`);
for (const t of totals) {
  const ratio = t.retained / t.bytes;
  console.log(
    `  ${t.label.padEnd(44)} input ${(t.bytes / 1024).toFixed(0).padStart(6)} KiB, heap ${(t.retained / 1024).toFixed(0).padStart(6)} KiB = ${ratio.toFixed(2)}× ${ratio <= MEMORY_TARGET ? "within" : "OVER"} target; a diff result retains ${(t.diffRetained / 1024).toFixed(0)} KiB`,
  );
  results.add(`heap ÷ input: ${t.label}`, ratio, "×", { target: MEMORY_TARGET, note: `input ${(t.bytes / 1024).toFixed(0)} KiB` });
}

// Inputs that must fail, and fail fast: these timings used to be assertions in unit tests.
function failure(make: () => unknown): number {
  const runs = 9;
  return median(() => {
    try {
      make();
    } catch {
      return;
    }
    throw new Error("bench: expected the input to be refused");
  }, runs, 2);
}
const huge = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n".padEnd(10 * 1024 * 1024, "x");
// Text that a terminal seems to have cut everywhere but never reads as a plan: gluing it back used
// to cost quadratic time (a 262 kB paste took 78 s); now linear, with bounded root and node lines.
const cutJunk = (chars: number) =>
  Array.from({ length: Math.ceil(chars / 41) }, (_, i) => `w${i} ${"v".repeat(36)}`.slice(0, 40).padEnd(40, "v")).join("\n");
const junkAfterRoot = (lines: number) => `Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n${Array.from({ length: lines }, () => "x".repeat(80)).join("\n")}`;
const deepText = "[".repeat(100_000) + "]".repeat(100_000);
const deepValue: unknown = JSON.parse(deepText);
const started = performance.now();
try {
  parsePlan(huge);
} catch {
  // expected
}
const firstRefusal = performance.now() - started;
console.log(`\nrefusals (median of 9):`);
console.log(`  10 MB paste (over the size limit)             ${fmt(failure(() => parsePlan(huge)))} ms (first call in the process: ${fmt(firstRefusal, 0)} ms)`);
console.log(`  100k nested arrays, as text                   ${fmt(failure(() => parsePlan(deepText)))} ms`);
console.log(`  100k nested arrays, already parsed            ${fmt(failure(() => parsePlan(deepValue)))} ms`);
for (const kb of [256, 1024]) {
  const junk = cutJunk(kb * 1024);
  console.log(`  ${kb} kB of 40-character cut junk lines ${"".padEnd(kb < 1000 ? 9 : 8)}${fmt(failure(() => parsePlan(junk)))} ms`);
}
const afterRoot = junkAfterRoot(64_000);
console.log(`  a root line and 64,000 cut junk lines (5 MB)  ${fmt(failure(() => parsePlan(afterRoot)))} ms`);
await results.write();
