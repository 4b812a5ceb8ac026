// better-auth's endpoints under /api/auth (sign-in, sign-out, get-session, revoke-sessions, …).
// The auth instance is created at the first request, not at import (`next build` has no repository).
import { toNextJsHandler } from "better-auth/next-js";
import { getAuth } from "@/lib/auth/auth";
import { isSameOrigin, withSecureCookiesOverHttps } from "@/lib/auth/auth-route";
import { UserError } from "@/lib/errors";
import { jsonError } from "@/lib/http/route";

export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD" && !isSameOrigin(request)) return jsonError(403, "cross-site request refused");
  let auth;
  try {
    auth = await getAuth();
  } catch (err) {
    // A configuration problem (PLANWATCH_AUTH_SECRET missing with an external repository): say what
    // to change, as the CLI would; the message never contains a secret.
    if (err instanceof UserError) return jsonError(503, err.message);
    throw err;
  }
  return withSecureCookiesOverHttps(request, await auth.handler(request));
}

export const { GET, POST } = toNextJsHandler(handle);
