// Regression ranking over the repository: the SQL-pooled path equals the pure per-interval path on
// seeded data; GET /api/regressions validates its parameters and answers exactly the contract's
// fields; `planwatch regressions --json` prints the same array.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApiToken } from "@/lib/auth/api-tokens";
import { cliActor } from "@/lib/auth/authorize";
import { REGRESSION_ROW_FIELDS, regressionPageSchema, regressionRowSchema, type RegressionPage } from "@/lib/api/regressions";
import type { PrismaClient } from "@/lib/db/client";
import { planIsGeneric } from "@/lib/db/regression-windows";
import { SHARED_RANKING_MS, rankTarget, rankingComputedAtMs, rankingTargets, statementRegression } from "@/lib/db/regressions";
import { rollUpTarget } from "@/lib/db/rollups";
import { prismaRunner } from "@/lib/db/sql-runner";
import { NotFoundError } from "@/lib/errors";
import { inWindow, rankStatements, regressionWindows, type IntervalPoint, type RankedStatement, type StatementWindows } from "@/lib/regression";
import { testServers } from "../support/databases";
import { freshRepository } from "../support/repository";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const server = testServers()[0]!;

const HOUR_MS = 3_600_000;
const NOW = new Date("2030-01-02T01:00:00Z");
const minutesBefore = (m: number) => new Date(NOW.getTime() - m * 60_000);
const windows = regressionWindows({ now: NOW, recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS });

const GENERIC_PLAN = [{ Plan: { "Node Type": "Seq Scan", "Relation Name": "orders", Alias: "orders", "Startup Cost": 0, "Total Cost": 900, "Plan Rows": 500, "Plan Width": 8, Filter: "(customer_id = $1)" } }];
const CUSTOM_PLAN = [{ Plan: { "Node Type": "Index Scan", "Relation Name": "orders", Alias: "orders", "Index Name": "orders_customer_idx", "Startup Cost": 0, "Total Cost": 8, "Plan Rows": 5, "Plan Width": 8, "Index Cond": "(customer_id = 42)" } }];

let repo: PrismaClient;
let repoUrl: string;
let targetId: bigint;

type IntervalSeed = Partial<Omit<IntervalPoint, "windowStart" | "windowEnd">> & { endMinutesBefore: number; lengthMinutes?: number };

async function statement(name: string, intervals: IntervalSeed[], forTarget = targetId): Promise<bigint> {
  const s = await repo.statement.create({
    data: { targetId: forTarget, queryId: BigInt(-(1n << 62n)) + BigInt(Math.floor(Math.random() * 1e9)), dbId: 5n, userId: 10n, queryText: `select /* ${name} */ * from orders where customer_id = $1` },
  });
  await repo.statementInterval.createMany({
    data: intervals.map((i) => {
      const calls = i.calls ?? 100;
      const mean = i.meanExecMs ?? 10;
      return {
        targetId: forTarget,
        statementId: s.id,
        windowStart: minutesBefore(i.endMinutesBefore + (i.lengthMinutes ?? 5)),
        windowEnd: minutesBefore(i.endMinutesBefore),
        calls: BigInt(calls),
        totalExecMs: calls * mean,
        meanExecMs: mean,
        execVarianceMs2: i.execVarianceMs2 ?? 4,
        totalPlanMs: i.totalPlanMs === undefined ? 0.2 * calls : i.totalPlanMs,
        plans: i.plans === undefined ? BigInt(calls) : i.plans === null ? null : BigInt(i.plans),
        rows: BigInt(i.rows ?? calls),
        sharedHitBlocks: BigInt(i.sharedHitBlocks ?? 10 * calls),
        sharedReadBlocks: BigInt(i.sharedReadBlocks ?? 0),
        tempReadBlocks: BigInt(i.tempReadBlocks ?? 0),
        tempWrittenBlocks: BigInt(i.tempWrittenBlocks ?? 0),
      };
    }),
  });
  return s.id;
}

