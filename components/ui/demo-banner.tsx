// The demo's ground truth on every page: what the demo changed in its database and when, and what
// is still to come, so a user can check PlanWatch's ranking against it. Rendered on the server from
// the timeline file (only while `npm run demo` runs in this process); nothing at all otherwise.
import Link from "next/link";
import { runningDemoTimeline } from "@/lib/demo/banner-timeline";
import type { TimelineEvent } from "@/lib/demo/timeline";
import styles from "./demo-banner.module.css";

const time = (iso: string) => new Date(iso).toLocaleTimeString("en-GB", { hour12: false });

function relative(iso: string, nowMs: number): string {
  const seconds = Math.round((new Date(iso).getTime() - nowMs) / 1000);
  const span = Math.abs(seconds) < 120 ? `${Math.abs(seconds)} s` : `${Math.round(Math.abs(seconds) / 60)} min`;
  return seconds >= 0 ? `in ${span}` : `${span} ago`;
}

function expectation(e: TimelineEvent): string {
  return `expected: ${e.expectedVerdict}, ${e.expectedCause === "plan-change" ? "plan change" : "same plan"}`;
}

export async function DemoBanner() {
  const timeline = await runningDemoTimeline();
  if (!timeline) return null;
  const nowMs = Date.now();
  const made = timeline.events.filter((e) => e.appliedAt !== null).length;
  const rankHref = `/?${new URLSearchParams({ target: timeline.target, since: timeline.baselineEndsAt }).toString()}`;
  return (
    <section className={styles.banner} aria-label="Demo timeline">
      <details open={made < timeline.events.length}>
        <summary>
          <strong>Demo:</strong> {made} of {timeline.events.length} scheduled changes made to the target “{timeline.target}” — workload since{" "}
          {time(timeline.workloadStartedAt)}, baseline until {time(timeline.baselineEndsAt)}. <Link href={rankHref}>Rank since the first change</Link>
        </summary>
        <ol>
          {timeline.events.map((e) => {
            const at = e.appliedAt ?? e.scheduledAt;
            const state = e.error ? styles.failed : e.appliedAt ? styles.made : styles.upcoming;
            return (
              <li key={e.id} className={state}>
                <span className={styles.when}>{time(at)}</span> ({e.error ? "failed" : e.appliedAt ? "made" : "upcoming"}, {relative(at, nowMs)}){" "}
                {e.title} — <code>{e.change}</code> — {expectation(e)}
                {e.error ? ` — error: ${e.error}` : null}
              </li>
            );
          })}
        </ol>
      </details>
    </section>
  );
}
