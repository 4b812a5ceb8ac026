// Hostile text in the repository is shown as text, never run: query text, plan fields (relation,
// alias, filter), a decision's reason on /audit and a pasted plan all carry HTML/script payloads.
// Any dialog fails the test, and so does any Content-Security-Policy violation the browser reports
// (console or securitypolicyviolation event) — this spec also walks every page under the CSP.
// A target name carrying a payload is refused by validation before anything is stored.
//
// Works with or without the session gate: it signs in with an admin account of its own, made with
// the CLI, whatever browser state the project hands it.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { fingerprint, parsePlan } from "../lib/plan";
import { planwatchCli, withRepository } from "./support/accounts";
const PAYLOADS = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", '"><svg onload=alert(1)>'] as const;
const [IMG, SCRIPT, SVG] = PAYLOADS;
const QUERY_TEXT = `select * from orders where note = '${IMG}' or note = '${SCRIPT}' or note = '${SVG}'`;

/** A Seq Scan, or (second plan of the statement, another fingerprint) an Index Scan on an index named with a payload. */
function hostilePlan(kind: "seq" | "index"): unknown {
  return [
    {
      Plan: {
        "Node Type": kind === "seq" ? "Seq Scan" : "Index Scan",
        ...(kind === "index" ? { "Index Name": IMG, "Scan Direction": "Forward" } : {}),
        "Relation Name": IMG,
        Alias: SVG,
        Filter: `(note = '${SCRIPT}'::text)`,
        "Startup Cost": 0,
        "Total Cost": 35.5,
        "Plan Rows": 1,
        "Plan Width": 40,
      },
    },
  ];
}

/** `planwatch …` against the e2e server's repository: exit code and everything it printed. */
async function planwatch(args: string[], input: string): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await planwatchCli(args, input);
  return { code, out: stdout + stderr };
}

const account = { email: `hostile-${randomBytes(4).toString("hex")}@e2e.planwatch.test`, password: `e2e-${randomBytes(12).toString("base64url")}` };
const seeded = { target: "", statementId: "", planIds: [] as string[] };

test.beforeAll(async () => {
  const added = await planwatch(["user", "add", "--email", account.email, "--role", "admin", "--password-stdin"], `${account.password}\n`);
  expect(added.out).toContain(`added user ${account.email}`);
  await withRepository(async (client) => {
    seeded.target = `hostile-${Date.now()}`;
    const target = await client.query<{ id: string }>(`insert into target (name, host, database, username, updated_at) values ($1, '127.0.0.1', 'shop', 'monitor', now()) returning id::text`, [seeded.target]);
    const statement = await client.query<{ id: string }>(`insert into statement (target_id, query_id, db_id, user_id, query_text) values ($1, $2, 1, 1, $3) returning id::text`, [
      target.rows[0]?.id,
      String(Math.floor(Math.random() * 1e12)),
      QUERY_TEXT,
    ]);
    seeded.statementId = statement.rows[0]!.id;
    for (const [i, plan] of [hostilePlan("seq"), hostilePlan("index")].entries()) {
      const seen = new Date(Date.now() - (2 - i) * 60_000).toISOString();
      const row = await client.query<{ id: string }>(
        `insert into plan (statement_id, fingerprint, plan, source, first_seen_at, last_seen_at) values ($1, $2, $3::jsonb, 'on_demand', $4, $4) returning id::text`,
        [seeded.statementId, fingerprint(parsePlan(plan)), JSON.stringify(plan), seen],
      );
      seeded.planIds.push(row.rows[0]!.id);
    }
  });
});

