// The demo end to end, on real clusters (no mocks): the demo's own PostgreSQL 18 with its generated
// database, its workload and its schedule of changes, the real in-process collector loop writing to
// a repository, and the ranking as the dashboard asks for it (recent = since the first change). Within
// 3 minutes of the start every scheduled regression must be ranked as a regression with the right
// cause, and the improvement as an improvement. Own data folder and ports: never collides with a
// running demo or other tests. In the workload group: it judges real timings.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCollectorLoop } from "@/lib/collector/run";
import { createPrisma, type PrismaClient } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrate";
import { rankTarget, type RankedStatement } from "@/lib/db/regressions";
import { DEMO_CHANGES } from "@/lib/demo/demo-changes";
import { startDemo, type RunningDemo } from "@/lib/demo/demo-run";
import { DEMO_STATEMENTS } from "@/lib/demo/demo-workload";
import { readTimeline } from "@/lib/demo/timeline";
import { freePort } from "../support/clusters";
import { freshDatabase, testServers } from "../support/databases";

const DEADLINE_MS = 180_000;
const DAY_MS = 24 * 3600_000;

let dataDir: string;
let repo: PrismaClient;
let demo: RunningDemo | undefined;
const collector = new AbortController();
let collectorDone: Promise<void> = Promise.resolve();
let startedAt = 0;
let rankedAfterMs = 0;
let rows: RankedStatement[] = [];

const expected = DEMO_CHANGES.map((c) => ({ ...c, text: DEMO_STATEMENTS[c.statement].text }));

function matches(all: RankedStatement[]): boolean {
  return expected.every((e) => {
    const row = all.find((r) => r.query === e.text);
    return row?.verdict === e.expectedVerdict && row.cause === e.expectedCause;
  });
}

describe("npm run demo: the dashboard ranks every scheduled change within 3 minutes", () => {
  beforeAll(async () => {
    process.env.PLANWATCH_SECRET ??= "demo-workload test passphrase";
    dataDir = await mkdtemp(path.join(tmpdir(), "planwatch-demo-test-"));
    const repositoryUrl = await freshDatabase(testServers()[0]!, "demo_repo");
    await applyMigrations(repositoryUrl);
    repo = createPrisma(repositoryUrl);
    startedAt = Date.now();
    collectorDone = runCollectorLoop({ repositoryUrl, signal: collector.signal, stepLog: () => undefined, onRun: () => undefined });
    demo = await startDemo({ dataDir, port: await freePort(57100 + Math.floor(Math.random() * 300)), repositoryUrl, log: (l) => console.log(l) });

    const since = new Date(demo.timeline.baselineEndsAt).getTime();
    for (;;) {
      const now = Date.now();
      if (now > since) {
        rows = await rankTarget(repo, { targetName: "demo", now: new Date(now), recentMs: now - since, baselineMs: DAY_MS });
        rankedAfterMs = now - startedAt;
        if (matches(rows) || now - startedAt > DEADLINE_MS) break;
      }
      await new Promise((r) => setTimeout(r, 5_000));
    }
    console.log(`demo ranking after ${Math.round(rankedAfterMs / 1000)} s:\n${rows.map((r) => `  ${r.verdict} ${r.cause ?? ""} ×${r.ratio?.toFixed(2)} ${r.recentCalls} calls: ${r.query}\n    ${r.evidence}`).join("\n")}`);
  });

  afterAll(async () => {
    await demo?.stop();
    collector.abort();
    await collectorDone;
    await repo?.$disconnect();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("ranks them all within 3 minutes of the start", () => {
    expect(rankedAfterMs).toBeLessThanOrEqual(DEADLINE_MS + 10_000);
  });

  it.each(expected.map((e) => [e.id, e] as const))("%s: the statement it touches has the expected verdict and cause", (_id, e) => {
    const row = rows.find((r) => r.query === e.text);
    expect(row, `not ranked: ${e.text}`).toBeDefined();
    expect({ verdict: row?.verdict, cause: row?.cause }).toEqual({ verdict: e.expectedVerdict, cause: e.expectedCause });
  });

  it("the improvement is not listed as a regression, and nothing the schedule left alone is", () => {
    const touched = new Set(expected.filter((e) => e.expectedVerdict === "regression").map((e) => e.text));
    expect(rows.filter((r) => r.verdict === "regression" && !touched.has(r.query)).map((r) => r.query)).toEqual([]);
  });

  it("the timeline file records every change as made, and is gone after stop", async () => {
    const timeline = await readTimeline(dataDir);
    expect(timeline?.events.map((e) => [e.id, e.appliedAt !== null, e.error])).toEqual(DEMO_CHANGES.map((c) => [c.id, true, null]));
  });
});
