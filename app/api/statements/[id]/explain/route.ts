import { z } from "zod";
import { prisma } from "@/lib/db/client";
import { ExplainError } from "@/lib/collector/explain-analyze";
import { explainStatement } from "@/lib/collector/explain-statement";
import { HttpError, authorizeRequest, errorResponse, parseJsonBody } from "@/lib/http/route";

export const dynamic = "force-dynamic";

const explainBody = z.object({
  params: z.array(z.string().max(100_000).nullable()).max(1000),
  allowWrites: z.boolean().optional(),
  statementTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  lockTimeoutMs: z.number().int().min(1).max(600_000).optional(),
});

/** EXPLAIN ANALYZE of one statement with the given values; the plan is stored (source on_demand). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    // First, before reading anything: it runs the statement on a production server.
    await authorizeRequest(request, "explain:analyze");
    const { id } = await params;
    if (!/^\d{1,19}$/.test(id)) throw new HttpError(404, "no such statement");
    const body = await parseJsonBody(request, explainBody);
    const result = await explainStatement(prisma(), BigInt(id), body);
    if (!result) throw new HttpError(404, "no such statement");
    return Response.json(
      {
        statementId: result.statementId.toString(),
        planId: result.planId.toString(),
        isNew: result.isNew,
        status: result.status,
        fingerprint: result.fingerprint,
        plan: result.planJson,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (err) {
    // A refusal or a statement the target rejected is the request's fault (400); a timeout is the target's (504).
    if (err instanceof ExplainError) return errorResponse(new HttpError(err.reason === "timeout" || err.reason === "lock-timeout" ? 504 : 400, err.message));
    return errorResponse(err);
  }
}
