// Write-back adapters against real PostgreSQL 18 and 15 holding objects of the DOCUMENTED shape of
// apg_plan_mgmt (dba_plans, set_plan_status, set_plan_enabled) and of pg_hint_plan's hint table (both
// key variants). What this proves: our SQL against those shapes and our choice of what to write. It
// does not prove Aurora's or pg_hint_plan's own behaviour (neither extension is installed here).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/client";
import { decidePlan, type PlanAction } from "@/lib/db/plan-decisions";
import { parsePlan, hintsFor } from "@/lib/plan";
import { writeBackFor, type WriteBackTarget } from "@/lib/write-back";
import { freshDatabase, testServers, withClient } from "../support/databases";
import { freshRepository } from "../support/repository";
import { ORDERS_SETUP, ORDERS_SQL, SHAPES, capabilitiesWith, explainJson, seedStatement } from "../support/plan-fixtures";

const approver: Actor = { kind: "user", userId: "2", email: "ann@example.com", role: "approver" };

// The documented shape: dba_plans (a view) with sql_hash, plan_hash, status, enabled, sql_text,
// plan_outline, queryId; set_plan_status / set_plan_enabled returning 0 on success, -1 on failure.
const APG_SHAPE = `
  create schema apg_plan_mgmt;
  create table apg_plan_mgmt.plans (
    sql_hash integer not null, plan_hash integer not null, sql_text varchar not null, plan_outline text,
    status varchar not null default 'Unapproved', enabled boolean not null default true, valid boolean not null default true,
    "queryId" bigint, primary key (sql_hash, plan_hash));
  create view apg_plan_mgmt.dba_plans as select * from apg_plan_mgmt.plans;
  create function apg_plan_mgmt.set_plan_status(sql_hash integer, plan_hash integer, status varchar) returns integer language plpgsql as $$
  begin
    if lower(status) not in ('approved', 'unapproved', 'rejected', 'preferred') then return -1; end if;
    update apg_plan_mgmt.plans p set status = initcap(set_plan_status.status) where p.sql_hash = set_plan_status.sql_hash and p.plan_hash = set_plan_status.plan_hash;
    return case when found then 0 else -1 end;
  end $$;
  create function apg_plan_mgmt.set_plan_enabled(sql_hash integer, plan_hash integer, enabled boolean) returns integer language plpgsql as $$
  begin
    update apg_plan_mgmt.plans p set enabled = set_plan_enabled.enabled where p.sql_hash = set_plan_enabled.sql_hash and p.plan_hash = set_plan_enabled.plan_hash;
    return case when found then 0 else -1 end;
  end $$;
`;

const hintShape = (key: "query_id" | "norm_query_string") => `
  create schema hint_plan;
  create table hint_plan.hints (id serial primary key, ${key} ${key === "query_id" ? "bigint" : "text"} not null,
    application_name text not null, hints text not null, unique (${key}, application_name));
`;

