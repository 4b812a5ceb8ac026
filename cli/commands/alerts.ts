import { parseArgs } from "node:util";
import { cliActor } from "../../lib/auth/authorize";
import { addWebhook, listWebhooks, removeWebhook, type WebhookRow } from "../../lib/alerts/webhooks";
import type { PrismaClient } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import { dispatch, withRepository } from "./subcommands";
import type { Command, CommandContext } from "./types";

const usage = [
  "planwatch alerts add --url URL [--target NAME]",
  "       planwatch alerts list [--json]",
  "       planwatch alerts remove ID",
].join("\n");

export const alertsCommand: Command = {
  name: "alerts",
  summary: "webhooks that receive new regressions and rejected/disabled plans seen running (JSON POST)",
  usage: `${usage}\n\n  Without --target the webhook gets every target's alerts. URLs are shown as scheme://host/… only.`,
  run: dispatch("alerts", usage, { add: withRepository(add), list: withRepository(list), remove: withRepository(remove) }),
};


async function add(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { url: { type: "string" }, target: { type: "string" } }, strict: true });
  if (!values.url) throw new UserError(`alerts add needs --url\nUsage: ${usage}`);
  const row = await addWebhook(repo, { url: values.url, targetName: values.target, actor: cliActor() });
  ctx.out(`added webhook ${row.id} (${row.url}) for ${row.target === null ? "every target" : `target ${row.target}`}`);
}

async function list(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
  const rows = await listWebhooks(repo, cliActor());
  if (values.json) {
    ctx.out(JSON.stringify({ webhooks: rows }));
    return;
  }
  if (rows.length === 0) {
    ctx.out("no webhooks yet: planwatch alerts add --url URL [--target NAME]");
    return;
  }
  for (const line of table(rows)) ctx.out(line);
}

async function remove(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0 || !/^\d{1,19}$/.test(id)) throw new UserError(`alerts remove needs one webhook ID (a number)\nUsage: ${usage}`);
  await removeWebhook(repo, BigInt(id), cliActor());
  ctx.out(`removed webhook ${id}`);
}

function table(rows: WebhookRow[]): string[] {
  const header = ["ID", "TARGET", "URL", "ENABLED", "DELIVERED", "PENDING", "FAILED", "CREATED"];
  const cells = rows.map((r) => [r.id, r.target ?? "(all)", r.url, r.enabled ? "yes" : "no", String(r.delivered), String(r.pending), String(r.failed), r.createdAt.slice(0, 19).replace("T", " ")]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)];
}
