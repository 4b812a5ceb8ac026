// Delivering alert events to webhooks: POST the event's JSON, at least once. Each delivery row is
// claimed with a lease (FOR UPDATE SKIP LOCKED, next_attempt_at pushed past the attempt's timeout),
// so several PlanWatch processes never send one attempt twice, and a process that dies mid-attempt
// leaves the row to be retried when the lease runs out. Failures retry after 1 s, 5 s and 25 s, then
// give up; the state lives in alert_delivery, so a restart resumes the schedule. Receivers may see an
// event twice (a response lost after the POST succeeded): X-PlanWatch-Event identifies it.
import { z } from "zod";
import type { PrismaClient } from "../db/client";
import { redactUrlIn, redactWebhookUrl } from "./webhooks";

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000, 25_000];
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 5_000;
/** Deliveries claimed per round trip. */
const CLAIM_BATCH = 20;

export interface DeliveryOptions {
  /** Waits before the 2nd, 3rd, … attempt; after the last, the delivery is given up. */
  retryDelaysMs?: readonly number[];
  /** Per attempt (connect + response). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface DeliveryReport {
  delivered: number;
  /** Attempts that failed (each retried or given up). */
  failedAttempts: number;
  givenUp: number;
}

const claimedSchema = z.object({ id: z.bigint(), eventId: z.bigint(), attempts: z.number(), url: z.string(), payload: z.unknown() });
type Claimed = z.infer<typeof claimedSchema>;

/**
 * Sends every due delivery, waits for retries that fall due soon, and returns when none is left
 * to do within the retry schedule. Never throws for a webhook's failure; a repository failure rejects.
 */
export async function deliverDue(repo: PrismaClient, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const report: DeliveryReport = { delivered: 0, failedAttempts: 0, givenUp: 0 };
  // Waiting longer than the longest retry delay would only wait for other processes' leases.
  const horizonMs = Math.max(0, ...delays) + timeoutMs + 1_000;
  for (;;) {
    const claimed = await claim(repo, new Date(), timeoutMs);
    await Promise.all(claimed.map((d) => attempt(repo, d, delays, timeoutMs, report, options.log)));
    if (claimed.length === CLAIM_BATCH) continue;
    const next = await repo.alertDelivery.findFirst({
      where: { deliveredAt: null, givenUpAt: null, webhook: { enabled: true } },
      orderBy: { nextAttemptAt: "asc" },
      select: { nextAttemptAt: true },
    });
    const waitMs = next === null ? Infinity : next.nextAttemptAt.getTime() - Date.now();
    if (waitMs > horizonMs) return report;
    if (waitMs > 0) await sleep(waitMs);
  }
}

async function claim(repo: PrismaClient, now: Date, timeoutMs: number): Promise<Claimed[]> {
  const leaseUntil = new Date(now.getTime() + timeoutMs + 5_000);
  const rows = await repo.$queryRaw<unknown[]>`
    UPDATE alert_delivery d
       SET attempts = d.attempts + 1, next_attempt_at = ${leaseUntil}::timestamptz
      FROM alert_event e, alert_webhook w
     WHERE d.id IN (SELECT x.id FROM alert_delivery x JOIN alert_webhook xw ON xw.id = x.webhook_id AND xw.enabled
                     WHERE x.delivered_at IS NULL AND x.given_up_at IS NULL AND x.next_attempt_at <= ${now}::timestamptz
                     ORDER BY x.next_attempt_at, x.id LIMIT ${CLAIM_BATCH}
                     FOR UPDATE OF x SKIP LOCKED)
       AND e.id = d.event_id AND w.id = d.webhook_id
    RETURNING d.id, d.event_id AS "eventId", d.attempts, w.url, e.payload`;
  return z.array(claimedSchema).parse(rows);
}

async function attempt(
  repo: PrismaClient,
  delivery: Claimed,
  delays: readonly number[],
  timeoutMs: number,
  report: DeliveryReport,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  const error = await post(delivery, timeoutMs);
  const now = new Date();
  if (error === null) {
    report.delivered++;
    await repo.alertDelivery.update({ where: { id: delivery.id }, data: { deliveredAt: now, lastError: null } });
    return;
  }
  report.failedAttempts++;
  const delay = delays[delivery.attempts - 1];
  const where = redactWebhookUrl(delivery.url);
  if (delay === undefined) {
    report.givenUp++;
    log?.(`alert ${delivery.eventId} to ${where}: ${error}; gave up after ${delivery.attempts} attempts`);
    await repo.alertDelivery.update({ where: { id: delivery.id }, data: { givenUpAt: now, lastError: error } });
    return;
  }
  log?.(`alert ${delivery.eventId} to ${where}: ${error}; retrying in ${delay} ms`);
  await repo.alertDelivery.update({ where: { id: delivery.id }, data: { nextAttemptAt: new Date(now.getTime() + delay), lastError: error } });
}

/** Null on a 2xx answer; otherwise what went wrong, without the URL. */
async function post(delivery: Claimed, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "PlanWatch", "x-planwatch-event": delivery.eventId.toString() },
      body: JSON.stringify(delivery.payload),
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect could lead the payload anywhere: the configured URL answers, or it failed.
      redirect: "manual",
    });
    await response.body?.cancel().catch(() => undefined);
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (err) {
    return redactUrlIn(describeFetchError(err, timeoutMs), delivery.url);
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : err instanceof Error ? err.message : String(err);
  return `network error: ${detail}`.slice(0, 500);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
