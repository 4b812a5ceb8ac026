import { prisma } from "@/lib/db/client";
import { TargetNotFoundError, removeTarget } from "@/lib/collector/targets";
import { HttpError, authorizeRequest, errorResponse } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Removes the target and everything collected from it. */
export async function DELETE(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  try {
    await authorizeRequest(request, "target:manage");
    const { name } = await context.params;
    await removeTarget(prisma(), name).catch((err: unknown) => {
      throw err instanceof TargetNotFoundError ? new HttpError(404, err.message) : err;
    });
    return new Response(null, { status: 204 });
  } catch (err) {
    return errorResponse(err);
  }
}
