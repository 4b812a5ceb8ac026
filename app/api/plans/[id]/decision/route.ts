import { z } from "zod";
import { prisma } from "@/lib/db/client";
import { PLAN_ACTIONS, decidePlan } from "@/lib/db/plan-decisions";
import { HttpError, authorizeRequest, errorResponse, parseJsonBody } from "@/lib/http/route";
import { targetWriteBack } from "@/lib/write-back";

export const dynamic = "force-dynamic";

const decisionBody = z.object({
  action: z.enum(PLAN_ACTIONS),
  reason: z.string().max(2_000).optional(),
  /** The plan version the caller saw; a different current version answers 409. */
  expectedVersion: z.number().int().min(0).optional(),
});

/** POST /api/plans/:id/decision {action, reason?, expectedVersion?}: the same decidePlan the UI and CLI use. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const actor = await authorizeRequest(request, "plan:decide");
    const { id } = await params;
    if (!/^\d{1,18}$/.test(id)) throw new HttpError(404, `plan ${id.slice(0, 40)} does not exist`);
    const body = await parseJsonBody(request, decisionBody);
    const repo = prisma();
    const decision = await decidePlan(repo, { planId: BigInt(id), actor, ...body }, targetWriteBack(repo));
    return Response.json(
      {
        planId: String(decision.planId),
        changed: decision.changed,
        from: decision.from,
        to: decision.to,
        version: decision.version,
        auditId: decision.auditId === null ? null : String(decision.auditId),
        writeBack: decision.writeBack,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (err) {
    return errorResponse(err);
  }
}
