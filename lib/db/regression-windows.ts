// The repository side of the ranking: per statement and per window, what rankStatements needs, with
// the heavy lifting in SQL so the cost grows with statements × windows, not with interval rows.
//
// Intervals: one GROUP BY over the pieces of both windows (raw intervals by the (target_id,
// window_end) index, hourly and daily rollups by theirs; see rollup-segments.ts). Each group
// becomes ONE pooled point (a RankingInterval), which aggregateIntervals treats exactly like the
// intervals it pools: calls, Σ n·m and the per-call counters are plain sums, and the variance comes from
// Σ n·(v + m²) (each interval's sum of squares), so the window's mean and variance are the same
// numbers. Groups are split by whether the interval tracked planning, because plansPerCall divides
// by the calls of the planning-tracking intervals only.
// Float caveat: Σ n·(v + m²)/N − mean² loses digits when the spread is tiny next to the mean
// (relative error ≈ 1e-16 · mean²/variance); for 40 ms ± 0.01 ms that is 2e-9, far below anything
// the t-test or the verdict can feel. The groups and the statements' texts come back as one row of
// JSON column arrays (statementWindowsQuery says why).
//
// Samples: per window, sample counts per plan in SQL, and only the dominant plan per statement comes
// back (most samples, then sampled last, then smaller fingerprint: attribution.ts's order). It is
// handed to rankStatements as one sample at its last capture time, which makes it the window's
// dominant plan again. Whether a plan is generic is computed from its JSON only where attribution
// reads it (a plan change), and cached per plan.
import { z } from "zod";
import { parsePlan } from "../plan";
import type { PlanSamplePoint, RankingInterval, RegressionWindows, StatementWindows } from "../regression";
import { isGenericPlan } from "../regression";
import { windowSegments, type RollupCoverage, type Segment } from "../regression/rollup-segments";
import { appendTotalsPoints, checkpointLookups, pooledMoments, windowTotals } from "../regression/running-totals";
import { readCheckpoints } from "./checkpoints";
import { poolOf, Prisma, type PrismaClient } from "./client";
import { INTERVAL_SUM_TERMS, INTERVAL_TRACKED } from "./rollups";

/** Which statements: all of a target's, or one. */
export type StatementScope = { targetId: bigint } | { statementId: bigint };

const dominantRowSchema = z.object({
  statementId: z.bigint(),
  recent: z.boolean(),
  planId: z.bigint(),
  fingerprint: z.string(),
  lastCapturedAt: z.date(),
});

/** `alias.target_id = …` or `alias.statement_id = …`; alias is a fixed identifier of ours, never input. */
function scopeCondition(scope: StatementScope, alias: "i" | "r" | "s"): Prisma.Sql {
  const column = Prisma.raw(`${alias}.${"targetId" in scope ? "target_id" : alias === "s" ? "id" : "statement_id"}`);
  return Prisma.sql`${column} = ${"targetId" in scope ? scope.targetId : scope.statementId}::bigint`;
}

/** How far the scope's target is rolled up, and since when it has checkpoints (null: nothing yet, or no such statement). */
export async function rollupCoverage(repo: PrismaClient, scope: StatementScope): Promise<TargetCoverage> {
  const rows = await repo.$queryRaw<TargetCoverage[]>`
    SELECT t.rolled_up_hour_until AS "hourUntil", t.rolled_up_day_until AS "dayUntil", t.checkpoints_from AS "checkpointsFrom"
      FROM target t
     WHERE ${"targetId" in scope ? Prisma.sql`t.id = ${scope.targetId}::bigint` : Prisma.sql`t.id = (SELECT target_id FROM statement WHERE id = ${scope.statementId}::bigint)`}`;
  return rows[0] ?? { hourUntil: null, dayUntil: null, checkpointsFrom: null };
}

export interface TargetCoverage extends RollupCoverage {
  /** target.checkpoints_from: windows starting at or after it can be read from checkpoints. */
  checkpointsFrom: Date | null;
}

