// `npm run demo`: build when the sources changed since the last build, then start PlanWatch on
// its embedded repository, plus the demo database (its own PostgreSQL, registered as the target
// "demo"), its workload and its schedule of changes (lib/demo). `--reset` starts over.
import { rm } from "node:fs/promises";
import path from "node:path";
import { buildIfStale } from "./next-build";
import { assertCanStart, startApp, stopOnSignals } from "./serve";
import { runMain } from "./run-main";
import { ensureDemoAdmin } from "../lib/auth/demo-admin";
import { readEnv } from "../lib/env";
import { demoFolder, demoPort } from "../lib/demo/demo-cluster";
import { startDemo } from "../lib/demo/demo-run";

/**
 * What `--reset` removes: with the embedded repository, everything PlanWatch keeps in the data
 * folder (repository, its keys and secrets, the demo database); with DATABASE_URL, the demo
 * database only (the target "demo" is registered anew at every start anyway). Named entries only:
 * PLANWATCH_DATA_DIR may point at a folder that holds other things too.
 */
async function reset(): Promise<void> {
  const env = readEnv();
  const entries = env.databaseUrl ? ["demo"] : ["demo", "repository", "repository.json", "secret.key", "auth.secret"];
  for (const entry of entries) await rm(path.join(env.dataDir, entry), { recursive: true, force: true });
  console.log(`planwatch: --reset: removed ${entries.map((e) => path.join(env.dataDir, e)).join(", ")}`);
}

runMain(async () => {
  // A second demo must not rebuild .next under the running one's feet.
  await assertCanStart();
  if (process.argv.includes("--reset")) await reset();
  buildIfStale(console.log, process.argv.includes("--rebuild"));
  const env = readEnv();
  const app = await startApp();
  // startApp put the repository's URL into DATABASE_URL.
  const repositoryUrl = process.env.DATABASE_URL ?? "";
  const demo = startDemo({ dataDir: env.dataDir, port: demoPort(env.embeddedPort), repositoryUrl, log: (line) => console.log(`planwatch: ${line}`) });
  // Ctrl-C while the demo database is still starting waits for it, then stops it too.
  stopOnSignals({
    url: app.url,
    stop: async () => {
      await demo.then((d) => d.stop(), () => undefined);
      await app.stop();
    },
  });
  const running = await demo.catch(async (err: unknown) => {
    await app.stop();
    throw err;
  });
  // Printed once: only the hash is kept.
  const admin = await ensureDemoAdmin(repositoryUrl);
  if (admin) console.log(`\nA demo admin was created. Sign in with (shown this once):\n  email     ${admin.email}\n  password  ${admin.password}`);
  const first = running.timeline.events[0];
  console.log(`\nThe demo database (${demoFolder(env.dataDir)}) is the target "${running.timeline.target}". Its workload runs; the first of`);
  console.log(`${running.timeline.events.length} scheduled changes is made at ${first ? new Date(first.scheduledAt).toLocaleTimeString("en-GB") : "—"} (listed in the banner on every page). Ranked since then:`);
  console.log(`  ${app.url}/?target=${running.timeline.target}&since=${encodeURIComponent(running.timeline.baselineEndsAt)}`);
  console.log(`\nPlanWatch demo is running at ${app.url}  (Ctrl-C stops it)\n`);
});
