import { prisma } from "@/lib/db/client";
import { rankTarget } from "@/lib/db/regressions";
import { regressionParamsSchema, toRegressionParams, toRegressionRow } from "@/lib/api/regressions";
import { errorResponse, parseSearchParams } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * GET /api/regressions?target=NAME&recent=1h&baseline=24h[&minRatio=1.5&alpha=0.01&minCalls=20]:
 * the target's statements ranked (regressions by time lost, improvements, stable). Reads need no
 * identity until accounts exist.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const { target, ...question } = toRegressionParams(parseSearchParams(request, regressionParamsSchema));
    const rows = await rankTarget(prisma(), { targetName: target, ...question });
    return Response.json(rows.map(toRegressionRow), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
