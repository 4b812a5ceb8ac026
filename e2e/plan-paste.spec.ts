import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { PlanPastePage } from "./pages/plan-paste-page";
import { AUTH } from "./support/accounts";

// Every page needs a session: signed in as the approver (e2e/auth.setup.ts).
test.use({ storageState: AUTH.approver });

const fixtures = path.join(import.meta.dirname, "..", "lib", "plan", "__fixtures__");
const fixture = (file: string) => readFileSync(path.join(fixtures, file), "utf8");
async function shot(page: Page, name: string) {
  // From the top: a full-page capture of a scrolled page paints the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

test("a psql-framed text plan shows as a tree, and node details open by keyboard", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  await paste.showPlan(fixture("pasted/pg18-hash-join.framed.txt"));

  await expect(paste.tree).toBeVisible();
  await expect(paste.treeItem(/^HashAggregate/)).toBeVisible();
  await expect(paste.treeItem(/^Hash Join/)).toBeVisible();
  await expect(paste.treeItem(/^Bitmap Index Scan on orders_status_idx/)).toBeVisible();
  await expect(paste.treeItem(/^Seq Scan on customers, alias c/)).toHaveAttribute("aria-level", "4");
  // Plain EXPLAIN: self cost stands in for time, and the page says so.
  await expect(page.getByText("EXPLAIN without ANALYZE")).toBeVisible();

  // Keyboard only: focus the tree, move down to the join, collapse and expand it, open its details.
  await paste.tree.focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowLeft");
  await expect(paste.treeItem(/^Hash Join/)).toHaveAttribute("aria-expanded", "false");
  await expect(paste.treeItem(/^Seq Scan on customers/)).toHaveCount(0);
  await page.keyboard.press("ArrowRight");
  await expect(paste.treeItem(/^Seq Scan on customers/)).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(paste.nodeDetails).toBeVisible();
  await expect(paste.nodeDetails.getByRole("heading", { name: "Hash Join" })).toBeVisible();
  await expect(paste.nodeDetails).toContainText("Hash Cond");
  await expect(paste.nodeDetails).toContainText("(o.customer_id = c.id)");
  // The selection is a deep link.
  expect(new URL(page.url()).hash).toBe("#node-1");
  await shot(page, "plan-paste-tree-framed");
  // Escape closes the details and keeps the keyboard in the tree.
  await page.keyboard.press("Escape");
  await expect(paste.nodeDetails).toHaveCount(0);
  await expect(paste.tree).toBeFocused();
});

test("an EXPLAIN ANALYZE plan highlights its hot nodes, in light and dark", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  await paste.showPlan(fixture("pasted/pg18-hash-join.psql-analyze.txt"));
  const hottest = paste.tree.locator('[role="treeitem"][data-hot="1"]');
  await expect(hottest).toHaveCount(1);
  await expect(hottest).toHaveAccessibleName(/hot node 1/);
  await page.getByRole("button", { name: /^#1 / }).click();
  await expect(paste.nodeDetails).toBeVisible();
  await shot(page, "plan-paste-analyze-light");
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "plan-paste-analyze-dark");

  await page.getByRole("tab", { name: "Hints" }).click();
  await expect(page.getByLabel("pg_hint_plan hints")).toContainText("/*+");
  expect(new URL(page.url()).searchParams.get("tab")).toBe("hints");
  await shot(page, "plan-paste-hints-dark");
  await page.getByRole("tab", { name: "Raw" }).click();
  await expect(page.getByLabel("Plan as captured")).toContainText("QUERY PLAN");
});

test("row misestimates get badges by order of magnitude and direction", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  await paste.showPlan(fixture("pg18/anti-join.analyze.txt"));
  const under = paste.tree.getByRole("treeitem", { name: /underestimated [\d,]+×/ });
  await expect(under).toHaveCount(1);
  await expect(under).toContainText("under");
  await shot(page, "plan-paste-misestimates");
});

test("garbage is refused inline with the line it failed on", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  await paste.showPlan(fixture("bad/junk-inside-plan.txt"));
  await expect(paste.planInput).toHaveAccessibleDescription(/line 4: Cannot read "this line is not EXPLAIN output"/);
  await expect(page.getByRole("alert").filter({ hasText: "line 4:" })).toBeVisible();
  await expect(paste.tree).toHaveCount(0);
  await paste.showPlan("hello, this is not a plan");
  await expect(page.getByRole("alert").filter({ hasText: /line 1: This is not an EXPLAIN plan/ })).toBeVisible();
  await shot(page, "plan-paste-error");
});

