// Statements end to end on a REAL workload: a throwaway PostgreSQL 18 with pg_stat_statements and
// auto_explain, registered and collected with the `planwatch` CLI against the e2e server's embedded
// repository. Phase 1 runs a lookup through an index and is collected; its rows are then moved two
// hours back (so they fall in the default 24h baseline window); the index is dropped, phase 2 runs
// the same lookup as a Seq Scan and is collected into the recent 1h window.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { embeddedBinaries } from "../lib/db/postgres-server";
import { monitoredSettings, startCluster, type TestCluster } from "../test/support/clusters";
import { StatementPage } from "./pages/statement-page";
import { StatementsPage } from "./pages/statements-page";
import { ACCOUNTS, AUTH, planwatchCli, planwatchOk, withClient, withRepository } from "./support/accounts";
import { StoredPlanPage } from "./pages/stored-plan-page";

const QUERY = "select sum(amount) from orders where customer_id = $1";
const SETTINGS = {
  ...monitoredSettings,
  log_destination: "jsonlog",
  "auto_explain.log_min_duration": 0,
  "auto_explain.log_analyze": "on",
  "auto_explain.log_buffers": "on",
  "auto_explain.log_format": "json",
  "auto_explain.sample_rate": 1,
};

let cluster: TestCluster;
let appUrl: string;
let statementId = "";


async function workload(calls: number): Promise<void> {
  await withClient(appUrl, async (app) => {
    for (let i = 0; i < calls; i++) await app.query(QUERY, [1 + (i % 50)]);
  });
}

