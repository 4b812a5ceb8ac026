// Commands made of subcommands (`planwatch target add …`): one dispatcher and one way to hold a
// repository client for the length of a subcommand.
import { createPrisma, type PrismaClient } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import type { CommandContext } from "./types";

export type Subcommand = (args: string[], ctx: CommandContext) => Promise<void>;

/** A command's run(): the first argument names the subcommand; anything else is a usage error. */
export function dispatch(command: string, usage: string, subcommands: Record<string, Subcommand>) {
  return async (args: string[], ctx: CommandContext): Promise<void> => {
    const [name, ...rest] = args;
    const subcommand = name !== undefined && Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
    if (!subcommand) throw new UserError(`${name ? `unknown ${command} command "${name}"` : `missing ${command} command`}\nUsage: ${usage}`);
    return subcommand(rest, ctx);
  };
}

/** Runs fn with a Prisma client on the repository, disconnected afterwards whatever happens. */
export async function withRepo<T>(ctx: CommandContext, fn: (repo: PrismaClient) => Promise<T>): Promise<T> {
  const repo = createPrisma((await ctx.repository()).url);
  try {
    return await fn(repo);
  } finally {
    await repo.$disconnect();
  }
}

/** A subcommand that needs the repository for all of its work. */
export function withRepository(fn: (args: string[], repo: PrismaClient, ctx: CommandContext) => Promise<void>): Subcommand {
  return (args, ctx) => withRepo(ctx, (repo) => fn(args, repo, ctx));
}
