import { expect, test } from "@playwright/test";
import { HomePage } from "./pages/home-page";
import { ACCOUNTS, AUTH } from "./support/accounts";

// Every page needs a session: signed in as the approver (e2e/auth.setup.ts).
test.use({ storageState: AUTH.approver });

test("the home page shows the app and a healthy repository", async ({ page }) => {
  const home = new HomePage(page);
  await home.goto();
  await expect(page).toHaveTitle("PlanWatch");
  await expect(home.shell.brand).toBeVisible();
  await expect(home.heading).toBeVisible();
  await home.shell.expectHealthyRepository();
  await expect(page.getByRole("group", { name: "Account" })).toContainText(ACCOUNTS.approver.email);
  // A fresh repository holds nothing yet, and says so instead of showing an empty table.
  await expect(page.getByRole("heading", { name: "No monitored databases yet" })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/home.png", fullPage: true });
});

test("the health endpoint answers ok with the version", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: "ok", repository: "ok" });
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
});

test("an unknown address shows the not-found page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
