import { z } from "zod";
import { prisma } from "@/lib/db/client";
import { addTarget, listTargets } from "@/lib/collector/targets";
import { authorizeRequest, errorResponse, parseJsonBody } from "@/lib/http/route";

export const dynamic = "force-dynamic";

// Only the shape here; addTarget validates name and URL itself with the messages the CLI shows too.
const addTargetBody = z.object({ name: z.string(), url: z.string() });

/** Targets as lists show them, to any role: never a password or its ciphertext. */
export async function GET(request: Request): Promise<Response> {
  try {
    await authorizeRequest(request, "read");
    return Response.json({ targets: await listTargets(prisma()) }, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const actor = await authorizeRequest(request, "target:manage");
    const body = await parseJsonBody(request, addTargetBody);
    const { row } = await addTarget(prisma(), { ...body, actor });
    return Response.json({ target: row }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}
