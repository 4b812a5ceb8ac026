// Accounts in the browser: a user made with the CLI against the e2e server's embedded repository
// (same PLANWATCH_DATA_DIR: the CLI reuses the running repository) signs in through the form, sees
// their email in the header, and signs out.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages/sign-in-page";
import { E2E_DATA_DIR } from "./support/e2e-env";

const root = path.resolve(import.meta.dirname, "..");
const email = `e2e-${randomBytes(4).toString("hex")}@example.com`;
const password = `e2e-${randomBytes(12).toString("base64url")}`;

function cli(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(root, "node_modules/.bin/tsx"),
      ["--conditions=react-server", "cli/planwatch.ts", ...args],
      { cwd: root, env: { ...process.env, PLANWATCH_DATA_DIR: E2E_DATA_DIR, DATABASE_URL: "" } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

test.beforeAll(async () => {
  const result = await cli(["user", "add", "--email", email, "--role", "approver", "--password-stdin"], `${password}\n`);
  expect(result.stderr + result.stdout).toContain(`added user ${email}`);
});

test("a wrong password is refused without saying whether the account exists", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(email, "not-the-password-123");
  await expect(signIn.error).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("signing in shows the account in the header, and signing out ends it", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto("/plans/paste");
  await signIn.signIn(email, password);
  // Back where ?next= pointed, signed in.
  await expect(page).toHaveURL(/\/plans\/paste$/);
  await signIn.expectSignedInAs(email, "approver");
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "planwatch.session_token");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
  await page.screenshot({ path: "test-results/screenshots/signed-in.png" });

  await signIn.signOut.click();
  await expect(signIn.heading).toBeVisible();
  await page.goto("/");
  await expect(signIn.signInLink).toBeVisible();
  await expect(signIn.account).toHaveCount(0);
});

test("an off-site ?next= is ignored", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto("//evil.example/steal");
  await signIn.signIn(email, password);
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  await signIn.expectSignedInAs(email, "approver");
  await signIn.signOutEverywhere.click();
  await expect(signIn.heading).toBeVisible();
});
