// The repository side of the ranking: per statement and per window, what rankStatements needs, with
// the heavy lifting in SQL so the cost grows with statements × windows, not with interval rows.
//
// Intervals: one GROUP BY over the pieces of both windows (raw intervals by the (target_id,
// window_end) index, hourly and daily rollups by theirs; see rollup-segments.ts). Each group
// becomes ONE pooled IntervalPoint, which aggregateIntervals treats exactly like the intervals it
// pools: calls, Σ n·m and the per-call counters are plain sums, and the variance comes from
// Σ n·(v + m²) (each interval's sum of squares), so the window's mean and variance are the same
// numbers. Groups are split by whether the interval tracked planning, because plansPerCall divides
// by the calls of the planning-tracking intervals only.
// Float caveat: Σ n·(v + m²)/N − mean² loses digits when the spread is tiny next to the mean
// (relative error ≈ 1e-16 · mean²/variance); for 40 ms ± 0.01 ms that is 2e-9, far below anything
// the t-test or the verdict can feel.
//
// Samples: per window, sample counts per plan in SQL, and only the dominant plan per statement comes
// back (most samples, then sampled last, then smaller fingerprint: attribution.ts's order). It is
// handed to rankStatements as one sample at its last capture time, which makes it the window's
// dominant plan again. Whether a plan is generic is computed from its JSON only where attribution
// reads it (a plan change), and cached per plan.
import { z } from "zod";
import { parsePlan } from "../plan";
import type { IntervalPoint, PlanSamplePoint, RegressionWindows, StatementWindows } from "../regression";
import { isGenericPlan } from "../regression";
import { windowSegments, type RollupCoverage, type Segment } from "../regression/rollup-segments";
import { Prisma, type PrismaClient } from "./client";
import { INTERVAL_SUM_TERMS, INTERVAL_TRACKED } from "./rollups";

/** Which statements: all of a target's, or one. */
export type StatementScope = { targetId: bigint } | { statementId: bigint };

const pooledRowSchema = z.object({
  statementId: z.bigint(),
  windowStart: z.date(),
  windowEnd: z.date(),
  calls: z.number(),
  sumExecMs: z.number(),
  sumSquaresExecMs2: z.number(),
  totalPlanMs: z.number().nullable(),
  plans: z.number().nullable(),
  rows: z.number(),
  sharedReadBlocks: z.number(),
  sharedHitBlocks: z.number(),
  tempReadBlocks: z.number(),
  tempWrittenBlocks: z.number(),
});

const dominantRowSchema = z.object({
  statementId: z.bigint(),
  recent: z.boolean(),
  planId: z.bigint(),
  fingerprint: z.string(),
  lastCapturedAt: z.date(),
});

const statementRowSchema = z.object({ id: z.bigint(), queryId: z.bigint(), queryText: z.string() });

/** `alias.target_id = …` or `alias.statement_id = …`; alias is a fixed identifier of ours, never input. */
function scopeCondition(scope: StatementScope, alias: "i" | "p" | "r" | "s"): Prisma.Sql {
  const column = Prisma.raw(`${alias}.${"targetId" in scope ? "target_id" : alias === "s" ? "id" : "statement_id"}`);
  return Prisma.sql`${column} = ${"targetId" in scope ? scope.targetId : scope.statementId}::bigint`;
}

/** How far the scope's target is rolled up (null: nothing yet, or no such statement). */
export async function rollupCoverage(repo: PrismaClient, scope: StatementScope): Promise<RollupCoverage> {
  const rows = await repo.$queryRaw<{ hourUntil: Date | null; dayUntil: Date | null }[]>`
    SELECT t.rolled_up_hour_until AS "hourUntil", t.rolled_up_day_until AS "dayUntil"
      FROM target t
     WHERE ${"targetId" in scope ? Prisma.sql`t.id = ${scope.targetId}::bigint` : Prisma.sql`t.id = (SELECT target_id FROM statement WHERE id = ${scope.statementId}::bigint)`}`;
  return rows[0] ?? { hourUntil: null, dayUntil: null };
}

