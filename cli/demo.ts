// `npm run demo`: build when the sources changed since the last build, then start PlanWatch on
// its embedded repository.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { assertCanStart, projectRoot, startApp, stopOnSignals } from "./serve";
import { runMain } from "./run-main";
import { ensureDemoAdmin } from "../lib/auth/demo-admin";

const SOURCES = ["app", "components", "lib", "public", "next.config.ts", "package.json", "package-lock.json"];

function newestMtimeMs(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) {
    if (child === "generated" || child.startsWith(".")) continue;
    newest = Math.max(newest, newestMtimeMs(path.join(entry, child)));
  }
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.join(projectRoot, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtimeMs(path.join(projectRoot, s)) > builtAt);
}

runMain(async () => {
  // A second demo must not rebuild .next under the running one's feet.
  await assertCanStart();
  if (process.argv.includes("--rebuild") || buildIsStale()) {
    console.log("planwatch: building the web app (next build)…");
    const build = spawnSync("npx", ["next", "build"], {
      cwd: projectRoot,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) throw new Error("next build failed (see above)");
  }
  const app = await startApp();
  stopOnSignals(app);
  // startApp put the repository's URL into DATABASE_URL. Printed once: only the hash is kept.
  const admin = await ensureDemoAdmin(process.env.DATABASE_URL ?? "");
  if (admin) console.log(`\nA demo admin was created. Sign in with (shown this once):\n  email     ${admin.email}\n  password  ${admin.password}`);
  console.log(`\nPlanWatch demo is running at ${app.url}  (Ctrl-C stops it)\n`);
});
