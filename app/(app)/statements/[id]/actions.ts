"use server";

import { z } from "zod";
import { AuthError } from "@/lib/auth/authorize";
import { currentActor } from "@/lib/auth/current-actor";
import { prisma } from "@/lib/db/client";
import { decidePlan } from "@/lib/db/plan-decisions";
import { ConflictError, NotFoundError, UserError } from "@/lib/errors";
import { UI_PLAN_ACTIONS } from "@/lib/statements/plan-actions";
import { targetWriteBack } from "@/lib/write-back";

const decideInput = z.object({
  planId: z.string().regex(/^[1-9]\d{0,18}$/, "must be a plan id"),
  action: z.enum(UI_PLAN_ACTIONS),
  reason: z.string().max(2_000, "at most 2,000 characters").optional(),
  expectedVersion: z.number().int().min(0),
});

export type DecidePlanResult =
  | { error: { status: number; message: string } }
  | { decision: { planId: string; changed: boolean; version: number; status: string; enabled: boolean; writeBack: { result: string; detail: string } | null } };

/**
 * The plan table's buttons: one decision through decidePlan (authorization, optimistic concurrency,
 * audit row, write-back to the target). Refusals come back as { error } with an HTTP-like status.
 */
export async function decidePlanAction(input: unknown): Promise<DecidePlanResult> {
  const parsed = decideInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: { status: 400, message: `${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}` } };
  }
  const { planId, action, reason, expectedVersion } = parsed.data;
  try {
    const repo = prisma();
    const decision = await decidePlan(repo, { planId: BigInt(planId), action, actor: await currentActor(), reason: reason ?? null, expectedVersion }, targetWriteBack(repo));
    return {
      decision: {
        planId,
        changed: decision.changed,
        version: decision.version,
        status: decision.to.status,
        enabled: decision.to.enabled,
        writeBack: decision.writeBack,
      },
    };
  } catch (err) {
    if (err instanceof AuthError) return { error: { status: err.status, message: err.message } };
    if (err instanceof ConflictError) return { error: { status: 409, message: err.message } };
    if (err instanceof NotFoundError) return { error: { status: 404, message: err.message } };
    if (err instanceof UserError) return { error: { status: 400, message: err.message } };
    console.error("planwatch: decidePlanAction failed:", err instanceof Error ? err.message : err);
    return { error: { status: 500, message: "the decision could not be stored (internal error); nothing changed" } };
  }
}
