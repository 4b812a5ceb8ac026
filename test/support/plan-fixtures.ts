// Real plans from a real target, and repository rows holding them, for write-back, validation and
// baseline tests. Plans differ by planner settings (SET LOCAL inside a rolled-back transaction).
import type { PrismaClient } from "../../lib/db/client";
import type { TargetCapabilities } from "../../lib/collector/types";
import { fingerprint, parsePlan } from "../../lib/plan";
import { withClient } from "./databases";

export const ORDERS_SETUP = `
  create table customers (id int primary key, name text);
  create table orders (id int primary key, customer_id int not null, total numeric);
  insert into customers select g, 'c' || g from generate_series(1, 2000) g;
  insert into orders select g, 1 + g % 2000, g from generate_series(1, 100000) g;
  create index orders_customer_idx on orders (customer_id);
  analyze customers; analyze orders;
`;

/** Planner settings that force each plan shape of "select … from orders where customer_id = 42". */
export const SHAPES = {
  indexScan: { enable_bitmapscan: "off", enable_seqscan: "off" },
  bitmapScan: { enable_indexscan: "off", enable_seqscan: "off" },
  seqScan: { enable_indexscan: "off", enable_bitmapscan: "off", max_parallel_workers_per_gather: "0" },
  // Gather + Parallel Seq Scan: pg_hint_plan cannot pin it completely.
  parallelSeqScan: {
    enable_indexscan: "off",
    enable_bitmapscan: "off",
    parallel_setup_cost: "0",
    parallel_tuple_cost: "0",
    min_parallel_table_scan_size: "0",
    max_parallel_workers_per_gather: "2",
  },
} as const satisfies Record<string, Record<string, string>>;

export const ORDERS_SQL = "select * from orders where customer_id = 42";

/** EXPLAIN (FORMAT JSON) of sql under the given settings, as the server returns it. */
export async function explainJson(url: string, sql: string, settings: Record<string, string> = {}, verbose = false): Promise<unknown> {
  return withClient(url, async (c) => {
    await c.query("BEGIN");
    try {
      for (const [name, value] of Object.entries(settings)) await c.query(`SELECT set_config($1, $2, true)`, [name, value]);
      const { rows } = await c.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON${verbose ? ", VERBOSE" : ""}) ${sql}`);
      return rows[0]?.["QUERY PLAN"];
    } finally {
      await c.query("ROLLBACK");
    }
  });
}

export function fingerprintOf(json: unknown): string {
  return fingerprint(parsePlan(json));
}

export interface SeededPlan {
  json: unknown;
  status?: "Approved" | "Unapproved" | "Rejected" | "Preferred";
  enabled?: boolean;
  lastSeenAt?: Date;
}

let seq = 0;

/** A statement of the target with the given plans; returns ids in the order given. */
export async function seedStatement(repo: PrismaClient, targetId: bigint, queryText: string, plans: SeededPlan[], queryId?: bigint) {
  seq += 1;
  const statement = await repo.statement.create({
    data: { targetId, queryId: queryId ?? BigInt(-7_000_000_000_000) - BigInt(seq) * 7919n - BigInt(Date.now() % 100_000), dbId: 5n, userId: 10n, queryText },
  });
  const ids: bigint[] = [];
  for (const p of plans) {
    const row = await repo.plan.create({
      data: {
        statementId: statement.id,
        fingerprint: fingerprintOf(p.json),
        status: p.status ?? "Unapproved",
        enabled: p.enabled ?? true,
        plan: p.json as object,
        source: "on_demand",
        ...(p.lastSeenAt ? { lastSeenAt: p.lastSeenAt } : {}),
      },
    });
    ids.push(row.id);
  }
  return { statement, planIds: ids };
}

/** Capabilities as detection would store them, with the plan-management part chosen by the test. */
export function capabilitiesWith(part: Pick<TargetCapabilities, "apgPlanMgmt" | "pgHintPlan">, major: number): TargetCapabilities {
  return {
    serverVersionNum: major * 10000,
    serverVersion: `${major}.0`,
    pgStatStatements: { version: "1.10", trackPlanning: true, hasInfoView: true, max: 5000 },
    computeQueryId: "on",
    autoExplain: { loaded: false, logFormat: null, logAnalyze: null, logBuffers: null, logMinDurationMs: null, sampleRate: null },
    serverLog: { loggingCollector: false, destinations: ["stderr"], directory: null, readableThroughSql: false, stderrHasQueryId: false },
    ...part,
  };
}