const RAW_TERMS = Prisma.raw(
  `${Object.values(INTERVAL_SUM_TERMS).join(", ")}, ${INTERVAL_TRACKED}, i.window_start, i.window_end`,
);
const ROLLUP_TERMS = Prisma.raw(
  "r.calls, r.sum_exec_ms, r.sum_squares_exec_ms2, r.total_plan_ms, r.plans, r.rows, r.shared_hit_blocks, r.shared_read_blocks, " +
    "r.temp_read_blocks, r.temp_written_blocks, r.planning_tracked, r.first_window_start, r.last_window_end",
);

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
    SELECT u.statement_id AS "statementId",
           min(u.first_window_start) AS "windowStart",
           max(u.last_window_end) AS "windowEnd",
           sum(u.calls)::float8 AS calls,
           sum(u.sum_exec_ms)::float8 AS "sumExecMs",
           sum(u.sum_squares_exec_ms2)::float8 AS "sumSquaresExecMs2",
           sum(u.total_plan_ms)::float8 AS "totalPlanMs",
           sum(u.plans)::float8 AS plans,
           sum(u.rows)::float8 AS rows,
           sum(u.shared_read_blocks)::float8 AS "sharedReadBlocks",
           sum(u.shared_hit_blocks)::float8 AS "sharedHitBlocks",
           sum(u.temp_read_blocks)::float8 AS "tempReadBlocks",
           sum(u.temp_written_blocks)::float8 AS "tempWrittenBlocks"
      FROM (${Prisma.join(pieces, " UNION ALL ")}) AS u(statement_id, recent, calls, sum_exec_ms, sum_squares_exec_ms2, total_plan_ms, plans, rows,
             shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks, planning_tracked, first_window_start, last_window_end)
     GROUP BY u.statement_id, u.recent, u.planning_tracked`;
}

/**
 * The pooled interval points of every statement in scope with intervals in either window: raw
 * intervals, hourly and daily rollups as windowSegments cuts each window, summed per statement,
 * window and planning tracking in one GROUP BY.
 */
export async function pooledIntervals(repo: PrismaClient, scope: StatementScope, windows: RegressionWindows): Promise<Map<bigint, IntervalPoint[]>> {
  const query = pooledIntervalsQuery(scope, windows, await rollupCoverage(repo, scope));
  if (query === null) return new Map();
  const raw = await repo.$queryRaw<unknown[]>(query);
  const out = new Map<bigint, IntervalPoint[]>();
  for (const row of z.array(pooledRowSchema).parse(raw)) {
    const list = out.get(row.statementId) ?? [];
    list.push(toPoint(row));
    out.set(row.statementId, list);
  }
  return out;
}

function toPoint(row: z.infer<typeof pooledRowSchema>): IntervalPoint {
  const meanExecMs = row.calls > 0 ? row.sumExecMs / row.calls : 0;
  const execVarianceMs2 = row.calls > 0 ? Math.max(0, row.sumSquaresExecMs2 / row.calls - meanExecMs * meanExecMs) : 0;
  // Both planning columns or neither: the group key says which.
  const tracked = row.totalPlanMs !== null && row.plans !== null;
  return {
    windowStart: row.windowStart,
    windowEnd: row.windowEnd,
    calls: row.calls,
    meanExecMs,
    execVarianceMs2,
    totalPlanMs: tracked ? row.totalPlanMs : null,
    plans: tracked ? row.plans : null,
    rows: row.rows,
    sharedReadBlocks: row.sharedReadBlocks,
    sharedHitBlocks: row.sharedHitBlocks,
    tempReadBlocks: row.tempReadBlocks,
    tempWrittenBlocks: row.tempWrittenBlocks,
  };
}

export interface DominantSample extends PlanSamplePoint {
  statementId: bigint;
}

/** Per statement and window, the dominant plan as one sample (isGeneric false until resolved). */
export async function dominantSamples(repo: PrismaClient, scope: StatementScope, windows: RegressionWindows): Promise<DominantSample[]> {
  const { start, split, end } = bounds(windows);
  const raw = await repo.$queryRaw<unknown[]>`
    WITH counts AS (
      SELECT p.statement_id, ps.captured_at > ${split}::timestamptz AS recent, p.id AS plan_id, p.fingerprint,
             count(*) AS samples, max(ps.captured_at) AS last_captured_at
        FROM plan p
        JOIN statement s ON s.id = p.statement_id
        JOIN plan_sample ps ON ps.plan_id = p.id
       WHERE ${"targetId" in scope ? scopeCondition(scope, "s") : scopeCondition(scope, "p")}
         AND ps.captured_at > ${start}::timestamptz AND ps.captured_at <= ${end}::timestamptz
       GROUP BY p.statement_id, recent, p.id, p.fingerprint
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

/** The ranking's inputs for every statement in scope with intervals in either window. */
export async function statementWindows(repo: PrismaClient, scope: StatementScope, windows: RegressionWindows): Promise<StatementWindows[]> {
  const [intervals, samples] = await Promise.all([pooledIntervals(repo, scope, windows), dominantSamples(repo, scope, windows)]);
  const ids = [...intervals.keys()];
  if (ids.length === 0) return [];
  const statements = z
    .array(statementRowSchema)
    .parse(await repo.statement.findMany({ where: { id: { in: ids } }, select: { id: true, queryId: true, queryText: true } }));
  const samplesOf = new Map<bigint, PlanSamplePoint[]>();
  for (const { statementId, ...sample } of samples) samplesOf.set(statementId, [...(samplesOf.get(statementId) ?? []), sample]);
  return statements.map((s) => ({
    statementId: s.id.toString(),
    queryId: s.queryId.toString(),
    query: s.queryText,
    intervals: intervals.get(s.id) ?? [],
    samples: samplesOf.get(s.id) ?? [],
  }));
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
