import { parseArgs } from "node:util";
import { createPrisma } from "../../lib/db/client";
import { describePurge, purgeRepository, retentionFromEnv } from "../../lib/db/retention";
import { prismaRunner } from "../../lib/db/sql-runner";
import { UserError } from "../../lib/errors";
import { MAINTENANCE_LOCK_KEY, tryRepositoryLock } from "../../lib/collector/target-lock";
import type { Command } from "./types";

// The collector applies retention once an hour by itself; this runs one pass now (after changing
// the retention settings, say), under the same lock, so it never races a collector's pass.
export const purgeCommand: Command = {
  name: "purge",
  summary: "apply retention now: roll up, drop old interval partitions, old rollups, surplus plan samples",
  usage: "planwatch purge [--json]   (PLANWATCH_RETENTION_RAW_DAYS, PLANWATCH_RETENTION_ROLLUP_DAYS, PLANWATCH_SAMPLES_PER_PLAN)",
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
    const settings = retentionFromEnv();
    const repository = await ctx.repository();
    const lock = await tryRepositoryLock(repository.url, MAINTENANCE_LOCK_KEY);
    if (!lock) throw new UserError("another PlanWatch process is applying retention right now; try again in a minute");
    const prisma = createPrisma(repository.url);
    try {
      const result = await purgeRepository(prismaRunner(prisma), settings);
      ctx.out(values.json ? JSON.stringify({ settings, ...result }) : describePurge(result));
    } finally {
      await prisma.$disconnect();
      await lock.release();
    }
  },
};
