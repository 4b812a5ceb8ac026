// Checkpoints of running totals (lib/db/checkpoints.ts): the collector writes with every snapshot
// exactly what rebuilding them from the stored intervals gives, and a ranking read from checkpoints
// equals the one pooled from intervals and rollups (itself checked against the pure per-interval
// ranking in regressions.test.ts), across period boundaries and window edges.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { decodeCheckpoint } from "@/lib/db/checkpoint-codec";
import { backfillCheckpoints } from "@/lib/db/checkpoints";
import { rankTarget } from "@/lib/db/regressions";
import { rollUpTarget } from "@/lib/db/rollups";
import { prismaRunner } from "@/lib/db/sql-runner";
import type { RankedStatement } from "@/lib/regression";
import { PERIOD_MS, periodStartMs } from "@/lib/regression/running-totals";
import { testServers } from "../support/databases";
import { freshRepository } from "../support/repository";
import { planwatch } from "../support/cli";
import { openHarness } from "../support/snapshot-harness";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Two hours after a period boundary (2030-01-03T00:00Z): 1 h vs 24 h crosses one, 1 d vs 7 d two.
const PERIOD_END = new Date(periodStartMs(Date.parse("2030-01-03T00:00:00Z")) + PERIOD_MS);
const NOW = new Date(PERIOD_END.getTime() + 2 * HOUR_MS);

async function storedCheckpoints(session: pg.ClientBase, targetId: bigint) {
  const { rows } = await session.query<{ at: Date; format: number; statement_count: number; totals: Buffer }>(
    "SELECT at, format, statement_count, totals FROM target_checkpoint WHERE target_id = $1::bigint ORDER BY at",
    [targetId],
  );
  return rows.map((r) => ({ at: r.at.toISOString(), totals: Object.fromEntries(decodeCheckpoint(r.totals, r.format, r.statement_count)) }));
}

describe.each(testServers())("checkpoints on PostgreSQL $major", (server) => {
  it("the collector writes, through memory and through another collector, what the stored intervals give", async () => {
    const h = await openHarness({ repoAdminUrl: server.adminUrl, targetAdminUrl: server.adminUrl });
    const other = { repo: createPrisma(h.repoUrl), session: new pg.Client({ connectionString: h.repoUrl }) };
    await other.session.connect();
    try {
      for (const [i, through] of [undefined, undefined, undefined, other, undefined, undefined].entries()) {
        await h.run("SELECT g FROM generate_series(1, 7) AS g", i + 2);
        await h.run(`SELECT count(*) FROM pg_class WHERE relpages > ${i}`);
        await h.collect(through);
      }
      const written = await storedCheckpoints(other.session, h.target.id);
      // Every snapshot after the first one stored intervals (the first only sees statements).
      expect(written.map((c) => c.at)).toEqual(h.runs.slice(1).map((r) => r.toISOString()));
      const first = written[0]!.totals;
      expect(Object.keys(first).length).toBeGreaterThan(0);
      // The last checkpoint holds every statement's sums over all its intervals (unless the test ran
      // across a period's end, Thursday 00:00 UTC).
      const onePeriod = periodStartMs(h.runs[0]!.getTime()) === periodStartMs(h.runs.at(-1)!.getTime());
      const { rows } = await other.session.query<{ statement_id: string; calls: string }>(
        "SELECT statement_id::text, sum(calls)::text AS calls FROM statement_interval WHERE target_id = $1::bigint GROUP BY 1",
        [h.target.id],
      );
      if (onePeriod) {
        expect(Object.fromEntries(Object.entries(written.at(-1)!.totals).map(([id, t]) => [id, t.calls]))).toEqual(
          Object.fromEntries(rows.map((r) => [r.statement_id, Number(r.calls)])),
        );
      }
      // Rebuilt from the intervals: the same bytes' worth, checkpoint by checkpoint.
      const target = await h.repo.target.findUniqueOrThrow({ where: { id: h.target.id } });
      expect(target.checkpointsFrom).toEqual(h.runs[1]);
      await backfillCheckpoints(other.session, h.target.id, h.runs[0]!);
      expect(await storedCheckpoints(other.session, h.target.id)).toEqual(written);
      // Loaded back from the repository when another collector wrote since (logged as a step).
      const loaded = h.logs.filter((l) => l.startsWith("snapshot:")).map((l) => /\bcheckpoint \d+/.test(l));
      expect(loaded).toEqual([true, false, false, true, true, false]);

      // A backfill that finds intervals from before this collector's first checkpoint (here: one
      // stored by hand at the period's start) changes the totals: the collector reads them back.
      const [someone] = rows;
      const periodStart = periodStartMs(h.runs.at(-1)!.getTime());
      await other.session.query(
        `INSERT INTO statement_interval (target_id, statement_id, window_start, window_end, calls, total_exec_ms, mean_exec_ms, exec_variance_ms2,
                                         rows, shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks)
         VALUES ($1::bigint, $2::bigint, $3::timestamptz, $4::timestamptz, 1000, 1000, 1, 0, 0, 0, 0, 0, 0)`,
        [h.target.id, someone!.statement_id, new Date(periodStart), new Date(periodStart + 1)],
      );
      await backfillCheckpoints(other.session, h.target.id, new Date(periodStart));
      await h.run("SELECT g FROM generate_series(1, 7) AS g", 3);
      await h.collect();
      const last = (await storedCheckpoints(other.session, h.target.id)).at(-1)!.totals;
      const { rows: sums } = await other.session.query<{ calls: string }>(
        "SELECT sum(calls)::text AS calls FROM statement_interval WHERE statement_id = $1::bigint AND window_end > $2::timestamptz",
        [someone!.statement_id, new Date(periodStart)],
      );
      expect(last[someone!.statement_id]!.calls).toBe(Number(sums[0]!.calls));
      expect(h.logs.at(-1)).toMatch(/\bcheckpoint \d+/);
    } finally {
      await Promise.all([other.repo.$disconnect(), other.session.end()]);
      await h.close();
    }
  });
});

