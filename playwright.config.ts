import { defineConfig } from "@playwright/test";
import { AUTH } from "./e2e/support/accounts";
import { E2E_DATA_DIR, E2E_PORT } from "./e2e/support/e2e-env";

// The e2e server runs the production build on its own embedded repository, in a data folder
// that is wiped first, on ports that do not clash with a running demo.
const PORT = E2E_PORT;
const DATA_DIR = E2E_DATA_DIR;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work on these machines.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // Every page needs a session: the setup project (after the webServer is up) makes one account per
  // role and saves its signed-in browser state; specs run as the approver unless they say otherwise
  // with test.use({ storageState: AUTH.admin | AUTH.viewer | SIGNED_OUT }).
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "e2e", testMatch: /\.spec\.ts$/, dependencies: ["setup"], use: { storageState: AUTH.approver } },
  ],
  webServer: {
    command: `rm -rf ${DATA_DIR} && node --import tsx cli/serve.ts`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      HOSTNAME: "127.0.0.1",
      PLANWATCH_DATA_DIR: DATA_DIR,
      PLANWATCH_EMBEDDED_PORT: String(PORT + 51_000),
      DATABASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
      // Two web server processes, as on a multi-core host: every spec's requests are answered by
      // either one, so what they must share (sessions, decisions, limits) is shared through the
      // repository or a spec fails. e2e/web-processes.spec.ts checks the processes themselves.
      PLANWATCH_WEB_PROCESSES: "2",
    },
  },
});
