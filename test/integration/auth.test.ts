// Accounts end to end on a real repository (PostgreSQL 18): sign-in through the real route handler,
// cookie attributes, refusals without user enumeration, rate limits per address and per account,
// sessions and bearer tokens resolved by actorFromHeaders, authorize() on roles, sign-out
// everywhere, the CLI's `user add` / `token create`, and state-changing routes refusing viewers and
// cross-site requests.
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as authPost, GET as authGet } from "@/app/api/auth/[...all]/route";
import { POST as addTargetPost } from "@/app/api/targets/route";
import { createApiToken, hashToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { actorFromHeaders, authorize, AuthError, cliActor } from "@/lib/auth/authorize";
import { createUser } from "@/lib/auth/users";
import type { PrismaClient } from "@/lib/db/client";
import { testServers } from "../support/databases";
import { freshRepository } from "../support/repository";

const root = path.resolve(import.meta.dirname, "../..");
const ORIGIN = "http://planwatch.test";
const PASSWORD = "correct horse battery staple";
let repoUrl: string;
let repo: PrismaClient;
let ipCounter = 10;

beforeAll(async () => {
  ({ url: repoUrl, repo } = await freshRepository(testServers()[0]!));
  // The route handlers and actorFromHeaders use the process-wide client and secret.
  process.env.DATABASE_URL = repoUrl;
  process.env.PLANWATCH_AUTH_SECRET = "auth-test-secret-0123456789-abcdefghijklmnop";
});

afterAll(async () => {
  await repo?.$disconnect();
});

/** A client address of its own, so tests do not share the per-address limit. */
function freshIp(): string {
  ipCounter += 1;
  return `198.51.100.${ipCounter}`;
}

function authRequest(pathname: string, init: { body?: unknown; cookie?: string; ip?: string; origin?: string; method?: string } = {}): Request {
  const headers = new Headers({ origin: init.origin ?? ORIGIN, "x-forwarded-for": init.ip ?? freshIp() });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  if (init.cookie) headers.set("cookie", init.cookie);
  return new Request(`${ORIGIN}/api/auth${pathname}`, {
    method: init.method ?? "POST",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function signIn(email: string, password: string, ip = freshIp()): Promise<{ response: Response; cookie: string | null; setCookies: string[] }> {
  const response = await authPost(authRequest("/sign-in/email", { body: { email, password }, ip }));
  const setCookies = response.headers.getSetCookie();
  const session = setCookies.find((c) => c.startsWith("planwatch.session_token="));
  return { response, cookie: session ? session.split(";")[0]! : null, setCookies };
}

function cookieHeaders(cookie: string): Headers {
  return new Headers({ cookie });
}

let userSeq = 0;
async function user(role: "viewer" | "approver" | "admin"): Promise<string> {
  userSeq += 1;
  const email = `${role}-${userSeq}@example.com`;
  await createUser(repo, { email, password: PASSWORD, role, actor: cliActor() });
  return email;
}

async function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(root, "node_modules/.bin/tsx"),
      ["--conditions=react-server", "cli/planwatch.ts", ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: repoUrl } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? "");
  });
}

