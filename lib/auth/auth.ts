// better-auth, configured for PlanWatch: email + password accounts created by admins or the CLI only,
// sessions in the repository (so "sign out everywhere" and removing a user take effect at the next
// request), rate limiting shared by every app process, and a `role` the user cannot set.
//
// Server-side only, but no `next/*` imports and no `server-only`: the CLI and lib/auth/authorize.ts
// (imported by the CLI) load it too. Importing this module reads nothing and connects nowhere
// (`next build` imports modules without DATABASE_URL); getAuth() does that at first use.
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { z } from "zod";
import { prisma, type PrismaClient } from "../db/client";
import { isSameOrigin } from "./auth-route";
import { loadAuthSecret } from "./auth-secret";
import { DEFAULT_ACCOUNT_LIMIT, beginAttempt, clearFailures, pruneFailures, type AccountLimit } from "./sign-in-throttle";

export const AUTH_BASE_PATH = "/api/auth";
// Session cookie: "planwatch.session_token" (authorize.ts looks for that name before any lookup).
export const SESSION_COOKIE_PREFIX = "planwatch";
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
/** Sign-in requests per client address per window (better-auth's limiter, database storage). */
export const DEFAULT_ADDRESS_LIMIT = { window: 60, max: 5 };
/** Error code of the per-account limiter's 429, next to better-auth's per-address 429. */
export const ACCOUNT_LOCKED_CODE = "ACCOUNT_TEMPORARILY_LOCKED";

export interface CreateAuthOptions {
  repo: PrismaClient;
  secret: string;
  /** Per client address, for POST /sign-in/email. */
  addressLimit?: { window: number; max: number };
  /** Failed sign-ins per email address. */
  accountLimit?: AccountLimit;
}

const signInBody = z.object({ email: z.string() });

export function createAuth({ repo, secret, addressLimit = DEFAULT_ADDRESS_LIMIT, accountLimit = DEFAULT_ACCOUNT_LIMIT }: CreateAuthOptions) {
  return betterAuth({
    appName: "PlanWatch",
    secret,
    basePath: AUTH_BASE_PATH,
    // No baseURL: PlanWatch runs on whatever host and port it is given (PORT/HOSTNAME, a proxy). The
    // origin better-auth would derive from request.url need not be the browser's (Next's server
    // builds it from its own listen address), so the trusted origin is the request's own Origin
    // exactly when it names the Host the request was sent to — the check every PlanWatch write
    // makes (lib/http/route.ts), which the /api/auth route also enforces before better-auth runs.
    trustedOrigins: (request) => {
      const origin = request?.headers.get("origin");
      return request && origin && isSameOrigin(request) ? [new URL(origin).origin] : [];
    },
    database: prismaAdapter(repo, { provider: "postgresql" }),
    telemetry: { enabled: false },
    // better-auth's warnings ("User not found", "Base URL is not set") are noise here; errors stay.
    logger: { level: "error" },
    emailAndPassword: {
      enabled: true,
      // Accounts are created by admins and the CLI (lib/auth/users.ts), never by visitors.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      autoSignIn: false,
    },
    user: {
      additionalFields: {
        // input: false — no endpoint accepts it from a client; only the CLI/admin code writes it.
        role: { type: "string", required: true, defaultValue: "viewer", input: false },
      },
    },
    session: {
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      // No cookie cache: every request checks the session row, so revocation is immediate.
      cookieCache: { enabled: false },
    },
    rateLimit: {
      // better-auth enables it in production only; PlanWatch wants it everywhere (tests included).
      enabled: true,
      storage: "database",
      modelName: "rateLimit",
      customRules: {
        "/sign-in/email": addressLimit,
        // Read-only and asked on every page by the account menu: not worth a database write each.
        "/get-session": false,
      },
    },
    advanced: {
      cookiePrefix: SESSION_COOKIE_PREFIX,
      // httpOnly + SameSite=Lax on every cookie. Lax, not Strict: with Strict a link from an alert
      // (Slack, e-mail) would open PlanWatch signed out, as the first cross-site navigation carries
      // no cookie. Cross-site writes are refused anyway (Origin checks here and in lib/http/route.ts).
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
      // Secure is added per request by the route handler when the request came over https
      // (app/api/auth/[...all]/route.ts): a fixed choice here would either break plain-http
      // installs (the demo) or leave https ones without it.
      useSecureCookies: false,
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const body = signInBody.safeParse(ctx.body);
        if (!body.success) return;
        const decision = await beginAttempt(repo, body.data.email, accountLimit);
        if (!decision.allowed) {
          throw new APIError("TOO_MANY_REQUESTS", {
            message: `Too many failed sign-ins for this account. Try again in ${Math.ceil(decision.retryAfterSeconds / 60)} minute(s).`,
            code: ACCOUNT_LOCKED_CODE,
          });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const body = signInBody.safeParse(ctx.body);
        if (!body.success) return;
        // A failure keeps the reservation made before (it counts); a success clears the address.
        if (isAPIError(ctx.context.returned)) await pruneFailures(repo, accountLimit);
        else await clearFailures(repo, body.data.email);
      }),
    },
  });
}

export type PlanWatchAuth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as typeof globalThis & { __planwatchAuth?: Promise<PlanWatchAuth> };

/**
 * The process-wide auth instance on the repository of DATABASE_URL, created at first call (kept on
 * globalThis like prisma(), for dev-mode hot reload). Throws a UserError when no secret can be had.
 */
export function getAuth(): Promise<PlanWatchAuth> {
  globalForAuth.__planwatchAuth ??= loadAuthSecret().then((secret) => createAuth({ repo: prisma(), secret }));
  // A failure (no secret yet) must not stick: the next request tries again.
  globalForAuth.__planwatchAuth.catch(() => {
    globalForAuth.__planwatchAuth = undefined;
  });
  return globalForAuth.__planwatchAuth;
}
