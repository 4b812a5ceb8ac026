import { expect, type Locator, type Page } from "@playwright/test";

/** What every page shows: the header with the app's name, navigation and repository health. */
export class AppShell {
  readonly brand: Locator;
  readonly repositoryStatus: Locator;

  constructor(readonly page: Page) {
    this.brand = page.getByRole("link", { name: "PlanWatch" });
    this.repositoryStatus = page.getByRole("status");
  }

  async expectHealthyRepository() {
    await expect(this.repositoryStatus).toContainText("Repository healthy");
  }
}
