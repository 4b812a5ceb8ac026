// Accounts in the browser, signed out: a user made with the CLI against the e2e server's embedded
// repository (same PLANWATCH_DATA_DIR: the CLI reuses the running repository) signs in through the
// form, sees their email in the header, and signs out. Every page needs a session: a signed-out
// visit goes to /sign-in?next=<address> and comes back there after signing in.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { SignInPage } from "./pages/sign-in-page";
import { SIGNED_OUT, addUser, clearSignInLimits } from "./support/accounts";

const email = `e2e-${randomBytes(4).toString("hex")}@example.com`;
const password = `e2e-${randomBytes(12).toString("base64url")}`;

// The form itself: nobody signed in.
test.use({ storageState: SIGNED_OUT });

test.beforeAll(async () => {
  await addUser(email, "approver", password);
});

test.beforeEach(async () => {
  // All sign-ins come from 127.0.0.1: this file alone signs in more than 5 times a minute.
  await clearSignInLimits();
});

test("a wrong password is refused without saying whether the account exists", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  // Signed out: the minimal header, without the navigation.
  await expect(signIn.shell.brand).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
  await page.screenshot({ path: "test-results/screenshots/sign-in.png" });
  await signIn.signIn(email, "not-the-password-123");
  await expect(signIn.error).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("a signed-out visit goes to the sign-in page and back to the address after signing in", async ({ page }) => {
  const signIn = new SignInPage(page);
  await page.goto("/audit?status=Rejected");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faudit%3Fstatus%3DRejected$/);
  await expect(signIn.heading).toBeVisible();
  // Nothing of the page was shown on the way.
  await expect(page.getByRole("table", { name: "Plan decisions" })).toHaveCount(0);
  await signIn.signIn(email, password);
  await expect(page).toHaveURL(/\/audit\?status=Rejected$/);
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
  await expect(page.getByLabel("New status")).toHaveValue("Rejected");
  await signIn.expectSignedInAs(email, "approver");
});

test("every page needs a session; the API answers for itself", async ({ page, request }) => {
  for (const address of ["/", "/targets", "/plans/paste", "/statements/1", "/statements/1/compare", "/statements/1/plans/1"]) {
    await page.goto(address);
    await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=${encodeURIComponent(address).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  }
  // /api/* is not redirected: health stays public, reads and writes answer 401.
  expect((await request.get("/api/health")).status()).toBe(200);
  expect((await request.get("/api/regressions?target=shop")).status()).toBe(401);
  const write = await request.post("/api/targets", { data: {}, headers: { origin: new URL(page.url()).origin } });
  expect(write.status()).toBe(401);
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
  // Signed out, the app's pages send you back to the form.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  await expect(signIn.heading).toBeVisible();
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
