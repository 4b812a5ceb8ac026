// A plan repository at scale for the ranking and web benchmarks: N statements × D days of 5-minute
// intervals (5,000 × 30 d ≈ 43 M interval rows), generated in SQL on an embedded PostgreSQL 18 of its
// own, then rolled up and vacuumed exactly as production would be (lib/db/rollups.ts). The cluster is
// kept in .planwatch-bench/ and reused while the parameters and GENERATOR_VERSION are the same;
// later migrations are applied to it on start, as they would be to a production repository.
//
// The data has known answers: every 100th statement regresses 3× over the last 3 hours with a new
// plan; every 100th + 1 improves 3× over the last 3 hours; every 100th + 2 regresses 3× without a plan
// change; the rest are stable noise. Slow statements (every 5th) have one auto_explain sample per
// hour of their plan. Values come from hashes of (statement, time), so two generations are equal.
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { backfillCheckpoints } from "../../lib/db/checkpoints";
import { applyMigrations } from "../../lib/db/migrate";
import { RETENTION_DEFAULTS } from "../../lib/db/retention";
import { ensureIntervalPartitions } from "../../lib/db/partitions";
import { rollUpTarget } from "../../lib/db/rollups";
import { embeddedBinaries, ensureDatabase, PostgresServer } from "../../lib/db/postgres-server";
import { pgRunner } from "../../lib/db/sql-runner";
import { DAY_MS } from "../../lib/regression/rollup-segments";

export interface ScaleParams {
  statements: number;
  days: number;
  /** Minutes between two snapshots. */
  stepMinutes: number;
}

export const DEFAULT_SCALE: ScaleParams = { statements: 5000, days: 30, stepMinutes: 5 };
export const SCALE_TARGET = "scale";

export interface ScaleRepository {
  url: string;
  targetName: string;
  params: ScaleParams;
  /** The last snapshot's time: rank with now = endAt to see the generated windows. */
  endAt: Date;
  intervalRows: number;
  generatedNow: boolean;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "..", "..");
const PASSWORD = "bench-scale-Pa55word";

/** Bump when the generated data changes meaning (forces a new generation). */
const GENERATOR_VERSION = 1;

/**
 * Starts (and on first use generates) the scale repository. `log` gets progress lines; generation of
 * the default size takes several minutes on two cores.
 */
