// Snapshot collection against real pg_stat_statements on PostgreSQL 18 and 15: exact deltas for a
// known workload, resets, evictions, first sight, atomicity. Each test has its own repository and
// target database; tests that reset or overflow pg_stat_statements get a dedicated cluster so the
// shared ones (other test files) are not disturbed.
import pg from "pg";
import { createPrisma } from "../../lib/db/client";
import { afterEach, describe, expect, it } from "vitest";
import { availableBinaries, monitoredSettings, startCluster, type TestCluster } from "../support/clusters";
import { testServers, type TestServer } from "../support/databases";
import { intervalsOf, openHarness, queryIdOf, type SnapshotHarness } from "../support/snapshot-harness";

const SLEEP = /pg_sleep/;
const SERIES = /generate_series/;

/** n operands joined by op: distinct normalized statements of the same family (constants are jumbled away). */
const chain = (operand: string, op: string, n: number) => `SELECT ${Array.from({ length: n }, () => operand).join(` ${op} `)}`;
const chainPattern = (operand: string, op: string, n: number) =>
  new RegExp(`^SELECT \\$1${Array.from({ length: n - 1 }, (_, i) => ` \\${op} \\$${i + 2}`).join("")}$`);

/**
 * Cumulative calls, Σ time and Σ time² of the pg_sleep statement, from pg_stat_statements itself
 * (its stddev is the population one: Σx² = n·(σ² + μ²)), summed over toplevel rows.
 */
async function sleepMoments(h: SnapshotHarness): Promise<{ calls: number; sumMs: number; sumSquaresMs2: number }> {
  const { rows } = await h.collector.query<{ calls: string; sum_ms: number; sum_squares_ms2: number }>(
    `SELECT sum(calls)::text AS calls, sum(total_exec_time) AS sum_ms,
            sum(calls * (stddev_exec_time ^ 2 + mean_exec_time ^ 2)) AS sum_squares_ms2
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE 'SELECT pg_sleep(%'`,
  );
  const row = rows[0];
  return { calls: Number(row?.calls ?? 0), sumMs: Number(row?.sum_ms ?? 0), sumSquaresMs2: Number(row?.sum_squares_ms2 ?? 0) };
}

/** No stored interval may be negative or empty, whatever happened to the counters. */
async function expectSaneIntervals(h: SnapshotHarness) {
  const all = await h.repo.statementInterval.findMany({ where: { targetId: h.target.id } });
  for (const i of all) {
    expect(i.calls).toBeGreaterThan(0n);
    for (const v of [i.rows, i.sharedHitBlocks, i.sharedReadBlocks, i.tempReadBlocks, i.tempWrittenBlocks, i.plans ?? 0n]) expect(v).toBeGreaterThanOrEqual(0n);
    for (const v of [i.totalExecMs, i.meanExecMs, i.execVarianceMs2, i.totalPlanMs ?? 0]) expect(v).toBeGreaterThanOrEqual(0);
    expect(i.windowEnd.getTime()).toBeGreaterThan(i.windowStart.getTime());
  }
}

const open: SnapshotHarness[] = [];
const clusters: TestCluster[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((h) => h.close()));
  await Promise.allSettled(clusters.splice(0).map((c) => c.dispose()));
});

async function harness(server: TestServer, targetAdminUrl = server.adminUrl, withCapabilities = true) {
  const h = await openHarness({ repoAdminUrl: server.adminUrl, targetAdminUrl, withCapabilities });
  open.push(h);
  return h;
}

async function dedicatedCluster(major: number, settings: Record<string, string | number | boolean> = monitoredSettings) {
  const binaries = (await availableBinaries()).find((b) => b.major === major);
  if (!binaries) throw new Error(`no PostgreSQL ${major} binaries`);
  const cluster = await startCluster(binaries, settings);
  clusters.push(cluster);
  return cluster;
}

