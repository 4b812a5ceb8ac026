// Every state-changing entry point refuses an anonymous caller (401), a role without the
// permission (403) and a cross-site browser request (403) — and changes nothing: the whole
// repository (row counts and md5 of every table's rows) is identical before and after. Every read
// route refuses an anonymous caller too.
//
// Route handlers are called directly with real Requests (real session cookies from the real
// sign-in route, real bearer tokens). Server actions are called directly too, with only
// next/headers' headers() replaced by the test's request headers: the actions resolve the actor
// through currentActor() → actorFromHeaders(), exactly as under Next, so the authorization path
// under test is the real one. That is smaller than driving them over HTTP with a Next-Action
// header (which needs a built server and the build's action ids) and needs no change to the
// action files, which are being moved by another change; Next's own Origin check for server actions
// is Next's, not ours, and is not covered here.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as decisionPost } from "@/app/api/plans/[id]/decision/route";
import { POST as explainPost } from "@/app/api/statements/[id]/explain/route";
import { DELETE as targetDelete } from "@/app/api/targets/[name]/route";
import { GET as regressionsGet } from "@/app/api/regressions/route";
import { GET as statementPlansGet } from "@/app/api/statements/[id]/plans/route";
import { GET as statementsGet } from "@/app/api/statements/route";
import { GET as targetsGet, POST as targetsPost } from "@/app/api/targets/route";
import { createApiToken } from "@/lib/auth/api-tokens";
import { actorFromHeaders, cliActor, type Role } from "@/lib/auth/authorize";
import { createUser } from "@/lib/auth/users";
import type { PrismaClient } from "@/lib/db/client";
import { testServers } from "../support/databases";
import { repositoryFingerprint } from "../support/fingerprint";
import { freshRepository, seedPlan } from "../support/repository";

// The request a server action runs in: its headers are what the test says.
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const ORIGIN = "http://planwatch.test";
const HOST = "planwatch.test";
const PASSWORD = "correct horse battery staple";

let repoUrl: string;
let repo: PrismaClient;
const cookies: Partial<Record<Role, string>> = {};
const tokens: Partial<Record<Role, string>> = {};
let seeded: Awaited<ReturnType<typeof seedPlan>>;

