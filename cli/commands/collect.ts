import { parseArgs } from "node:util";
import { createPrisma } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import { collectOnce, runCollectorLoop } from "../../lib/collector/run";
import type { TargetRunSummary } from "../../lib/collector/types";
import type { Command } from "./types";

const usage = "planwatch collect [--once [--target NAME] [--json]]";

export const collectCommand: Command = {
  name: "collect",
  summary: "collect snapshots and plans from the targets (once, or until Ctrl-C)",
  usage,
  async run(args, ctx) {
    const { values } = parseArgs({
      args,
      options: { once: { type: "boolean", default: false }, target: { type: "string" }, json: { type: "boolean", default: false } },
      strict: true,
    });
    if (!values.once && (values.target !== undefined || values.json)) throw new UserError(`--target and --json go with --once\nUsage: ${usage}`);
    const repository = await ctx.repository();
    const log = (line: string) => console.error(`planwatch: ${line}`);

    if (!values.once) {
      const controller = new AbortController();
      const stop = () => {
        log("stopping the collector…");
        controller.abort();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      log(`collecting from ${repository.description} until Ctrl-C`);
      await runCollectorLoop({ repositoryUrl: repository.url, signal: controller.signal, log });
      return;
    }

    const prisma = createPrisma(repository.url);
    let summaries: TargetRunSummary[];
    try {
      summaries = await collectOnce({ prisma, url: repository.url }, { target: values.target, log: values.json ? () => undefined : log });
    } finally {
      await prisma.$disconnect();
    }
    if (values.json) ctx.out(JSON.stringify({ targets: summaries.map(contractFields) }));
    else for (const line of table(summaries)) ctx.out(line);
    if (summaries.some((s) => s.errors.length > 0)) process.exitCode = 1;
  },
};

/** Exactly the TargetRunSummary fields, in contract order. */
function contractFields(s: TargetRunSummary): TargetRunSummary {
  return {
    name: s.name,
    statements: s.statements,
    intervals: s.intervals,
    newPlans: s.newPlans,
    samples: s.samples,
    skippedLogEntries: s.skippedLogEntries,
    durationMs: s.durationMs,
    errors: s.errors,
  };
}

function table(summaries: TargetRunSummary[]): string[] {
  if (summaries.length === 0) return ["no target is due (use --target NAME to collect one now)"];
  const header = ["TARGET", "STATEMENTS", "INTERVALS", "NEW PLANS", "SAMPLES", "SKIPPED LOG", "MS", "ERRORS"];
  const cells = summaries.map((s) => [
    s.name,
    String(s.statements),
    String(s.intervals),
    String(s.newPlans),
    String(s.samples),
    String(s.skippedLogEntries),
    String(s.durationMs),
    s.errors.join("; ") || "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) => c.map((v, i) => (i > 0 && i < 7 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(header), ...cells.map(line)];
}