/**
 * What the pooled query sums, as [name, raw interval term, rollup column]: the counters the ranking
 * reads (RankingInterval), nothing else. Each summed column is one aggregate step per row read, and
 * the rows are the cost (a 1 h vs 24 h ranking of 5,000 statements reads ~235 k of them). Integer
 * counters are summed as float8: exact below 2^53, and much cheaper than sum(bigint)'s numeric.
 */
const SUMS: readonly (readonly [name: string, raw: string, rollup: string])[] = [
  ["calls", INTERVAL_SUM_TERMS.calls, "r.calls"],
  ["sumExecMs", INTERVAL_SUM_TERMS.sumExecMs, "r.sum_exec_ms"],
  ["sumSquaresExecMs2", INTERVAL_SUM_TERMS.sumSquaresExecMs2, "r.sum_squares_exec_ms2"],
  ["totalPlanMs", INTERVAL_SUM_TERMS.totalPlanMs, "r.total_plan_ms"],
  ["plans", INTERVAL_SUM_TERMS.plans, "r.plans"],
  ["rows", INTERVAL_SUM_TERMS.rows, "r.rows"],
  ["sharedReadBlocks", INTERVAL_SUM_TERMS.sharedReadBlocks, "r.shared_read_blocks"],
  ["tempWrittenBlocks", INTERVAL_SUM_TERMS.tempWrittenBlocks, "r.temp_written_blocks"],
];
const SUM_NAMES = SUMS.map(([name]) => `"${name}"`).join(", ");
const RAW_TERMS = Prisma.raw(`${SUMS.map(([, raw]) => `(${raw})::float8`).join(", ")}, ${INTERVAL_TRACKED}, i.window_end`);
const ROLLUP_TERMS = Prisma.raw(`${SUMS.map(([, , rollup]) => `${rollup}::float8`).join(", ")}, r.planning_tracked, r.last_window_end`);

/** One piece of a window as rows of the common shape (see the header); `recent` tags the window. */
function segmentRows(scope: StatementScope, segment: Segment, recent: boolean): Prisma.Sql {
  if (segment.source === "raw") {
    return Prisma.sql`SELECT i.statement_id, ${recent}::boolean, ${RAW_TERMS}
      FROM statement_interval i
     WHERE ${scopeCondition(scope, "i")} AND i.window_end > ${segment.start}::timestamptz AND i.window_end <= ${segment.end}::timestamptz`;
  }
  return Prisma.sql`SELECT r.statement_id, ${recent}::boolean, ${ROLLUP_TERMS}
      FROM statement_rollup r
     WHERE ${scopeCondition(scope, "r")} AND r.grain = ${segment.source}::rollup_grain
       AND r.bucket_start >= ${segment.start}::timestamptz AND r.bucket_start < ${segment.end}::timestamptz`;
}

/** The pooling query (exported for benchmarks that EXPLAIN it); null when both windows are empty. */
export function pooledIntervalsQuery(scope: StatementScope, windows: RegressionWindows, coverage: RollupCoverage): Prisma.Sql | null {
  const { start, split, end } = bounds(windows);
  const pieces = [
    ...windowSegments(start, split, coverage).map((segment) => segmentRows(scope, segment, false)),
    ...windowSegments(split, end, coverage).map((segment) => segmentRows(scope, segment, true)),
  ];
  if (pieces.length === 0) return null;
  return Prisma.sql`
    SELECT u.statement_id AS "statementId", max(u.window_end) AS "windowEnd", ${Prisma.raw(SUMS.map(([name]) => `sum(u."${name}") AS "${name}"`).join(", "))}
      FROM (${Prisma.join(pieces, " UNION ALL ")}) AS u(statement_id, recent, ${Prisma.raw(SUM_NAMES)}, planning_tracked, window_end)
     GROUP BY u.statement_id, u.recent, u.planning_tracked`;
}

