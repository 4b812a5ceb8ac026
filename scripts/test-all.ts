// `npm test`: every check, in the order that fails fastest. Unit and integration tests (vitest,
// real PostgreSQL 18 and 15), the migration/schema agreement check, a production build, then the
// browser tests (Playwright in Debian's Chromium). Ends with one "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const reports = path.join(root, "test-results", "reports");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Counts = { passed: 0, failed: 0, skipped: 0 };

function run(title: string, command: string, args: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n▶ ${title}: ${command} ${args.join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", FORCE_COLOR: process.env.CI ? "0" : "1", ...env },
  });
  const ok = result.status === 0;
  console.log(`${ok ? "✔" : "✘"} ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

function addVitest(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  total.passed += r.numPassedTests;
  total.failed += r.numFailedTests;
  total.skipped += r.numPendingTests + r.numTodoTests;
}

function addPlaywright(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
  total.passed += r.stats.expected + r.stats.flaky;
  total.failed += r.stats.unexpected;
  total.skipped += r.stats.skipped;
}

const failures: string[] = [];
const step = (title: string, ok: boolean) => {
  if (!ok) failures.push(title);
};

step("typecheck", run("typecheck", "npx", ["tsc", "--noEmit"]));
step("migrations match schema.prisma", run("migrations match schema.prisma", "npx", ["tsx", "scripts/migration-diff.ts", "--check"]));
const vitestJson = path.join(reports, "vitest.json");
step("unit + integration tests", run("unit + integration tests", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`]));
addVitest(vitestJson);
const built = run("production build", "npx", ["next", "build"]);
step("production build", built);
if (built) {
  const playwrightJson = path.join(reports, "playwright.json");
  step("browser tests", run("browser tests", "npx", ["playwright", "test"], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson }));
  addPlaywright(playwrightJson);
}

console.log(`\n${failures.length ? `failed steps: ${failures.join(", ")}` : "all steps passed"}`);
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(failures.length || total.failed ? 1 : 0);