/** Waits until the server log holds everything so far (the logging collector writes asynchronously). */
async function flushLog(): Promise<void> {
  const marker = `flush_${randomBytes(6).toString("hex")}`;
  await withClient(cluster.server.url(), async (admin) => {
    await admin.query(`select '${marker}'`);
    for (let i = 0; i < 200; i++) {
      const { rows } = await admin.query<{ found: boolean }>("select strpos(pg_read_file(pg_current_logfile('jsonlog')), $1) > 0 as found", [marker]);
      if (rows[0]?.found) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the server log never caught up");
  });
}

async function collect(): Promise<void> {
  await flushLog();
  // The app server's own collector may hold the target's lock for a moment: try again then.
  for (let attempt = 0; attempt < 5; attempt++) {
    const out = JSON.parse(await planwatchOk(["collect", "--once", "--target", "shop", "--json"])) as { targets: { errors: string[] }[] };
    const errors = out.targets.flatMap((t) => t.errors);
    if (errors.length === 0) return;
    if (!errors.some((e) => e.includes("locked by another collector"))) throw new Error(`collect failed: ${errors.join("; ")}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error("the target stayed locked by another collector");
}

async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0); // no chart tooltip left open under the pointer
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `test-results/screenshots/${name}-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test.describe.configure({ mode: "serial" });
// Signed in as the approver (e2e/auth.setup.ts); the viewer and the admin get their own contexts.
test.use({ storageState: AUTH.approver });

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(300_000);
  cluster = await startCluster(await embeddedBinaries(), SETTINGS);
  await withClient(cluster.server.url(), (admin) => admin.query("create database shop"));
  const url = new URL(cluster.server.url());
  url.pathname = "/shop";
  appUrl = url.toString();
  await withClient(appUrl, (setup) =>
    setup.query(`
      create extension pg_stat_statements;
      create table orders (id int primary key, customer_id int not null, amount numeric not null);
      insert into orders select g, g % 5000, g % 97 from generate_series(1, 300000) g;
      create index orders_customer_idx on orders (customer_id);
      analyze;`),
  );

  await planwatchOk(["target", "add", "--name", "shop", "--url", appUrl]);
  // This spec collects by itself: keep the app server's in-process collector off this target.
  await withRepository((repo) =>
    repo.query("update target set collect_interval_seconds = 86400, next_collect_at = now() + interval '1 day' where name = 'shop'"),
  );

  await workload(1); // pg_stat_statements must know the statement at one snapshot to store the next interval
  await collect();
  await workload(60);
  await collect();

  // Phase 1 becomes the baseline: two hours ago is inside "the 24h before the last hour".
  await withRepository(async (repo) => {
    const target = "(select id from target where name = 'shop')";
    await repo.query(`update statement_interval set window_start = window_start - interval '2 hours', window_end = window_end - interval '2 hours' where target_id = ${target}`);
    await repo.query(`update plan_sample ps set captured_at = ps.captured_at - interval '2 hours' from plan p join statement s on s.id = p.statement_id where ps.plan_id = p.id and s.target_id = ${target}`);
    await repo.query(`update plan p set first_seen_at = p.first_seen_at - interval '2 hours', last_seen_at = p.last_seen_at - interval '2 hours' from statement s where s.id = p.statement_id and s.target_id = ${target}`);
    // History rewritten: the hourly and daily rollups of it are rebuilt by the next collection.
    await repo.query(`delete from statement_rollup where target_id = ${target}`);
    await repo.query(`update target set rolled_up_hour_until = null, rolled_up_day_until = null where id = ${target}`);
  });

  await withClient(appUrl, (c) => c.query("drop index orders_customer_idx"));
  await workload(60);
  await collect();

  statementId = await withRepository(async (repo) => {
    const { rows } = await repo.query<{ id: string }>(
      "select s.id::text from statement s join target t on t.id = s.target_id where t.name = 'shop' and s.query_text = $1",
      [QUERY],
    );
    return rows[0]?.id ?? "";
  });
  expect(statementId).not.toBe("");
});

test.afterAll(async () => {
  await cluster?.dispose();
});

test("the list ranks the dropped index first, as a plan change, with the state in the URL", async ({ page }) => {
  const list = new StatementsPage(page);
  await list.goto("?target=shop");
  await expect(list.targetSelect).toHaveValue("shop");
  const first = list.rows().first();
  await expect(first).toContainText(QUERY);
  await expect(first).toContainText("Plan change");
  await expect(first).toContainText("Regression");

  // Filters and sorting go into the URL and survive a reload (deep links).
  await list.chooseVerdict("Regressions");
  await expect(list.verdictFilter("Regressions")).toBeChecked();
  await list.sortBy("Ratio").click();
  await expect(page).toHaveURL(/verdict=regressions/);
  await expect(page).toHaveURL(/sort=ratio/);
  await page.reload();
  await expect(list.verdictFilter("Regressions")).toBeChecked();
  await expect(list.rows().first()).toContainText(QUERY);
  await list.search.fill("no such statement text");
  await expect(page.getByText("No statement matches these filters.")).toBeVisible();
  await list.search.fill("customer_id");
  await expect(list.rows().first()).toContainText(QUERY);
  await shot(page, "statements");

  // The whole row is one keyboard stop: Enter opens the statement.
  await list.rows().first().focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/statements/${statementId}$`));
});

test("the list API validates its parameters by name", async ({ request }) => {
  const bad = await request.get("/api/statements?recent=2h");
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ field: "recent", error: expect.stringContaining("must be one of") });
  const unknown = await request.get("/api/statements?recnet=1h");
  expect(await unknown.json()).toMatchObject({ field: "recnet" });
  const ok = await request.get("/api/statements?target=shop&verdict=regressions&sort=impact");
  expect(ok.status()).toBe(200);
  const body = (await ok.json()) as { rows: { statementId: string; cause: string }[] };
  expect(body.rows[0]).toMatchObject({ statementId, cause: "plan-change" });
});

test("the statement page shows charts and two plans, and refuses a decision once the session is gone", async ({ page }) => {
  const statement = new StatementPage(page);
  await statement.goto(statementId);
  await statement.expectLoaded();
  await expect(statement.queryText).toContainText("customer_id = $1");
  await expect(statement.verdict).toContainText("Regression");
  await expect(statement.verdict.getByRole("link", { name: "Compare baseline vs recent plan" })).toHaveAttribute("href", new RegExp(`/statements/${statementId}/compare\\?a=\\d+&b=\\d+`));

  // Both charts drew data: the line's dots and path, the scatter's symbols (two plans → two series).
  await expect(statement.intervalCharts.locator(".recharts-line-dots circle").first()).toBeAttached();
  await expect(statement.intervalCharts.locator("path.recharts-curve").first()).toBeAttached();
  await expect(statement.intervalCharts.locator(".recharts-reference-line")).not.toHaveCount(0);
  await expect(statement.costScatter.locator(".recharts-scatter")).toHaveCount(2);
  await expect(statement.costScatter.locator(".recharts-symbols").first()).toBeAttached();

  await expect(statement.planRows()).toHaveCount(2);
  const newPlan = statement.planRows().last();
  await expect(newPlan).toContainText("Unapproved");
  await expect(newPlan.getByRole("link")).toHaveAttribute("href", new RegExp(`/statements/${statementId}/plans/\\d+$`));
  // Buttons that would change nothing are not offered.
  await expect(newPlan.getByRole("button", { name: "Enable", exact: true })).toHaveCount(0);
  await expect(newPlan.getByRole("button", { name: "Reject", exact: true })).toBeVisible();
  await expect(statement.explainForm.getByLabel("$1")).toBeVisible();
  await shot(page, "statement");

  // The session ends while the page is open (signed out elsewhere): the server refuses, clearly.
  await page.context().clearCookies();
  await statement.decide(newPlan, "Reject");
  await expect(page.getByRole("alert").filter({ hasText: "Sign in to change plans" })).toBeVisible();
  // The optimistic "Rejected" was rolled back.
  await expect(newPlan).toContainText("Unapproved");
  await expect(newPlan).not.toContainText("Rejected");

  // EXPLAIN ANALYZE: one input per $n, and the same clear refusal.
  await statement.explainForm.getByLabel("$1").fill("7");
  await statement.explainForm.getByRole("button", { name: "Run EXPLAIN ANALYZE" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Sign in to run EXPLAIN ANALYZE" })).toBeVisible();
});

test("the compare view, opened from the verdict, highlights the scan that changed", async ({ page }) => {
  const statement = new StatementPage(page);
  await statement.goto(statementId);
  await statement.expectLoaded();
  await statement.verdict.getByRole("link", { name: "Compare baseline vs recent plan" }).click();
  const compare = new StoredPlanPage(page);
  // Baseline: the orders_customer_idx bitmap path; recent: the index is gone, orders is read whole.
  await expect(compare.compareTree.getByRole("treeitem", { name: /^changed: .*orders.* → .*Seq Scan on orders/ }).first()).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/statement-compare.png", fullPage: true });
});

test("an unknown or malformed statement id is not found", async ({ page }) => {
  // The page streams behind loading.tsx, so the status line is sent before notFound(): the answer is
  // the not-found page (with Next's noindex), status 200.
  for (const id of ["999999999", "abc", "0"]) {
    await page.goto(`/statements/${id}`);
    await expect(page.getByRole("heading", { name: "Statement not found" })).toBeVisible();
  }
});

test("targets and audit pages", async ({ page }) => {
  await page.goto("/targets");
  await expect(page.getByRole("heading", { level: 1, name: "Targets" })).toBeVisible();
  const row = page.getByRole("table", { name: "Targets" }).getByRole("row").filter({ has: page.getByRole("link", { name: "shop", exact: true }) });
  await expect(row).toContainText("healthy");
  await expect(row).toContainText("18.");
  await expect(page.locator("body")).not.toContainText("test-Pa55word");
  // An approver does not manage targets: neither the form nor the Remove buttons are offered.
  await expect(page.getByRole("form", { name: "Add a target" })).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Remove shop" })).toHaveCount(0);

  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
  // The collector recorded each new plan's first status (the first plan Approved, the next Unapproved).
  const decisions = page.getByRole("table", { name: "Plan decisions" });
  await expect(decisions.getByRole("row").filter({ hasText: "select sum(amount) from orders" })).toHaveCount(2);
  await shot(page, "audit");
  await page.getByLabel("New status").selectOption("Rejected");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/status=Rejected/);
  await expect(page.getByText("No decision matches these filters.")).toBeVisible();
});

test("an admin manages targets: the form and Remove are offered, and the server checks the input", async ({ browser }) => {
  const context = await browser.newContext({ storageState: AUTH.admin });
  const page = await context.newPage();
  try {
    await page.goto("/targets");
    await expect(page.getByRole("group", { name: "Account" })).toContainText(ACCOUNTS.admin.email);
    const row = page.getByRole("table", { name: "Targets" }).getByRole("row").filter({ has: page.getByRole("link", { name: "shop", exact: true }) });
    await expect(row.getByRole("button", { name: "Remove shop" })).toBeVisible();
    const form = page.getByRole("form", { name: "Add a target" });
    await form.getByLabel("Name").fill("other");
    await form.getByLabel("Host").fill("127.0.0.1");
    await form.getByLabel("Port").fill("0");
    await form.getByLabel("Database").fill("shop");
    await form.getByLabel("User").fill("postgres");
    await form.getByRole("button", { name: "Add target" }).click();
    // Authorized (an admin), then refused by the input check, before any connection is tried.
    await expect(page.getByRole("alert").filter({ hasText: "port: a port from 1 to 65535" })).toBeVisible();
    await shot(page, "targets");
  } finally {
    await context.close();
  }
});

test("a viewer reads the statement but is offered no decision, no EXPLAIN ANALYZE and no target changes", async ({ browser }) => {
  const context = await browser.newContext({ storageState: AUTH.viewer });
  const page = await context.newPage();
  try {
    const statement = new StatementPage(page);
    await statement.goto(statementId);
    await statement.expectLoaded();
    await expect(page.getByRole("group", { name: "Account" })).toContainText(ACCOUNTS.viewer.email);
    await expect(statement.planRows()).toHaveCount(2);
    await expect(statement.planTable.getByRole("button")).toHaveCount(0);
    await expect(statement.planTable.getByRole("columnheader", { name: "Decide" })).toHaveCount(0);
    await expect(page.getByText("Your role (viewer) reads plans")).toBeVisible();
    await expect(statement.explainForm).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Run EXPLAIN ANALYZE" })).toHaveCount(0);
    await shot(page, "statement-viewer");

    await page.goto("/targets");
    await expect(page.getByRole("table", { name: "Targets" })).toBeVisible();
    await expect(page.getByRole("form", { name: "Add a target" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Remove/ })).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("an approver rejects the new plan: toast with the write-back, Rejected after a reload, stored and audited with their email", async ({ page }) => {
  const statement = new StatementPage(page);
  await statement.goto(statementId);
  await statement.expectLoaded();
  const newPlan = statement.planRows().last();
  await expect(newPlan).toContainText("Unapproved");
  await page.getByLabel("Reason for the next decision").fill("index orders_customer_idx dropped");
  await statement.decide(newPlan, "Reject");
  // Written back as advisory: the target has no pg_hint_plan hint table, so PlanWatch keeps the decision.
  await expect(page.getByText(/^Plan [0-9a-f]+ rejected · write-back advisory: /)).toBeVisible();
  await page.reload();
  await statement.expectLoaded();
  await expect(statement.planRows().last()).toContainText("Rejected");
  await expect(statement.planRows().last().getByRole("button", { name: "Reject", exact: true })).toHaveCount(0);

  // In the repository: the plan is Rejected and the audit row names the approver.
  const stored = await withRepository(async (repo) => {
    const plan = await repo.query<{ id: string; status: string }>(
      "select id::text, status::text from plan where statement_id = $1 order by first_seen_at desc limit 1",
      [statementId],
    );
    const change = await repo.query<{ actor: string; to_status: string; reason: string | null }>(
      "select actor, to_status::text, reason from plan_status_change where plan_id = $1 order by id desc limit 1",
      [plan.rows[0]?.id],
    );
    return { plan: plan.rows[0], change: change.rows[0] };
  });
  expect(stored.plan?.status).toBe("Rejected");
  expect(stored.change).toMatchObject({ actor: ACCOUNTS.approver.email, to_status: "Rejected", reason: "index orders_customer_idx dropped" });

  // The audit page shows the decision with who made it.
  await page.goto("/audit?status=Rejected");
  const decisions = page.getByRole("table", { name: "Plan decisions" });
  const rejected = decisions.getByRole("row").filter({ hasText: ACCOUNTS.approver.email });
  await expect(rejected).toHaveCount(1);
  await expect(rejected).toContainText("select sum(amount) from orders");
  await expect(rejected).toContainText("Rejected");
  await shot(page, "audit-rejected");
});

test("a decision on a stale page (the plan changed meanwhile) shows the conflict and reloads the state", async ({ page }) => {
  const statement = new StatementPage(page);
  await statement.goto(statementId);
  await statement.expectLoaded();
  const newPlan = statement.planRows().last();
  await expect(newPlan).toContainText("Rejected");
  const planId = /\/plans\/(\d+)$/.exec((await newPlan.getByRole("link").getAttribute("href")) ?? "")?.[1] ?? "";
  expect(planId).not.toBe("");

  // Someone else approves it with the CLI while this page is open.
  const cli = await planwatchCli(["plan", "approve", planId, "--reason", "e2e conflict"]);
  expect(cli.code, cli.stderr).toBe(0);

  // The page still offers what made sense for "Rejected": Prefer was based on the old version.
  await statement.decide(newPlan, "Prefer");
  await expect(page.getByRole("alert").filter({ hasText: "changed by someone else" })).toBeVisible();
  // Reloaded from the server: the CLI's Approved, not the stale Rejected nor the refused Preferred.
  await expect(newPlan).toContainText("Approved");
  await expect(newPlan).not.toContainText("Preferred");
  await expect(newPlan.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
  const status = await withRepository(async (repo) => (await repo.query<{ status: string }>("select status::text from plan where id = $1", [planId])).rows[0]?.status);
  expect(status).toBe("Approved");
});

test("the header links the three pages", async ({ page }) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Statements", "Targets", "Audit"]) await expect(nav.getByRole("link", { name })).toBeVisible();
});
