// A repository, a monitored target database and sessions on it, for snapshot collector tests.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPrisma, type PrismaClient } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import { ensureDatabase } from "../../lib/db/postgres-server";
import { decodeBaselines } from "../../lib/collector/baseline-codec";
import { collectSnapshot } from "../../lib/collector/snapshot";
import type { CollectorTarget, SnapshotResult, TargetCapabilities } from "../../lib/collector/types";
import { databaseUrl } from "./databases";

/** What the capability detection would find, from the live server (fields the snapshot does not use get neutral values). */
export async function detectCapabilities(client: pg.ClientBase): Promise<TargetCapabilities> {
  const { rows } = await client.query<{ num: string; version: string; ext: string; track_planning: string | null; max: string; cqi: string }>(
    `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version,
            (SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements') AS ext,
            current_setting('pg_stat_statements.track_planning', true) AS track_planning,
            current_setting('pg_stat_statements.max') AS max, current_setting('compute_query_id') AS cqi`,
  );
  const r = rows[0]!;
  const [major, minor] = r.ext.split(".").map(Number) as [number, number];
  return {
    serverVersionNum: Number(r.num),
    serverVersion: r.version,
    pgStatStatements: { version: r.ext, trackPlanning: r.track_planning === "on", hasInfoView: major > 1 || minor >= 9, max: Number(r.max) },
    computeQueryId: r.cqi,
    autoExplain: { loaded: false, logFormat: null, logAnalyze: null, logBuffers: null, logMinDurationMs: null, sampleRate: null },
    serverLog: { loggingCollector: false, destinations: ["stderr"], directory: null, readableThroughSql: false, stderrHasQueryId: false },
    apgPlanMgmt: { installed: false },
    pgHintPlan: { installed: false, hintTableKey: null },
  };
}

/** A collector's hold on the repository: its Prisma client and its own session (the lock session). */
export interface Collector {
  repo: PrismaClient;
  session: pg.ClientBase;
}

export interface SnapshotHarness {
  repo: PrismaClient;
  repoUrl: string;
  target: CollectorTarget;
  /** oid of the target database: pg_stat_statements.dbid of the test's statements. */
  targetDbOid: bigint;
  /** The collector's session on the target. */
  collector: pg.Client;
  /** The test's workload session on the target. */
  workload: pg.Client;
  /** `now` of every collect() so far. */
  runs: Date[];
  /** One snapshot; `through` another repository client and session plays a second collector process. */
  collect(through?: Collector): Promise<SnapshotResult>;
  /** The log lines of every collect() so far. */
  logs: string[];
  /** Runs `sql` n times on the workload session. */
  run(sql: string, times?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Admin URL of the server holding the repository database. */
  repoAdminUrl: string;
  /** Admin URL of the monitored server. */
  targetAdminUrl: string;
  /** Give the collector detected capabilities (default) or none (it detects itself). */
  withCapabilities?: boolean;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function openHarness(options: HarnessOptions): Promise<SnapshotHarness> {
  const suffix = randomBytes(5).toString("hex");
  await ensureDatabase(options.repoAdminUrl, `repo_${suffix}`);
  await ensureDatabase(options.targetAdminUrl, `tgt_${suffix}`);
  const repoUrl = databaseUrl(options.repoAdminUrl, `repo_${suffix}`);
  const targetUrl = databaseUrl(options.targetAdminUrl, `tgt_${suffix}`);
  await applyMigrations(repoUrl);
  const repo = createPrisma(repoUrl);
  const repoSession = await connect(repoUrl);
  const collector = await connect(targetUrl);
  const workload = await connect(targetUrl);
  await collector.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const capabilities = options.withCapabilities === false ? null : await detectCapabilities(collector);
  const oid = await collector.query<{ oid: string }>("SELECT oid::int8::text AS oid FROM pg_database WHERE datname = current_database()");
  const u = new URL(targetUrl);
  const row = await repo.target.create({
    data: {
      name: `tgt_${suffix}`,
      host: u.hostname,
      port: Number(u.port),
      database: `tgt_${suffix}`,
      username: decodeURIComponent(u.username),
      capabilities: capabilities === null ? undefined : (capabilities as unknown as object),
    },
  });
  const target: CollectorTarget = { id: row.id, name: row.name, capabilities };
  const runs: Date[] = [];
  const logs: string[] = [];
  return {
    repo,
    repoUrl,
    target,
    targetDbOid: BigInt(oid.rows[0]!.oid),
    collector,
    workload,
    runs,
    logs,
    async collect(through = { repo, session: repoSession }) {
      let now = new Date();
      // Window bounds must move forward; two runs in the same millisecond would share a window start.
      while (runs.length > 0 && now.getTime() <= runs.at(-1)!.getTime()) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        now = new Date();
      }
      runs.push(now);
      return collectSnapshot({ repo: through.repo, repoSession: through.session, target, client: collector, now, log: (line) => logs.push(line) });
    },
    async run(sql, times = 1) {
      for (let i = 0; i < times; i++) await workload.query(sql);
    },
    async close() {
      await Promise.allSettled([repo.$disconnect(), repoSession.end(), collector.end(), workload.end()]);
    },
  };
}

/** queryid of a statement of this database whose normalized text matches. */
export async function queryIdOf(h: SnapshotHarness, textPattern: RegExp): Promise<bigint> {
  const { rows } = await h.collector.query<{ queryid: string; query: string }>(
    "SELECT DISTINCT queryid::text AS queryid, query FROM pg_stat_statements WHERE dbid = $1::oid",
    [h.targetDbOid.toString()],
  );
  const found = rows.filter((r) => textPattern.test(r.query));
  if (found.length !== 1) throw new Error(`expected one statement matching ${textPattern}, found ${found.length}`);
  return BigInt(found[0]!.queryid);
}

/** Intervals stored for this database's statement whose text matches, oldest first. */
export async function intervalsOf(h: SnapshotHarness, textPattern: RegExp) {
  const statements = await h.repo.statement.findMany({ where: { targetId: h.target.id, dbId: h.targetDbOid } });
  const found = statements.filter((s) => textPattern.test(s.queryText));
  if (found.length > 1) throw new Error(`more than one statement matches ${textPattern}: ${found.map((s) => s.queryText).join(" | ")}`);
  const statement = found[0];
  // Intervals have no relation field (no foreign key on the partitioned table): read them by id.
  const intervals = statement ? await h.repo.statementInterval.findMany({ where: { statementId: statement.id }, orderBy: { windowStart: "asc" } }) : [];
  const packed = await h.repo.targetBaseline.findUnique({ where: { targetId: h.target.id } });
  const baseline = packed && statement ? decodeBaselines(packed.counters, packed.format, packed.statementCount).find((b) => b.statementId === statement.id) : undefined;
  // The statement's baseline: its cumulative counters and when they were taken (null: none).
  const counter = baseline ? { ...baseline.counters, capturedAt: baseline.capturedAt } : null;
  return { statement, counter, intervals };
}
