import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** /: statements ranked by regression, with the filters in the URL. */
export class StatementsPage {
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly table: Locator;
  readonly targetSelect: Locator;
  readonly recentSelect: Locator;
  readonly baselineSelect: Locator;
  readonly search: Locator;

  constructor(readonly page: Page) {
    this.shell = new AppShell(page);
    this.heading = page.getByRole("heading", { level: 1, name: "Statements" });
    this.table = page.getByRole("table", { name: "Statements ranked by regression" });
    this.targetSelect = page.getByLabel("Target");
    this.recentSelect = page.getByLabel("Recent window");
    this.baselineSelect = page.getByLabel("Baseline window");
    this.search = page.getByRole("searchbox", { name: "Search query text" });
  }

  async goto(query = "") {
    await this.page.goto(`/${query}`);
    await expect(this.heading).toBeVisible();
  }

  /** Body rows, in display order. */
  rows(): Locator {
    return this.table.locator("tbody tr");
  }

  verdictFilter(name: "Regressions" | "Improvements" | "All"): Locator {
    return this.page.getByRole("radio", { name: new RegExp(`^${name}`) });
  }

  /** The radios are drawn as a segmented control: the visible label takes the click. */
  async chooseVerdict(name: "Regressions" | "Improvements" | "All") {
    await this.page.locator("label").filter({ has: this.verdictFilter(name) }).click();
  }

  sortBy(name: "Ratio" | "Impact" | "Recent mean" | "Recent calls"): Locator {
    return this.table.getByRole("button", { name: new RegExp(`^${name}`) });
  }
}
