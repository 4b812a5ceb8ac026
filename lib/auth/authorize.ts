// The one server-side authorization check. Every server action and state-changing route handler
// calls authorize(); the UI may hide what a role cannot do, but it is never the guard.
//
// Who the actor is: the `planwatch` CLI, run where it has the repository's DATABASE_URL, is a
// local administrator (like psql) and names the OS user in audit rows. Over HTTP the actor comes
// from a better-auth session cookie or an `Authorization: Bearer` API token (lib/auth/auth.ts,
// lib/auth/api-tokens.ts); a request with neither has no identity and every write answers 401.
//
// No next/* imports and no static import of better-auth: the CLI imports this module, and most of
// its commands never need the auth instance, so it is loaded on first use.
import { userInfo } from "node:os";

export type Role = "viewer" | "approver" | "admin";

export type Permission =
  | "read"
  | "plan:decide"
  | "explain:analyze"
  | "target:manage"
  | "user:manage"
  | "alert:manage"
  | "baseline:import";

export type Actor =
  | { kind: "cli"; osUser: string; role: "admin" }
  | { kind: "user"; userId: string; email: string; role: Role }
  | { kind: "token"; tokenId: string; role: Role };

const grants: Record<Role, readonly Permission[]> = {
  viewer: ["read"],
  approver: ["read", "plan:decide", "explain:analyze"],
  admin: ["read", "plan:decide", "explain:analyze", "target:manage", "user:manage", "alert:manage", "baseline:import"],
};

export class AuthError extends Error {
  override readonly name = "AuthError";
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export function can(actor: Actor, permission: Permission): boolean {
  return grants[actor.role].includes(permission);
}

/** Throws AuthError unless the actor holds the permission; returns the actor for audit rows. */
export function authorize(actor: Actor | null, permission: Permission): Actor {
  if (!actor) throw new AuthError(401, "sign in first");
  if (!can(actor, permission)) throw new AuthError(403, `your role (${actor.role}) may not ${describe(permission)}`);
  return actor;
}

/** The name an audit row records for the actor. */
export function actorName(actor: Actor): string {
  switch (actor.kind) {
    case "cli":
      return `cli:${actor.osUser}`;
    case "user":
      return actor.email;
    case "token":
      return `token:${actor.tokenId}`;
  }
}

export function cliActor(): Actor {
  return { kind: "cli", osUser: userInfo().username, role: "admin" };
}

/**
 * The actor behind a request's headers (session cookie or bearer token): the one place identities
 * are resolved, for route handlers (actorFromRequest) and server components/actions
 * (currentActor in ./current-actor). Null when there is none or it is not valid (expired or revoked
 * session, unknown or revoked token, a role this version does not know).
 */
export async function actorFromHeaders(headers: Headers): Promise<Actor | null> {
  const authorization = headers.get("authorization");
  if (authorization !== null && /^bearer\s/i.test(authorization)) {
    // A request that presents a token is judged by that token alone, never by a cookie beside it.
    const [{ resolveApiToken }, { prisma }] = await Promise.all([import("./api-tokens"), import("../db/client")]);
    return resolveApiToken(prisma(), authorization.replace(/^bearer\s+/i, "").trim());
  }
  // Only our session cookie leads to a session lookup (browsers send every cookie of the host).
  if (!headers.get("cookie")?.includes("planwatch.session_token=")) return null;
  const [{ getAuth }, { parseRole }] = await Promise.all([import("./auth"), import("./roles")]);
  let auth;
  try {
    auth = await getAuth();
  } catch (err) {
    // Not configured for sign-in (no PLANWATCH_AUTH_SECRET with an external repository): nobody is
    // signed in, and pages still render; the sign-in route says what to set.
    console.error(`planwatch: sessions unavailable: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const role = parseRole(session.user.role);
  if (!role) return null;
  return { kind: "user", userId: session.user.id, email: session.user.email, role };
}

export async function actorFromRequest(request: Request): Promise<Actor | null> {
  return actorFromHeaders(request.headers);
}

function describe(permission: Permission): string {
  const phrases: Record<Permission, string> = {
    read: "read the repository",
    "plan:decide": "change plan statuses",
    "explain:analyze": "run EXPLAIN ANALYZE on a target",
    "target:manage": "add or remove targets",
    "user:manage": "manage users",
    "alert:manage": "manage alerts",
    "baseline:import": "import plan baselines",
  };
  return phrases[permission];
}
