import { parseArgs } from "node:util";
import { cliActor, type Role } from "../../lib/auth/authorize";
import { parseRole, ROLES } from "../../lib/auth/roles";
import { createUser, listUsers, removeUser, setUserRole, validateEmail, validatePassword } from "../../lib/auth/users";
import type { PrismaClient } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import { readNewPassword } from "../read-password";
import { dispatch, withRepo, withRepository } from "./subcommands";
import type { Command, CommandContext } from "./types";

const usage = [
  "planwatch user add --email EMAIL [--role viewer|approver|admin] [--password-stdin]",
  "       planwatch user list [--json]",
  "       planwatch user set-role EMAIL viewer|approver|admin",
  "       planwatch user remove EMAIL",
].join("\n");

export const userCommand: Command = {
  name: "user",
  summary: "add, list, change the role of, or remove web app accounts",
  usage,
  run: dispatch("user", usage, { add: add, list: withRepository(list), "set-role": withRepository(setRole), remove: withRepository(remove) }),
};


function roleArg(value: string | undefined): Role {
  const role = parseRole(value);
  if (!role) throw new UserError(`role must be one of ${ROLES.join(", ")}${value ? `, got "${value}"` : ""}`);
  return role;
}

async function add(args: string[], ctx: CommandContext) {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, role: { type: "string", default: "viewer" }, "password-stdin": { type: "boolean", default: false } },
    strict: true,
  });
  if (!values.email) throw new UserError(`user add needs --email\nUsage: ${usage}`);
  const role = roleArg(values.role);
  // Check what can be checked before asking for a password.
  validateEmail(values.email);
  const password = await readNewPassword({ fromStdin: values["password-stdin"] });
  validatePassword(password);
  await withRepo(ctx, async (repo) => {
    const user = await createUser(repo, { email: values.email ?? "", password, role, actor: cliActor() });
    ctx.out(`added user ${user.email} (${user.role}); they can sign in now`);
  });
}

async function list(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
  const users = await listUsers(repo);
  if (values.json) {
    ctx.out(JSON.stringify({ users }));
    return;
  }
  if (users.length === 0) {
    ctx.out("no users yet: planwatch user add --email EMAIL --role admin");
    return;
  }
  const width = Math.max(5, ...users.map((u) => u.email.length));
  ctx.out(`${"EMAIL".padEnd(width)}  ROLE      SESSIONS  CREATED`);
  for (const u of users) ctx.out(`${u.email.padEnd(width)}  ${u.role.padEnd(8)}  ${String(u.activeSessions).padEnd(8)}  ${u.createdAt.toISOString()}`);
}

async function setRole(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [email, role, ...extra] = positionals;
  if (!email || !role || extra.length > 0) throw new UserError(`user set-role needs EMAIL and ROLE\nUsage: ${usage}`);
  const change = await setUserRole(repo, { email, role: roleArg(role), actor: cliActor() });
  ctx.out(change.from === change.to ? `${email} already is ${change.to}` : `${email}: ${change.from} → ${change.to} (from their next request)`);
}

async function remove(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [email, ...extra] = positionals;
  if (!email || extra.length > 0) throw new UserError(`user remove needs exactly one EMAIL\nUsage: ${usage}`);
  await removeUser(repo, { email, actor: cliActor() });
  ctx.out(`removed user ${email}; their sessions ended`);
}
