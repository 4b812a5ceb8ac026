// Alert webhooks: added, listed and removed by an admin (the CLI acts as one). A webhook URL often
// carries a token in its path or query, so it is stored as given and shown only as scheme://host/….
import { z } from "zod";
import { authorize, type Actor } from "../auth/authorize";
import type { PrismaClient } from "../db/client";
import { NotFoundError, UserError } from "../errors";

export const MAX_WEBHOOK_URL_CHARS = 2_000;

export const webhookUrlSchema = z
  .string()
  .trim()
  .max(MAX_WEBHOOK_URL_CHARS, `must be at most ${MAX_WEBHOOK_URL_CHARS} characters`)
  .refine((value) => {
    try {
      const u = new URL(value);
      return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
    } catch {
      return false;
    }
  }, "must be an http:// or https:// URL");

/** "https://hooks.example.com/…": enough to recognise the webhook, nothing of its path or token. */
export function redactWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}

/** Removes the full URL (and its path, which may be the token) from a message. */
export function redactUrlIn(text: string, url: string): string {
  let out = text.split(url).join(redactWebhookUrl(url));
  try {
    const { pathname, search } = new URL(url);
    for (const secret of [search, pathname].filter((s) => s.length > 4)) out = out.split(secret).join("/…");
  } catch {
    /* not a URL: nothing more to hide */
  }
  return out;
}

export interface WebhookRow {
  id: string;
  /** Null: every target. */
  target: string | null;
  /** Redacted: scheme://host/…. */
  url: string;
  enabled: boolean;
  createdAt: string;
  delivered: number;
  pending: number;
  failed: number;
}

export async function addWebhook(repo: PrismaClient, input: { url: string; targetName?: string; actor: Actor }): Promise<WebhookRow> {
  authorize(input.actor, "alert:manage");
  const parsed = webhookUrlSchema.safeParse(input.url);
  // Never echo the URL back: it may carry a token.
  if (!parsed.success) throw new UserError(`url: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  let targetId: bigint | null = null;
  if (input.targetName !== undefined) {
    const target = await repo.target.findUnique({ where: { name: input.targetName }, select: { id: true } });
    if (!target) throw new NotFoundError(`there is no target named "${input.targetName}"`);
    targetId = target.id;
  }
  const created = await repo.alertWebhook.create({ data: { url: parsed.data, targetId }, select: { id: true } });
  const row = (await listWebhooks(repo, input.actor)).find((w) => w.id === created.id.toString());
  if (!row) throw new Error(`webhook ${created.id} vanished right after it was added`);
  return row;
}

export async function listWebhooks(repo: PrismaClient, actor: Actor): Promise<WebhookRow[]> {
  authorize(actor, "alert:manage");
  const hooks = await repo.alertWebhook.findMany({ orderBy: { id: "asc" }, include: { target: { select: { name: true } } } });
  const counts = await repo.$queryRaw<Array<{ webhookId: bigint; delivered: number; pending: number; failed: number }>>`
    SELECT webhook_id AS "webhookId",
           count(*) FILTER (WHERE delivered_at IS NOT NULL)::int AS delivered,
           count(*) FILTER (WHERE delivered_at IS NULL AND given_up_at IS NULL)::int AS pending,
           count(*) FILTER (WHERE given_up_at IS NOT NULL)::int AS failed
      FROM alert_delivery GROUP BY webhook_id`;
  const byHook = new Map(counts.map((c) => [c.webhookId.toString(), c]));
  return hooks.map((h) => {
    const c = byHook.get(h.id.toString());
    return {
      id: h.id.toString(),
      target: h.target?.name ?? null,
      url: redactWebhookUrl(h.url),
      enabled: h.enabled,
      createdAt: h.createdAt.toISOString(),
      delivered: c?.delivered ?? 0,
      pending: c?.pending ?? 0,
      failed: c?.failed ?? 0,
    };
  });
}

export async function removeWebhook(repo: PrismaClient, id: bigint, actor: Actor): Promise<void> {
  authorize(actor, "alert:manage");
  const { count } = await repo.alertWebhook.deleteMany({ where: { id } });
  if (count === 0) throw new NotFoundError(`there is no webhook ${id}`);
}
