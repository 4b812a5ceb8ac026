import { expect, type Locator, type Page } from "@playwright/test";
import { AppShell } from "./app-shell";

/** /statements/:id: SQL, verdict, charts, plan history with decisions, EXPLAIN ANALYZE. */
export class StatementPage {
  readonly shell: AppShell;
  readonly heading: Locator;
  readonly queryText: Locator;
  readonly verdict: Locator;
  readonly intervalCharts: Locator;
  readonly costScatter: Locator;
  readonly planTable: Locator;
  readonly decisions: Locator;
  readonly explainForm: Locator;

  constructor(readonly page: Page) {
    this.shell = new AppShell(page);
    this.heading = page.getByRole("heading", { level: 1, name: /^Statement #\d+$/ });
    this.queryText = page.getByLabel("Query text");
    this.verdict = page.getByRole("region", { name: /Regression verdict/ });
    this.intervalCharts = page.getByTestId("interval-charts");
    this.costScatter = page.getByTestId("cost-scatter");
    this.planTable = page.getByRole("table", { name: "Plans of this statement" });
    this.decisions = page.getByRole("region", { name: /Plan history/ });
    this.explainForm = page.getByRole("form", { name: "EXPLAIN ANALYZE" });
  }

  async goto(statementId: string) {
    const response = await this.page.goto(`/statements/${statementId}`);
    return response;
  }

  async expectLoaded() {
    await expect(this.heading).toBeVisible();
    await expect(this.planTable).toBeVisible();
  }

  planRows(): Locator {
    return this.planTable.locator("tbody tr");
  }

  planRow(shortFingerprint: string): Locator {
    return this.planTable.getByRole("row", { name: `Plan ${shortFingerprint}` });
  }

  decide(row: Locator, action: "Approve" | "Reject" | "Prefer" | "Disable" | "Enable"): Promise<void> {
    return row.getByRole("button", { name: action, exact: true }).click();
  }
}