/**
 * The pooled groups and the texts of their statements as ONE row of two JSON texts of column arrays
 * ({"statementId": [...], "calls": [...], ...}). Why not rows: through Prisma's $queryRaw,
 * @prisma/adapter-pg converts every value of every row (5,000 statements: 10–20 k groups × 13
 * columns), and the rows were then validated one by one; that cost more than the query itself
 * (measured, see docs/scaling.md). One text per result is one value to convert and one native
 * JSON.parse. float8 leaves the server in its shortest exact form, so JSON.parse gives back the same
 * doubles the row path did; timestamps travel as epoch milliseconds (timestamptz(3): exact).
 * The texts come from the same statement, joined on the pooled ids, instead of a second round trip
 * with 5,000 parameters.
 */
export function statementWindowsQuery(scope: StatementScope, windows: RegressionWindows, coverage: RollupCoverage): Prisma.Sql | null {
  const pooled = pooledIntervalsQuery(scope, windows, coverage);
  if (pooled === null) return null;
  const epochMs = (column: string) => `(extract(epoch FROM p."${column}") * 1000)::float8`;
  const columns = POOLED_COLUMNS.map((c) => `'${c}', array_agg(${c === "statementId" ? 'p."statementId"::text' : c === "windowEnd" ? epochMs(c) : `p."${c}"`})`);
  return Prisma.sql`
    WITH pooled AS MATERIALIZED (${pooled})
    SELECT (SELECT json_build_object(${Prisma.raw(columns.join(", "))})::text FROM pooled p) AS pooled,
           (SELECT ${STATEMENT_TEXTS_JSON} FROM statement s WHERE s.id IN (SELECT "statementId" FROM pooled)) AS statements`;
}

/** The texts of the statements of alias `s` as one JSON text of column arrays (statementColumnsSchema). */
const STATEMENT_TEXTS_JSON = Prisma.raw("json_build_object('id', array_agg(s.id::text), 'queryId', array_agg(s.query_id::text), 'query', array_agg(s.query_text))::text");

/** The pooled query's columns, in the JSON's names (its aliases). */
const POOLED_COLUMNS = ["statementId", "windowEnd", ...SUMS.map(([name]) => name)];

const numbers = z.array(z.number());
const pooledColumnsSchema = z.object({
  statementId: z.array(z.string()),
  windowEnd: numbers,
  calls: numbers,
  sumExecMs: numbers,
  sumSquaresExecMs2: numbers,
  totalPlanMs: z.array(z.number().nullable()),
  plans: z.array(z.number().nullable()),
  rows: numbers,
  sharedReadBlocks: numbers,
  tempWrittenBlocks: numbers,
});
const statementColumnsSchema = z.object({ id: z.array(z.string()), queryId: z.array(z.string()), query: z.array(z.string()) });

/** array_agg over no rows is NULL: every column of an empty result is null. */
function columnsOf<T extends z.ZodType>(schema: T, text: string | null): z.infer<T> | null {
  if (text === null) return null;
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (Object.values(parsed).every((v) => v === null)) return null;
  return schema.parse(parsed);
}

/**
 * Every statement in scope with intervals in either window, with its pooled interval points (raw
 * intervals, hourly and daily rollups as windowSegments cuts each window, summed per statement,
 * window and planning tracking in one GROUP BY) and its text.
 */
export async function pooledStatements(
  repo: PrismaClient,
  scope: StatementScope,
  windows: RegressionWindows,
  coverage: RollupCoverage,
): Promise<WindowInputs> {
  const query = statementWindowsQuery(scope, windows, coverage);
  const [row] = query === null ? [] : await repo.$queryRaw<{ pooled: string | null; statements: string | null }[]>(query);
  const pooled = columnsOf(pooledColumnsSchema, row?.pooled ?? null);
  const texts = columnsOf(statementColumnsSchema, row?.statements ?? null);
  const intervals = new Map<string, RankingInterval[]>();
  if (pooled === null || texts === null) return { statements: [], intervals };
  pooled.statementId.forEach((id, i) => {
    const list = intervals.get(id);
    const point = toPoint(pooled, i);
    if (list) list.push(point);
    else intervals.set(id, [point]);
  });
  return { statements: texts.id.map((id, i) => ({ id, queryId: texts.queryId[i]!, query: texts.query[i]! })), intervals };
}