beforeAll(async () => {
  ({ url: repoUrl, repo } = await freshRepository(testServers()[0]!));
  process.env.DATABASE_URL = repoUrl;
  process.env.PLANWATCH_AUTH_SECRET = "write-authorization-test-secret-0123456789abcdef";
  process.env.PLANWATCH_SECRET = "write-authorization test secret";
  let ip = 20;
  for (const role of ["viewer", "approver", "admin"] as const) {
    const email = `${role}@example.com`;
    await createUser(repo, { email, password: PASSWORD, role, actor: cliActor() });
    ip += 1;
    const response = await authPost(
      new Request(`${ORIGIN}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { origin: ORIGIN, host: HOST, "content-type": "application/json", "x-forwarded-for": `198.51.100.${ip}` },
        body: JSON.stringify({ email, password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(200);
    cookies[role] = response.headers.getSetCookie().find((c) => c.startsWith("planwatch.session_token="))!.split(";")[0]!;
    tokens[role] = (await createApiToken(repo, { name: `${role}-bot`, role, actor: cliActor() })).token;
    // Resolve each identity once now: a token's first use records lastUsedAt (once a minute), and
    // that bookkeeping must not be mistaken for a change made by a refused request.
    expect(await actorFromHeaders(new Headers({ authorization: `Bearer ${tokens[role]}` }))).toMatchObject({ role });
    expect(await actorFromHeaders(new Headers({ cookie: cookies[role]! }))).toMatchObject({ role });
  }
  seeded = await seedPlan(repo, { status: "Approved" });
});

afterAll(async () => {
  await repo?.$disconnect();
});

type Who = { label: string; headers: Record<string, string>; status: 401 | 403 };

const anonymous: Who = { label: "no identity", headers: { origin: ORIGIN, host: HOST }, status: 401 };
const cookie = (role: Role): Who => ({ label: `${role} session`, headers: { origin: ORIGIN, host: HOST, cookie: cookies[role]! }, status: 403 });
const bearer = (role: Role): Who => ({ label: `${role} token`, headers: { host: HOST, authorization: `Bearer ${tokens[role]!}` }, status: 403 });
// A valid admin session is still refused when the request comes from another site, or from
// something that sends no Origin with a cookie (not a browser form of ours).
const crossSite: Who = { label: "admin session from another site", headers: { origin: "https://evil.example", host: HOST, cookie: "" }, status: 403 };
const noOrigin: Who = { label: "admin session without Origin", headers: { host: HOST, cookie: "" }, status: 403 };
const adminCookie = (who: Who): Who => (who.headers.cookie === "" ? { ...who, headers: { ...who.headers, cookie: cookies.admin! } } : who);

function jsonRequest(method: string, path: string, headers: Record<string, string>, body?: unknown): Request {
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Every non-GET route handler, with the callers it must refuse (below the permission it needs). */
const handlers: Array<{ route: string; refused: () => Who[]; call: (headers: Record<string, string>) => Promise<Response> }> = [
  {
    route: "POST /api/targets (target:manage)",
    refused: () => [anonymous, cookie("viewer"), cookie("approver"), bearer("viewer"), bearer("approver"), crossSite, noOrigin],
    call: (h) => targetsPost(jsonRequest("POST", "/api/targets", h, { name: "sneaky", url: "postgresql://monitor@127.0.0.1:1/app" })),
  },
  {
    route: "DELETE /api/targets/:name (target:manage)",
    refused: () => [anonymous, cookie("viewer"), cookie("approver"), bearer("viewer"), bearer("approver"), crossSite, noOrigin],
    call: (h) => targetDelete(jsonRequest("DELETE", `/api/targets/${seeded.target.name}`, h), { params: Promise.resolve({ name: seeded.target.name }) }),
  },
  {
    route: "POST /api/statements/:id/explain (explain:analyze)",
    refused: () => [anonymous, cookie("viewer"), bearer("viewer"), crossSite, noOrigin],
    call: (h) =>
      explainPost(jsonRequest("POST", `/api/statements/${seeded.statement.id}/explain`, h, { params: ["1"] }), { params: Promise.resolve({ id: String(seeded.statement.id) }) }),
  },
  {
    route: "POST /api/plans/:id/decision (plan:decide)",
    refused: () => [anonymous, cookie("viewer"), bearer("viewer"), crossSite, noOrigin],
    call: (h) => decisionPost(jsonRequest("POST", `/api/plans/${seeded.plan.id}/decision`, h, { action: "reject", reason: "x" }), { params: Promise.resolve({ id: String(seeded.plan.id) }) }),
  },
];

describe("state-changing route handlers", () => {
  for (const handler of handlers) {
    it(`${handler.route} refuses every caller without the permission and changes nothing`, async () => {
      const before = await repositoryFingerprint(repoUrl);
      for (const who of handler.refused().map(adminCookie)) {
        const response = await handler.call(who.headers);
        expect({ caller: who.label, status: response.status }).toEqual({ caller: who.label, status: who.status });
        expect((await response.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(who.status === 401 ? /sign in/ : /may not|cross-site/) });
      }
      expect(await repositoryFingerprint(repoUrl)).toEqual(before);
    });
  }
});

describe("read route handlers", () => {
  const reads: Array<{ route: string; call: (headers: Record<string, string>) => Promise<Response> }> = [
    { route: "GET /api/targets", call: (h) => targetsGet(jsonRequest("GET", "/api/targets", h)) },
    { route: "GET /api/statements", call: (h) => statementsGet(jsonRequest("GET", `/api/statements?target=${seeded.target.name}`, h)) },
    { route: "GET /api/regressions", call: (h) => regressionsGet(jsonRequest("GET", `/api/regressions?target=${seeded.target.name}`, h)) },
    {
      route: "GET /api/statements/:id/plans",
      call: (h) => statementPlansGet(jsonRequest("GET", `/api/statements/${seeded.statement.id}/plans`, h), { params: Promise.resolve({ id: String(seeded.statement.id) }) }),
    },
  ];
  for (const read of reads) {
    it(`${read.route} answers 401 without an identity, 200 to a viewer's session and token`, async () => {
      const refused = await read.call({ host: HOST });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: "sign in first" });
      const viewers: Record<string, string>[] = [{ host: HOST, cookie: cookies.viewer! }, { host: HOST, authorization: `Bearer ${tokens.viewer!}` }];
      for (const headers of viewers) {
        const response = await read.call(headers);
        expect(response.status).toBe(200);
      }
    });
  }
});

