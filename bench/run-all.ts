// npm run bench — every benchmark in turn, each in its own process (as `npm run bench:NAME` runs
// it) with BENCH_RESULT_FILE set; then one summary table of their headline rows against the
// targets, and docs/benchmarks.md with the machine, the date and every bench's printed table.
// `npm run bench -- web overhead` runs only the benches named: each bench's latest outcome is kept in
// .planwatch-bench/results/, so docs/benchmarks.md still shows the others (with their own date and
// load average) when only some are run again. Asserts nothing: a bench that fails is reported as
// failed and the others still run.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { embeddedBinaries, systemBinaries } from "../lib/db/postgres-server";
import { RESULT_FILE_ENV, targetBound, verdict, type BenchResult, type BenchRow } from "./support/results";
import { loadAverage } from "./support/stats";

const root = path.resolve(import.meta.dirname, "..");
const savedDir = path.join(root, ".planwatch-bench", "results");
const BENCHES = [
  { name: "plan", script: "bench/plan-bench.ts" },
  { name: "collect", script: "bench/collect-bench.ts" },
  { name: "overhead", script: "bench/collector-overhead-bench.ts" },
  { name: "ranking", script: "bench/scale/ranking-bench.ts" },
  { name: "web", script: "bench/web-bench.ts" },
] as const;

interface Outcome {
  name: string;
  /** When it ran (ISO 8601). */
  at: string;
  status: "ran" | "failed" | "missing";
  seconds: number;
  /** What the bench printed on stdout: its table. */
  output: string;
  result: BenchResult | null;
}

