// Route-handler plumbing shared by every /api route: JSON errors with the field and the reason,
// a body size limit, same-origin checks for state changes, and the authorization check.
import type { z } from "zod";
import { AuthError, actorFromRequest, authorize, type Actor, type Permission } from "../auth/authorize";
import { ConflictError, NotFoundError, UserError } from "../errors";

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function jsonError(status: number, error: string, field?: string): Response {
  return Response.json(field ? { error, field } : { error }, { status, headers: { "Cache-Control": "no-store" } });
}

/** Turns thrown errors into JSON responses; unexpected errors become a 500 without internals. */
export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) return jsonError(err.status, err.message, err.field);
  if (err instanceof AuthError) return jsonError(err.status, err.message);
  if (err instanceof NotFoundError) return jsonError(404, err.message);
  if (err instanceof ConflictError) return jsonError(409, err.message);
  if (err instanceof UserError) return jsonError(400, err.message);
  console.error("planwatch: unhandled error in a route handler:", err instanceof Error ? err.message : err);
  return jsonError(500, "internal error");
}

/**
 * State-changing requests must come from our own origin (browsers send Origin on POST/DELETE),
 * or carry a bearer token (automation, no cookies involved).
 */
export function assertSameOriginOrToken(request: Request): void {
  if (request.headers.get("authorization")?.startsWith("Bearer ")) return;
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!origin || !host || new URL(origin).host !== host) throw new HttpError(403, "cross-site request refused");
}

/** The authorization check for a request: same-origin for writes, then the actor's permission. */
export async function authorizeRequest(request: Request, permission: Permission): Promise<Actor> {
  if (request.method !== "GET" && request.method !== "HEAD") assertSameOriginOrToken(request);
  return authorize(await actorFromRequest(request), permission);
}

/** Reads and validates a JSON body (size-limited); errors name the field. */
export async function parseJsonBody<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_JSON_BODY_BYTES) throw new HttpError(413, `request body too large (limit ${MAX_JSON_BODY_BYTES} bytes)`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) throw new HttpError(413, `request body too large (limit ${MAX_JSON_BODY_BYTES} bytes)`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
  return parseWith(schema, body);
}

/** Validates query parameters; errors name the parameter and the reason. */
export function parseSearchParams<T>(request: Request, schema: z.ZodType<T>): T {
  return parseWith(schema, Object.fromEntries(new URL(request.url).searchParams));
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || undefined;
  throw new HttpError(400, `${field ? `${field}: ` : ""}${issue?.message ?? "invalid input"}`, field);
}
