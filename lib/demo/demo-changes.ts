// What the demo changes, and when. Every change is aimed at one statement of the workload and has a
// known right answer (the ground truth the banner shows and the workload test checks). The baseline
// period comes first: the ranking needs intervals and auto_explain samples of every statement before
// any change. The changes then follow a few seconds apart. The ranking's recent window starts at the
// first change, so a statement changed later has "before" calls in it too: the spill (about 2×
// slower, the smallest effect) comes first, then the plan changes, so that a few minutes in every
// touched statement's recent window is mostly "after" (the dominant plan of a window is the one with
// the most samples in it); the stale statistics, 100× slower with the same plan, come last.
import pg from "pg";
import { DEMO_STATEMENTS, sleep, type DemoStatementKey, type DemoWorkload } from "./demo-workload";
import type { DemoTimeline, TimelineEvent } from "./timeline";

export interface DemoChange {
  id: string;
  title: string;
  /** Runs as the superuser on the demo database. */
  sql: string;
  statement: DemoStatementKey;
  expectedVerdict: TimelineEvent["expectedVerdict"];
  expectedCause: TimelineEvent["expectedCause"];
}

export const DEMO_CHANGES: readonly DemoChange[] = [
  {
    id: "work-mem",
    title: "Role pw_memory's work_mem cut from 64MB to 64kB: its hash aggregate spills to disk",
    sql: "ALTER ROLE pw_memory SET work_mem = '64kB'",
    statement: "bucketCounts",
    expectedVerdict: "regression",
    expectedCause: "same-plan",
  },
  {
    id: "drop-index",
    title: "Index orders_customer_idx dropped: orders by customer scan the whole table",
    sql: "DROP INDEX orders_customer_idx",
    statement: "ordersByCustomer",
    expectedVerdict: "regression",
    expectedCause: "plan-change",
  },
  {
    id: "generic-plan",
    title: "Role pw_generic switched to plan_cache_mode = force_generic_plan: its skewed prepared join gets a generic plan",
    sql: "ALTER ROLE pw_generic SET plan_cache_mode = force_generic_plan",
    statement: "skewedJoin",
    expectedVerdict: "regression",
    expectedCause: "plan-change",
  },
  {
    id: "planner-setting",
    title: "Role pw_planner set enable_nestloop = off: the shipment lookup joins orders by hash",
    sql: "ALTER ROLE pw_planner SET enable_nestloop = off",
    statement: "shipmentLookup",
    expectedVerdict: "regression",
    expectedCause: "plan-change",
  },
  {
    id: "add-index",
    title: "Index events_kind_idx created: counting rare events no longer scans the table (faster)",
    sql: "CREATE INDEX events_kind_idx ON events (kind)",
    statement: "eventsByKind",
    expectedVerdict: "improvement",
    expectedCause: "plan-change",
  },
  {
    id: "stale-statistics",
    title: "Half of tickets set to 'open' with autovacuum off and no ANALYZE: the planner still expects 100 open tickets",
    sql: "UPDATE tickets SET status = 'open' WHERE id % 2 = 0",
    statement: "openTickets",
    expectedVerdict: "regression",
    expectedCause: "same-plan",
  },
];

export interface DemoSchedule {
  /** Workload time before the first change. */
  baselineMs: number;
  /** Time between two changes. */
  spacingMs: number;
}

/** A 60 s baseline holds at least three 15 s intervals of every statement, enough to judge against. */
export const DEFAULT_SCHEDULE: DemoSchedule = { baselineMs: 60_000, spacingMs: 5_000 };

/** The timeline of a run whose workload starts at `startedAt`: every change scheduled, none made. */
export function plannedTimeline(startedAt: Date, target: string, schedule: DemoSchedule = DEFAULT_SCHEDULE): DemoTimeline {
  const at = (ms: number) => new Date(startedAt.getTime() + ms).toISOString();
  return {
    pid: process.pid,
    target,
    workloadStartedAt: startedAt.toISOString(),
    baselineEndsAt: at(schedule.baselineMs),
    events: DEMO_CHANGES.map((c, n) => ({
      id: c.id,
      title: c.title,
      change: c.sql,
      statement: DEMO_STATEMENTS[c.statement].text,
      expectedVerdict: c.expectedVerdict,
      expectedCause: c.expectedCause,
      scheduledAt: at(schedule.baselineMs + n * schedule.spacingMs),
      appliedAt: null,
      error: null,
    })),
  };
}

export interface RunScheduleOptions {
  adminUrl: string;
  workload: DemoWorkload;
  timeline: DemoTimeline;
  /** Called with the timeline after every change (the caller writes the file). */
  onChange: (timeline: DemoTimeline) => Promise<void>;
  signal: AbortSignal;
  log?: (line: string) => void;
}

/** Makes each change at its time; resolves when all are made or `signal` aborts. */
export async function runSchedule(options: RunScheduleOptions): Promise<void> {
  const timeline = options.timeline;
  for (const event of timeline.events) {
    const change = DEMO_CHANGES.find((c) => c.id === event.id);
    if (!change) continue;
    await sleep(new Date(event.scheduledAt).getTime() - Date.now(), options.signal);
    if (options.signal.aborted) return;
    const client = new pg.Client({ connectionString: options.adminUrl, application_name: "planwatch-demo-schedule" });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query(change.sql);
      event.appliedAt = new Date().toISOString();
      options.log?.(`demo: ${change.title}`);
    } catch (err) {
      event.error = err instanceof Error ? err.message : String(err);
      options.log?.(`demo: change "${change.id}" failed: ${event.error}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    // ALTER ROLE … SET applies to new sessions only.
    await options.workload.reconnect();
    await options.onChange(timeline);
  }
}