describe("rankTarget from checkpoints", () => {
  const server = testServers()[0]!;
  let repo: PrismaClient;
  let session: pg.Client;
  let url: string;
  let targetId: bigint;

  beforeAll(async () => {
    const fresh = await freshRepository(server);
    repo = fresh.repo;
    url = fresh.url;
    session = new pg.Client({ connectionString: fresh.url });
    await session.connect();
    targetId = (await repo.target.create({ data: { name: "shop", host: "127.0.0.1", database: "shop", username: "app" } })).id;
    // 40 statements × 9 days of 20-minute intervals, values from a fixed LCG: regressions,
    // improvements and noise, planning tracked or not, and intervals exactly on the boundaries.
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const step = 20 * 60_000;
    const data = [];
    for (let s = 0; s < 40; s++) {
      const statement = await repo.statement.create({ data: { targetId, queryId: BigInt(1000 + s), dbId: 5n, userId: 10n, queryText: `select ${s}` } });
      const base = 1 + 50 * random();
      const factor = s % 4 === 0 ? 3 : s % 4 === 1 ? 0.3 : 1;
      for (let end = NOW.getTime() - 9 * DAY_MS; end <= NOW.getTime() + HOUR_MS; end += step) {
        if (random() < 0.15) continue;
        const recent = end > NOW.getTime() - 3 * HOUR_MS;
        const calls = s % 7 === 3 && random() < 0.2 ? 0 : Math.floor(1 + 200 * random());
        const mean = (recent ? base * factor : base) * (0.9 + 0.2 * random());
        const tracked = s % 5 !== 2 || end < NOW.getTime() - 2 * DAY_MS;
        data.push({
          targetId,
          statementId: statement.id,
          windowStart: new Date(end - step),
          windowEnd: new Date(end),
          calls: BigInt(calls),
          totalExecMs: calls * mean,
          meanExecMs: calls > 0 ? mean : 0,
          execVarianceMs2: calls > 0 ? mean * mean * 0.05 * random() : 0,
          totalPlanMs: tracked ? 0.1 * (calls + 1) : null,
          plans: tracked ? BigInt(calls + 1) : null,
          rows: BigInt(calls * 3),
          sharedHitBlocks: BigInt(calls * 10),
          sharedReadBlocks: BigInt(Math.floor(calls * 5 * random())),
          tempReadBlocks: 0n,
          tempWrittenBlocks: BigInt(recent && s % 4 === 2 ? calls * 40 : 0),
        });
      }
    }
    await repo.statementInterval.createMany({ data });
    await repo.target.update({ where: { id: targetId }, data: { lastSnapshotAt: NOW } });
    await rollUpTarget(prismaRunner(repo), targetId);
  });

  afterAll(async () => {
    await session?.end();
    await repo?.$disconnect();
  });

  const CASES = [
    { now: NOW, recentMs: HOUR_MS, baselineMs: DAY_MS },
    { now: NOW, recentMs: DAY_MS, baselineMs: 7 * DAY_MS },
    { now: PERIOD_END, recentMs: 2 * HOUR_MS, baselineMs: 2 * DAY_MS }, // the recent window ends on the period's end
    { now: new Date(NOW.getTime() - 37 * 60_000 - 13_000), recentMs: 3 * HOUR_MS, baselineMs: 3 * DAY_MS }, // ragged edges
  ];
  const rankAll = () => Promise.all(CASES.map((c) => rankTarget(repo, { targetName: "shop", ...c })));

  function expectSame(actual: RankedStatement[], expected: RankedStatement[]) {
    expect(actual.map((r) => r.statementId)).toEqual(expected.map((r) => r.statementId));
    const close = (a: unknown, b: unknown): void => {
      if (typeof a === "number" && typeof b === "number") expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(b)));
      else if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
        expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
        for (const k of Object.keys(b)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
      } else expect(a).toEqual(b);
    };
    actual.forEach((row, i) => close(row, expected[i]));
  }

  it("equals the ranking pooled from intervals and rollups, for windows across period boundaries", async () => {
    const pooled = await rankAll();
    expect(pooled.map((rows) => rows.length)).toEqual([40, 40, 40, 40]);
    expect(pooled[0]!.filter((r) => r.verdict === "regression").length).toBeGreaterThan(3);
    // `planwatch checkpoints` rebuilds them from the stored intervals: here from 14 days before the
    // real clock, which is before the whole (2030) dataset. An unknown target changes nothing.
    const unknown = await planwatch(["checkpoints", "--target", "nope"], { DATABASE_URL: url });
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringMatching(/no target named "nope"/)]);
    expect(await repo.targetCheckpoint.count()).toBe(0);
    const cli = await planwatch(["checkpoints", "--target", "shop", "--json"], { DATABASE_URL: url });
    expect(cli.code).toBe(0);
    const [done] = JSON.parse(cli.stdout) as { target: string; checkpoints: number }[];
    expect(done).toMatchObject({ target: "shop" });
    expect(done!.checkpoints).toBeGreaterThan(600); // 9 days of 20-minute snapshots, 15 % skipped per statement
    const fromCheckpoints = await rankAll();
    fromCheckpoints.forEach((rows, c) => expectSame(rows, pooled[c]!));

    // Not vacuous: the ranking reads the checkpoints (without the last period's, the recent windows are empty).
    await session.query("DELETE FROM target_checkpoint WHERE target_id = $1::bigint AND at > $2::timestamptz", [targetId, PERIOD_END]);
    const withoutLast = await rankTarget(repo, { targetName: "shop", ...CASES[0]! });
    expect(withoutLast.map((r) => r.recentCalls)).not.toEqual(pooled[0]!.map((r) => r.recentCalls));
    // A window starting before checkpoints_from is pooled from intervals again.
    await repo.target.update({ where: { id: targetId }, data: { checkpointsFrom: new Date(NOW.getTime() - 2 * HOUR_MS) } });
    expectSame(await rankTarget(repo, { targetName: "shop", ...CASES[0]! }), pooled[0]!);
  });
});
