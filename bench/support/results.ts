// The machine-readable side of a bench: besides its printed table, a bench records its headline
// numbers here, and when BENCH_RESULT_FILE is set writes them there as JSON for bench/run-all.ts,
// which prints one summary over every bench and writes docs/benchmarks.md. Benches never assert:
// `met` is reported, not enforced.
//
// Two ways to use it: the BenchResults class (rows added as measured, facts, load average), or
// emitResults() with rows built by hand. Both write the same JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadAverage } from "./stats";

export interface BenchRow {
  metric: string;
  /** null: not measured (the note says why). */
  value: number | null;
  /** "ms", "%", "×", "requests", … */
  unit: string;
  /** The bound as text, always an upper bound: "≤ 300 ms". Absent: shown for information. */
  target?: string;
  met?: boolean | null;
  /** How the value was taken (median of what, load average, …). */
  note?: string;
}

export interface BenchResult {
  bench: string;
  startedAt: string;
  finishedAt: string;
  loadBefore: string;
  loadAfter: string;
  /** Facts a reader needs to compare runs, e.g. { PostgreSQL: "15" }. */
  facts: Record<string, string>;
  rows: BenchRow[];
  /** Free text the bench wants kept with its numbers (EXPLAIN output, dataset sizes). */
  text?: string;
}

export const RESULT_FILE_ENV = "BENCH_RESULT_FILE";

// Taken when the bench process loads this module: close enough to "before the bench" for emitResults.
const processStartedAt = new Date();
const loadAtStart = loadAverage();

function writeResult(result: BenchResult): void {
  const file = process.env[RESULT_FILE_ENV];
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2));
}

/** Writes `rows` (and `text`) to BENCH_RESULT_FILE when it is set; otherwise does nothing. */
export async function emitResults(bench: string, rows: BenchRow[], text?: string, facts: Record<string, string> = {}): Promise<void> {
  writeResult({ bench, startedAt: processStartedAt.toISOString(), finishedAt: new Date().toISOString(), loadBefore: loadAtStart, loadAfter: loadAverage(), facts, rows, text });
}

export class BenchResults {
  private readonly rows: BenchRow[] = [];
  private readonly facts: Record<string, string> = {};

  constructor(readonly bench: string) {}

  /** A measured value; with `target`, an upper bound in the same unit. */
  add(metric: string, value: number, unit: string, options: { target?: number; note?: string } = {}): BenchRow {
    const bound = options.target;
    const row: BenchRow = { metric, value, unit, note: options.note ?? "" };
    if (bound !== undefined) Object.assign(row, { target: `≤ ${bound} ${unit}`, met: value <= bound });
    this.rows.push(row);
    return row;
  }

  /** A metric that could not be measured on this machine, with the reason. */
  skip(metric: string, unit: string, why: string, target?: number): void {
    this.rows.push({ metric, value: null, unit, ...(target === undefined ? {} : { target: `≤ ${target} ${unit}` }), met: null, note: why });
  }

  fact(name: string, value: string): void {
    this.facts[name] = value;
  }

  write(): Promise<void> {
    return emitResults(this.bench, this.rows, undefined, this.facts);
  }
}

/** "met" / "NOT met" / "" for a row, as every table prints it. */
export function verdict(row: Pick<BenchRow, "met">): string {
  return row.met === undefined || row.met === null ? "" : row.met ? "met" : "NOT met";
}

/** The number in a row's target text ("≤ 300 ms" → 300); null without one. */
export function targetBound(row: Pick<BenchRow, "target">): number | null {
  const match = /(-?[\d.]+)/.exec(row.target ?? "");
  return match ? Number(match[1]) : null;
}

/** Nearest-rank percentile (p in 0–100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One line about the machine for a bench's title: CPU, cores, memory, load, Node. */
export function machineLine(): string {
  return `${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadAverage()}, Node ${process.version}`;
}
