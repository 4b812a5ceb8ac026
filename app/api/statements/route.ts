import { statementListParamsSchema } from "@/lib/api/statements";
import { statementList } from "@/lib/db/statement-list";
import { authorizeRequest, errorResponse, parseSearchParams } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * GET /api/statements?target=NAME&recent=1h&baseline=24h&q=…&verdict=all&sort=impact&dir=desc&page=1&pageSize=50:
 * the target's statements ranked by regression (target defaults to the first by name), filtered by
 * query text and verdict, sorted and paged on the server; each row names the plan that runs now.
 * 400 names the parameter and the reason; an unknown target is 404.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    await authorizeRequest(request, "read");
    const params = parseSearchParams(request, statementListParamsSchema);
    return Response.json(await statementList(params), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