export async function scaleRepository(params: ScaleParams = DEFAULT_SCALE, options: { port?: number; log?: (line: string) => void } = {}): Promise<ScaleRepository> {
  const log = options.log ?? ((line: string) => console.error(line));
  const dataRoot = path.join(root, ".planwatch-bench", `scale-${params.statements}x${params.days}d-${params.stepMinutes}m`);
  const marker = path.join(dataRoot, "dataset.json");
  const identity = JSON.stringify({ params, version: GENERATOR_VERSION });
  let generate = true;
  if (existsSync(marker)) {
    const saved = JSON.parse(await readFile(marker, "utf8")) as { identity: string; endAt: string; intervalRows: number };
    if (saved.identity === identity) generate = false;
  }
  // Two benches at once would share (or worse, regenerate under each other) one cluster.
  const pidFile = path.join(dataRoot, "data", "postmaster.pid");
  if (existsSync(pidFile) && processAlive(Number((await readFile(pidFile, "utf8")).split("\n")[0]))) {
    throw new Error(`the scale dataset in ${dataRoot} is in use by another process (a generation or a benchmark); wait for it to finish`);
  }
  if (generate) await rm(dataRoot, { recursive: true, force: true });

  const server = await PostgresServer.start({
    binaries: await embeddedBinaries(),
    dataDir: path.join(dataRoot, "data"),
    port: options.port ?? 55490,
    password: PASSWORD,
    // A repository server sized for the machine (24 GB, 2 cores), durable settings off only while generating.
    settings: {
      shared_buffers: "2GB",
      effective_cache_size: "8GB",
      work_mem: "64MB",
      maintenance_work_mem: "1GB",
      max_wal_size: "8GB",
      max_parallel_workers_per_gather: 2,
      logging_collector: "on",
      log_directory: "log",
      ...(generate ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off", autovacuum: "off" } : {}),
    },
  });
  const adminUrl = server.url();
  await ensureDatabase(adminUrl, "planwatch");
  const url = adminUrl.replace(/\/postgres$/, "/planwatch");
  try {
    let endAt: Date;
    let intervalRows: number;
    if (generate) {
      ({ endAt, intervalRows } = await generateInto(url, params, log));
      await writeFile(marker, JSON.stringify({ identity, endAt: endAt.toISOString(), intervalRows }, null, 2));
      // Restart with the normal (durable, autovacuum on) settings.
      await server.stop();
      return scaleRepository(params, options);
    }
    const saved = JSON.parse(await readFile(marker, "utf8")) as { endAt: string; intervalRows: number };
    await applyMigrations(url);
    endAt = new Date(saved.endAt);
    intervalRows = saved.intervalRows;
    await ensureCheckpoints(url, endAt, log);
    return { url, targetName: SCALE_TARGET, params, endAt, intervalRows, generatedNow: false, stop: () => server.stop() };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** Days of checkpoints the dataset gets: the raw retention default, which holds the benchmarks' 1 d vs 7 d. */
const CHECKPOINT_DAYS = RETENTION_DEFAULTS.rawDays;

/**
 * Checkpoints (lib/db/checkpoints.ts) for the dataset's last CHECKPOINT_DAYS, built from its
 * intervals by backfillCheckpoints as an upgraded repository would be, once: a dataset generated
 * before checkpoints existed gets them on its next start.
 */
async function ensureCheckpoints(url: string, endAt: Date, log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; from: Date | null }>(`SELECT id::text, checkpoints_from AS from FROM target WHERE name = $1`, [SCALE_TARGET]);
    const target = rows[0];
    if (!target || target.from !== null) return;
    const started = performance.now();
    log(`scale: building checkpoints for the last ${CHECKPOINT_DAYS} days (once; a few minutes)`);
    const written = await backfillCheckpoints(client, BigInt(target.id), new Date(endAt.getTime() - CHECKPOINT_DAYS * DAY_MS));
    await client.query("VACUUM ANALYZE target_checkpoint");
    log(`scale: ${written} checkpoints (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await client.end();
  }
}

async function generateInto(url: string, params: ScaleParams, log: (line: string) => void): Promise<{ endAt: Date; intervalRows: number }> {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  await applyMigrations(url);
  const stepMs = params.stepMinutes * 60_000;
  const endAt = new Date(Math.floor(Date.now() / stepMs) * stepMs);
  const startAt = new Date(endAt.getTime() - params.days * DAY_MS);
  const steps = Math.round((params.days * DAY_MS) / stepMs);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO target (name, host, port, database, username, server_version, server_version_num, health, collect_interval_seconds, updated_at, last_snapshot_at)
       VALUES ($1, 'generated.invalid', 5432, 'scale', 'bench', '18.0', 180000, 'healthy', $2, now(), $3) RETURNING id::text`,
      [SCALE_TARGET, params.stepMinutes * 60, endAt],
    );
    const targetId = rows[0]!.id;
    await client.query(
      `INSERT INTO statement (target_id, query_id, db_id, user_id, query_text, first_seen_at, last_seen_at)
       SELECT $1::bigint, hashint8extended(g, 42), 16384, 10,
              format('SELECT * FROM table_%s WHERE key_%s = $1 AND status = $2 /* statement %s */', g % 50, g % 7, g), $2, $3
         FROM generate_series(1, $4::int) g`,
      [targetId, startAt, endAt, params.statements],
    );
    log(`scale: ${params.statements} statements (${elapsed()})`);
    await ensureIntervalPartitions(pgRunner(client), startAt, endAt);
    // Statement g: base mean 0.1 … 100 ms (log-uniform), 1 … 500 calls per step; regressions and
    // improvements as described at the top, from 3 hours before the end.
    const changeAt = new Date(endAt.getTime() - 3 * 3_600_000);
    const perBatch = Math.max(1, Math.floor(2_000_000 / params.statements));
    let intervalRows = 0;
    for (let first = 1; first <= steps; first += perBatch) {
      const last = Math.min(steps, first + perBatch - 1);
      const result = await client.query(
        `INSERT INTO statement_interval (target_id, statement_id, window_start, window_end, calls, total_exec_ms, mean_exec_ms, exec_variance_ms2,
                                         total_plan_ms, plans, rows, shared_hit_blocks, shared_read_blocks, temp_read_blocks, temp_written_blocks)
         SELECT $1::bigint, s.id, w.window_end - $3::interval, w.window_end, c.calls, c.calls * c.mean, c.mean, (0.2 * c.mean) * (0.2 * c.mean),
                c.calls * 0.05::float8, c.calls, c.calls * 3, c.calls * 40, c.calls * (s.n % 3), 0, 0
           FROM generate_series($4::int, $5::int) k
          CROSS JOIN LATERAL (SELECT $2::timestamptz + k * $3::interval AS window_end) w
          CROSS JOIN (SELECT id, (id - min(id) OVER ()) + 1 AS n FROM statement WHERE target_id = $1::bigint) s
          CROSS JOIN LATERAL (
            SELECT 1 + abs(hashint8extended(s.n, 7)) % 500 AS calls,
                   -- float8 throughout: numeric arithmetic would take most of the generation time
                   exp(ln(0.1::float8) + (abs(hashint8extended(s.n, 9)) % 1000)::float8 / 1000 * ln(1000::float8))
                     * (1 + (abs(hashint8extended(s.n * 100000 + k, 11)) % 200 - 100)::float8 / 1000)
                     * CASE WHEN w.window_end > $6::timestamptz AND s.n % 100 IN (0, 2) THEN 3::float8
                            WHEN w.window_end > $6::timestamptz AND s.n % 100 = 1 THEN 1 / 3::float8 ELSE 1::float8 END AS mean
          ) c
          ORDER BY k, s.id`,
        [targetId, startAt, `${params.stepMinutes} minutes`, first, last, changeAt],
      );
      intervalRows += result.rowCount ?? 0;
      if (Math.floor(((first - 1) * 10) / steps) !== Math.floor(((last) * 10) / steps)) log(`scale: ${intervalRows.toLocaleString("en")} intervals (${elapsed()})`);
    }
    await generatePlans(client, targetId, startAt, endAt, changeAt);
    log(`scale: plans and samples (${elapsed()})`);
    await rollUpTarget(pgRunner(client), BigInt(targetId));
    log(`scale: rolled up (${elapsed()})`);
    await client.query("VACUUM (ANALYZE)");
    log(`scale: vacuumed and analyzed (${elapsed()})`);
    return { endAt, intervalRows };
  } finally {
    await client.end();
  }
}

/** One Approved plan per statement; a second plan for the plan-change regressions; hourly samples of every 5th statement. */
async function generatePlans(client: pg.Client, targetId: string, startAt: Date, endAt: Date, changeAt: Date): Promise<void> {
  const planJson = `jsonb_build_object('Plan', jsonb_build_object('Node Type', 'Index Scan', 'Relation Name', format('table_%s', n % 50), 'Total Cost', 8.3))`;
  await client.query(
    `INSERT INTO plan (statement_id, fingerprint, status, first_seen_at, last_seen_at, plan, source)
     SELECT id, format('idx-%s', n), 'Approved', $2, $3, ${planJson}, 'auto_explain'
       FROM (SELECT id, (id - min(id) OVER ()) + 1 AS n FROM statement WHERE target_id = $1::bigint) s`,
    [targetId, startAt, endAt],
  );
  await client.query(
    `INSERT INTO plan (statement_id, fingerprint, status, first_seen_at, last_seen_at, plan, source)
     SELECT id, format('seq-%s', n), 'Unapproved', $2, $3,
            jsonb_build_object('Plan', jsonb_build_object('Node Type', 'Seq Scan', 'Relation Name', format('table_%s', n % 50), 'Total Cost', 1840.0)), 'auto_explain'
       FROM (SELECT id, (id - min(id) OVER ()) + 1 AS n FROM statement WHERE target_id = $1::bigint) s
      WHERE n % 100 = 0`,
    [targetId, changeAt, endAt],
  );
  // The plan that ran at each hour: the new plan after the change for the plan-change regressions.
  await client.query(
    `INSERT INTO plan_sample (plan_id, captured_at, estimated_total_cost, actual_total_ms, actual_rows, shared_hit_blocks, shared_read_blocks, planning_ms, source)
     SELECT p.id, h, CASE WHEN p.fingerprint LIKE 'seq-%' THEN 1840.0 ELSE 8.3 END, 1.5, 1, 40, 0, 0.05, 'auto_explain'
       FROM (SELECT id, (id - min(id) OVER ()) + 1 AS n FROM statement WHERE target_id = $1::bigint) s
       JOIN plan p ON p.statement_id = s.id
      CROSS JOIN generate_series($2::timestamptz + interval '1 hour', $3::timestamptz, interval '1 hour') h
      WHERE s.n % 5 = 0
        AND CASE WHEN s.n % 100 = 0 AND h > $4::timestamptz THEN p.fingerprint LIKE 'seq-%' ELSE p.fingerprint LIKE 'idx-%' END`,
    [targetId, startAt, endAt, changeAt],
  );
}

function processAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