function toPoint(c: z.infer<typeof pooledColumnsSchema>, i: number): RankingInterval {
  const calls = c.calls[i]!;
  const { meanExecMs, execVarianceMs2 } = pooledMoments(calls, c.sumExecMs[i]!, c.sumSquaresExecMs2[i]!);
  // Both planning columns or neither: the group key says which.
  const totalPlanMs = c.totalPlanMs[i] ?? null;
  const plans = c.plans[i] ?? null;
  const tracked = totalPlanMs !== null && plans !== null;
  return {
    windowEnd: new Date(c.windowEnd[i]!),
    calls,
    meanExecMs,
    execVarianceMs2,
    totalPlanMs: tracked ? totalPlanMs : null,
    plans: tracked ? plans : null,
    rows: c.rows[i]!,
    sharedReadBlocks: c.sharedReadBlocks[i]!,
    tempWrittenBlocks: c.tempWrittenBlocks[i]!,
  };
}

export interface DominantSample extends PlanSamplePoint {
  statementId: bigint;
}

/** Per statement and window, the dominant plan as one sample (isGeneric false until resolved). */
export async function dominantSamples(repo: PrismaClient, scope: StatementScope, windows: RegressionWindows): Promise<DominantSample[]> {
  const { start, split, end } = bounds(windows);
  // Per plan, the samples of both windows counted by ONE index-only range scan of (plan_id,
  // captured_at) over (start, end], split by FILTER: one probe per plan instead of one per plan and
  // window (the probes, not the entries counted, were most of the query: 10 k of them). Joining every
  // sample of the windows to its plan and statement before grouping hashed ~190 k rows for 1 d vs
  // 7 d (measured 220 → 110 ms, EXPLAIN ANALYZE on the scale dataset).
  const raw = await repo.$queryRaw<unknown[]>`
    WITH per_plan AS (
      SELECT p.statement_id, p.id AS plan_id, p.fingerprint, c.baseline_samples, c.baseline_last, c.recent_samples, c.recent_last
        FROM statement s
        JOIN plan p ON p.statement_id = s.id
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE ps.captured_at <= ${split}::timestamptz) AS baseline_samples,
                max(ps.captured_at) FILTER (WHERE ps.captured_at <= ${split}::timestamptz) AS baseline_last,
                count(*) FILTER (WHERE ps.captured_at > ${split}::timestamptz) AS recent_samples,
                max(ps.captured_at) FILTER (WHERE ps.captured_at > ${split}::timestamptz) AS recent_last
           FROM plan_sample ps
          WHERE ps.plan_id = p.id AND ps.captured_at > ${start}::timestamptz AND ps.captured_at <= ${end}::timestamptz) c
       WHERE ${scopeCondition(scope, "s")}
    ), counts AS (
      SELECT statement_id, false AS recent, plan_id, fingerprint, baseline_samples AS samples, baseline_last AS last_captured_at
        FROM per_plan WHERE baseline_samples > 0
      UNION ALL
      SELECT statement_id, true, plan_id, fingerprint, recent_samples, recent_last FROM per_plan WHERE recent_samples > 0
    )
    SELECT DISTINCT ON (statement_id, recent)
           statement_id AS "statementId", recent, plan_id AS "planId", fingerprint, last_captured_at AS "lastCapturedAt"
      FROM counts
     ORDER BY statement_id, recent, samples DESC, last_captured_at DESC, fingerprint COLLATE "C"`;
  return z.array(dominantRowSchema).parse(raw).map((r) => ({
    statementId: r.statementId,
    planId: r.planId.toString(),
    fingerprint: r.fingerprint,
    capturedAt: r.lastCapturedAt,
    estimatedTotalCost: 0,
    actualTotalMs: null,
    isGeneric: false,
  }));
}

/** Per statement with calls in a window: its text and its ranking points. */
interface WindowInputs {
  statements: { id: string; queryId: string; query: string }[];
  intervals: Map<string, RankingInterval[]>;
}

/**
 * A target's windows from its checkpoints (lib/db/checkpoints.ts): a few packed rows whatever the
 * windows' length, then the texts of the statements that ran. The same figures as pooledStatements
 * (checked against it by test/integration/checkpoints.test.ts), for windows starting at or after the
 * target's checkpoints_from.
 */
