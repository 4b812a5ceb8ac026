// The e2e accounts: one per role, made with the CLI against the e2e server's embedded repository
// (same PLANWATCH_DATA_DIR, DATABASE_URL="": the CLI reuses the running repository) and signed in
// through the form by e2e/auth.setup.ts, which saves each browser state under test-results/.auth.
import { execFile } from "node:child_process";
import path from "node:path";
import pg from "pg";
import type { Role } from "../../lib/auth/authorize";
import { E2E_DATA_DIR, E2E_PORT, repositoryUrl } from "./e2e-env";

const root = path.resolve(import.meta.dirname, "..", "..");

export const ROLES = ["admin", "approver", "viewer"] as const satisfies readonly Role[];

/** Fixed addresses: the data folder is wiped at every run, so they are new each time. */
export const ACCOUNTS: Record<Role, { email: string }> = {
  admin: { email: "admin@e2e.planwatch.test" },
  approver: { email: "approver@e2e.planwatch.test" },
  viewer: { email: "viewer@e2e.planwatch.test" },
};

/** Browser states (cookies) of the signed-in accounts; `test.use({ storageState: AUTH.approver })`. */
export const AUTH: Record<Role, string> = {
  admin: path.join(root, "test-results", ".auth", "admin.json"),
  approver: path.join(root, "test-results", ".auth", "approver.json"),
  viewer: path.join(root, "test-results", ".auth", "viewer.json"),
};

/** Nobody signed in (the sign-in form itself, the redirect of signed-out visits). */
export const SIGNED_OUT = { cookies: [], origins: [] };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `planwatch …` against the running e2e server's embedded repository; never throws. */
export function planwatchCli(args: string[], input = ""): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(root, "node_modules/.bin/tsx"),
      ["--conditions=react-server", "cli/planwatch.ts", ...args],
      {
        cwd: root,
        timeout: 120_000,
        env: { ...process.env, PLANWATCH_DATA_DIR: E2E_DATA_DIR, PLANWATCH_EMBEDDED_PORT: String(E2E_PORT + 51_000), DATABASE_URL: "" },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

/** `planwatch user add … --password-stdin`; throws with the CLI's output when it fails. */
export async function addUser(email: string, role: Role, password: string): Promise<void> {
  const result = await planwatchCli(["user", "add", "--email", email, "--role", role, "--password-stdin"], `${password}\n`);
  if (!(result.stderr + result.stdout).includes(`added user ${email}`)) {
    throw new Error(`planwatch user add ${email} failed (${result.code}): ${result.stderr}${result.stdout}`);
  }
}

/** `planwatch …` that must succeed: its stdout, or an error with what it printed. */
export async function planwatchOk(args: string[], input = ""): Promise<string> {
  const result = await planwatchCli(args, input);
  if (result.code !== 0) throw new Error(`planwatch ${args.join(" ")} failed (${result.code}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

export function withRepository<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(repositoryUrl(), fn);
}

/** A pg client on `url` for the length of fn. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Forgets the per-address sign-in limit (5 a minute, kept in the repository): every e2e sign-in
 * comes from 127.0.0.1, and the setup project and the sign-in specs together sign in more often
 * than a person would. The per-account failure limit is left alone.
 */
export async function clearSignInLimits(): Promise<void> {
  await withRepository((repo) => repo.query("delete from auth_rate_limit"));
}
