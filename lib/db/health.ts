import "server-only";
import { connectionErrorMessage } from "../errors";
import { APP_VERSION } from "../version";
import type { Health } from "../api/health";
import { prisma } from "./client";

const HEALTH_TIMEOUT_MS = 5_000;

/** Pings the repository through the same Prisma client the app uses. */
export async function repositoryHealth(): Promise<Health> {
  const url = process.env.DATABASE_URL;
  if (!url) return { status: "error", repository: "repository not configured: DATABASE_URL is unset", version: APP_VERSION };
  try {
    await withTimeout(prisma().$queryRaw`select 1`, HEALTH_TIMEOUT_MS);
    return { status: "ok", repository: "ok", version: APP_VERSION };
  } catch (err) {
    return { status: "error", repository: connectionErrorMessage(url, rootCause(err)), version: APP_VERSION };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Driver adapter errors wrap the pg error; the innermost message is the useful one. */
function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause; depth++) current = current.cause;
  return current;
}
