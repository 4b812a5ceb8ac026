// The timeline the UI's demo banner shows: only inside the demo process that writes it (or its web
// server processes) (a file left
// behind by a killed demo must not show up under a later `npm start` on the same data folder).
import "server-only";
import { appPid } from "../app-process";
import { readEnv } from "../env";
import { readTimeline, type DemoTimeline } from "./timeline";

export async function runningDemoTimeline(): Promise<DemoTimeline | null> {
  const timeline = await readTimeline(readEnv().dataDir);
  return timeline?.pid === appPid() ? timeline : null;
}
