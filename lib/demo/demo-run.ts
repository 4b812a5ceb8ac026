// Starts everything the demo adds to PlanWatch: its own PostgreSQL with the demo database, the
// database registered as the target "demo" (collected every 15 s), the workload, and the schedule of
// changes with its timeline file. One stop() undoes it all, in reverse order.
import { rm } from "node:fs/promises";
import pg from "pg";
import { cliActor } from "../auth/authorize";
import { addTarget, removeTarget } from "../collector/targets";
import { createPrisma } from "../db/client";
import { DEMO_DATABASE, prepareDemoDatabase, type DemoRole } from "./demo-schema";
import { plannedTimeline, runSchedule, DEFAULT_SCHEDULE, type DemoSchedule } from "./demo-changes";
import { startDemoCluster } from "./demo-cluster";
import { startDemoWorkload } from "./demo-workload";
import { DEMO_TARGET_NAME, timelineFile, writeTimeline, type DemoTimeline } from "./timeline";

/** Short, so each change shows up in the ranking within a minute or two. */
export const DEMO_COLLECT_INTERVAL_SECONDS = 15;
const WARM_UP_MS = 5_000;

export interface StartDemoOptions {
  dataDir: string;
  /** Port of the demo's PostgreSQL. */
  port: number;
  repositoryUrl: string;
  schedule?: DemoSchedule;
  log?: (line: string) => void;
}

export interface RunningDemo {
  timeline: DemoTimeline;
  /** Superuser URL of the demo database (contains the password: never log it). */
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const log = options.log ?? (() => undefined);
  const cluster = await startDemoCluster(options.dataDir, options.port, log);
  const stops: Array<() => Promise<void>> = [() => cluster.server.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => log(`demo: while stopping: ${err.message}`));
  };
  try {
    await cluster.server.ensureDatabase(DEMO_DATABASE);
    const adminUrl = cluster.server.url(DEMO_DATABASE);
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await prepareDemoDatabase(admin, cluster.config.password, log);
    } finally {
      await admin.end();
    }
    const urlFor = (role: DemoRole) => {
      const url = new URL(adminUrl);
      url.username = role;
      url.password = cluster.config.password;
      return url.toString();
    };
    const workload = startDemoWorkload({ urlFor, log });
    stops.push(() => workload.stop());
    // The first calls of a fresh server are slow (cold caches, first plans, the web app starting):
    // they run before the target is registered, so no baseline interval holds them.
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    await registerTarget(options.repositoryUrl, adminUrl);
    const timeline = plannedTimeline(new Date(), DEMO_TARGET_NAME, options.schedule ?? DEFAULT_SCHEDULE);
    await writeTimeline(options.dataDir, timeline);
    stops.push(() => rm(timelineFile(options.dataDir), { force: true }));

    const controller = new AbortController();
    const schedule = runSchedule({
      adminUrl,
      workload,
      timeline,
      signal: controller.signal,
      onChange: (t) => writeTimeline(options.dataDir, t),
      log,
    }).catch((err: Error) => log(`demo: the schedule stopped: ${err.message}`));
    stops.push(async () => {
      controller.abort();
      await schedule;
    });
    let stopping: Promise<void> | undefined;
    return { timeline, adminUrl, stop: () => (stopping ??= stopAll()) };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * (Re-)registers the demo database as the target "demo". A run starts its history over: the previous
 * run's intervals and plans would otherwise sit in this run's baseline window, after its changes.
 */
async function registerTarget(repositoryUrl: string, adminUrl: string): Promise<void> {
  const repo = createPrisma(repositoryUrl);
  try {
    if (await repo.target.findUnique({ where: { name: DEMO_TARGET_NAME }, select: { id: true } })) await removeTarget(repo, DEMO_TARGET_NAME);
    await addTarget(repo, { name: DEMO_TARGET_NAME, url: adminUrl, actor: cliActor() });
    await repo.target.update({ where: { name: DEMO_TARGET_NAME }, data: { collectIntervalSeconds: DEMO_COLLECT_INTERVAL_SECONDS } });
  } finally {
    await repo.$disconnect();
  }
}
