import { parseRouteId } from "@/lib/db/plan-detail";
import { planBoard } from "@/lib/db/statement-detail";
import { HttpError, authorizeRequest, errorResponse } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** GET /api/statements/:id/plans: the plan history table's data (plans with versions, last decisions). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    await authorizeRequest(request, "read");
    const statementId = parseRouteId((await params).id);
    if (statementId === null) throw new HttpError(404, "no such statement");
    return Response.json(await planBoard(statementId), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
