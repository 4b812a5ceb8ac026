import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** /plans/paste: two textareas ("Plan", "Compare with"), the plan view and the compare view. */
export class PlanPastePage {
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly planInput: Locator;
  readonly compareInput: Locator;
  readonly showPlanButton: Locator;
  readonly compareButton: Locator;
  readonly tree: Locator;
  readonly compareTree: Locator;
  readonly nodeDetails: Locator;
  readonly diffSummary: Locator;

  constructor(readonly page: Page) {
    this.shell = new AppShell(page);
    this.heading = page.getByRole("heading", { level: 1, name: "Paste a plan" });
    this.planInput = page.getByRole("textbox", { name: "Plan", exact: true });
    this.compareInput = page.getByRole("textbox", { name: "Compare with" });
    this.showPlanButton = page.getByRole("button", { name: "Show plan" });
    this.compareButton = page.getByRole("button", { name: "Compare", exact: true });
    this.tree = page.getByRole("tree", { name: "Plan tree" });
    this.compareTree = page.getByRole("tree", { name: "Compared plans" });
    this.nodeDetails = page.getByRole("complementary", { name: "Node details" });
    this.diffSummary = page.getByRole("region", { name: "Comparison summary" });
  }

  async goto() {
    await this.page.goto("/plans/paste");
    await expect(this.heading).toBeVisible();
  }

  /** Large plans go in through the DOM: typing 2 MB key by key would measure Playwright, not us. */
  async fill(input: Locator, text: string) {
    if (text.length < 20_000) {
      await input.fill(text);
      return;
    }
    await input.evaluate((el, value) => {
      const area = el as HTMLTextAreaElement;
      area.value = value;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }, text);
  }

  async showPlan(text: string) {
    await this.fill(this.planInput, text);
    await this.showPlanButton.click();
  }

  async compare(left: string, right: string) {
    await this.fill(this.planInput, left);
    await this.fill(this.compareInput, right);
    await this.compareButton.click();
  }

  treeItem(name: string | RegExp): Locator {
    return this.tree.getByRole("treeitem", { name });
  }

  compareRow(name: string | RegExp): Locator {
    return this.compareTree.getByRole("treeitem", { name });
  }
}
