import { parseArgs } from "node:util";
import { createApiToken, listApiTokens, revokeApiToken } from "../../lib/auth/api-tokens";
import { cliActor } from "../../lib/auth/authorize";
import { parseRole, ROLES } from "../../lib/auth/roles";
import type { PrismaClient } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import { dispatch, withRepository } from "./subcommands";
import type { Command, CommandContext } from "./types";

const usage = [
  "planwatch token create --name NAME --role viewer|approver|admin",
  "       planwatch token list [--json]",
  "       planwatch token revoke ID",
].join("\n");

export const tokenCommand: Command = {
  name: "token",
  summary: "create, list or revoke API tokens (Authorization: Bearer) for automation",
  usage,
  run: dispatch("token", usage, { create: withRepository(create), list: withRepository(list), revoke: withRepository(revoke) }),
};

async function create(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { name: { type: "string" }, role: { type: "string" } }, strict: true });
  if (!values.name || !values.role) throw new UserError(`token create needs --name and --role\nUsage: ${usage}`);
  const role = parseRole(values.role);
  if (!role) throw new UserError(`role must be one of ${ROLES.join(", ")}, got "${values.role}"`);
  const { token, row } = await createApiToken(repo, { name: values.name, role, actor: cliActor() });
  // The token goes to stdout alone on its line (easy to capture); the explanation to stderr.
  console.error(`created token ${row.id} "${row.name}" (${row.role}). It is shown this once; only its hash is stored:`);
  ctx.out(token);
}

async function list(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
  const tokens = await listApiTokens(repo);
  if (values.json) {
    ctx.out(JSON.stringify({ tokens }));
    return;
  }
  if (tokens.length === 0) {
    ctx.out("no tokens yet: planwatch token create --name NAME --role viewer");
    return;
  }
  const width = Math.max(4, ...tokens.map((t) => t.name.length));
  ctx.out(`ID    ${"NAME".padEnd(width)}  ROLE      CREATED BY            LAST USED                 STATE`);
  for (const t of tokens) {
    ctx.out(
      `${t.id.padEnd(4)}  ${t.name.padEnd(width)}  ${t.role.padEnd(8)}  ${t.createdBy.padEnd(20)}  ${(t.lastUsedAt?.toISOString() ?? "never").padEnd(24)}  ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : "active"}`,
    );
  }
}

async function revoke(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0) throw new UserError(`token revoke needs exactly one ID\nUsage: ${usage}`);
  const { row, alreadyRevoked } = await revokeApiToken(repo, id, cliActor());
  ctx.out(alreadyRevoked ? `token ${row.id} "${row.name}" was already revoked` : `revoked token ${row.id} "${row.name}"; it stops working now`);
}
