import type { Command } from "./types";

export const migrateCommand: Command = {
  name: "migrate",
  summary: "apply pending migrations to the plan repository",
  usage: "planwatch migrate",
  async run(_args, ctx) {
    // Opening the repository applies pending migrations (the same path the app takes at start).
    const repo = await ctx.repository();
    ctx.out(`repository ${repo.description} is up to date`);
  },
};