describe.each(testServers())("collectSnapshot on PostgreSQL $major", (server) => {
  it("stores exact deltas for a known workload", async () => {
    const h = await harness(server);
    await h.run("SELECT g FROM generate_series(1, 7) AS g");
    await h.run("SELECT pg_sleep(0.001)");
    const first = await h.collect();
    expect(first.reset).toBe(false);
    expect(first.intervals).toBe(0); // everything is seen for the first time
    expect((await intervalsOf(h, SERIES)).counter?.calls).toBe(1n);

    await h.run("SELECT g FROM generate_series(1, 7) AS g", 13);
    const before = await sleepMoments(h);
    for (const seconds of [0.01, 0.01, 0.01, 0.01, 0.01, 0.03, 0.03, 0.03, 0.03, 0.03]) await h.workload.query(`SELECT pg_sleep(${seconds})`);
    const after = await sleepMoments(h);
    const second = await h.collect();
    expect(second.reset).toBe(false);
    expect(second.intervals).toBeGreaterThanOrEqual(2);

    const series = await intervalsOf(h, SERIES);
    expect(series.intervals).toHaveLength(1);
    const s = series.intervals[0]!;
    expect(s.calls).toBe(13n);
    expect(s.rows).toBe(13n * 7n);
    expect(s.plans).toBe(13n); // simple protocol: planned at every call, track_planning on
    expect(s.windowStart).toEqual(h.runs[0]);
    expect(s.windowEnd).toEqual(h.runs[1]);

    const sleep = (await intervalsOf(h, SLEEP)).intervals;
    expect(sleep).toHaveLength(1);
    const i = sleep[0]!;
    expect(i.calls).toBe(10n);
    expect(i.rows).toBe(10n);
    // The server's own clock, read straight from pg_stat_statements around the workload, is the
    // oracle: timings are exact whatever the machine's load (a client-side clock is not).
    const expectedMeanMs = (after.sumMs - before.sumMs) / 10;
    const expectedVarianceMs2 = (after.sumSquaresMs2 - before.sumSquaresMs2) / 10 - expectedMeanMs ** 2;
    expect(after.calls - before.calls).toBe(10);
    expect(i.meanExecMs).toBeCloseTo(expectedMeanMs, 6);
    expect(i.execVarianceMs2 / expectedVarianceMs2).toBeCloseTo(1, 6);
    expect(i.totalExecMs).toBeCloseTo(i.meanExecMs * 10, 6);
    // pg_sleep never sleeps less than asked: mean ≥ (5·10 + 5·30) / 10; two batches 20 ms apart put
    // every call ≈ 10 ms from the mean (variance ≈ 10² = 100; oversleeping only adds spread).
    expect(i.meanExecMs).toBeGreaterThanOrEqual(20);
    expect(i.execVarianceMs2).toBeGreaterThan(50);

    // No calls: the baseline stays, so the next interval spans both windows.
    const idle = await h.collect();
    expect((await intervalsOf(h, SERIES)).intervals).toHaveLength(1);
    expect(idle.reset).toBe(false);
    await h.run("SELECT g FROM generate_series(1, 7) AS g", 2);
    await h.collect();
    const again = (await intervalsOf(h, SERIES)).intervals;
    expect(again).toHaveLength(2);
    expect(again[1]!.calls).toBe(2n);
    expect(again[1]!.rows).toBe(14n);
    expect(again[1]!.windowStart).toEqual(h.runs[1]);
    expect(again[1]!.windowEnd).toEqual(h.runs[3]);
    await expectSaneIntervals(h);
  });

  it("keeps the baselines it wrote in memory, and reads them back when another collector wrote since", async () => {
    const h = await harness(server);
    const other = { repo: createPrisma(h.repoUrl), session: new pg.Client({ connectionString: h.repoUrl }) };
    await other.session.connect();
    try {
      const calls: bigint[] = [];
      for (const [i, through] of [undefined, undefined, undefined, other, undefined].entries()) {
        await h.run("SELECT g FROM generate_series(1, 7) AS g", i + 2);
        await h.collect(through);
      }
      for (const i of (await intervalsOf(h, SERIES)).intervals) calls.push(i.calls);
      // Exact deltas through every path: 3, 4, 5, 6 calls after the first snapshot (2 calls: first sight).
      expect(calls).toEqual([3n, 4n, 5n, 6n]);
      // Read from the repository: first run, the other process's first run, and this process once the
      // other one has written; from memory in between.
      const loaded = h.logs.filter((l) => l.startsWith("snapshot:")).map((l) => /\bbaselines \d+/.test(l));
      expect(loaded).toEqual([true, false, false, true, true]);
    } finally {
      await Promise.all([other.repo.$disconnect(), other.session.end()]);
    }
  });

  it("counts new statements from their first snapshot (capabilities detected by the collector)", async () => {
    const h = await harness(server, server.adminUrl, false);
    await h.run(chain("3", "-", 2), 4); // C
    await h.collect();
    await h.run(chain("3", "-", 2), 3);
    await h.run(chain("3", "-", 3), 5); // D: first executed inside the window
    const second = await h.collect();
    expect(second.reset).toBe(false);
    expect((await intervalsOf(h, chainPattern("3", "-", 2))).intervals.map((i) => i.calls)).toEqual([3n]);
    const d = await intervalsOf(h, chainPattern("3", "-", 3));
    expect(d.intervals).toEqual([]); // its 5 calls have no known start: baseline only
    expect(d.counter?.calls).toBe(5n);
    expect(d.counter?.capturedAt).toEqual(h.runs[1]);
    await h.run(chain("3", "-", 3), 2);
    await h.collect();
    expect((await intervalsOf(h, chainPattern("3", "-", 3))).intervals.map((i) => i.calls)).toEqual([2n]);
    const target = await h.repo.target.findUniqueOrThrow({ where: { id: h.target.id } });
    expect(target.lastSnapshotAt).toEqual(h.runs[2]);
    expect(target.statsResetAt).not.toBeNull();
    expect(target.deallocCount).not.toBeNull();
    await expectSaneIntervals(h);
  });

  it("restarts every baseline after pg_stat_statements_reset() and counts from there", async () => {
    const cluster = await dedicatedCluster(server.major);
    const h = await harness(server, cluster.server.url());
    const A = chain("5", "+", 2);
    await h.run(A, 3);
    await h.collect();
    await h.run(A, 2);
    expect((await h.collect()).reset).toBe(false);
    expect((await intervalsOf(h, chainPattern("5", "+", 2))).intervals.map((i) => i.calls)).toEqual([2n]);

    await h.workload.query("SELECT pg_stat_statements_reset()");
    await h.run(A, 7); // more calls than before the reset: only stats_reset can tell
    const reset = await h.collect();
    expect(reset.reset).toBe(true);
    expect(reset.intervals).toBe(0);
    const after = await intervalsOf(h, chainPattern("5", "+", 2));
    expect(after.intervals.map((i) => i.calls)).toEqual([2n]);
    expect(after.counter?.calls).toBe(7n);
    expect(await h.repo.statementInterval.count({ where: { windowEnd: h.runs[2] } })).toBe(0);

    await h.run(A, 1);
    const next = await h.collect();
    expect(next.reset).toBe(false);
    const last = (await intervalsOf(h, chainPattern("5", "+", 2))).intervals;
    expect(last.map((i) => i.calls)).toEqual([2n, 1n]);
    expect(last[1]!.windowStart).toEqual(h.runs[2]);
    await expectSaneIntervals(h);
  });

  it("restarts only the baseline of a statement reset on its own", async () => {
    const h = await harness(server);
    const A = chain("7", "+", 2);
    const B = chain("7", "+", 3);
    await h.run(A, 5);
    await h.run(B, 5);
    await h.collect();
    await h.run(A, 2);
    await h.run(B, 2);
    const queryId = await queryIdOf(h, chainPattern("7", "+", 2));
    await h.workload.query("SELECT pg_stat_statements_reset(current_user::regrole::oid, $1::oid, $2::bigint)", [h.targetDbOid.toString(), queryId.toString()]);
    await h.run(A, 1);
    const result = await h.collect();
    expect(result.reset).toBe(false);
    expect(result.restartedBaselines).toBeGreaterThanOrEqual(1);
    const a = await intervalsOf(h, chainPattern("7", "+", 2));
    expect(a.intervals).toEqual([]);
    expect(a.counter?.calls).toBe(1n);
    expect((await intervalsOf(h, chainPattern("7", "+", 3))).intervals.map((i) => i.calls)).toEqual([2n]);

    await h.run(A, 3);
    await h.collect();
    expect((await intervalsOf(h, chainPattern("7", "+", 2))).intervals.map((i) => i.calls)).toEqual([3n]);

    if (server.major >= 17) {
      // stats_since (1.11+) catches a re-created entry even when it ran more often than before.
      await h.workload.query("SELECT pg_stat_statements_reset(current_user::regrole::oid, $1::oid, $2::bigint)", [h.targetDbOid.toString(), queryId.toString()]);
      await h.run(A, 9);
      const r = await h.collect();
      expect(r.restartedBaselines).toBeGreaterThanOrEqual(1);
      const again = await intervalsOf(h, chainPattern("7", "+", 2));
      expect(again.intervals.map((i) => i.calls)).toEqual([3n]);
      expect(again.counter?.calls).toBe(9n);
    }
    await expectSaneIntervals(h);
  });

  it("stores nothing when the repository transaction fails half-way", async () => {
    const h = await harness(server);
    const A = chain("11", "+", 2);
    await h.run(A, 1);
    await h.collect();
    const before = {
      statements: await h.repo.statement.findMany({ orderBy: { id: "asc" } }),
      baselines: await h.repo.targetBaseline.findMany(),
      target: await h.repo.target.findUniqueOrThrow({ where: { id: h.target.id } }),
    };
    await h.run(A, 3);
    await h.run(chain("11", "+", 5), 2); // a statement the failed run would have inserted
    // Fails the third statement of the transaction (after the statement upsert has run).
    await h.repo.$executeRawUnsafe(`CREATE FUNCTION planwatch_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'planwatch test: interval insert refused'; END $$`);
    await h.repo.$executeRawUnsafe(`CREATE TRIGGER planwatch_test_fail BEFORE INSERT ON statement_interval FOR EACH STATEMENT EXECUTE FUNCTION planwatch_test_fail()`);
    await expect(h.collect()).rejects.toThrow(/interval insert refused/);
    expect(await h.repo.statement.findMany({ orderBy: { id: "asc" } })).toEqual(before.statements);
    expect(await h.repo.targetBaseline.findMany()).toEqual(before.baselines);
    expect(await h.repo.target.findUniqueOrThrow({ where: { id: h.target.id } })).toEqual(before.target);
    expect(await h.repo.statementInterval.count()).toBe(0);

    await h.repo.$executeRawUnsafe(`DROP TRIGGER planwatch_test_fail ON statement_interval`);
    await h.collect();
    const a = (await intervalsOf(h, chainPattern("11", "+", 2))).intervals;
    expect(a.map((i) => i.calls)).toEqual([3n]); // the failed run lost nothing
    expect(a[0]!.windowStart).toEqual(h.runs[0]);
    await expectSaneIntervals(h);
  });

  it("starts evicted statements from a new baseline (pg_stat_statements.max = 100), never a bogus delta", async () => {
    const cluster = await dedicatedCluster(server.major, { ...monitoredSettings, "pg_stat_statements.max": 100 });
    const h = await harness(server, cluster.server.url());
    const family = (operand: string, op: string, sizes: number[]) => sizes.map((n) => ({ sql: chain(operand, op, n), pattern: chainPattern(operand, op, n) }));
    const hot = family("2", "*", [2, 3, 4, 5, 6]);
    const coldRerun = family("3", "-", [2, 3, 4, 5, 6]);
    const coldIdle = family("3", "-", [7, 8, 9, 10, 11]);
    for (const s of hot) await h.run(s.sql, 20);
    for (const s of [...coldRerun, ...coldIdle]) await h.run(s.sql, 2);
    await h.collect();
    const deallocBefore = (await h.repo.target.findUniqueOrThrow({ where: { id: h.target.id } })).deallocCount ?? 0n;

    for (let n = 2; n <= 151; n++) await h.run(chain("1", "+", n), 3); // 150 fillers through a 100-entry table
    for (const s of hot) await h.run(s.sql, 3);
    for (const s of coldRerun) await h.run(s.sql, 1); // fewer calls than the baseline's 2 if re-created
    const second = await h.collect();
    expect(second.reset).toBe(false);
    expect((await h.repo.target.findUniqueOrThrow({ where: { id: h.target.id } })).deallocCount ?? 0n).toBeGreaterThan(deallocBefore);

    // What the collector read is in the new baseline: cumulative calls tell whether the entry
    // survived (baseline + window) or was evicted and re-created (window only). Entries evicted
    // again before the read have no baseline any more. Intervals must match exactly what ran.
    let restarted = 0;
    for (const [group, baseCalls, windowCalls] of [[hot, 20n, 3n], [coldRerun, 2n, 1n]] as const) {
      for (const s of group) {
        const { intervals, counter } = await intervalsOf(h, s.pattern);
        if (counter?.calls === baseCalls + windowCalls) expect(intervals.map((i) => i.calls)).toEqual([windowCalls]);
        else expect(intervals).toEqual([]);
        if (counter?.calls === windowCalls) restarted++;
        if (counter) expect([baseCalls + windowCalls, windowCalls]).toContain(counter.calls);
      }
    }
    expect(second.restartedBaselines).toBeGreaterThanOrEqual(restarted);
    // Fillers were first seen by this snapshot: baselines only.
    for (let n = 2; n <= 151; n += 37) expect((await intervalsOf(h, chainPattern("1", "+", n))).intervals).toEqual([]);

    // Statements missing from the snapshot keep no baseline, so coming back with more calls than
    // the old baseline (4 > 2) is a new baseline, not a delta of 2.
    const missing: typeof coldIdle = [];
    for (const s of coldIdle) if ((await intervalsOf(h, s.pattern)).counter === null) missing.push(s);
    expect(missing.length + restarted).toBeGreaterThan(0); // the eviction paths were exercised
    for (const s of missing) await h.run(s.sql, 4);
    const third = await h.collect();
    let cameBack = 0;
    for (const s of missing) {
      const { intervals, counter } = await intervalsOf(h, s.pattern);
      expect(intervals).toEqual([]);
      if (counter) {
        expect(counter.calls).toBe(4n);
        cameBack++;
      }
    }
    expect(third.restartedBaselines).toBeGreaterThanOrEqual(cameBack);
    await expectSaneIntervals(h);
  });
});
