// Runs once before the specs (the "setup" project; the webServer is up by then): one account per
// role, made with the CLI and signed in through the form; each browser state is saved for the specs
// (test-results/.auth/{admin,approver,viewer}.json, see e2e/support/accounts.ts).
import { randomBytes } from "node:crypto";
import { expect, test as setup } from "@playwright/test";
import { SignInPage } from "./pages/sign-in-page";
import { ACCOUNTS, AUTH, ROLES, addUser, clearSignInLimits } from "./support/accounts";

for (const role of ROLES) {
  setup(`sign in as ${role}`, async ({ page }) => {
    const { email } = ACCOUNTS[role];
    const password = `e2e-${randomBytes(12).toString("base64url")}`;
    await addUser(email, role, password);
    await clearSignInLimits();
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.signIn(email, password);
    await expect(page).toHaveURL(/\/$/);
    await signIn.expectSignedInAs(email, role);
    await page.context().storageState({ path: AUTH[role] });
  });
}