/** A plan of the statement with samples captured `minutesBefore` NOW. */
async function plan(statementId: bigint, fingerprint: string, json: unknown, sampleMinutesBefore: number[]): Promise<void> {
  const p = await repo.plan.create({ data: { statementId, fingerprint, plan: json as object, source: "auto_explain" } });
  await repo.planSample.createMany({
    data: sampleMinutesBefore.map((m) => ({ planId: p.id, capturedAt: minutesBefore(m), estimatedTotalCost: 10, actualTotalMs: 1, source: "auto_explain" as const })),
  });
}

const hourly = (count: number, fields: Partial<IntervalSeed>): IntervalSeed[] =>
  Array.from({ length: count }, (_, i) => ({ endMinutesBefore: 60 + 60 * (i + 1) - 30, lengthMinutes: 60, ...fields }));
const fiveMinutely = (count: number, fields: Partial<IntervalSeed>): IntervalSeed[] =>
  Array.from({ length: count }, (_, i) => ({ endMinutesBefore: 5 * i, ...fields }));

beforeAll(async () => {
  ({ repo, url: repoUrl } = await freshRepository(server));
  const target = await repo.target.create({ data: { name: "shop", host: "127.0.0.1", database: "shop", username: "app" } });
  targetId = target.id;

  // Flips to a generic plan: 10 → 40 ms.
  const generic = await statement("generic", [
    ...hourly(23, { meanExecMs: 10, execVarianceMs2: 4 }),
    ...fiveMinutely(12, { meanExecMs: 40, execVarianceMs2: 9, plans: 3, totalPlanMs: 0.6 }),
  ]);
  await plan(generic, "aaaa1111aaaa1111", CUSTOM_PLAN, [300, 600, 900, 55]);
  await plan(generic, "bbbb2222bbbb2222", GENERIC_PLAN, [50, 40, 30, 20]);

  // Same plan, spills: 20 → 60 ms, temp blocks 0 → 500 per call; planning not tracked in the recent window.
  const spill = await statement("spill", [
    ...hourly(20, { meanExecMs: 20, execVarianceMs2: 16, sharedReadBlocks: 300 }),
    ...fiveMinutely(10, { meanExecMs: 60, execVarianceMs2: 25, tempWrittenBlocks: 50_000, tempReadBlocks: 50_000, totalPlanMs: null, plans: null }),
  ]);
  await plan(spill, "cccc3333cccc3333", CUSTOM_PLAN, [100, 10]);

  // Improvement by a new plan: 50 → 10 ms. Tied sample counts in the baseline: the later one dominates.
  const improved = await statement("improved", [...hourly(10, { meanExecMs: 50, execVarianceMs2: 16 }), ...fiveMinutely(6, { meanExecMs: 10, execVarianceMs2: 1 })]);
  await plan(improved, "dddd4444dddd4444", GENERIC_PLAN, [100, 200]);
  await plan(improved, "eeee5555eeee5555", CUSTOM_PLAN, [300, 400, 5]);

  // Noisy, unchanged: within the noise.
  await statement("noisy", [...hourly(5, { calls: 10, meanExecMs: 40, execVarianceMs2: 10_000 }), ...fiveMinutely(3, { calls: 10, meanExecMs: 45, execVarianceMs2: 10_000 })]);

  // Edges: an interval ending exactly on the split (baseline), one exactly on the baseline start
  // (outside), one after NOW (outside), an interval without calls, mixed planning tracking.
  await statement("edges", [
    { endMinutesBefore: 60, calls: 40, meanExecMs: 5, execVarianceMs2: 0.5 },
    { endMinutesBefore: 25 * 60, calls: 1_000, meanExecMs: 500 },
    { endMinutesBefore: -1, calls: 1_000, meanExecMs: 500 },
    { endMinutesBefore: 120, calls: 0, meanExecMs: 0, execVarianceMs2: 0, totalPlanMs: 3, plans: 2 },
    { endMinutesBefore: 180, calls: 30, meanExecMs: 5.5, execVarianceMs2: 0.25, totalPlanMs: null, plans: null },
    { endMinutesBefore: 10, calls: 50, meanExecMs: 5.2, execVarianceMs2: 0.4 },
    { endMinutesBefore: 20, calls: 25, meanExecMs: 5.1, execVarianceMs2: 0.3, totalPlanMs: null, plans: null },
  ]);

  // Nothing in either window: not listed. Another target's statement: not listed.
  await statement("old", [{ endMinutesBefore: 40 * 60 }]);
  const other = await repo.target.create({ data: { name: "other", host: "127.0.0.1", database: "other", username: "app" } });
  await statement("other-target", fiveMinutely(5, {}), other.id);
});

