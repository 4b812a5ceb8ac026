import type { Locator, Page } from "@playwright/test";
import { AppShell } from "./app-shell";

export class HomePage {
  readonly shell: AppShell;
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.shell = new AppShell(page);
    this.heading = page.getByRole("heading", { level: 1, name: "Statements" });
  }

  async goto() {
    await this.page.goto("/");
  }
}
