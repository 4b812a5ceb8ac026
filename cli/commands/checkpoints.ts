import { parseArgs } from "node:util";
import { backfillCheckpoints } from "../../lib/db/checkpoints";
import { createPrisma } from "../../lib/db/client";
import { retentionFromEnv } from "../../lib/db/retention";
import { DAY_MS } from "../../lib/regression/rollup-segments";
import { UserError } from "../../lib/errors";
import { tryLockTarget } from "../../lib/collector/target-lock";
import type { Command } from "./types";

const LOCK_ATTEMPTS = 30;

// Collectors write checkpoints from the moment they run this version; rankings of windows that start
// earlier pool intervals and rollups (slower, same answer). This rebuilds a target's checkpoints from
// the raw intervals it still holds (PLANWATCH_RETENTION_RAW_DAYS), so rankings use them at once:
// after an upgrade, say. Each target is rebuilt under its collector lock, in one transaction.
export const checkpointsCommand: Command = {
  name: "checkpoints",
  summary: "rebuild targets' checkpoints of running totals from their stored intervals (after an upgrade)",
  usage: "planwatch checkpoints [--target <name>] [--json]   (from PLANWATCH_RETENTION_RAW_DAYS ago)",
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { target: { type: "string" }, json: { type: "boolean", default: false } }, strict: true });
    const { rawDays } = retentionFromEnv();
    const repository = await ctx.repository();
    const prisma = createPrisma(repository.url);
    try {
      const targets = await prisma.target.findMany({ where: values.target === undefined ? {} : { name: values.target }, select: { id: true, name: true }, orderBy: { id: "asc" } });
      if (values.target !== undefined && targets.length === 0) throw new UserError(`no target named "${values.target}"`);
      const from = new Date(Date.now() - rawDays * DAY_MS);
      const results: { target: string; checkpoints: number; from: string }[] = [];
      for (const target of targets) {
        const lock = await lockWhenFree(repository.url, target.id, target.name);
        try {
          const written = await backfillCheckpoints(lock.session, target.id, from);
          results.push({ target: target.name, checkpoints: written, from: from.toISOString() });
          if (!values.json) ctx.out(`${target.name}: ${written} checkpoint(s) from ${from.toISOString()}`);
        } finally {
          await lock.release();
        }
      }
      if (values.json) ctx.out(JSON.stringify(results));
    } finally {
      await prisma.$disconnect();
    }
  },
};

/** The target's collector lock, waiting up to LOCK_ATTEMPTS seconds for a collection in progress to end. */
async function lockWhenFree(url: string, targetId: bigint, name: string) {
  for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
    const lock = await tryLockTarget(url, targetId);
    if (lock) return lock;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new UserError(`a collector has been collecting target "${name}" for ${LOCK_ATTEMPTS} s; try again later`);
}
