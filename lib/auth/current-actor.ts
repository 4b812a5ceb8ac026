import "server-only";
import { headers } from "next/headers";
import { actorFromHeaders, type Actor } from "./authorize";

/** The signed-in actor of the request being rendered (server components and server actions). */
export async function currentActor(): Promise<Actor | null> {
  return actorFromHeaders(await headers());
}
