// The demo's timeline: what the demo changes in its database and when, written by the running demo
// to <data folder>/demo/timeline.json and read by the UI's banner (banner-timeline.ts). It is a file,
// not a table, so the demo needs no repository schema of its own. The file names the demo process:
// the app server of that process alone shows the banner, so a stale file left by a killed demo is
// never shown by a later `npm start` on the same folder.
import { existsSync } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

export const DEMO_TARGET_NAME = "demo";

/** How PlanWatch should judge the statement a change touches (the ground truth the test checks). */
export const expectedVerdictSchema = z.enum(["regression", "improvement"]);
export const expectedCauseSchema = z.enum(["plan-change", "same-plan"]);

export const timelineEventSchema = z.object({
  id: z.string(),
  /** One line for the banner, e.g. "index orders_customer_idx dropped". */
  title: z.string(),
  /** The SQL (or setting) that makes the change, shown as is. */
  change: z.string(),
  /** The statement whose timing the change moves, as pg_stat_statements normalizes it. */
  statement: z.string(),
  expectedVerdict: expectedVerdictSchema,
  expectedCause: expectedCauseSchema,
  /** ISO 8601: when the change is scheduled, and when it was made (null until then). */
  scheduledAt: z.string(),
  appliedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

export const timelineSchema = z.object({
  /** The demo process that writes this file; the banner shows only inside that process. */
  pid: z.number().int(),
  target: z.string(),
  /** ISO 8601: the workload's start, the end of the baseline period (= the first change). */
  workloadStartedAt: z.string(),
  baselineEndsAt: z.string(),
  events: z.array(timelineEventSchema),
});
export type DemoTimeline = z.infer<typeof timelineSchema>;

export const timelineFile = (dataDir: string) => path.join(dataDir, "demo", "timeline.json");

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export async function writeTimeline(dataDir: string, timeline: DemoTimeline): Promise<void> {
  const file = timelineFile(dataDir);
  await writeFile(`${file}.tmp`, JSON.stringify(timeline, null, 2) + "\n");
  await rename(`${file}.tmp`, file);
}

/** The timeline, or null when there is none or it does not parse (a banner is never worth an error page). */
export async function readTimeline(dataDir: string): Promise<DemoTimeline | null> {
  const file = timelineFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    const parsed = timelineSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
