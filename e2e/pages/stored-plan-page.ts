import { expect, type Locator, type Page } from "@playwright/test";

/** /statements/:id/plans/:planId and /statements/:id/compare. */
export class StoredPlanPage {
  readonly tree: Locator;
  readonly compareTree: Locator;
  readonly queryText: Locator;
  readonly nodeDetails: Locator;

  constructor(readonly page: Page) {
    this.tree = page.getByRole("tree", { name: "Plan tree" });
    this.compareTree = page.getByRole("tree", { name: "Compared plans" });
    this.queryText = page.getByLabel("Query text");
    this.nodeDetails = page.getByRole("complementary", { name: "Node details" });
  }

  async gotoPlan(statementId: string, planId: string, hash = "") {
    return this.page.goto(`/statements/${statementId}/plans/${planId}${hash}`);
  }

  async gotoCompare(statementId: string, query = "") {
    const response = await this.page.goto(`/statements/${statementId}/compare${query}`);
    await expect(this.page.getByRole("heading", { level: 1 })).toBeVisible();
    return response;
  }
}
