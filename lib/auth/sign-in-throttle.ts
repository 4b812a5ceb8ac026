// Per-account sign-in limiting. better-auth's own limiter counts requests per client address and
// path; an attacker with many addresses could still try passwords against one account, so failed
// password sign-ins are also counted per email address in the repository (shared by every app
// process). Unknown addresses are counted exactly like real ones: the limiter says nothing about
// which accounts exist.
//
// Each attempt first reserves a row and then counts the rows in the window, so concurrent attempts
// cannot all pass a stale count; a successful sign-in clears the address's rows, a refused attempt
// removes its own reservation (so a locked account unlocks when its oldest failure ages out, however
// hard someone keeps knocking).
import type { PrismaClient } from "../db/client";

export interface AccountLimit {
  /** Failed attempts allowed per window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_ACCOUNT_LIMIT: AccountLimit = { max: 5, windowMs: 15 * 60_000 };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type AttemptDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Reserves an attempt for the address; refused when the window already holds `max` failures. */
export async function beginAttempt(repo: PrismaClient, email: string, limit: AccountLimit, now = new Date()): Promise<AttemptDecision> {
  const key = normalizeEmail(email);
  const since = new Date(now.getTime() - limit.windowMs);
  const reservation = await repo.signInFailure.create({ data: { email: key, at: now }, select: { id: true } });
  const recent = await repo.signInFailure.findMany({
    where: { email: key, at: { gt: since } },
    orderBy: [{ at: "asc" }, { id: "asc" }],
    select: { id: true, at: true },
  });
  // Our own row is in `recent`: allowed while it is among the first `max`.
  const position = recent.findIndex((r) => r.id === reservation.id);
  if (position !== -1 && position < limit.max) return { allowed: true };
  await repo.signInFailure.delete({ where: { id: reservation.id } }).catch(() => undefined);
  const oldest = recent[0]?.at ?? now;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest.getTime() + limit.windowMs - now.getTime()) / 1000)) };
}

/** After a successful sign-in: the address starts over. */
export async function clearFailures(repo: PrismaClient, email: string): Promise<void> {
  await repo.signInFailure.deleteMany({ where: { email: normalizeEmail(email) } });
}

/** Drops rows no window can count any more (called after failures, so the table stays small). */
export async function pruneFailures(repo: PrismaClient, limit: AccountLimit, now = new Date()): Promise<void> {
  await repo.signInFailure.deleteMany({ where: { at: { lt: new Date(now.getTime() - limit.windowMs) } } });
}
