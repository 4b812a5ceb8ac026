// The one server-side authorization check. Every server action and state-changing route handler
// calls authorize(); the UI may hide what a role cannot do, but it is never the guard.
//
// Who the actor is: the `planwatch` CLI, run where it has the repository's DATABASE_URL, is a
// local administrator (like psql) and names the OS user in audit rows. Over HTTP the actor comes
// from a session cookie or a bearer token: accounts and tokens arrive with the accounts issue;
// until then no HTTP request has an identity, so every HTTP write is refused with 401.
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
 * (currentActor in ./current-actor). No accounts exist yet, so there is none: writes answer 401.
 */
export async function actorFromHeaders(_headers: Headers): Promise<Actor | null> {
  return null;
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
