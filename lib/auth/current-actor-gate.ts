import "server-only";
import { redirect } from "next/navigation";
import type { Actor } from "./authorize";
import { currentActor } from "./current-actor";
import { safeNextPath } from "./safe-next";

/**
 * A server-side redirect to /sign-in?next=<path> for code that knows its own path (a page given
 * its params). The app's pages are gated by app/(app)/layout.tsx instead: a layout is not told the
 * address it renders, so it sends signed-out browsers to the sign-in page itself (keeping query and
 * hash). Returns the actor for the caller to use.
 */
export async function requireSession(nextPath = "/"): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect(`/sign-in?next=${encodeURIComponent(safeNextPath(nextPath))}`);
  return actor;
}
