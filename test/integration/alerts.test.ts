// Alerts: a statement that newly becomes a regression and a rejected or disabled plan seen in new
// samples each produce one event; webhooks receive it through retries (a loopback server that fails
// twice first); webhook URLs never appear in full in any output.
import { execFile } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { addWebhook, listWebhooks, redactWebhookUrl } from "@/lib/alerts/webhooks";
import { cliActor } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/client";
import { decidePlan } from "@/lib/db/plan-decisions";
import { testServers } from "../support/databases";
import { freshRepository } from "../support/repository";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const TOKEN = "s3cr3t-T0KEN-in-path";
const FAST = { retryDelaysMs: [100, 200, 400], timeoutMs: 2_000 };
const NOW = new Date("2030-03-01T12:00:00Z");
const minutesBefore = (m: number) => new Date(NOW.getTime() - m * 60_000);

let repo: PrismaClient;
let repoUrl: string;
let server: Server;
let baseUrl: string;
const received: Array<{ path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
const logged: string[] = [];
const log = (line: string) => logged.push(line);
/** Requests to /flaky answer 500 while this is above 0. */
let flakyFailures = 0;

beforeAll(async () => {
  ({ repo, url: repoUrl } = await freshRepository(testServers()[0]!));
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
      const fail = req.url?.startsWith("/always-fails") || (req.url?.startsWith("/flaky") && flakyFailures-- > 0);
      res.writeHead(fail ? 500 : 204).end();
    });
  });
  // Loopback only: the test never sends anything off this machine.
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await repo?.$disconnect();
});

async function targetWithRegression(name: string) {
  const target = await repo.target.create({ data: { name, host: "127.0.0.1", database: "app", username: "app" } });
  const statement = await repo.statement.create({ data: { targetId: target.id, queryId: BigInt(Math.floor(Math.random() * 1e12)), dbId: 5n, userId: 10n, queryText: `select * from ${name} where id = $1` } });
  const interval = (endMinutesBefore: number, meanExecMs: number) => ({
    targetId: target.id,
    statementId: statement.id,
    windowStart: minutesBefore(endMinutesBefore + 5),
    windowEnd: minutesBefore(endMinutesBefore),
    calls: 100n,
    totalExecMs: 100 * meanExecMs,
    meanExecMs,
    execVarianceMs2: 1,
    rows: 100n,
    sharedHitBlocks: 0n,
    sharedReadBlocks: 0n,
    tempReadBlocks: 0n,
    tempWrittenBlocks: 0n,
  });
  await repo.statementInterval.createMany({ data: [interval(120, 5), interval(180, 5), interval(10, 50), interval(20, 50)] });
  return { target, statement };
}

const byPath = (prefix: string) => received.filter((r) => r.path.startsWith(prefix));

describe("regression alerts", () => {
  it("a new regression is delivered once, through two failures, with the event id on every attempt", async () => {
    const { target, statement } = await targetWithRegression("shop");
    const other = await repo.target.create({ data: { name: "elsewhere", host: "127.0.0.1", database: "app", username: "app" } });
    flakyFailures = 2;
    await addWebhook(repo, { url: `${baseUrl}/flaky/${TOKEN}`, actor: cliActor() });
    await addWebhook(repo, { url: `${baseUrl}/other-target`, targetName: other.name, actor: cliActor() });

    const evaluation = await evaluateAlerts(repo, target.id, NOW, { deliver: FAST, log });
    expect(evaluation.alerts).toEqual([{ kind: "regression", statementId: String(statement.id), planId: null }]);
    expect(await evaluation.delivery).toEqual({ delivered: 1, failedAttempts: 2, givenUp: 0 });

    const attempts = byPath("/flaky");
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers["x-planwatch-event"])).size).toBe(1);
    expect(attempts[2]!.body).toMatchObject({
      kind: "regression",
      target: "shop",
      detectedAt: NOW.toISOString(),
      regression: { statementId: String(statement.id), verdict: "regression", recentCalls: 200 },
    });
    expect(byPath("/other-target")).toHaveLength(0);
    const delivery = await repo.alertDelivery.findFirstOrThrow({ where: { webhook: { url: { contains: "/flaky/" } } } });
    expect(delivery).toMatchObject({ attempts: 3, lastError: null, givenUpAt: null });
    expect(delivery.deliveredAt).not.toBeNull();
    expect(logged.filter((l) => l.includes("HTTP 500"))).toHaveLength(2);
  });

  it("a statement still regressed is not alerted again; after it recovers, a new regression is", async () => {
    const target = await repo.target.findUniqueOrThrow({ where: { name: "shop" } });
    const again = await evaluateAlerts(repo, target.id, new Date(NOW.getTime() + 60_000), { deliver: FAST });
    expect(again.alerts).toEqual([]);
    // A day later nothing ran: no longer a regression.
    expect((await evaluateAlerts(repo, target.id, new Date(NOW.getTime() + 3 * 86_400_000), { deliver: false })).alerts).toEqual([]);
    expect(await repo.statementVerdict.findMany({ select: { verdict: true } })).toEqual([{ verdict: "stable" }]);
    const third = await evaluateAlerts(repo, target.id, new Date(NOW.getTime() + 120_000), { deliver: FAST });
    expect(third.alerts.map((a) => a.kind)).toEqual(["regression"]);
    await third.delivery;
    expect(await repo.alertEvent.count({ where: { kind: "regression" } })).toBe(2);
  });

  it("gives up after the last retry, and keeps the reason without the URL", async () => {
    const { target } = await targetWithRegression("failing");
    const hook = await addWebhook(repo, { url: `${baseUrl}/always-fails/${TOKEN}`, targetName: "failing", actor: cliActor() });
    const evaluation = await evaluateAlerts(repo, target.id, NOW, { deliver: FAST, log });
    const report = await evaluation.delivery;
    expect(report).toMatchObject({ givenUp: 1 });
    const row = await repo.alertDelivery.findFirstOrThrow({ where: { webhookId: BigInt(hook.id) } });
    expect(row).toMatchObject({ attempts: 4, lastError: "HTTP 500", deliveredAt: null });
    expect(row.givenUpAt).not.toBeNull();
    expect(byPath("/always-fails")).toHaveLength(4);
  });
});