describe("sign-in through the route handler", () => {
  it("sets an httpOnly SameSite session cookie that resolves to the user's role", async () => {
    const email = await user("approver");
    const { response, cookie, setCookies } = await signIn(email, PASSWORD);
    expect(response.status).toBe(200);
    expect(cookie).not.toBeNull();
    const session = setCookies.find((c) => c.startsWith("planwatch.session_token="))!;
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
    expect(session).not.toMatch(/;\s*Secure/i);
    const actor = await actorFromHeaders(cookieHeaders(cookie!));
    expect(actor).toMatchObject({ kind: "user", email, role: "approver" });
  });

  it("marks the cookie Secure when the request came over https", async () => {
    const email = await user("viewer");
    const request = new Request("https://planwatch.test/api/auth/sign-in/email", {
      method: "POST",
      headers: { origin: "https://planwatch.test", "content-type": "application/json", "x-forwarded-for": freshIp() },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const response = await authPost(request);
    expect(response.status).toBe(200);
    const session = response.headers.getSetCookie().find((c) => c.startsWith("planwatch.session_token="));
    expect(session).toMatch(/;\s*Secure/i);
  });

  it("trusts the browser's Origin when it names the Host, whatever host request.url carries", async () => {
    // Next's server builds request.url from its listen address, not from what the browser used.
    const email = await user("viewer");
    const request = new Request("http://localhost:3107/api/auth/sign-in/email", {
      method: "POST",
      headers: { host: "127.0.0.1:3107", origin: "http://127.0.0.1:3107", "content-type": "application/json", "x-forwarded-for": freshIp() },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect((await authPost(request)).status).toBe(200);
  });

  it("refuses a wrong password and an unknown email alike, with no session", async () => {
    const email = await user("viewer");
    const wrong = await signIn(email, "not the password at all");
    const unknown = await signIn("nobody-here@example.com", PASSWORD);
    for (const attempt of [wrong, unknown]) {
      expect(attempt.response.status).toBe(401);
      expect(attempt.cookie).toBeNull();
    }
    // Same body for both: nothing tells an existing account from a missing one.
    expect(await wrong.response.json()).toEqual(await unknown.response.json());
  });

  it("has public sign-up disabled, and a role cannot be chosen by the client", async () => {
    const response = await authPost(authRequest("/sign-up/email", { body: { email: "intruder@example.com", password: PASSWORD, name: "x", role: "admin" } }));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await repo.user.count({ where: { email: "intruder@example.com" } })).toBe(0);
  });

  it("refuses a cross-site sign-in", async () => {
    const email = await user("viewer");
    const response = await authPost(authRequest("/sign-in/email", { body: { email, password: PASSWORD }, origin: "https://evil.example" }));
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("planwatch.session_token="))).toBe(false);
    // Without any Origin (not a browser's POST) likewise.
    const bare = new Request(`${ORIGIN}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
    expect((await authPost(bare)).status).toBe(403);
  });

  it("limits sign-in attempts per address (5 a minute)", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      // Different, unknown accounts: only the address is common.
      const { response } = await signIn(`probe-${i}@example.com`, "wrong password!!", ip);
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    // The limiter's state is in the repository, where every app process sees it.
    expect(await repo.rateLimit.count({ where: { key: { startsWith: `${ip}|` } } })).toBe(1);
  });

  it("limits failed sign-ins per account across addresses, even with the right password next", async () => {
    const email = await user("admin");
    for (let i = 0; i < 5; i++) expect((await signIn(email, `wrong password ${i}`)).response.status).toBe(401);
    const locked = await signIn(email, PASSWORD);
    expect(locked.response.status).toBe(429);
    expect(locked.cookie).toBeNull();
    expect(await locked.response.json()).toMatchObject({ code: "ACCOUNT_TEMPORARILY_LOCKED" });
    // Another account is not affected.
    const other = await user("viewer");
    expect((await signIn(other, PASSWORD)).response.status).toBe(200);
  });

  it("clears an account's failures after a successful sign-in", async () => {
    const email = await user("viewer");
    for (let i = 0; i < 4; i++) await signIn(email, `wrong password ${i}`);
    expect((await signIn(email, PASSWORD)).response.status).toBe(200);
    expect(await repo.signInFailure.count({ where: { email } })).toBe(0);
  });
});

describe("actorFromHeaders and authorize", () => {
  it("gives no actor without credentials or with a forged cookie", async () => {
    expect(await actorFromHeaders(new Headers())).toBeNull();
    expect(await actorFromHeaders(cookieHeaders("planwatch.session_token=forged.value"))).toBeNull();
  });

  it("refuses plan:decide to a viewer with 403 and grants it to an approver", async () => {
    const viewer = await signIn(await user("viewer"), PASSWORD);
    const viewerActor = await actorFromHeaders(cookieHeaders(viewer.cookie!));
    expect(viewerActor?.role).toBe("viewer");
    expect(() => authorize(viewerActor, "plan:decide")).toThrow(AuthError);
    try {
      authorize(viewerActor, "plan:decide");
    } catch (err) {
      expect((err as AuthError).status).toBe(403);
    }
    const approver = await signIn(await user("approver"), PASSWORD);
    expect(authorize(await actorFromHeaders(cookieHeaders(approver.cookie!)), "plan:decide").role).toBe("approver");
  });

  it("follows a role change at the next request", async () => {
    const email = await user("viewer");
    const { cookie } = await signIn(email, PASSWORD);
    await repo.user.update({ where: { email }, data: { role: "admin" } });
    expect((await actorFromHeaders(cookieHeaders(cookie!)))?.role).toBe("admin");
  });

  it("resolves a bearer token to a token actor, and a revoked one to nothing", async () => {
    const { token, row } = await createApiToken(repo, { name: "ci", role: "approver", actor: cliActor() });
    const headers = new Headers({ authorization: `Bearer ${token}` });
    expect(await actorFromHeaders(headers)).toEqual({ kind: "token", tokenId: row.id, role: "approver" });
    const used = await repo.apiToken.findUniqueOrThrow({ where: { id: BigInt(row.id) } });
    expect(used.lastUsedAt).not.toBeNull();
    // A second use within the minute writes nothing.
    await actorFromHeaders(headers);
    expect((await repo.apiToken.findUniqueOrThrow({ where: { id: BigInt(row.id) } })).lastUsedAt).toEqual(used.lastUsedAt);
    await revokeApiToken(repo, row.id, cliActor());
    expect(await actorFromHeaders(headers)).toBeNull();
    expect(await actorFromHeaders(new Headers({ authorization: "Bearer pw_not-a-real-token" }))).toBeNull();
  });

  it("judges a request with a bearer token by the token alone", async () => {
    const admin = await signIn(await user("admin"), PASSWORD);
    const headers = new Headers({ authorization: "Bearer pw_unknownunknownunknownunknownunknownunknown1", cookie: admin.cookie! });
    expect(await actorFromHeaders(headers)).toBeNull();
  });
});

describe("sign-out", () => {
  it("sign out everywhere ends every session of the user", async () => {
    const email = await user("approver");
    const first = await signIn(email, PASSWORD);
    const second = await signIn(email, PASSWORD);
    expect(await actorFromHeaders(cookieHeaders(first.cookie!))).not.toBeNull();
    const response = await authPost(authRequest("/revoke-sessions", { body: {}, cookie: first.cookie! }));
    expect(response.status).toBe(200);
    expect(await actorFromHeaders(cookieHeaders(first.cookie!))).toBeNull();
    expect(await actorFromHeaders(cookieHeaders(second.cookie!))).toBeNull();
    expect(await repo.session.count({ where: { user: { email } } })).toBe(0);
  });

  it("get-session reports the signed-in user with the role, and nothing after sign-out", async () => {
    const email = await user("viewer");
    const { cookie } = await signIn(email, PASSWORD);
    const session = await authGet(authRequest("/get-session", { cookie: cookie!, method: "GET" }));
    expect(await session.json()).toMatchObject({ user: { email, role: "viewer" } });
    const out = await authPost(authRequest("/sign-out", { body: {}, cookie: cookie! }));
    expect(out.status).toBe(200);
    expect(await actorFromHeaders(cookieHeaders(cookie!))).toBeNull();
  });
});

describe("state-changing route handlers", () => {
  function addTargetRequest(init: { cookie?: string; origin?: string; authorization?: string }): Request {
    const headers = new Headers({ "content-type": "application/json", host: "planwatch.test" });
    if (init.origin) headers.set("origin", init.origin);
    if (init.cookie) headers.set("cookie", init.cookie);
    if (init.authorization) headers.set("authorization", init.authorization);
    return new Request(`${ORIGIN}/api/targets`, { method: "POST", headers, body: JSON.stringify({ name: "nope", url: "postgresql://u:p@127.0.0.1:1/db" }) });
  }

  it("refuses a viewer's session with 403 and stores nothing", async () => {
    const { cookie } = await signIn(await user("viewer"), PASSWORD);
    const response = await addTargetPost(addTargetRequest({ cookie: cookie!, origin: ORIGIN }));
    expect(response.status).toBe(403);
    expect(await repo.target.count()).toBe(0);
  });

  it("refuses an admin's session from a cross-site origin with 403", async () => {
    const { cookie } = await signIn(await user("admin"), PASSWORD);
    const response = await addTargetPost(addTargetRequest({ cookie: cookie!, origin: "https://evil.example" }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "cross-site request refused" });
    expect(await repo.target.count()).toBe(0);
  });

  it("refuses a viewer token with 403", async () => {
    const { token } = await createApiToken(repo, { name: "viewer-bot", role: "viewer", actor: cliActor() });
    const response = await addTargetPost(addTargetRequest({ authorization: `Bearer ${token}` }));
    expect(response.status).toBe(403);
    expect(await repo.target.count()).toBe(0);
  });

  it("answers 401 without any identity", async () => {
    const response = await addTargetPost(addTargetRequest({ origin: ORIGIN }));
    expect(response.status).toBe(401);
  });
});

describe("the CLI", () => {
  it("user add --password-stdin creates an account the web sign-in accepts", async () => {
    const result = await cli(["user", "add", "--email", "Ops@Example.com", "--role", "admin", "--password-stdin"], `${PASSWORD}\n`);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("added user ops@example.com (admin)");
    const { response, cookie } = await signIn("ops@example.com", PASSWORD);
    expect(response.status).toBe(200);
    expect(await actorFromHeaders(cookieHeaders(cookie!))).toMatchObject({ kind: "user", email: "ops@example.com", role: "admin" });
    const audit = await repo.authAuditEvent.findFirstOrThrow({ where: { action: "user.add", subject: "ops@example.com" } });
    expect(audit.actor).toMatch(/^cli:/);
  });

  it("user add refuses a short password and a duplicate email", async () => {
    const short = await cli(["user", "add", "--email", "short@example.com", "--password-stdin"], "too short\n");
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain("at least 12 characters");
    const email = await user("viewer");
    const duplicate = await cli(["user", "add", "--email", email, "--password-stdin"], `${PASSWORD}\n`);
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr).toContain(`a user with the email ${email} already exists`);
  });

  it("user list, set-role and remove", async () => {
    const email = await user("viewer");
    const { cookie } = await signIn(email, PASSWORD);
    expect((await cli(["user", "list"])).stdout).toContain(email);
    expect((await cli(["user", "set-role", email, "approver"])).code).toBe(0);
    expect((await actorFromHeaders(cookieHeaders(cookie!)))?.role).toBe("approver");
    expect((await cli(["user", "remove", email])).code).toBe(0);
    expect(await actorFromHeaders(cookieHeaders(cookie!))).toBeNull();
  });

  it("token create prints the token once and stores only its hash", async () => {
    const result = await cli(["token", "create", "--name", "deploy-bot", "--role", "approver"]);
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).not.toContain(token);
    const row = await repo.apiToken.findFirstOrThrow({ where: { name: "deploy-bot" } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(await repo.apiToken.findMany(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).not.toContain(token);
    expect(row.createdBy).toMatch(/^cli:/);
    const list = await cli(["token", "list"]);
    expect(list.stdout).toContain("deploy-bot");
    expect(list.stdout).not.toContain(token);
    expect(await actorFromHeaders(new Headers({ authorization: `Bearer ${token}` }))).toMatchObject({ kind: "token", role: "approver" });
    expect((await cli(["token", "revoke", row.id.toString()])).code).toBe(0);
    expect(await actorFromHeaders(new Headers({ authorization: `Bearer ${token}` }))).toBeNull();
  });
});

describe("the demo admin", () => {
  it("is created once on a repository without users, and its password signs in", async () => {
    const { ensureDemoAdmin } = await import("@/lib/auth/demo-admin");
    const empty = await freshRepository(testServers()[0]!);
    try {
      const first = await ensureDemoAdmin(empty.url);
      expect(first?.password.length).toBeGreaterThanOrEqual(20);
      expect(await ensureDemoAdmin(empty.url)).toBeNull();
      const stored = await empty.repo.account.findFirstOrThrow({ where: { user: { email: first!.email } } });
      expect(stored.password).not.toContain(first!.password);
      expect((await empty.repo.user.findUniqueOrThrow({ where: { email: first!.email } })).role).toBe("admin");
    } finally {
      await empty.repo.$disconnect();
    }
  });
});
