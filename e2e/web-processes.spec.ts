// The web server in several processes (PLANWATCH_WEB_PROCESSES). The e2e server itself runs two
// (playwright.config.ts), so every other spec already has its requests answered by either process;
// here: that there are two, that one killed is replaced while the app keeps answering, and that
// SIGTERM stops a primary and all of its web server processes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { StatementsPage } from "./pages/statements-page";
import { E2E_PORT, repositoryUrl } from "./support/e2e-env";

const root = path.resolve(import.meta.dirname, "..");

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return ""; // gone meanwhile
  }
}

/** True when `pid` runs `script` itself (not a shell whose command line mentions it). */
function runs(pid: string, script: string): boolean {
  return readProc(pid, "cmdline")
    .split("\0")
    .some((arg) => arg === script || arg.endsWith(`/${script}`));
}

function alive(pid: number): boolean {
  const state = /^State:\s+(\S)/m.exec(readProc(String(pid), "status"))?.[1];
  return state !== undefined && state !== "Z";
}

/** The primary serving on `port`: the cli/serve.ts process whose environment names that port. */
function primaryOn(port: number): number {
  const pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p) && runs(p, "cli/serve.ts"));
  const match = pids.filter((p) => readProc(p, "environ").split("\0").includes(`PORT=${port}`));
  expect(match, `one cli/serve.ts process with PORT=${port}`).toHaveLength(1);
  return Number(match[0]);
}

/** Live web server processes started by `primary`. */
function webProcesses(primary: number): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p) && runs(p, "cli/web-worker.ts"))
    .filter((p) => new RegExp(`^PPid:\\s+${primary}$`, "m").test(readProc(p, "status")))
    .map(Number)
    .filter(alive);
}

test("the e2e server answers from two web server processes and replaces one that dies", async ({ page }) => {
  const primary = primaryOn(E2E_PORT);
  const before = webProcesses(primary);
  expect(before).toHaveLength(2);

  const [killed] = before;
  process.kill(killed!, "SIGKILL");
  // The primary starts a replacement about a second later. (Requests are not sent meanwhile: a
  // connection the primary hands to a process in the instant it dies is lost with it.)
  await expect
    .poll(
      () => {
        const now = webProcesses(primary);
        return now.length === 2 && !now.includes(killed!);
      },
      { timeout: 30_000, message: "two web server processes again, the killed one replaced" },
    )
    .toBe(true);
  // Signed-in pages render again, from either process.
  await new StatementsPage(page).goto();

  // Both answer signed-in requests (new connections are handed out in turn).
  for (let i = 0; i < 6; i++) {
    const response = await page.request.get("/api/targets", { headers: { connection: "close" } });
    expect(response.status()).toBe(200);
  }
});

test("SIGTERM stops the primary and every web server process it started", async ({ request }) => {
  test.setTimeout(120_000);
  const port = E2E_PORT + 9;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "planwatch-web-processes-"));
  const child = spawn(process.execPath, ["--import", "tsx", "cli/serve.ts"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_URL: repositoryUrl(),
      PLANWATCH_DATA_DIR: dataDir,
      PLANWATCH_AUTH_SECRET: randomBytes(32).toString("hex"),
      PLANWATCH_COLLECTOR: "off",
      PLANWATCH_WEB_PROCESSES: "2",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const health = `http://127.0.0.1:${port}/api/health`;
    await expect
      .poll(async () => (await request.get(health, { failOnStatusCode: false }).catch(() => null))?.status() ?? 0, { timeout: 90_000, message: output })
      .toBe(200);
    expect(output).toMatch(/the web server runs in 2 processes/);
    const workers = webProcesses(child.pid!);
    expect(workers).toHaveLength(2);

    child.kill("SIGTERM");
    expect(await exited, output).toBe(0);
    for (const pid of workers) expect(alive(pid), `web server process ${pid} after the primary stopped`).toBe(false);
    const refused = await request.get(health, { timeout: 5_000 }).then(
      () => false,
      () => true,
    );
    expect(refused, "nothing listens on the port any more").toBe(true);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});
