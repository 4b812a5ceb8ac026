import "server-only";
import { redirect } from "next/navigation";
import type { Actor } from "./authorize";
import { currentActor } from "./current-actor";
import { safeNextPath } from "./safe-next";

/**
 * The "every page needs a session" gate, ready but NOT wired into any layout yet (other engineers'
 * e2e specs still browse without accounts). Call it at the top of a server component (or the root
 * layout, with the page's path) once every page should require signing in: anonymous requests go to
 * /sign-in?next=<path>; the actor is returned for the page to use.
 */
export async function requireSession(nextPath = "/"): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect(`/sign-in?next=${encodeURIComponent(safeNextPath(nextPath))}`);
  return actor;
}