describe.each(testServers())("PostgreSQL $major", (server) => {
  let repo: PrismaClient;
  const urls: Record<string, string> = {};
  const targets: Record<string, bigint> = {};
  let plans: Record<keyof typeof SHAPES, unknown>;

  const connectTo = (kind: string) => async (_t: WriteBackTarget) => {
    const c = new pg.Client({ connectionString: urls[kind] });
    await c.connect();
    return c;
  };
  const decide = (kind: string, planId: bigint, action: PlanAction) =>
    decidePlan(repo, { planId, action, actor: approver }, writeBackFor(repo, targets[kind]!, { connect: connectTo(kind) }));
  const query = <R extends pg.QueryResultRow>(kind: string, sql: string, params: unknown[] = []) => withClient(urls[kind]!, async (c) => (await c.query<R>(sql, params)).rows);

  async function addTarget(kind: string, shape: string, part: Parameters<typeof capabilitiesWith>[0]) {
    urls[kind] = await freshDatabase(server, `wb_${kind.slice(0, 8)}`);
    await withClient(urls[kind]!, (c) => c.query(ORDERS_SETUP + shape));
    const u = new URL(urls[kind]!);
    const row = await repo.target.create({
      data: { name: `${kind}-${server.major}`, host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), username: "postgres", capabilities: capabilitiesWith(part, server.major) as object },
    });
    targets[kind] = row.id;
  }

  beforeAll(async () => {
    ({ repo } = await freshRepository(server));
    const none = { installed: false, hintTableKey: null };
    await addTarget("apg", APG_SHAPE, { apgPlanMgmt: { installed: true }, pgHintPlan: none });
    await addTarget("hint_qid", hintShape("query_id"), { apgPlanMgmt: { installed: false }, pgHintPlan: { installed: true, hintTableKey: "query_id" } });
    await addTarget("hint_norm", hintShape("norm_query_string"), { apgPlanMgmt: { installed: false }, pgHintPlan: { installed: true, hintTableKey: "norm_query_string" } });
    plans = {
      indexScan: await explainJson(urls.apg!, ORDERS_SQL, SHAPES.indexScan),
      bitmapScan: await explainJson(urls.apg!, ORDERS_SQL, SHAPES.bitmapScan),
      seqScan: await explainJson(urls.apg!, ORDERS_SQL, SHAPES.seqScan),
      parallelSeqScan: await explainJson(urls.apg!, ORDERS_SQL, SHAPES.parallelSeqScan),
    };
  });
  afterAll(async () => {
    await repo?.$disconnect();
  });

  describe("apg_plan_mgmt", () => {
    let sqlHash = 1000;
    /** Managed plans as Aurora would hold them; plan_outline carries the plan's EXPLAIN JSON. */
    async function managed(sqlText: string, queryId: bigint | null, outlines: unknown[]) {
      sqlHash += 1;
      for (const [i, outline] of outlines.entries()) {
        await query("apg", `insert into apg_plan_mgmt.plans (sql_hash, plan_hash, sql_text, plan_outline, status, "queryId") values ($1, $2, $3, $4, 'Approved', $5)`, [
          sqlHash, 500 + i, sqlText, JSON.stringify(outline), queryId?.toString() ?? null,
        ]);
      }
      return sqlHash;
    }
    const row = async (hash: number, planHash: number) =>
      (await query<{ status: string; enabled: boolean }>("apg", "select status, enabled from apg_plan_mgmt.dba_plans where sql_hash = $1 and plan_hash = $2", [hash, planHash]))[0];

    it("reject → set_plan_status(…, 'Rejected') on the matching managed plan; disable → set_plan_enabled(…, false)", async () => {
      const { statement, planIds } = await seedStatement(repo, targets.apg!, "select * from orders where customer_id = $1", [
        { json: plans.indexScan, status: "Approved" },
        { json: plans.seqScan, status: "Unapproved" },
      ]);
      const hash = await managed(ORDERS_SQL, statement.queryId, [plans.indexScan, plans.seqScan]);
      const rejected = await decide("apg", planIds[1]!, "reject");
      expect(rejected.writeBack).toMatchObject({ result: "ok", detail: expect.stringContaining(`set_plan_status(${hash}, 501, 'Rejected')`) });
      expect(await row(hash, 501)).toEqual({ status: "Rejected", enabled: true });
      expect(await row(hash, 500)).toEqual({ status: "Approved", enabled: true });

      const disabled = await decide("apg", planIds[0]!, "disable");
      expect(disabled.writeBack?.result).toBe("ok");
      expect(await row(hash, 500)).toEqual({ status: "Approved", enabled: false });
      const audit = await repo.planStatusChange.findMany({ where: { planId: { in: planIds } }, orderBy: { id: "asc" } });
      expect(audit.map((a) => a.writeBackResult)).toEqual(["ok", "ok"]);
    });

    it("finds a managed statement without queryId by its text (whitespace aside)", async () => {
      const text = "select * from orders where customer_id = $1 and total > $2";
      const { planIds } = await seedStatement(repo, targets.apg!, text, [{ json: plans.bitmapScan, status: "Unapproved" }]);
      const hash = await managed("select *\n  from orders where customer_id = $1 and total > $2;", null, [plans.bitmapScan]);
      expect((await decide("apg", planIds[0]!, "prefer")).writeBack?.result).toBe("ok");
      expect(await row(hash, 500)).toEqual({ status: "Preferred", enabled: true });
    });

    it("no managed statement, no plan of that shape, two candidate statements: failed with the reason, decision kept, nothing written", async () => {
      const lonely = await seedStatement(repo, targets.apg!, "select 1 from orders where id = $1", [{ json: plans.seqScan }]);
      const noStatement = await decide("apg", lonely.planIds[0]!, "reject");
      expect(noStatement.writeBack).toMatchObject({ result: "failed", detail: expect.stringMatching(/no managed statement in apg_plan_mgmt\.dba_plans matches/) });
      expect((await repo.plan.findUniqueOrThrow({ where: { id: lonely.planIds[0]! } })).status).toBe("Rejected");

      const other = await seedStatement(repo, targets.apg!, "select * from orders where customer_id = $1 -- other", [{ json: plans.seqScan }]);
      const hash = await managed("x", other.statement.queryId, [plans.indexScan]);
      const noPlan = await decide("apg", other.planIds[0]!, "approve");
      expect(noPlan.writeBack).toMatchObject({ result: "failed", detail: expect.stringMatching(new RegExp(`none of the 1 managed plans of sql_hash ${hash} has this plan's shape`)) });
      expect(await row(hash, 500)).toEqual({ status: "Approved", enabled: true });

      const twice = await seedStatement(repo, targets.apg!, "select count(*) from orders", [{ json: plans.seqScan }]);
      await managed("select count(*) from orders", null, [plans.seqScan]);
      await managed("select count(*)  from orders", null, [plans.seqScan]);
      const ambiguous = await decide("apg", twice.planIds[0]!, "reject");
      expect(ambiguous.writeBack).toMatchObject({ result: "failed", detail: expect.stringMatching(/2 managed statements .* refusing to guess/) });
      const audit = await repo.planStatusChange.findFirstOrThrow({ where: { planId: twice.planIds[0]! } });
      expect(audit).toMatchObject({ toStatus: "Rejected", writeBackResult: "failed", writeBackDetail: expect.stringMatching(/refusing to guess/) });
    });
  });

  describe.each(["hint_qid", "hint_norm"] as const)("pg_hint_plan (%s)", (kind) => {
    const key = kind === "hint_qid" ? "query_id" : "norm_query_string";
    let n = 0;
    const text = () => `select * from orders where customer_id = $1 /* ${kind} ${++n} */`;
    const hintRows = async (statement: { queryId: bigint; queryText: string }) =>
      query<{ hints: string; application_name: string }>(kind, `select hints, application_name from hint_plan.hints where ${key} = $1`, [
        key === "query_id" ? statement.queryId.toString() : statement.queryText.replace(/\$\d+/g, "?"),
      ]);
    const hints = (json: unknown) => hintsFor(parsePlan(json));

    it("prefer → a row (application_name '') with the plan's hints, keyed by " + key, async () => {
      const { statement, planIds } = await seedStatement(repo, targets[kind]!, text(), [{ json: plans.indexScan, status: "Approved" }, { json: plans.bitmapScan }]);
      const decision = await decide(kind, planIds[1]!, "prefer");
      expect(decision.writeBack).toMatchObject({ result: "ok", detail: expect.stringContaining(`pins plan ${planIds[1]}`) });
      expect(await hintRows(statement)).toEqual([{ hints: hints(plans.bitmapScan), application_name: "" }]);
      expect(hints(plans.bitmapScan)).toMatch(/BitmapScan\(orders orders_customer_idx\)/);
    });

    it("rejecting the plan that runs pins the remaining approved plan; unapproving that one removes the row", async () => {
      const { statement, planIds } = await seedStatement(repo, targets[kind]!, text(), [
        { json: plans.indexScan, status: "Approved" },
        { json: plans.seqScan, status: "Unapproved" },
      ]);
      expect(await hintRows(statement)).toEqual([]);
      const rejected = await decide(kind, planIds[1]!, "reject");
      expect(rejected.writeBack).toMatchObject({ result: "ok", detail: expect.stringContaining(`pins plan ${planIds[0]}`) });
      expect(await hintRows(statement)).toEqual([{ hints: hints(plans.indexScan), application_name: "" }]);

      const unpinned = await decide(kind, planIds[0]!, "unapprove");
      expect(unpinned.writeBack).toMatchObject({ result: "ok", detail: expect.stringMatching(/row removed \(1\).*no Approved or Preferred plan remains/) });
      expect(await hintRows(statement)).toEqual([]);
    });

    it("disabling the pinned plan re-pins the best remaining one (Preferred before Approved)", async () => {
      const { statement, planIds } = await seedStatement(repo, targets[kind]!, text(), [
        { json: plans.indexScan, status: "Approved" },
        { json: plans.bitmapScan, status: "Unapproved" },
        { json: plans.seqScan, status: "Unapproved" },
      ]);
      await decide(kind, planIds[2]!, "prefer");
      await decide(kind, planIds[1]!, "approve");
      // Approving plan 1 keeps the Preferred plan pinned.
      expect(await hintRows(statement)).toEqual([{ hints: hints(plans.seqScan), application_name: "" }]);
      await decide(kind, planIds[2]!, "disable");
      const pinned = (await hintRows(statement))[0]?.hints;
      expect([hints(plans.indexScan), hints(plans.bitmapScan)]).toContain(pinned);
    });

    it("a plan pg_hint_plan cannot pin completely: failed with the reason, nothing written, decision kept", async () => {
      const { statement, planIds } = await seedStatement(repo, targets[kind]!, text(), [{ json: plans.parallelSeqScan }]);
      const decision = await decide(kind, planIds[0]!, "approve");
      expect(decision.writeBack).toMatchObject({ result: "failed", detail: expect.stringMatching(/cannot pin plan .* completely: .*(Gather|arallel).*nothing was written/) });
      expect(await hintRows(statement)).toEqual([]);
      expect((await repo.plan.findUniqueOrThrow({ where: { id: planIds[0]! } })).status).toBe("Approved");
    });

    it("leaves a row it did not write alone when a plan is rejected", async () => {
      const { statement, planIds } = await seedStatement(repo, targets[kind]!, text(), [{ json: plans.indexScan, status: "Approved" }, { json: plans.seqScan }]);
      const keyValue = key === "query_id" ? statement.queryId.toString() : statement.queryText.replace(/\$\d+/g, "?");
      await query(kind, `insert into hint_plan.hints (${key}, application_name, hints) values ($1, '', '/*+ Set(work_mem 64MB) */')`, [keyValue]);
      const decision = await decide(kind, planIds[1]!, "reject");
      expect(decision.writeBack).toMatchObject({ result: "ok", detail: expect.stringMatching(/not written by PlanWatch/) });
      expect(await hintRows(statement)).toEqual([{ hints: "/*+ Set(work_mem 64MB) */", application_name: "" }]);
    });
  });

  it("target down: failed outcome naming the target, the decision is stored", async () => {
    const down = await repo.target.create({
      data: {
        name: `down-${server.major}`, host: "127.0.0.1", port: 1, database: "app", username: "app",
        capabilities: capabilitiesWith({ apgPlanMgmt: { installed: false }, pgHintPlan: { installed: true, hintTableKey: "query_id" } }, server.major) as object,
      },
    });
    const { planIds } = await seedStatement(repo, down.id, "select 1", [{ json: plans.indexScan, status: "Approved" }]);
    const decision = await decidePlan(repo, { planId: planIds[0]!, action: "reject", actor: approver }, writeBackFor(repo, down.id));
    expect(decision.writeBack).toMatchObject({ result: "failed", detail: expect.stringMatching(/pg_hint_plan on target "down-\d+" failed: cannot connect to 127\.0\.0\.1:1\/app/) });
    const audit = await repo.planStatusChange.findFirstOrThrow({ where: { planId: planIds[0]! } });
    expect(audit).toMatchObject({ toStatus: "Rejected", writeBackResult: "failed" });
    expect((await repo.plan.findUniqueOrThrow({ where: { id: planIds[0]! } })).status).toBe("Rejected");
  });

  it("a target with neither extension stays advisory", async () => {
    const plain = await repo.target.create({
      data: { name: `plain-${server.major}`, host: "127.0.0.1", port: 1, database: "app", username: "app", capabilities: capabilitiesWith({ apgPlanMgmt: { installed: false }, pgHintPlan: { installed: false, hintTableKey: null } }, server.major) as object },
    });
    const { planIds } = await seedStatement(repo, plain.id, "select 2", [{ json: plans.indexScan }]);
    const decision = await decidePlan(repo, { planId: planIds[0]!, action: "reject", actor: approver }, writeBackFor(repo, plain.id));
    expect(decision.writeBack?.result).toBe("advisory");
  });
});
