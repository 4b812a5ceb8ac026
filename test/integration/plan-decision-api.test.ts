// POST /api/plans/:id/decision: the HTTP face of decidePlan, behind the one authorization check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/auth/authorize";
import { createApiToken } from "@/lib/auth/api-tokens";
import type { PrismaClient } from "@/lib/db/client";
import { testServers } from "../support/databases";
import { freshRepository, seedPlan } from "../support/repository";

let repo: PrismaClient;
let POST: typeof import("@/app/api/plans/[id]/decision/route").POST;
const tokens: Record<"viewer" | "approver", string> = { viewer: "", approver: "" };

beforeAll(async () => {
  const fresh = await freshRepository(testServers()[0]!);
  repo = fresh.repo;
  // The route reads the repository the app server hands it.
  process.env.DATABASE_URL = fresh.url;
  ({ POST } = await import("@/app/api/plans/[id]/decision/route"));
  for (const role of ["viewer", "approver"] as const) tokens[role] = (await createApiToken(repo, { name: role, role, actor: cliActor() })).token;
});
afterAll(async () => {
  await repo.$disconnect();
});

function decide(planId: string, body: unknown, headers: Record<string, string> = {}) {
  const request = new Request(`http://planwatch.test/api/plans/${planId}/decision`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return POST(request, { params: Promise.resolve({ id: planId }) });
}

const bearer = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

async function state(planId: bigint) {
  const plan = await repo.plan.findUniqueOrThrow({ where: { id: planId }, select: { status: true, enabled: true, version: true } });
  return { plan, audit: await repo.planStatusChange.count({ where: { planId } }) };
}

describe("POST /api/plans/:id/decision", () => {
  it("refuses no identity (401), a cross-site browser (403) and a viewer (403), changing nothing", async () => {
    const { plan } = await seedPlan(repo, { status: "Approved" });
    const before = await state(plan.id);
    expect((await decide(String(plan.id), { action: "reject" }, { origin: "http://planwatch.test", host: "planwatch.test" })).status).toBe(401);
    expect((await decide(String(plan.id), { action: "reject" }, { origin: "https://evil.example", host: "planwatch.test" })).status).toBe(403);
    expect((await decide(String(plan.id), { action: "reject" }, bearer("viewer"))).status).toBe(403);
    expect(await state(plan.id)).toEqual(before);
  });

  it("lets an approver's token reject a plan, audited under the token", async () => {
    const { plan } = await seedPlan(repo, { status: "Approved" });
    const response = await decide(String(plan.id), { action: "reject", reason: "regressed", expectedVersion: 0 }, bearer("approver"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ changed: true, from: { status: "Approved" }, to: { status: "Rejected" }, version: 1, writeBack: { result: "advisory" } });
    const audit = await repo.planStatusChange.findFirstOrThrow({ where: { planId: plan.id } });
    expect(audit).toMatchObject({ toStatus: "Rejected", reason: "regressed", writeBackResult: "advisory" });
    expect(audit.actor).toMatch(/^token:/);
  });

  it("answers a stale version with 409, bad input with 400 naming the field, and unknown plans with 404", async () => {
    const { plan } = await seedPlan(repo);
    await decide(String(plan.id), { action: "approve" }, bearer("approver"));
    const conflict = await decide(String(plan.id), { action: "reject", expectedVersion: 0 }, bearer("approver"));
    expect(conflict.status).toBe(409);
    const bad = await decide(String(plan.id), { action: "obliterate" }, bearer("approver"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "action" });
    expect((await decide("999999999", { action: "approve" }, bearer("approver"))).status).toBe(404);
    expect((await decide("abc", { action: "approve" }, bearer("approver"))).status).toBe(404);
  });
});
