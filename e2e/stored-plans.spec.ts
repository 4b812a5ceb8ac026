import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { StoredPlanPage } from "./pages/stored-plan-page";
import { seedStatement, type SeededStatement } from "./support/seed-plans";
import { AUTH } from "./support/accounts";

// Every page needs a session: signed in as the approver (e2e/auth.setup.ts).
test.use({ storageState: AUTH.approver });

const fixtures = path.join(import.meta.dirname, "..", "lib", "plan", "__fixtures__");
const indexPlan = JSON.parse(readFileSync(path.join(fixtures, "pg18/index-scan.analyze.json"), "utf8")) as [{ Plan: Record<string, unknown> }];

/** The same query read by a Seq Scan: what the plan looks like once orders_pkey cannot be used. */
function seqScanPlan(): unknown {
  const copy = structuredClone(indexPlan);
  const { ["Index Name"]: _index, ["Index Cond"]: cond, ["Scan Direction"]: _dir, ...rest } = copy[0].Plan;
  copy[0].Plan = { ...rest, "Node Type": "Seq Scan", Filter: cond, "Rows Removed by Filter": 99_999, "Total Cost": 2084, "Actual Total Time": 6.2, "Shared Hit Blocks": 834 };
  return copy;
}

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

let seeded: SeededStatement;

test.beforeAll(async () => {
  seeded = await seedStatement("select * from orders o where o.id = $1", [indexPlan, seqScanPlan()]);
});

test("a stored plan shows with its statement, and the selected node is a deep link", async ({ page }) => {
  const stored = new StoredPlanPage(page);
  const [first] = seeded.planIds;
  const response = await stored.gotoPlan(seeded.statementId, first ?? "", "#node-0");
  expect(response?.status()).toBe(200);
  await expect(stored.queryText).toContainText("select * from orders o where o.id = $1");
  await expect(stored.tree.getByRole("treeitem", { name: /^Index Scan using orders_pkey on orders/ })).toBeVisible();
  await expect(stored.nodeDetails).toContainText("(id = 42)");
  await shot(page, "stored-plan-light");
});

test("a statement's compare page defaults to its two latest plans and highlights the change", async ({ page }) => {
  const stored = new StoredPlanPage(page);
  await stored.gotoCompare(seeded.statementId);
  await expect(stored.compareTree.getByRole("treeitem", { name: /^changed: Index Scan using orders_pkey on orders → Seq Scan on orders/ })).toBeVisible();
  await expect(page.getByText("Default: the two most recently seen plans.")).toBeVisible();
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "stored-compare-dark");
  // Swapping sides through the URL.
  const [a, b] = seeded.planIds;
  await stored.gotoCompare(seeded.statementId, `?a=${b}&b=${a}`);
  await expect(stored.compareTree.getByRole("treeitem", { name: /^changed: Seq Scan on orders → Index Scan/ })).toBeVisible();
});

test("unknown or malformed ids show the not-found page", async ({ page }) => {
  const stored = new StoredPlanPage(page);
  await stored.gotoPlan(seeded.statementId, "999999999");
  await expect(page.getByRole("heading", { name: "Plan not found" })).toBeVisible();
  await stored.gotoPlan("abc", "1");
  await expect(page.getByRole("heading", { name: "Plan not found" })).toBeVisible();
  await page.goto(`/statements/999999999/compare`);
  await expect(page.getByRole("heading", { name: "Statement or plan not found" })).toBeVisible();
  await page.goto(`/statements/${seeded.statementId}/compare?a=xyz`);
  await expect(page.getByRole("heading", { name: "Statement or plan not found" })).toBeVisible();
});
