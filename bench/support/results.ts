// The machine-readable side of a bench: besides its printed table, a bench records its headline
// numbers here, and when BENCH_RESULT_FILE is set writes them there as JSON for bench/run-all.ts,
// which prints one summary over every bench and writes docs/benchmarks.md. Benches never assert:
// `met` is reported, not enforced.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadAverage } from "./stats";

export interface BenchRow {
  metric: string;
  /** null: not measured (the note says why). */
  value: number | null;
  /** "ms", "%", "×", "requests", … */
  unit: string;
  /** Every target is an upper bound: met when value ≤ target. null: shown for information. */
  target: number | null;
  met: boolean | null;
  /** How the value was taken (median of what, load average, …). */
  note: string;
}

export interface BenchResult {
  bench: string;
  startedAt: string;
  finishedAt: string;
  loadBefore: string;
  loadAfter: string;
  /** Facts a reader needs to compare runs, e.g. { PostgreSQL: "15.14" }. */
  facts: Record<string, string>;
  rows: BenchRow[];
}

export const RESULT_FILE_ENV = "BENCH_RESULT_FILE";

export class BenchResults {
  private readonly rows: BenchRow[] = [];
  private readonly facts: Record<string, string> = {};
  private readonly startedAt = new Date();
  private readonly loadBefore = loadAverage();

  constructor(readonly bench: string) {}

  add(metric: string, value: number, unit: string, options: { target?: number; note?: string } = {}): BenchRow {
    const target = options.target ?? null;
    const row = { metric, value, unit, target, met: target === null ? null : value <= target, note: options.note ?? "" };
    this.rows.push(row);
    return row;
  }

  /** A metric that could not be measured on this machine, with the reason. */
  skip(metric: string, unit: string, why: string, target?: number): void {
    this.rows.push({ metric, value: null, unit, target: target ?? null, met: null, note: why });
  }

  fact(name: string, value: string): void {
    this.facts[name] = value;
  }

  /** Writes the JSON when BENCH_RESULT_FILE is set; otherwise does nothing (the printed table is the output). */
  write(): void {
    const file = process.env[RESULT_FILE_ENV];
    if (!file) return;
    const result: BenchResult = {
      bench: this.bench,
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      loadBefore: this.loadBefore,
      loadAfter: loadAverage(),
      facts: this.facts,
      rows: this.rows,
    };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2));
  }
}

/** "met" / "NOT met" / "" for a row, as every table prints it. */
export function verdict(row: Pick<BenchRow, "met">): string {
  return row.met === null ? "" : row.met ? "met" : "NOT met";
}