describe("rejected and disabled plans seen again", () => {
  it("alerts once per plan for samples captured after the decision", async () => {
    const target = await repo.target.create({ data: { name: "advisory", host: "127.0.0.1", database: "app", username: "app" } });
    const statement = await repo.statement.create({ data: { targetId: target.id, queryId: 99n, dbId: 5n, userId: 10n, queryText: "select 2" } });
    const mkPlan = (fp: string) => repo.plan.create({ data: { statementId: statement.id, fingerprint: fp, status: "Unapproved", plan: {}, source: "auto_explain" } });
    const rejected = await mkPlan("rejected-fp");
    const disabled = await mkPlan("disabled-fp");
    const sample = (planId: bigint, capturedAt: Date, source: "auto_explain" | "on_demand" = "auto_explain") =>
      repo.planSample.create({ data: { planId, capturedAt, estimatedTotalCost: 1, source } });
    const beforeDecision = new Date(Date.now() - 60_000);
    await decidePlan(repo, { planId: rejected.id, action: "reject", actor: cliActor() });
    await decidePlan(repo, { planId: disabled.id, action: "disable", actor: cliActor() });

    // Captured before the decision (read late from the log), or by a DBA's EXPLAIN: not news.
    await sample(rejected.id, beforeDecision);
    await sample(disabled.id, new Date(Date.now() + 1_000), "on_demand");
    expect((await evaluateAlerts(repo, target.id, new Date(), { deliver: false })).alerts).toEqual([]);

    const later = new Date(Date.now() + 1_000);
    await sample(rejected.id, later);
    await sample(rejected.id, later);
    await sample(disabled.id, later);
    const evaluation = await evaluateAlerts(repo, target.id, new Date(), { deliver: false });
    expect(evaluation.alerts.map((a) => [a.kind, a.planId]).sort()).toEqual([
      ["disabled-plan-seen", String(disabled.id)],
      ["rejected-plan-seen", String(rejected.id)],
    ]);
    const event = await repo.alertEvent.findFirstOrThrow({ where: { planId: rejected.id } });
    expect(event.payload).toMatchObject({ kind: "rejected-plan-seen", mode: "advisory", newSamples: 2, plan: { fingerprint: "rejected-fp", status: "Rejected" } });
    // Nothing new since: nothing to say.
    expect((await evaluateAlerts(repo, target.id, new Date(), { deliver: false })).alerts).toEqual([]);
  });
});

describe("planwatch alerts", () => {
  const cli = (args: string[]) =>
    run(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "cli/planwatch.ts", "alerts", ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: repoUrl },
    });

  it("adds, lists and removes webhooks, never printing the URL's path or token", async () => {
    const added = await cli(["add", "--url", `https://hooks.example.test/services/${TOKEN}?key=${TOKEN}`, "--target", "shop"]);
    expect(added.stdout).toMatch(/^added webhook \d+ \(https:\/\/hooks\.example\.test\/…\) for target shop/);
    const listed = await cli(["list", "--json"]);
    const { webhooks } = JSON.parse(listed.stdout) as { webhooks: Array<{ id: string; url: string; target: string | null }> };
    const mine = webhooks.find((w) => w.url === "https://hooks.example.test/…");
    expect(mine).toMatchObject({ target: "shop" });
    const table = await cli(["list"]);
    expect(table.stdout).toMatch(/ID\s+TARGET\s+URL\s+ENABLED\s+DELIVERED\s+PENDING\s+FAILED/);
    const removed = await cli(["remove", mine!.id]);
    expect(removed.stdout).toBe(`removed webhook ${mine!.id}\n`);
    const refused = await cli(["add", "--url", `ftp://files.example.test/${TOKEN}`]).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect(refused).toMatchObject({ code: 1 });
    for (const output of [added, listed, table, removed, refused]) expect(`${output.stdout}${output.stderr}`).not.toContain(TOKEN);
    expect(logged.join("\n")).not.toContain(TOKEN);
    expect((await listWebhooks(repo, cliActor())).every((w) => !w.url.includes(TOKEN))).toBe(true);
    expect(redactWebhookUrl(`https://user:pw@h.example:8443/x/${TOKEN}`)).toBe("https://h.example:8443/…");
  });
});