describe("the auth routes' state-changing endpoints", () => {
  const auth = (path: string, headers: Record<string, string>, body: unknown) =>
    authPost(jsonRequest("POST", `/api/auth${path}`, { ...headers, "x-forwarded-for": "203.0.113.9" }, body));

  it("refuse sign-up (accounts come from admins and the CLI), cross-site and Origin-less writes, and a viewer granting itself a role", async () => {
    const before = await repositoryFingerprint(repoUrl);
    const signUp = await auth("/sign-up/email", { origin: ORIGIN, host: HOST }, { email: "intruder@example.com", password: PASSWORD, name: "x" });
    expect(signUp.status).toBeGreaterThanOrEqual(400);
    expect(signUp.status).toBeLessThan(500);
    // Cross-site or without Origin, even with a valid admin session: refused before better-auth runs.
    const refusedOrigins: Array<Record<string, string>> = [{ origin: "https://evil.example", host: HOST, cookie: cookies.admin! }, { host: HOST, cookie: cookies.admin! }];
    for (const headers of refusedOrigins) {
      for (const [path, body] of [
        ["/sign-in/email", { email: "admin@example.com", password: PASSWORD }],
        ["/sign-out", {}],
        ["/revoke-sessions", {}],
        ["/change-password", { currentPassword: PASSWORD, newPassword: "another long password 123", revokeOtherSessions: true }],
        ["/update-user", { name: "pwned" }],
      ] as const) {
        const response = await auth(path, headers, body);
        expect({ path, status: response.status }).toEqual({ path, status: 403 });
      }
    }
    // A viewer's own session cannot write its role (the field accepts no input).
    const roleChange = await auth("/update-user", { origin: ORIGIN, host: HOST, cookie: cookies.viewer! }, { role: "admin" });
    expect(roleChange.status).toBeGreaterThanOrEqual(400);
    expect(await actorFromHeaders(new Headers({ cookie: cookies.viewer! }))).toMatchObject({ role: "viewer" });
    // Without a session, account changes answer 401.
    expect((await auth("/change-password", { origin: ORIGIN, host: HOST }, { currentPassword: PASSWORD, newPassword: "another long password 123" })).status).toBe(401);
    // Everything but the rate limiter's counters is unchanged: counting attempts, refused ones
    // included, is that table's purpose.
    const { auth_rate_limit: _counted, ...after } = await repositoryFingerprint(repoUrl);
    const { auth_rate_limit: _before, ...rest } = before;
    expect(after).toEqual(rest);
  });
});

describe("server actions", () => {
  // The action files may move (app/(app)/…): find them by name rather than by path.
  const modules = import.meta.glob<Record<string, unknown>>("../../app/**/actions.ts");
  async function action<F>(name: string): Promise<F> {
    for (const load of Object.values(modules)) {
      const mod = await load();
      if (typeof mod[name] === "function") return mod[name] as F;
    }
    throw new Error(`no server action named ${name} under app/`);
  }

  function form(fields: Record<string, string>): FormData {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return data;
  }

  it("decidePlanAction, addTargetAction and removeTargetAction refuse anonymous callers and viewers, changing nothing", async () => {
    type Decide = (input: unknown) => Promise<{ error?: { status: number; message: string } }>;
    type TargetAction = (previous: null, form: FormData) => Promise<{ error?: string } | null>;
    const decide = await action<Decide>("decidePlanAction");
    const addTarget = await action<TargetAction>("addTargetAction");
    const removeTarget = await action<TargetAction>("removeTargetAction");
    const before = await repositoryFingerprint(repoUrl);

    const callers = [
      { label: "anonymous", headers: new Headers({ origin: ORIGIN, host: HOST }), decide: 401, target: /^Sign in as an administrator/ },
      { label: "viewer", headers: new Headers({ origin: ORIGIN, host: HOST, cookie: cookies.viewer! }), decide: 403, target: /^Not allowed: your role \(viewer\)/ },
      { label: "approver", headers: new Headers({ origin: ORIGIN, host: HOST, cookie: cookies.approver! }), decide: null, target: /^Not allowed: your role \(approver\)/ },
      { label: "revoked-looking token", headers: new Headers({ authorization: "Bearer pw_not-a-real-token" }), decide: 401, target: /^Sign in as an administrator/ },
    ];
    for (const caller of callers) {
      request.headers = caller.headers;
      if (caller.decide !== null) {
        const result = await decide({ planId: String(seeded.plan.id), action: "reject", reason: "x", expectedVersion: 0 });
        expect({ caller: caller.label, status: result.error?.status }).toEqual({ caller: caller.label, status: caller.decide });
      }
      const added = await addTarget(null, form({ name: "sneaky", host: "127.0.0.1", port: "1", database: "app", username: "monitor", password: "pw" }));
      expect({ caller: caller.label, error: added?.error }).toEqual({ caller: caller.label, error: expect.stringMatching(caller.target) });
      const removed = await removeTarget(null, form({ name: seeded.target.name }));
      expect({ caller: caller.label, error: removed?.error }).toEqual({ caller: caller.label, error: expect.stringMatching(caller.target) });
    }
    expect(await repositoryFingerprint(repoUrl)).toEqual(before);
  });
});