/** Fails the test on any dialog, and collects CSP violations and page errors for assertions. */
function watch(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on("dialog", async (dialog) => {
    problems.push(`dialog opened: ${dialog.type()} ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on("console", (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy|Refused to (execute|load|apply|connect|frame|evaluate)/i.test(text)) problems.push(`console: ${text}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  return { problems };
}

async function recordViolations(page: Page) {
  // Init scripts run through the debugging protocol, so the CSP under test does not block them.
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
}

async function expectClean(page: Page, problems: string[]) {
  const violations = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  expect([...problems, ...violations.map((v) => `securitypolicyviolation: ${v}`)]).toEqual([]);
  // The payloads are text: none of them became an element.
  await expect(page.locator('img[src="x"], svg[onload], [onerror]')).toHaveCount(0);
  expect(await page.locator("script").evaluateAll((scripts) => scripts.filter((s) => s.textContent?.includes("alert(1)") && !s.textContent.includes("self.__next_f")).length)).toBe(0);
}

async function signIn(page: Page) {
  await page.context().clearCookies();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
}

test.beforeEach(async ({ page }) => {
  await recordViolations(page);
  await signIn(page);
});

test("payloads in query text, plan fields, audit reasons and a pasted plan are shown as text and never run, under the CSP", async ({ page, baseURL }) => {
  const { problems } = watch(page);
  const origin = new URL(baseURL!).origin;

  await test.step("the app sends the Content-Security-Policy and the other security headers", async () => {
    const response = await page.goto(`/?target=${encodeURIComponent(seeded.target)}`);
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toContain("default-src 'self'");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).toContain("object-src 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBeTruthy();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectClean(page, problems);
  });

  await test.step("a decision's reason with payloads (through the API) and a target name with a payload, refused", async () => {
    // Approve, not reject: other specs count the repository's Rejected decisions.
    const decision = await page.request.post(`/api/plans/${seeded.planIds[1]}/decision`, { headers: { origin }, data: { action: "approve", reason: `reviewed ${PAYLOADS.join(" ")}` } });
    expect(decision.status()).toBe(200);
    for (const name of PAYLOADS) {
      const refused = await page.request.post("/api/targets", { headers: { origin }, data: { name, url: "postgresql://monitor@127.0.0.1:1/shop" } });
      expect(refused.status()).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/must be 1 to 63 characters: letters, digits/);
    }
    const cli = await planwatch(["target", "add", "--name", IMG, "--url", "postgresql://monitor@127.0.0.1:1/shop"], "");
    expect(cli.code).not.toBe(0);
    expect(cli.out).toMatch(/must be 1 to 63 characters: letters, digits/);
    expect(await withRepository(async (c) => (await c.query("select 1 from target where name like '%<%' or name like '%>%'")).rowCount)).toBe(0);
  });

  await test.step("the statement page", async () => {
    await page.goto(`/statements/${seeded.statementId}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    for (const payload of PAYLOADS) await expect(page.getByText(payload, { exact: false }).first()).toBeVisible();
    await expectClean(page, problems);
  });

  await test.step("the plan page", async () => {
    await page.goto(`/statements/${seeded.statementId}/plans/${seeded.planIds[0]}`);
    const tree = page.getByRole("tree", { name: "Plan tree" });
    await expect(tree).toBeVisible();
    await expect(tree.getByText(IMG, { exact: false }).first()).toBeVisible();
    await expect(tree.getByText(SVG, { exact: false }).first()).toBeVisible();
    // Selecting the node (client-side JavaScript working under the CSP) shows its filter as text.
    await tree.getByRole("treeitem").first().click();
    await expect(page.getByRole("complementary", { name: "Node details" })).toContainText(SCRIPT);
    await expectClean(page, problems);
  });

  await test.step("the compare page", async () => {
    await page.goto(`/statements/${seeded.statementId}/compare`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectClean(page, problems);
  });

  await test.step("/plans/paste with a pasted plan carrying payloads", async () => {
    await page.goto("/plans/paste");
    await page.getByRole("textbox", { name: "Plan", exact: true }).fill(JSON.stringify(hostilePlan("seq")));
    await page.getByRole("button", { name: "Show plan" }).click();
    const tree = page.getByRole("tree", { name: "Plan tree" });
    await expect(tree.getByText(IMG, { exact: false }).first()).toBeVisible();
    await tree.getByRole("treeitem").first().click();
    await expect(page.getByRole("complementary", { name: "Node details" })).toContainText(SCRIPT);
    // Text that is not a plan but a payload: an error message, shown as text.
    await page.getByRole("textbox", { name: "Plan", exact: true }).fill(SVG);
    await page.getByRole("button", { name: "Show plan" }).click();
    await expect(page.getByText(/not an EXPLAIN plan/).first()).toBeVisible();
    await expectClean(page, problems);
  });

  await test.step("/audit shows the reason as text", async () => {
    await page.goto("/audit");
    for (const payload of PAYLOADS) await expect(page.getByText(payload, { exact: false }).first()).toBeVisible();
    await expectClean(page, problems);
  });

  await test.step("defence in depth: markup that did get into the page still cannot run script", async () => {
    await page.goto(`/statements/${seeded.statementId}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectClean(page, problems);
    // As if a rendering bug let a payload through as HTML: the browser refuses its inline handler.
    await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<img id="injected" src="/no-such-image" onerror="window.__injectedRan = true">'));
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.filter((v) => v.startsWith("script-src")).length))
      .toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __injectedRan?: boolean }).__injectedRan ?? false)).toBe(false);
    // The refusal this step provoked is expected: take it off the list the next steps check.
    const provoked = problems.filter((p) => /inline event handler violates the following Content Security Policy/.test(p));
    expect(provoked.length).toBeGreaterThan(0);
    problems.splice(0, problems.length, ...problems.filter((p) => !provoked.includes(p)));
    await page.evaluate(() => document.getElementById("injected")?.remove());
  });

  await test.step("/targets and the home page list", async () => {
    await page.goto("/targets");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectClean(page, problems);
    await page.goto(`/?target=${encodeURIComponent(seeded.target)}&verdict=all`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectClean(page, problems);
  });
});
