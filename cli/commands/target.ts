import { parseArgs } from "node:util";
import { cliActor } from "../../lib/auth/authorize";
import type { PrismaClient } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import { capabilitySummary, capabilityWarnings } from "../../lib/collector/capabilities";
import { addTarget, listTargets, removeTarget, type TargetRow } from "../../lib/collector/targets";
import { dispatch, withRepository } from "./subcommands";
import type { Command, CommandContext } from "./types";

const usage = [
  "planwatch target add --name NAME --url postgresql://user:password@host:port/database",
  "       planwatch target list [--json]",
  "       planwatch target remove NAME",
].join("\n");

export const targetCommand: Command = {
  name: "target",
  summary: "add, list or remove monitored databases (targets)",
  usage,
  run: dispatch("target", usage, { add: withRepository(add), list: withRepository(list), remove: withRepository(remove) }),
};


async function add(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { name: { type: "string" }, url: { type: "string" } }, strict: true });
  if (!values.name || !values.url) throw new UserError(`target add needs --name and --url\nUsage: ${usage}`);
  const { row, capabilities } = await addTarget(repo, { name: values.name, url: values.url, actor: cliActor() });
  ctx.out(`added target ${row.name} (${row.host}:${row.port}/${row.database} as ${row.username})`);
  ctx.out(`server version ${capabilities.serverVersion}`);
  ctx.out(`capabilities   ${capabilitySummary(capabilities)}`);
  for (const warning of capabilityWarnings(capabilities)) ctx.out(`warning: ${warning}`);
}

async function list(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
  const rows = await listTargets(repo);
  if (values.json) {
    ctx.out(JSON.stringify({ targets: rows }));
    return;
  }
  if (rows.length === 0) {
    ctx.out("no targets yet: planwatch target add --name NAME --url postgresql://…");
    return;
  }
  for (const line of table(rows)) ctx.out(line);
}

async function remove(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UserError(`target remove needs exactly one NAME\nUsage: ${usage}`);
  await removeTarget(repo, name);
  ctx.out(`removed target ${name} and everything collected from it`);
}

function table(rows: TargetRow[]): string[] {
  const header = ["NAME", "SERVER", "DATABASE", "USER", "HEALTH", "VERSION", "LAST COLLECTED", "LAST ERROR"];
  const cells = rows.map((r) => [
    r.name,
    `${r.host}:${r.port}`,
    r.database,
    r.username,
    r.health,
    r.serverVersion ?? "-",
    r.lastCollectedAt ?? "never",
    r.lastError ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), ...cells.map(line)];
}
