import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** /sign-in and the header's account menu. */
export class SignInPage {
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly account: Locator;
  readonly signOut: Locator;
  readonly signOutEverywhere: Locator;
  readonly signInLink: Locator;

  constructor(readonly page: Page) {
    this.shell = new AppShell(page);
    this.heading = page.getByRole("heading", { level: 1, name: "Sign in" });
    this.email = page.getByLabel("Email");
    this.password = page.getByLabel("Password");
    this.submit = page.getByRole("button", { name: "Sign in" });
    // Scoped to the form: Next.js keeps an (empty) role="alert" route announcer on every page.
    this.error = page.locator("form").getByRole("alert");
    this.account = page.getByRole("group", { name: "Account" });
    this.signOut = this.account.getByRole("button", { name: "Sign out", exact: true });
    this.signOutEverywhere = this.account.getByRole("button", { name: "Sign out everywhere" });
    this.signInLink = page.getByRole("banner").getByRole("link", { name: "Sign in" });
  }

  async goto(next?: string) {
    await this.page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
    await expect(this.heading).toBeVisible();
  }

  async signIn(email: string, password: string) {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }

  async expectSignedInAs(email: string, role: string) {
    await expect(this.account).toContainText(email);
    await expect(this.account).toContainText(role);
  }
}
