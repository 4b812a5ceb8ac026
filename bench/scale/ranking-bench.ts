// npm run bench:ranking — the regression ranking at scale: 5,000 statements × 30 days of 5-minute
// intervals (≈ 43 M rows, bench/scale/generate-repository.ts; generated once, then reused), ranked
// for 1 h vs 24 h and 1 d vs 7 d windows. Target (issue 8): p95 ≤ 200 ms.
//
// What is timed: rankTarget, everything GET /api/regressions does except HTTP and JSON (the web
// benchmark times those): the windows from checkpoints of running totals (the dataset has 14 days
// of them, as a repository collecting with this version has), the dominant-plan query, the
// statements' texts, the statistics for 5,000 statements, the generic-plan check of plan changes.
// No cache: every run asks the repository again. Shown beside it, not targets: the same ranking
// with the checkpoints hidden (windows pooled from intervals and rollups, what a window starting
// before the checkpoints costs), the pooled-window query alone with and without rollups, and EXPLAIN
// (ANALYZE, BUFFERS) of the pooled-window query, the plan that justifies its indexes.
//
// Env: BENCH_RUNS (default 20 per window pair), BENCH_STATEMENTS, BENCH_DAYS.
import pg from "pg";
import { createPrisma } from "../../lib/db/client";
import { rankTarget } from "../../lib/db/regressions";
import { pooledIntervalsQuery, rollupCoverage } from "../../lib/db/regression-windows";
import { regressionWindows } from "../../lib/regression";
import { DEFAULT_SCALE, scaleRepository } from "./generate-repository";
import { BenchResults, verdict, type BenchRow } from "../support/results";
import { loadAverage } from "../support/stats";

/** Nearest-rank percentile (p95 of 20 runs is the 19th fastest). */
function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const HOUR_MS = 3_600_000;
const PAIRS = [
  { name: "1 h vs 24 h", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS },
  { name: "1 d vs 7 d", recentMs: 24 * HOUR_MS, baselineMs: 7 * 24 * HOUR_MS },
] as const;
const TARGET_P95_MS = 200;

async function main() {
  const params = {
    ...DEFAULT_SCALE,
    statements: Number(process.env.BENCH_STATEMENTS ?? DEFAULT_SCALE.statements),
    days: Number(process.env.BENCH_DAYS ?? DEFAULT_SCALE.days),
  };
  const repo = await scaleRepository(params, { log: (line) => console.error(line) });
  const prisma = createPrisma(repo.url);
  const client = new pg.Client({ connectionString: repo.url });
  await client.connect();
  const results = new BenchResults("ranking");
  const printed: BenchRow[] = [];
  const add = (...args: Parameters<BenchResults["add"]>) => printed.push(results.add(...args));
  const lines: string[] = [];
  try {
    const target = await prisma.target.findUniqueOrThrow({ where: { name: repo.targetName } });
    const { rows: sizes } = await client.query<{ intervals: string; rollups: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM statement_interval)::text AS intervals, (SELECT count(*) FROM statement_rollup)::text AS rollups,
              pg_size_pretty(pg_database_size(current_database())) AS bytes`,
    );
    results.fact("dataset", `${params.statements} statements × ${params.days} d × ${params.stepMinutes} min`);
    results.fact("interval rows", Number(sizes[0]!.intervals).toLocaleString("en"));
    results.fact("repository size", sizes[0]!.bytes);
    const { rows: checkpoints } = await client.query<{ n: string; bytes: string; per: string }>(
      `SELECT count(*)::text AS n, pg_size_pretty(pg_total_relation_size('target_checkpoint')) AS bytes,
              pg_size_pretty((pg_total_relation_size('target_checkpoint') / greatest(count(*), 1))::bigint) AS per
         FROM target_checkpoint`,
    );
    results.fact("checkpoints", `${checkpoints[0]!.n} (${checkpoints[0]!.bytes}, ${checkpoints[0]!.per} each)`);
    lines.push(`dataset: ${params.statements} statements × ${params.days} d × ${params.stepMinutes} min: ${Number(sizes[0]!.intervals).toLocaleString("en")} intervals, ${Number(sizes[0]!.rollups).toLocaleString("en")} rollup rows, database ${sizes[0]!.bytes}`);
    const now = repo.endAt;
    for (const pair of PAIRS) {
      const rank = () => rankTarget(prisma, { targetName: repo.targetName, recentMs: pair.recentMs, baselineMs: pair.baselineMs, now });
      const first = await rank(); // warm-up (and a sanity check of the generated answers)
      const regressions = first.filter((r) => r.verdict === "regression").length;
      const improvements = first.filter((r) => r.verdict === "improvement").length;
      const timings: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await rank();
        timings.push(performance.now() - t);
      }
      const p50 = percentile(timings, 50);
      const p95 = percentile(timings, 95);
      const note = `${RUNS} runs, ${first.length} statements ranked, load ${loadAverage()}`;
      add(`ranking ${pair.name}: p50`, p50, "ms", { note });
      add(`ranking ${pair.name}: p95`, p95, "ms", { target: TARGET_P95_MS, note });
      lines.push(`${pair.name}: ${first.length} statements ranked, ${regressions} regressions, ${improvements} improvements; p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${RUNS} runs)`);

      // The same ranking with the checkpoints hidden: pooled from intervals and rollups.
      const pooledTimings: number[] = [];
      await client.query("UPDATE target SET checkpoints_from = NULL WHERE id = $1::bigint", [target.id]);
      try {
        await rank();
        for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) {
          const t = performance.now();
          await rank();
          pooledTimings.push(performance.now() - t);
        }
      } finally {
        await client.query("UPDATE target SET checkpoints_from = $2::timestamptz WHERE id = $1::bigint", [target.id, target.checkpointsFrom]);
      }
      add(`ranking ${pair.name}, checkpoints hidden: p95`, percentile(pooledTimings, 95), "ms", { note: `${pooledTimings.length} runs, pooled from intervals and rollups` });

      // The pooled query alone, with and without rollups, and its plan.
      const windows = regressionWindows({ now, recentMs: pair.recentMs, baselineMs: pair.baselineMs });
      const scope = { targetId: target.id };
      const coverage = await rollupCoverage(prisma, scope);
      for (const [label, cov] of [["rollups", coverage], ["raw only", { hourUntil: null, dayUntil: null }]] as const) {
        const query = pooledIntervalsQuery(scope, windows, cov)!;
        const t: number[] = [];
        for (let i = 0; i < Math.max(3, Math.floor(RUNS / 4)); i++) {
          const started = performance.now();
          await client.query(query.text, query.values);
          t.push(performance.now() - started);
        }
        add(`pooled-window query ${pair.name}, ${label}: median`, percentile(t, 50), "ms", { note: `${t.length} runs` });
      }
      const query = pooledIntervalsQuery(scope, windows, coverage)!;
      const { rows: plan } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${query.text}`, query.values);
      lines.push(`EXPLAIN (ANALYZE, BUFFERS) of the pooled-window query, ${pair.name}:\n${plan.map((r) => `    ${r["QUERY PLAN"]}`).join("\n")}`);
    }
  } finally {
    await client.end();
    await prisma.$disconnect();
    await repo.stop();
  }
  console.log(`\nbench:ranking (load ${loadAverage()})`);
  for (const row of printed) {
    console.log(`${row.metric.padEnd(58)} ${(row.value ?? NaN).toFixed(1).padStart(9)} ${row.unit}  ${row.target ? `${row.target} ${verdict(row)}` : ""}`);
  }
  console.log(`\n${lines.join("\n\n")}`);
  results.write();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
