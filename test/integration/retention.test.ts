// Daily interval partitions, rollups and retention on a real repository (PostgreSQL 18 and 15):
// partitions are created on demand and take over their day's rows from the default partition;
// rollups sum exactly; purging drops whole partitions, old rollups and surplus samples and nothing
// else; a removed target takes its intervals and rollups with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/db/client";
import { DEFAULT_PARTITION, ensureIntervalPartitions, intervalPartitionDays, partitionName } from "@/lib/db/partitions";
import { purgeRepository } from "@/lib/db/retention";
import { periodStartMs } from "@/lib/regression/running-totals";
import { rollUpTarget } from "@/lib/db/rollups";
import { prismaRunner, type SqlRunner } from "@/lib/db/sql-runner";
import { removeTarget } from "@/lib/collector/targets";
import { testServers } from "../support/databases";
import { freshRepository } from "../support/repository";
import { planwatch } from "../support/cli";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NOW = new Date("2030-03-20T10:20:00Z");

describe.each(testServers().map((s) => [s.major, s] as const))("retention on PostgreSQL %i", (_major, server) => {
  let repo: PrismaClient;
  let repoUrl: string;
  let db: SqlRunner;
  let targetId: bigint;
  let statementId: bigint;

  /** One 5-minute interval of `calls` calls at `meanMs` ending at `end`. */
  const interval = (end: Date, calls: number, meanMs: number) => ({
    targetId,
    statementId,
    windowStart: new Date(end.getTime() - 300_000),
    windowEnd: end,
    calls: BigInt(calls),
    totalExecMs: calls * meanMs,
    meanExecMs: meanMs,
    execVarianceMs2: 1,
    totalPlanMs: 0.1 * calls,
    plans: BigInt(calls),
    rows: BigInt(calls),
    sharedHitBlocks: 3n,
    sharedReadBlocks: 1n,
    tempReadBlocks: 0n,
    tempWrittenBlocks: 0n,
  });
  const partitionCounts = async () =>
    Object.fromEntries(
      (await db.query(`SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM statement_interval GROUP BY 1 ORDER BY 1`)).map((r) => [r.p, r.n]),
    );

  beforeAll(async () => {
    ({ repo, url: repoUrl } = await freshRepository(server));
    db = prismaRunner(repo);
    const target = await repo.target.create({ data: { name: "kept", host: "127.0.0.1", database: "kept", username: "app" } });
    targetId = target.id;
    statementId = (await repo.statement.create({ data: { targetId, queryId: 1n, dbId: 5n, userId: 10n, queryText: "select 1" } })).id;
  });
  afterAll(async () => {
    await repo?.$disconnect();
  });

  it("rows without a partition land in the default one; creating the day's partition moves them there", async () => {
    // 20 days of one interval per hour, before any daily partition exists.
    const ends = Array.from({ length: 20 * 24 }, (_, i) => new Date(NOW.getTime() - i * HOUR_MS));
    await repo.statementInterval.createMany({ data: ends.map((end, i) => interval(end, 10 + (i % 7), 2 + (i % 5))) });
    expect(await partitionCounts()).toEqual({ [DEFAULT_PARTITION]: 480 });

    const created = await ensureIntervalPartitions(db, new Date(NOW.getTime() - 2 * DAY_MS), NOW);
    expect(created).toBe(3);
    expect(await ensureIntervalPartitions(db, new Date(NOW.getTime() - 2 * DAY_MS), NOW)).toBe(0); // remembered
    const counts = await partitionCounts();
    expect(counts[partitionName(new Date("2030-03-20T00:00:00Z"))]).toBe(11); // 00:20 … 10:20
    expect(counts[partitionName(new Date("2030-03-19T00:00:00Z"))]).toBe(24);
    expect(counts[DEFAULT_PARTITION]).toBe(480 - 11 - 24 - 24);
    expect(await repo.statementInterval.count()).toBe(480); // moved, not copied or lost
  });

  it("rolls complete hours and days up, once, with sums equal to the raw rows", async () => {
    await repo.target.update({ where: { id: targetId }, data: { lastSnapshotAt: NOW } });
    const first = await rollUpTarget(db, targetId);
    expect(first).toMatchObject({ hourUntil: new Date("2030-03-20T10:00:00Z"), dayUntil: new Date("2030-03-20T00:00:00Z") });
    // One interval per hour: every hour up to 10:00 is a bucket (the 10:20 interval is not complete yet).
    expect(first.hourBuckets).toBe(479);
    expect(first.dayBuckets).toBe(20); // 02-28 (from 11:20 on) and 03-01 … 03-19
    expect(await rollUpTarget(db, targetId)).toMatchObject({ hourBuckets: 0, dayBuckets: 0 });

    const [raw] = await db.query(
      `SELECT sum(calls)::float8 AS calls, sum(calls * mean_exec_ms)::float8 AS exec FROM statement_interval WHERE window_end <= '2030-03-20T10:00:00Z'`,
    );
    for (const grain of ["hour", "day"]) {
      const until = grain === "hour" ? "2030-03-20T10:00:00Z" : "2030-03-20T00:00:00Z";
      const [rolled] = await db.query(`SELECT sum(calls)::float8 AS calls, sum(sum_exec_ms)::float8 AS exec FROM statement_rollup WHERE grain = $1::rollup_grain`, [grain]);
      const [expected] = await db.query(
        `SELECT sum(calls)::float8 AS calls, sum(calls * mean_exec_ms)::float8 AS exec FROM statement_interval WHERE window_end <= $1::timestamptz`,
        [until],
      );
      expect(rolled).toEqual(expected);
    }
    expect(raw!.calls).toBeGreaterThan(0);
  });

  it("a later snapshot rolls up only the new hours", async () => {
    const later = new Date(NOW.getTime() + 2 * HOUR_MS);
    await repo.statementInterval.createMany({ data: [interval(new Date(NOW.getTime() + HOUR_MS), 99, 3), interval(later, 5, 3)] });
    await repo.target.update({ where: { id: targetId }, data: { lastSnapshotAt: later } });
    const run = await rollUpTarget(db, targetId);
    expect(run).toMatchObject({ hourBuckets: 2, dayBuckets: 0, hourUntil: new Date("2030-03-20T12:00:00Z") }); // 10:20 and 11:20
    const [bucket] = await db.query(`SELECT calls::int AS calls, interval_count AS n FROM statement_rollup WHERE grain = 'hour' AND bucket_start = '2030-03-20T11:00:00Z'`);
    expect(bucket).toEqual({ calls: 99, n: 1 });
  });

  it("purges: drops whole old partitions, old default rows, old rollups and surplus samples, nothing newer", async () => {
    const plan = await repo.plan.create({ data: { statementId, fingerprint: "f1", plan: {}, source: "auto_explain" } });
    await repo.planSample.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({ planId: plan.id, capturedAt: new Date(NOW.getTime() - i * 60_000), estimatedTotalCost: 1, source: "auto_explain" as const })),
    });
    const before = await repo.statementInterval.count({ where: { windowEnd: { gte: new Date(NOW.getTime() - 2 * DAY_MS) } } });
    const result = await purgeRepository(db, { rawDays: 2, rollupDays: 10, samplesPerPlan: 25 }, NOW);
    // Cutoff 03-18 10:20: the 03-18 partition holds the cutoff and is kept whole; the default
    // partition holds 02-28 … 03-17, all before the cutoff.
    expect(result.droppedPartitions).toEqual([]);
    expect(result.deletedDefaultIntervals).toBe(480 - 11 - 24 - 24);
    expect(await repo.statementInterval.count({ where: { windowEnd: { lt: new Date("2030-03-18T00:00:00Z") } } })).toBe(0);
    expect(await repo.statementInterval.count({ where: { windowEnd: { gte: new Date(NOW.getTime() - 2 * DAY_MS) } } })).toBe(before);
    expect(result.deletedSamples).toBe(5);
    const kept = await repo.planSample.findMany({ where: { planId: plan.id }, orderBy: { capturedAt: "asc" } });
    expect(kept).toHaveLength(25);
    expect(kept[0]!.capturedAt).toEqual(new Date(NOW.getTime() - 24 * 60_000)); // the newest 25
    expect(await repo.statementRollup.count({ where: { bucketStart: { lt: new Date(NOW.getTime() - 10 * DAY_MS) } } })).toBe(0);
    expect(result.deletedRollups).toBeGreaterThan(0);

    // A day later (cutoff 03-20 01:00), the 03-18 and 03-19 partitions are entirely past it: dropped.
    const later = await purgeRepository(db, { rawDays: 1, rollupDays: 10, samplesPerPlan: 25 }, new Date("2030-03-21T01:00:00Z"));
    expect(later.droppedPartitions).toEqual([partitionName(new Date("2030-03-18T00:00:00Z")), partitionName(new Date("2030-03-19T00:00:00Z"))]);
    expect(later.deletedDefaultIntervals).toBe(0);
    expect((await intervalPartitionDays(db)).map((d) => d.toISOString().slice(0, 10))).toEqual(["2030-03-20"]);
  });

  it("purges checkpoints by whole periods ended before the raw cutoff, and moves checkpoints_from to that end", async () => {
    const other = await repo.target.create({ data: { name: "checkpointed", host: "127.0.0.1", database: "c", username: "app" } });
    // The raw cutoff (03-11 10:20) lies in the period that starts when the one before it ends (03-07).
    const periodEnd = periodStartMs(NOW.getTime() - 9 * DAY_MS);
    const ats = [-8, -1, 0, 1, 9].map((days) => new Date(periodEnd + days * DAY_MS));
    for (const at of ats) {
      await db.execute(`INSERT INTO target_checkpoint (target_id, at, statement_count, format, totals) VALUES ($1::bigint, $2::timestamptz, 0, 1, '')`, [
        other.id.toString(),
        at.toISOString(),
      ]);
    }
    await repo.target.update({ where: { id: other.id }, data: { checkpointsFrom: ats[0] } });
    const result = await purgeRepository(db, { rawDays: 9, rollupDays: 100, samplesPerPlan: 1000 }, NOW);
    // At or before that end: gone; after it: kept, even before the raw cutoff itself (03-08).
    expect(result.deletedCheckpoints).toBe(3);
    const kept = await repo.targetCheckpoint.findMany({ where: { targetId: other.id }, orderBy: { at: "asc" } });
    expect(kept.map((c) => c.at)).toEqual(ats.slice(3));
    expect((await repo.target.findUniqueOrThrow({ where: { id: other.id } })).checkpointsFrom).toEqual(new Date(periodEnd));
    await repo.target.delete({ where: { id: other.id } });
  });

  it("`planwatch purge` runs one pass with the environment's settings; a bad setting is refused and changes nothing", async () => {
    const before = await repo.statementInterval.count();
    const bad = await planwatch(["purge"], { DATABASE_URL: repoUrl, PLANWATCH_RETENTION_RAW_DAYS: "0" });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/PLANWATCH_RETENTION_RAW_DAYS/);
    expect(await repo.statementInterval.count()).toBe(before);

    const ok = await planwatch(["purge", "--json"], { DATABASE_URL: repoUrl, PLANWATCH_RETENTION_RAW_DAYS: "3650", PLANWATCH_RETENTION_ROLLUP_DAYS: "3650", PLANWATCH_SAMPLES_PER_PLAN: "10" });
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout) as { settings: { rawDays: number; samplesPerPlan: number }; deletedSamples: number; droppedPartitions: string[] };
    expect(result.settings).toMatchObject({ rawDays: 3650, samplesPerPlan: 10 });
    expect(result.droppedPartitions).toEqual([]); // nothing is ten years old
    expect(result.deletedSamples).toBe(15); // 25 kept by the pass before, now 10
    expect(await repo.statementInterval.count()).toBe(before);
  });

  it("removing a target removes its intervals and rollups (no foreign keys on those tables)", async () => {
    const other = await repo.target.create({ data: { name: "other", host: "127.0.0.1", database: "other", username: "app" } });
    const s = await repo.statement.create({ data: { targetId: other.id, queryId: 2n, dbId: 5n, userId: 10n, queryText: "select 2" } });
    await repo.statementInterval.create({ data: { ...interval(NOW, 1, 1), targetId: other.id, statementId: s.id } });
    await repo.target.update({ where: { id: other.id }, data: { lastSnapshotAt: new Date(NOW.getTime() + HOUR_MS) } });
    await rollUpTarget(db, other.id);
    const keptIntervals = await repo.statementInterval.count({ where: { targetId } });
    const keptRollups = await repo.statementRollup.count({ where: { targetId } });
    await removeTarget(repo, "other");
    expect(await repo.statementInterval.count({ where: { targetId: other.id } })).toBe(0);
    expect(await repo.statementRollup.count({ where: { targetId: other.id } })).toBe(0);
    expect(await repo.statementInterval.count({ where: { targetId } })).toBe(keptIntervals);
    expect(await repo.statementRollup.count({ where: { targetId } })).toBe(keptRollups);
  });
});