afterAll(async () => {
  await repo?.$disconnect();
});

/** The reference: every interval and sample row of the target, ranked by the pure core. */
async function pureRanking(): Promise<RankedStatement[]> {
  const statements = await repo.statement.findMany({
    where: { targetId },
    include: { plans: { include: { samples: true } } },
  });
  const intervals = await repo.statementInterval.findMany({ where: { targetId } });
  const inputs: StatementWindows[] = statements.map((s) => ({
    statementId: s.id.toString(),
    queryId: s.queryId.toString(),
    query: s.queryText,
    intervals: intervals.filter((i) => i.statementId === s.id).map((i) => ({
      windowStart: i.windowStart,
      windowEnd: i.windowEnd,
      calls: Number(i.calls),
      meanExecMs: i.meanExecMs,
      execVarianceMs2: i.execVarianceMs2,
      totalPlanMs: i.totalPlanMs,
      plans: i.plans === null ? null : Number(i.plans),
      rows: Number(i.rows),
      sharedReadBlocks: Number(i.sharedReadBlocks),
      sharedHitBlocks: Number(i.sharedHitBlocks),
      tempReadBlocks: Number(i.tempReadBlocks),
      tempWrittenBlocks: Number(i.tempWrittenBlocks),
    })),
    samples: s.plans.flatMap((p) =>
      p.samples.map((x) => ({
        planId: p.id.toString(),
        fingerprint: p.fingerprint,
        capturedAt: x.capturedAt,
        estimatedTotalCost: x.estimatedTotalCost,
        actualTotalMs: x.actualTotalMs,
        isGeneric: planIsGeneric(p.plan),
      })),
    ),
  }));
  const inRange = { start: windows.baseline.start, end: windows.recent.end };
  return rankStatements(
    inputs.filter((i) => i.intervals.some((x) => inWindow(x.windowEnd, inRange))),
    { windows },
  );
}