test("comparing an index-scan plan with a seq-scan plan of the same query highlights the changed scan", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  // pg18/index-scan: select * from orders o where o.id = 42; the seq-scan plan is the same query
  // with enable_indexscan off (e2e/fixtures: the fixture set has no seq-scan run of this query).
  await paste.compare(fixture("pg18/index-scan.analyze.txt"), readFileSync(path.join(import.meta.dirname, "fixtures", "orders-by-id.seq-scan.txt"), "utf8"));
  const scan = paste.compareRow(/^changed: Index Scan using orders_pkey on orders → Seq Scan on orders/);
  await expect(scan).toBeVisible();
  await expect(scan).toHaveAttribute("data-status", "changed");
  // Not color alone: the row carries a "~" marker.
  await expect(scan).toContainText("~");
  await expect(paste.diffSummary).toContainText("Plan shape changed (1 changed, 0 added, 0 removed)");
  await scan.click();
  await expect(page.getByRole("complementary", { name: "Row details" })).toContainText("nodeType: Index Scan → Seq Scan");
  await shot(page, "plan-compare-light");
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "plan-compare-dark");
});

test("a 256-partition plan folds its Append and keeps the hot node in view", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  await paste.showPlan(fixture("pg18/append-partitions.analyze.json"));
  await expect(paste.tree).toBeVisible();
  const more = paste.tree.getByRole("treeitem", { name: /^Show \d+ more of 256/ }).first();
  await expect(more).toBeVisible();
  // Only what is on screen is in the DOM.
  expect(await paste.tree.getByRole("treeitem").count()).toBeLessThan(80);
  await more.click();
  await expect(paste.tree.getByRole("treeitem", { name: /^Show \d+ more of 256/ })).toHaveCount(0);
  await shot(page, "plan-paste-partitions");
});

interface Timing {
  clickMs: number;
  rowsMs: number;
  lastLongTaskEndMs: number;
  longTasks: number;
}

test("two 2,000-node plans compare without freezing the page (time to interactive)", async ({ page }) => {
  const paste = new PlanPastePage(page);
  await paste.goto();
  const left = fixture("pg18/big-union.analyze.json");
  // The same plan with three partition scans turned into index scans: a realistic, mostly-identical pair.
  const right = left.replace(/"Node Type": "Seq Scan",([^{}]*?"Relation Name": "events_(?:7|100|1500)")/g, '"Node Type": "Index Scan", "Index Name": "events_idx",$1');
  expect(right).not.toBe(left);
  await paste.fill(paste.planInput, left);
  await paste.fill(paste.compareInput, right);
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: { start: number; end: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, end: e.startTime + e.duration });
    }).observe({ type: "longtask" });
  });

  await paste.compareButton.click();
  await expect(paste.compareTree.getByRole("treeitem").first()).toBeVisible({ timeout: 10_000 });
  await expect(paste.compareRow(/^changed: /).first()).toBeVisible();
  // Main thread free: wait until no long task has started for a while, then read the marks.
  await page.waitForTimeout(1_500);
  const t = await page.evaluate((): Timing => {
    const w = window as unknown as { __longTasks: { start: number; end: number }[] };
    const click = performance.getEntriesByName("planwatch:compare:click")[0]?.startTime ?? Number.NaN;
    const rows = performance.getEntriesByName("planwatch:compare:rows")[0]?.startTime ?? Number.NaN;
    const after = w.__longTasks.filter((x) => x.end > click);
    return { clickMs: click, rowsMs: rows, lastLongTaskEndMs: Math.max(rows, ...after.map((x) => x.end)), longTasks: after.length };
  });
  const toRows = t.rowsMs - t.clickMs;
  const tti = t.lastLongTaskEndMs - t.clickMs;
  console.log(`compare 2×2,057 nodes: click → rows ${toRows.toFixed(0)} ms; time to interactive ${tti.toFixed(0)} ms (${t.longTasks} long tasks)`);
  test.info().annotations.push({ type: "compare-tti-ms", description: tti.toFixed(0) });
  expect(tti).toBeLessThan(10_000); // a sanity bound; the target (≤ 1.5 s) is reported, not asserted
  await shot(page, "plan-compare-big");

  // The same 2,000-node plan on its own: the tree renders, and folds the 2,048-member Append.
  await paste.showPlanButton.click();
  await expect(paste.tree.getByRole("treeitem", { name: /^Show [\d,]+ more of/ }).first()).toBeVisible();
  expect(await paste.tree.getByRole("treeitem").count()).toBeLessThan(80);
});
