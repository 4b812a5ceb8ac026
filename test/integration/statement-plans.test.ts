// A statement's plans with their counts, costs and last write-back, and which plan QPM runs now.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/client";
import { decidePlan } from "@/lib/db/plan-decisions";
import { plansRunningNow, statementPlans } from "@/lib/db/statement-plans";
import { NotFoundError } from "@/lib/errors";
import { testServers } from "../support/databases";
import { freshRepository } from "../support/repository";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
let repo: PrismaClient;
let repoUrl: string;
let statementId: bigint;
const planIds: Record<string, bigint> = {};
const t = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute));

beforeAll(async () => {
  ({ repo, url: repoUrl } = await freshRepository(testServers()[0]!));
  const target = await repo.target.create({
    data: { name: "qpm", host: "127.0.0.1", database: "app", username: "app", capabilities: { apgPlanMgmt: { installed: true, unapprovedPlanExecutionThreshold: 5 } } },
  });
  const s = await repo.statement.create({ data: { targetId: target.id, queryId: -42n, dbId: 5n, userId: 10n, queryText: "select * from orders where id = $1" } });
  statementId = s.id;
  const plans: Array<[string, "Approved" | "Unapproved", Array<[number, number, number | null]>]> = [
    // name, status, samples: [minute, cost, actual ms]
    ["approved-cheap", "Approved", [[1, 50, 2], [2, 50, 4]]],
    ["approved-dear", "Approved", [[3, 80, 5]]],
    ["new", "Unapproved", [[4, 30, null], [9, 20, 1]]],
  ];
  for (const [name, status, samples] of plans) {
    const p = await repo.plan.create({ data: { statementId: s.id, fingerprint: `${name}-fp`, status, plan: {}, source: "auto_explain", firstSeenAt: t(samples[0]![0]) } });
    planIds[name] = p.id;
    await repo.planSample.createMany({
      data: samples.map(([minute, cost, ms]) => ({ planId: p.id, capturedAt: t(minute), estimatedTotalCost: cost, actualTotalMs: ms, source: "auto_explain" as const })),
    });
  }
  await decidePlan(repo, { planId: planIds["approved-dear"]!, action: "disable", actor: cliActor() });
});

const running0 = (m: Awaited<ReturnType<typeof plansRunningNow>>) => [...m.values()][0]!.runsNow;

afterAll(async () => {
  await repo?.$disconnect();
});

describe("statementPlans", () => {
  it("lists each plan with samples, mean time, latest cost and its last write-back", async () => {
    const result = await statementPlans(repo, statementId);
    expect(result).toMatchObject({ statementId: String(statementId), queryId: "-42", target: "qpm" });
    expect(result.plans.map((p) => [p.fingerprint, p.status, p.enabled, p.samples, p.meanActualMs, p.latestEstimatedCost])).toEqual([
      ["approved-cheap-fp", "Approved", true, 2, 3, 50],
      ["approved-dear-fp", "Approved", false, 1, 5, 80],
      ["new-fp", "Unapproved", true, 2, 1, 20],
    ]);
    expect(result.plans[1]!.lastWriteBack).toMatchObject({ result: "advisory", actor: expect.stringMatching(/^cli:/) });
    expect(result.plans[0]!.lastWriteBack).toBeNull();
  });

  it("runsNow: the optimizer's (latest sampled) Unapproved plan costs 20, above the threshold 5: the cheapest enabled Approved plan runs", async () => {
    const { runsNow } = await statementPlans(repo, statementId);
    expect(runsNow).toMatchObject({ rule: "cheapest-approved", fingerprint: "approved-cheap-fp", planId: String(planIds["approved-cheap"]) });
  });

  it("runsNow: below the target's unapproved_plan_execution_threshold the optimizer's plan runs", async () => {
    await repo.target.update({ where: { name: "qpm" }, data: { capabilities: { apgPlanMgmt: { installed: true, unapprovedPlanExecutionThreshold: 25 } } } });
    const { runsNow } = await statementPlans(repo, statementId);
    expect(runsNow).toMatchObject({ rule: "below-threshold", fingerprint: "new-fp" });
    await repo.target.update({ where: { name: "qpm" }, data: { capabilities: { apgPlanMgmt: { installed: true } } } });
    expect((await statementPlans(repo, statementId)).runsNow.rule).toBe("cheapest-approved");
  });

  it("plansRunningNow (the list's column, one query for a page): the same answer as statementPlans for each statement; none for statements without plans or unknown ids", async () => {
    const other = await repo.target.create({ data: { name: "plain", host: "127.0.0.1", database: "app", username: "app" } });
    const preferred = await repo.statement.create({ data: { targetId: other.id, queryId: -43n, dbId: 5n, userId: 10n, queryText: "select 2" } });
    // The optimizer's (latest sampled) plan is Unapproved and no threshold applies: the cheapest Preferred plan runs.
    for (const [name, status, cost, minute] of [["p-dear", "Preferred", 90, 1], ["p-cheap", "Preferred", 40, 2], ["u", "Unapproved", 10, 3]] as const) {
      const p = await repo.plan.create({ data: { statementId: preferred.id, fingerprint: name, status, plan: {}, source: "auto_explain", firstSeenAt: t(minute) } });
      await repo.planSample.create({ data: { planId: p.id, capturedAt: t(minute), estimatedTotalCost: cost, source: "auto_explain" } });
    }
    const planless = await repo.statement.create({ data: { targetId: other.id, queryId: -44n, dbId: 5n, userId: 10n, queryText: "select 3" } });
    const ids = [statementId, preferred.id, planless.id, 987_654_321n];
    for (const threshold of [undefined, 25]) {
      await repo.target.update({ where: { name: "qpm" }, data: { capabilities: { apgPlanMgmt: { installed: true, unapprovedPlanExecutionThreshold: threshold } } } });
      const running = await plansRunningNow(repo, ids);
      expect([...running.keys()].sort()).toEqual([String(statementId), String(preferred.id)].sort());
      for (const id of [statementId, preferred.id]) {
        const board = await statementPlans(repo, id);
        expect(running.get(String(id))!.runsNow).toEqual(board.runsNow);
        expect(running.get(String(id))!.plans.map((p) => [p.id, p.status, p.enabled])).toEqual(board.plans.map((p) => [p.planId, p.status, p.enabled]));
      }
    }
    expect(running0(await plansRunningNow(repo, [preferred.id]))).toMatchObject({ rule: "cheapest-preferred", fingerprint: "p-cheap" });
    expect((await plansRunningNow(repo, [])).size).toBe(0);
    await repo.target.update({ where: { name: "qpm" }, data: { capabilities: { apgPlanMgmt: { installed: true } } } });
  });

  it("unknown statement: NotFoundError", async () => {
    await expect(statementPlans(repo, 987_654_321n)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("planwatch plans list --statement ID [--json]", async () => {
    const cli = (args: string[]) =>
      run(path.join(root, "node_modules/.bin/tsx"), ["--conditions=react-server", "cli/planwatch.ts", "plans", "list", ...args], { cwd: root, env: { ...process.env, DATABASE_URL: repoUrl } });
    const json = await cli(["--statement", String(statementId), "--json"]);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await statementPlans(repo, statementId))));
    const text = await cli(["--statement", String(statementId)]);
    expect(text.stdout).toMatch(/runs now: plan \d+ approved — An Approved plan was used instead of the minimum cost plan/);
    expect(text.stdout).toMatch(/PLAN\s+FINGERPRINT\s+STATUS/);
    expect(text.stdout).toMatch(/approved-dear-fp\s+Approved\s+no\s+yes\s+1\s+5\s+80 .* advisory/);
  });
});