function runBench(script: string, resultFile: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), [script], {
      cwd: root,
      env: { ...process.env, [RESULT_FILE_ENV]: resultFile },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

function postgresVersion(binDir: string): string {
  const out = spawnSync(path.join(binDir, "postgres"), ["--version"], { encoding: "utf8" });
  return out.stdout?.trim().replace(/^postgres \(PostgreSQL\) /, "") || "unknown";
}

async function machineFacts(loadBefore: string, loadAfter: string): Promise<[string, string][]> {
  const cpus = os.cpus();
  const pg15 = systemBinaries(15);
  return [
    ["date", new Date().toISOString()],
    ["CPU", `${cpus[0]?.model ?? "unknown"}, ${os.availableParallelism()} cores`],
    ["memory", `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ["OS", `${os.type()} ${os.release()}`],
    ["Node.js", process.version],
    ["PostgreSQL (embedded)", postgresVersion((await embeddedBinaries()).binDir)],
    ["PostgreSQL (Debian)", pg15 ? postgresVersion(pg15.binDir) : "not installed"],
    ["load average before (1, 5, 15 min)", loadBefore],
    ["load average after", loadAfter],
  ];
}

const formatValue = (row: BenchRow) => (row.value === null ? "—" : `${row.value >= 100 || Number.isInteger(row.value) ? row.value.toFixed(0) : row.value.toFixed(2)} ${row.unit}`);
// value ÷ target: how far under (< 1) or over (> 1) the bound a metric is; none for a zero bound.
function formatRatio(row: BenchRow): string {
  const bound = targetBound(row);
  return row.value === null || bound === null || bound === 0 ? "" : (row.value / bound).toFixed(2);
}

function summaryRows(outcomes: readonly Outcome[]): string[][] {
  const rows: string[][] = [];
  for (const o of outcomes) {
    if (o.status !== "ran" || !o.result) {
      const why = o.status === "missing" ? "not run: the script does not exist yet" : o.status === "failed" ? "FAILED (see its output)" : "ran; wrote no machine-readable result (see its table)";
      rows.push([`bench:${o.name}`, why, "", "", "", ""]);
      continue;
    }
    for (const row of o.result.rows) rows.push([`bench:${o.name}`, row.metric, formatValue(row), row.target ?? "", formatRatio(row), row.value === null ? `skipped: ${row.note ?? ""}` : verdict(row)]);
  }
  return rows;
}

const HEADER = ["bench", "metric", "value", "target", "÷ target", "met"];

function printTable(rows: string[][]): void {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(`\n${line(HEADER)}\n${line(widths.map((w) => "-".repeat(w)))}`);
  for (const r of rows) console.log(line(r));
}

function markdown(facts: [string, string][], rows: string[][], outcomes: readonly Outcome[]): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const out = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run-all.ts); do not edit by hand. Every bench prints numbers and",
    "asserts nothing; targets come from issue 8. On a shared 2-core machine, compare ratios taken in the",
    "same run and read each number with the load average next to it.",
    "",
    "The machine facts are those of the latest `npm run bench`; each bench's section gives the time",
    "it ran (a bench not named in that run keeps its previous outcome).",
    "",
    "## Machine",
    "",
    "| | |",
    "| --- | --- |",
    ...facts.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    "",
    "## Summary",
    "",
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ];
  for (const o of outcomes) {
    out.push(`## bench:${o.name}`, "");
    if (o.status === "missing") {
      out.push("Not run: its script does not exist yet.", "");
      continue;
    }
    const r = o.result;
    out.push(`${o.status === "failed" ? "**Failed.** " : ""}Run ${o.at.slice(0, 16).replace("T", " ")} UTC, ${o.seconds.toFixed(0)} s${r ? `; load average ${r.loadBefore} → ${r.loadAfter}` : ""}${r && Object.keys(r.facts).length > 0 ? `; ${Object.entries(r.facts).map(([k, v]) => `${k} ${v}`).join(", ")}` : ""}`, "");
    out.push("```", o.output.trim() || "(no output)", "```", "");
    if (r?.text && !o.output.includes(r.text.trim())) out.push("```", r.text.trim(), "```", "");
    const notes = r?.rows.filter((row) => row.note) ?? [];
    if (notes.length > 0) out.push(...notes.map((row) => `- ${row.metric}: ${row.note}`), "");
  }
  return out.join("\n");
}

function savedOutcome(name: string): Outcome | null {
  const file = path.join(savedDir, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Outcome) : null;
}

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(", ")}: choose from ${BENCHES.map((b) => b.name).join(", ")}`);
  const chosen = BENCHES.filter((b) => only.length === 0 || only.includes(b.name));
  const tmp = mkdtempSync(path.join(os.tmpdir(), "planwatch-bench-"));
  const loadBefore = loadAverage();
  const outcomes: Outcome[] = [];
  try {
    for (const bench of chosen) {
      if (!existsSync(path.join(root, bench.script))) {
        console.error(`\n=== bench:${bench.name}: skipped, ${bench.script} does not exist yet`);
        outcomes.push({ name: bench.name, at: new Date().toISOString(), status: "missing", seconds: 0, output: "", result: null });
        continue;
      }
      console.error(`\n=== bench:${bench.name} (${bench.script}), load ${loadAverage()}`);
      const file = path.join(tmp, `${bench.name}.json`);
      const started = performance.now();
      const at = new Date().toISOString();
      const { code, output } = await runBench(bench.script, file);
      const result = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as BenchResult) : null;
      const status = code === 0 ? "ran" : "failed";
      const outcome: Outcome = { name: bench.name, at, status, seconds: (performance.now() - started) / 1000, output, result };
      outcomes.push(outcome);
      mkdirSync(savedDir, { recursive: true });
      writeFileSync(path.join(savedDir, `${bench.name}.json`), JSON.stringify(outcome, null, 2));
      if (status === "failed") console.error(`=== bench:${bench.name} failed (exit ${code})`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const facts = await machineFacts(loadBefore, loadAverage());
  // The document covers every bench: the ones not run now from their last saved outcome.
  const documented = BENCHES.map((b) => outcomes.find((o) => o.name === b.name) ?? savedOutcome(b.name)).filter((o): o is Outcome => o !== null);
  const rows = summaryRows(outcomes);
  console.log(`\nSummary (${facts.map(([k, v]) => `${k}: ${v}`).slice(0, 3).join("; ")}; load ${loadBefore} → ${loadAverage()})`);
  printTable(rows);
  mkdirSync(path.join(root, "docs"), { recursive: true });
  writeFileSync(path.join(root, "docs", "benchmarks.md"), markdown(facts, summaryRows(documented), documented));
  console.log("\nwritten: docs/benchmarks.md");
  if (outcomes.some((o) => o.status === "failed")) process.exitCode = 1;
}

await main();