export async function checkpointStatements(repo: PrismaClient, targetId: bigint, windows: RegressionWindows): Promise<WindowInputs> {
  const found = await readCheckpoints(poolOf(repo), targetId, checkpointLookups(windows));
  const totals = windowTotals(windows, found);
  const intervals = new Map<string, RankingInterval[]>();
  for (const [window, byStatement] of [[windows.baseline, totals.baseline], [windows.recent, totals.recent]] as const) {
    for (const [id, t] of byStatement) {
      const key = String(id);
      let points = intervals.get(key);
      if (!points) intervals.set(key, (points = []));
      appendTotalsPoints(points, t, window.end);
    }
  }
  if (intervals.size === 0) return { statements: [], intervals };
  const [row] = await repo.$queryRaw<{ statements: string | null }[]>`
    SELECT ${STATEMENT_TEXTS_JSON} AS statements
      FROM statement s
     WHERE s.target_id = ${targetId}::bigint AND s.id = ANY(${`{${[...intervals.keys()].join(",")}}`}::int8[])`;
  const texts = columnsOf(statementColumnsSchema, row?.statements ?? null);
  return { statements: texts === null ? [] : texts.id.map((id, i) => ({ id, queryId: texts.queryId[i]!, query: texts.query[i]! })), intervals };
}

/**
 * The ranking's inputs for every statement in scope with intervals in either window: from
 * checkpoints when the scope is a target that has them for the windows, else pooled from intervals
 * and rollups.
 */
export async function statementWindows(repo: PrismaClient, scope: StatementScope, windows: RegressionWindows): Promise<StatementWindows[]> {
  const coverage = await rollupCoverage(repo, scope);
  const fromCheckpoints = "targetId" in scope && coverage.checkpointsFrom !== null && coverage.checkpointsFrom <= windows.baseline.start;
  const [{ statements, intervals }, samples] = await Promise.all([
    fromCheckpoints ? checkpointStatements(repo, scope.targetId, windows) : pooledStatements(repo, scope, windows, coverage),
    dominantSamples(repo, scope, windows),
  ]);
  const samplesOf = new Map<string, PlanSamplePoint[]>();
  for (const { statementId, ...sample } of samples) {
    const id = statementId.toString();
    // push, not a copy per sample: copying was quadratic in a statement's samples.
    const list = samplesOf.get(id);
    if (list) list.push(sample);
    else samplesOf.set(id, [sample]);
  }
  return statements.map((s) => ({ statementId: s.id, queryId: s.queryId, query: s.query, intervals: intervals.get(s.id) ?? [], samples: samplesOf.get(s.id) ?? [] }));
}

const genericCache = new Map<string, boolean>();
/** Enough for every plan-changed statement of a large target; past it the cache starts over. */
const GENERIC_CACHE_LIMIT = 20_000;

/**
 * isGenericPlan of each plan, from its stored JSON, parsed at most once per plan and process (a
 * plan's JSON is written when it is first captured and not rewritten). Unparseable: not generic.
 */
export async function genericPlans(repo: PrismaClient, planIds: readonly string[]): Promise<Map<string, boolean>> {
  const missing = [...new Set(planIds)].filter((id) => !genericCache.has(id));
  if (missing.length > 0) {
    const rows = await repo.plan.findMany({ where: { id: { in: missing.map((id) => BigInt(id)) } }, select: { id: true, plan: true } });
    if (genericCache.size + rows.length > GENERIC_CACHE_LIMIT) genericCache.clear();
    for (const row of rows) genericCache.set(row.id.toString(), planIsGeneric(row.plan));
  }
  return new Map(planIds.map((id) => [id, genericCache.get(id) ?? false]));
}

export function planIsGeneric(planJson: unknown): boolean {
  try {
    return isGenericPlan(parsePlan(planJson));
  } catch {
    return false;
  }
}

function bounds(windows: RegressionWindows): { start: Date; split: Date; end: Date } {
  return { start: windows.baseline.start, split: windows.recent.start, end: windows.recent.end };
}