function expectClose(actual: number | null, expected: number | null) {
  if (expected === null || actual === null) return expect(actual).toBe(expected);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

/** Same rows in the same order: exact fields equal, float statistics equal to 1e-9 (summation order differs). */
function expectSameRanking(actual: RankedStatement[], expected: RankedStatement[]) {
  expect(actual.map((r) => r.statementId)).toEqual(expected.map((r) => r.statementId));
  actual.forEach((row, i) => {
    const { baselineMeanMs, recentMeanMs, ratio, impactMs, pValue, ...exact } = row;
    const { baselineMeanMs: b, recentMeanMs: r, ratio: q, impactMs: im, pValue: p, ...exactRef } = expected[i]!;
    expect(exact).toEqual(exactRef);
    expectClose(baselineMeanMs, b);
    expectClose(recentMeanMs, r);
    expectClose(ratio, q);
    expectClose(impactMs, im);
    expectClose(pValue, p);
  });
}

describe("rankTarget", () => {
  it("equals the pure per-interval ranking (pooling in SQL is exact)", async () => {
    const pooled = await rankTarget(repo, { targetName: "shop", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS, now: NOW });
    const reference = await pureRanking();
    expect(pooled).toHaveLength(5);
    expectSameRanking(pooled, reference);
  });

  it("finds the generic plan flip, the spill and the improvement", async () => {
    const rows = await rankTarget(repo, { targetName: "shop", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS, now: NOW });
    const by = (name: string) => rows.find((r) => r.query.includes(`/* ${name} */`))!;
    expect(rows.map((r) => r.verdict)).toEqual(["regression", "regression", "improvement", "stable", "stable"]);
    expect(by("spill")).toMatchObject({ verdict: "regression", cause: "same-plan", baselinePlan: "cccc3333cccc3333", recentPlan: "cccc3333cccc3333" });
    expect(by("spill").evidence).toMatch(/temp blocks\/call 0 → 500/);
    expect(by("generic")).toMatchObject({ verdict: "regression", cause: "plan-change", baselinePlan: "aaaa1111aaaa1111", recentPlan: "bbbb2222bbbb2222" });
    expect(by("generic").evidence).toMatch(/new plan is a generic plan/);
    expect(by("improved")).toMatchObject({ verdict: "improvement", cause: "plan-change", baselinePlan: "dddd4444dddd4444", recentPlan: "eeee5555eeee5555" });
    expect(by("noisy")).toMatchObject({ verdict: "stable", cause: null });
  });

  it("unknown target: NotFoundError", async () => {
    await expect(rankTarget(repo, { targetName: "nope", recentMs: HOUR_MS, baselineMs: HOUR_MS })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("statementRegression ranks one statement the same way", async () => {
    const rows = await rankTarget(repo, { targetName: "shop", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS, now: NOW });
    const first = rows[0]!;
    expect(await statementRegression(repo, BigInt(first.statementId), windows)).toEqual(first);
    await expect(statementRegression(repo, 987_654_321n, windows)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("as of now: concurrent and repeated callers share one ranking until the data changes", async () => {
    const input = { targetName: "shop", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS };
    const [a, b] = await Promise.all([rankTarget(repo, input), rankTarget(repo, input)]);
    expect(b).toBe(a); // the same computation, not an equal one
    expect(await rankTarget(repo, input)).toBe(a);
    expect(await rankTarget(repo, { ...input, minCalls: 5 })).not.toBe(a); // another question
    // Anchored at `since`: the recent window grows with the clock, the question stays the same.
    const anchored = { ...input, sinceMs: Date.now() - HOUR_MS };
    const first = await rankTarget(repo, anchored);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a whole second more of recent window
    expect(await rankTarget(repo, anchored)).toBe(first);
    expect(await rankTarget(repo, { ...anchored, sinceMs: anchored.sinceMs - 60_000 })).not.toBe(first);
    // A snapshot stored (the collector moves last_snapshot_at): computed again.
    const before = await repo.target.findUniqueOrThrow({ where: { id: targetId }, select: { lastSnapshotAt: true } });
    await repo.target.update({ where: { id: targetId }, data: { lastSnapshotAt: new Date("2031-01-01T00:00:00Z") } });
    const after = await rankTarget(repo, input);
    expect(after).not.toBe(a);
    expect(after).toEqual(a);
    // So is a captured plan sample.
    const plan = await repo.plan.findFirstOrThrow({ where: { statement: { targetId } } });
    const sample = await repo.planSample.create({ data: { planId: plan.id, capturedAt: new Date("2020-01-01T00:00:00Z"), estimatedTotalCost: 1, source: "auto_explain" } });
    expect(await rankTarget(repo, input)).not.toBe(after);
    await repo.planSample.delete({ where: { id: sample.id } });
    await repo.target.update({ where: { id: targetId }, data: { lastSnapshotAt: before.lastSnapshotAt } });
  });

  it("rankingTargets: every target by name with its data version, or the one named; a ranking asked with it is the one asked by name", async () => {
    const all = await rankingTargets(repo);
    expect(all.map((t) => t.name)).toEqual(["other", "shop"]);
    const [shop] = await rankingTargets(repo, "shop");
    expect(shop).toEqual(all.find((t) => t.name === "shop"));
    expect(shop!.version).not.toBe("");
    expect(await rankingTargets(repo, "nope")).toEqual([]);
    const input = { targetName: "shop", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS, minCalls: 4 };
    expect(await rankTarget(repo, { ...input, target: shop! })).toBe(await rankTarget(repo, input));
  });

  it("as of now, past its age: the last ranking is answered while one successor is computed, then that one", async () => {
    const input = { targetName: "shop", recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS, minCalls: 3 };
    const first = await rankTarget(repo, input);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + SHARED_RANKING_MS + 1_000 });
    try {
      const [a, b] = await Promise.all([rankTarget(repo, input), rankTarget(repo, input)]);
      expect(a).toBe(first); // no request waits for the recompute
      expect(b).toBe(first);
      let next = first;
      for (let i = 0; i < 200 && next === first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        next = await rankTarget(repo, input);
      }
      expect(next).not.toBe(first);
      expect(next).toEqual(first);
      expect(rankingComputedAtMs(next)).toBeGreaterThan(rankingComputedAtMs(first)!);
      // Long unused: too old to answer, the new one is waited for.
      vi.setSystemTime(Date.now() + 10 * SHARED_RANKING_MS);
      expect(await rankTarget(repo, input)).not.toBe(next);
    } finally {
      vi.useRealTimers();
    }
  });

  it("ranks the same from hourly and daily rollups as from raw intervals (the later tests then read rollups too)", async () => {
    const cases = [
      { now: NOW, recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS }, // recent = one hourly bucket, baseline = one daily bucket
      { now: minutesBefore(7), recentMs: HOUR_MS, baselineMs: 24 * HOUR_MS }, // ragged edges from raw intervals
      { now: minutesBefore(-23), recentMs: 3 * HOUR_MS, baselineMs: 22 * HOUR_MS }, // hours on both sides of the day bucket
    ];
    const rank = () => Promise.all(cases.map((c) => rankTarget(repo, { targetName: "shop", ...c })));
    const fromRaw = await rank();
    await repo.target.update({ where: { id: targetId }, data: { lastSnapshotAt: NOW } });
    const run = await rollUpTarget(prismaRunner(repo), targetId);
    expect(run).toMatchObject({ hourUntil: NOW, dayUntil: new Date("2030-01-02T00:00:00Z") });
    expect(run.hourBuckets).toBeGreaterThan(30);
    expect(run.dayBuckets).toBeGreaterThan(3);
    const fromRollups = await rank();
    fromRollups.forEach((rows, c) => expectSameRanking(rows, fromRaw[c]!));
    // Not vacuous: the rollups are read (hiding the raw rows of rolled-up hours changes the answer).
    await repo.$executeRawUnsafe(`UPDATE statement_rollup SET calls = calls * 2, sum_exec_ms = sum_exec_ms * 2, sum_squares_exec_ms2 = sum_squares_exec_ms2 * 2 WHERE target_id = $1`, targetId);
    const doubled = await rankTarget(repo, { targetName: "shop", ...cases[0]! });
    expect(doubled.map((r) => r.recentCalls)).not.toEqual(fromRaw[0]!.map((r) => r.recentCalls));
    await repo.$executeRawUnsafe(`UPDATE statement_rollup SET calls = calls / 2, sum_exec_ms = sum_exec_ms / 2, sum_squares_exec_ms2 = sum_squares_exec_ms2 / 2 WHERE target_id = $1`, targetId);
  });
});

describe("GET /api/regressions", () => {
  /** Recent means of the "paged" target's statements (baseline 3 ms each): 3 regressions, 2 improvements, 2 stable. */
  const PAGED_RECENT_MEANS_MS = [12, 30, 6, 1, 0.5, 3, 3];
  beforeAll(async () => {
    const global = globalThis as { __planwatchPrisma?: PrismaClient };
    await global.__planwatchPrisma?.$disconnect();
    delete global.__planwatchPrisma;
    process.env.DATABASE_URL = repoUrl;
    // The API ranks up to the real clock: targets with intervals relative to it.
    const realNow = Date.now();
    const at = (minutesAgo: number) => new Date(realNow - minutesAgo * 60_000);
    const seed = async (targetName: string, recentMeansMs: number[]) => {
      const target = await repo.target.create({ data: { name: targetName, host: "127.0.0.1", database: targetName, username: "app" } });
      for (const [n, recentMs] of recentMeansMs.entries()) {
        const s = await repo.statement.create({ data: { targetId: target.id, queryId: 77n + BigInt(n), dbId: 5n, userId: 10n, queryText: `select ${n + 1}` } });
        await repo.statementInterval.createMany({
          data: [
            { windowStart: at(300), windowEnd: at(240), calls: 200n, meanExecMs: 3, execVarianceMs2: 1 },
            { windowStart: at(30), windowEnd: at(20), calls: 200n, meanExecMs: recentMs, execVarianceMs2: 2 },
          ].map((i) => ({ ...i, targetId: target.id, statementId: s.id, totalExecMs: Number(i.calls) * i.meanExecMs, rows: i.calls, sharedHitBlocks: 0n, sharedReadBlocks: 0n, tempReadBlocks: 0n, tempWrittenBlocks: 0n })),
        });
      }
    };
    await seed("live", [12]);
    await seed("paged", PAGED_RECENT_MEANS_MS);
    viewerToken = (await createApiToken(repo, { name: "reader", role: "viewer", actor: cliActor() })).token;
  });
  let viewerToken: string;
  const get = async (query: string, authorization: string | null = `Bearer ${viewerToken}`) => {
    const { GET } = await import("@/app/api/regressions/route");
    const url = `http://localhost:3000${query.startsWith("/") ? query : `/api/regressions?${query}`}`;
    return GET(new Request(url, { headers: authorization === null ? {} : { authorization } }));
  };

  it("answers 401 without an identity (reads need one too)", async () => {
    const response = await get("target=live", null);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "sign in first" });
  });
  const page = async (query: string): Promise<RegressionPage> => {
    const response = await get(query);
    expect(response.status).toBe(200);
    return regressionPageSchema.parse(await response.json());
  };

  it.each([
    ["recent=1h", "target", /required/],
    ["target=shop&recent=1.5h", "recent", /whole number and a unit/],
    ["target=shop&baseline=15M", "baseline", /invalid duration "15M"/],
    ["target=shop&recent=0s", "recent", /longer than zero/],
    ["target=shop&minRatio=0.9", "minRatio", /above 1/],
    ["target=shop&alpha=2", "alpha", /between 0 and 1/],
    ["target=shop&minCalls=2.5", "minCalls", /whole number/],
    ["target=shop&minCalls=abc", "minCalls", /whole number/],
    ["target=shop&recnet=1h", "recnet", /unknown parameter \(expected target, .*limit, offset, verdict\)/],
    ["target=shop&limit=0", "limit", /whole number from 1 to 1000, or all/],
    ["target=shop&limit=1001", "limit", /whole number from 1 to 1000, or all/],
    ["target=shop&limit=ten", "limit", /whole number from 1 to 1000, or all/],
    ["target=shop&limit=-5", "limit", /whole number from 1 to 1000, or all/],
    ["target=shop&offset=-1", "offset", /whole number from 0/],
    ["target=shop&offset=2.5", "offset", /whole number from 0/],
    ["target=shop&verdict=regresion", "verdict", /"regresion" is not a verdict \(expected one or more of regression, improvement, stable/],
    ["target=shop&verdict=", "verdict", /"" is not a verdict/],
    ["target=shop&verdict=regression,,stable", "verdict", /"" is not a verdict/],
  ])("%s → 400 naming %s", async (query, field, reason) => {
    const response = await get(query);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; field: string };
    expect(body.field).toBe(field);
    expect(body.error).toMatch(reason);
  });

  it("unknown target → 404", async () => {
    const response = await get("target=nope");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toMatch(/no target named "nope"/);
  });

  it("answers one page with the total and exactly the contract's fields per row, regressions first", async () => {
    const body = await page("target=live&recent=1h&baseline=24h");
    expect(body).toMatchObject({ target: "live", recent: "1h", baseline: "1d", since: null, verdict: ["regression", "improvement", "stable"], total: 1, offset: 0, limit: 100, next: null });
    expect(Date.now() - Date.parse(body.rankedAt!)).toBeLessThan(60_000);
    expect(body.rows).toHaveLength(1);
    for (const row of body.rows) {
      expect(Object.keys(row)).toEqual([...REGRESSION_ROW_FIELDS]);
      regressionRowSchema.parse(row);
    }
    expect(REGRESSION_ROW_FIELDS).toEqual([
      "statementId", "queryId", "query", "baselineMeanMs", "recentMeanMs", "ratio", "recentCalls",
      "impactMs", "pValue", "verdict", "cause", "baselinePlan", "recentPlan", "evidence",
    ]);
  });

  it("pages through the ranking by limit and the next link: every row once, in ranking order", async () => {
    const all = await page("target=paged&limit=all");
    expect(all).toMatchObject({ total: PAGED_RECENT_MEANS_MS.length, limit: "all", next: null });
    expect(all.rows.map((r) => r.verdict)).toEqual(["regression", "regression", "regression", "improvement", "improvement", "stable", "stable"]);
    const first = await page("target=paged&limit=3");
    expect(first).toMatchObject({ total: 7, offset: 0, limit: 3, next: "/api/regressions?target=paged&limit=3&offset=3" });
    const seen = [...first.rows];
    let next = first.next;
    while (next !== null) {
      const body = await page(next);
      expect(body.rows.length).toBeLessThanOrEqual(3);
      seen.push(...body.rows);
      next = body.next;
    }
    expect(seen).toEqual(all.rows);
    // The default page is 100 rows: all seven here.
    expect((await page("target=paged")).rows).toEqual(all.rows);
    // Past the end: an empty page, still the total.
    expect(await page("target=paged&offset=50")).toMatchObject({ total: 7, offset: 50, rows: [], next: null });
  });

  it("filters by verdict, and the next link keeps the filter and the question", async () => {
    const regressions = await page("target=paged&verdict=regression");
    expect(regressions).toMatchObject({ verdict: ["regression"], total: 3 });
    expect(regressions.rows.map((r) => r.verdict)).toEqual(["regression", "regression", "regression"]);
    const changed = await page("target=paged&baseline=24h&verdict=improvement,regression&limit=4");
    // Listed in the contract's order whatever order they were asked in.
    expect(changed).toMatchObject({ verdict: ["regression", "improvement"], total: 5, next: "/api/regressions?target=paged&baseline=24h&limit=4&offset=4&verdict=improvement%2Cregression" });
    const rest = await page(changed.next!);
    expect(rest.rows.map((r) => r.verdict)).toEqual(["improvement"]);
    expect(rest.next).toBeNull();
    expect((await page("target=paged&verdict=stable&limit=all")).rows.map((r) => r.query)).toEqual(["select 6", "select 7"]);
  });

  it("the CLI's --json prints the same rows as the API's limit=all", async () => {
    const api = await page("target=live&recent=1h&baseline=24h&limit=all");
    const { stdout } = await run(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "cli/planwatch.ts", "regressions", "--target", "live", "--json"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: repoUrl },
    });
    expect(JSON.parse(stdout)).toEqual(api.rows);
    expect(api.rows).toHaveLength(1);

    const text = await run(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "cli/planwatch.ts", "regressions", "--target", "live", "--recent", "1h"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: repoUrl },
    });
    expect(text.stdout).toMatch(/^live, last 1h against the 1d before: 1 regressed, 0 improved, 0 stable\n/);
    expect(text.stdout).toMatch(/\n {4}same plan|\n {4}plans not captured/);
    expect(text.stdout).toMatch(/VERDICT\s+RATIO\s+IMPACT\s+CALLS\s+CAUSE\s+PLAN\s+QUERY/);
    const bad = await run(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "cli/planwatch.ts", "regressions", "--target", "shop", "--recent", "1.5h"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: repoUrl },
    }).catch((err: { code: number; stderr: string }) => err);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr).toMatch(/--recent: invalid duration "1\.5h"/);
  });
});
