// The production build of the web app, made again only when a source is newer than it: what the
// demo and the web benchmark need before starting the production server.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "./project-root";

const SOURCES = ["app", "components", "lib", "public", "next.config.ts", "proxy.ts", "csp.ts", "package.json", "package-lock.json"];

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

export function productionBuildIsStale(): boolean {
  const buildId = path.join(projectRoot, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtimeMs(path.join(projectRoot, s)) > builtAt);
}

/** Runs `next build` (the binary itself: npx prints a warning on some machines) when the build is missing or stale. */
export function buildIfStale(log: (line: string) => void, force = false): void {
  if (!force && !productionBuildIsStale()) return;
  log("planwatch: building the web app (next build)…");
  const build = spawnSync(path.join(projectRoot, "node_modules", ".bin", "next"), ["build"], {
    cwd: projectRoot,
    // Its output goes to stderr: a bench's stdout is its table, which bench/run-all.ts records.
    stdio: ["ignore", 2, 2],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error("next build failed (see above)");
}
