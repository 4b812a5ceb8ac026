import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, type Actor } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/client";
import { decidePlan, PLAN_ACTIONS, type PlanAction } from "@/lib/db/plan-decisions";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { testServers } from "../support/databases";
import { freshRepository, seedPlan } from "../support/repository";

const approver: Actor = { kind: "user", userId: "2", email: "ann@example.com", role: "approver" };
const viewer: Actor = { kind: "user", userId: "3", email: "vic@example.com", role: "viewer" };

let repo: PrismaClient;
beforeAll(async () => {
  ({ repo } = await freshRepository(testServers()[0]!));
});
afterAll(async () => {
  await repo.$disconnect();
});

async function snapshot(planId: bigint) {
  const plan = await repo.plan.findUniqueOrThrow({ where: { id: planId }, select: { status: true, enabled: true, version: true } });
  const audit = await repo.planStatusChange.count({ where: { planId } });
  return { plan, audit };
}

describe("decidePlan", () => {
  it("rejects a plan, audits who/when/from/to/why and the write-back result", async () => {
    const { plan } = await seedPlan(repo, { status: "Approved" });
    const decision = await decidePlan(repo, { planId: plan.id, action: "reject", actor: approver, reason: "412x slower after the index was dropped" });
    expect(decision).toMatchObject({ changed: true, from: { status: "Approved", enabled: true }, to: { status: "Rejected", enabled: true }, version: 1 });
    expect(decision.writeBack?.result).toBe("advisory");
    const rows = await repo.planStatusChange.findMany({ where: { planId: plan.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: "ann@example.com",
      fromStatus: "Approved",
      toStatus: "Rejected",
      fromEnabled: true,
      toEnabled: true,
      reason: "412x slower after the index was dropped",
      writeBackResult: "advisory",
    });
    expect(Date.now() - rows[0]!.at.getTime()).toBeLessThan(60_000);
  });

  it("refuses a missing identity (401) and a viewer (403) and changes nothing", async () => {
    const { plan } = await seedPlan(repo);
    const before = await snapshot(plan.id);
    for (const [actor, status] of [[null, 401], [viewer, 403]] as const) {
      const error = await decidePlan(repo, { planId: plan.id, action: "approve", actor }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).status).toBe(status);
    }
    expect(await snapshot(plan.id)).toEqual(before);
  });

  it("answers a stale expected version with a conflict naming the other decision, and changes nothing", async () => {
    const { plan } = await seedPlan(repo);
    await decidePlan(repo, { planId: plan.id, action: "approve", actor: { kind: "cli", osUser: "dba", role: "admin" }, expectedVersion: 0 });
    const before = await snapshot(plan.id);
    const error = await decidePlan(repo, { planId: plan.id, action: "reject", actor: approver, expectedVersion: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/changed by someone else .* now Approved \(by cli:dba at /);
    expect(await snapshot(plan.id)).toEqual(before);
  });

  it("does nothing, and audits nothing, when the plan is already in the asked state", async () => {
    const { plan } = await seedPlan(repo, { status: "Rejected" });
    const decision = await decidePlan(repo, { planId: plan.id, action: "reject", actor: approver });
    expect(decision).toMatchObject({ changed: false, auditId: null, version: 0 });
    expect((await snapshot(plan.id)).audit).toBe(0);
  });

  it("keeps the decision and records a failed write-back with its reason", async () => {
    const { plan } = await seedPlan(repo);
    const decision = await decidePlan(repo, { planId: plan.id, action: "disable", actor: approver }, async () => {
      throw new Error("permission denied for function set_plan_enabled");
    });
    expect(decision.writeBack).toEqual({ result: "failed", detail: "permission denied for function set_plan_enabled" });
    expect((await snapshot(plan.id)).plan).toEqual({ status: "Unapproved", enabled: false, version: 1 });
    const row = await repo.planStatusChange.findFirstOrThrow({ where: { planId: plan.id } });
    expect(row).toMatchObject({ writeBackResult: "failed", writeBackDetail: "permission denied for function set_plan_enabled", toEnabled: false });
  });

  it("answers an unknown plan with NotFoundError", async () => {
    await expect(decidePlan(repo, { planId: 987654321n, action: "approve", actor: approver })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("loses no update under 50 concurrent decisions: the audit chain matches the final state", async () => {
    const { plan } = await seedPlan(repo);
    const actions: PlanAction[] = Array.from({ length: 50 }, (_, i) => PLAN_ACTIONS[i % PLAN_ACTIONS.length]!);
    const results = await Promise.allSettled(
      actions.map((action, i) => decidePlan(repo, { planId: plan.id, action, actor: { ...approver, email: `user${i}@example.com` } })),
    );
    const failures = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(failures.every((f) => f instanceof ConflictError)).toBe(true);
    const changed = results.filter((r) => r.status === "fulfilled" && r.value.changed).length;

    const final = await repo.plan.findUniqueOrThrow({ where: { id: plan.id } });
    const audit = await repo.planStatusChange.findMany({ where: { planId: plan.id }, orderBy: { id: "asc" } });
    expect(changed).toBeGreaterThan(0);
    expect(audit).toHaveLength(changed);
    expect(final.version).toBe(changed);
    // Every row starts where the previous one ended: nobody overwrote a decision unseen.
    let state = { status: "Unapproved", enabled: true };
    for (const row of audit) {
      expect({ status: row.fromStatus, enabled: row.fromEnabled }).toEqual(state);
      state = { status: row.toStatus, enabled: row.toEnabled };
    }
    expect({ status: final.status, enabled: final.enabled }).toEqual(state);
  });
});
