// `planwatch plans validate|export|import`: plan validity against the target's objects, and
// baselines as files for the proactive dev → prod workflow.
import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { cliActor } from "../../lib/auth/authorize";
import type { PrismaClient } from "../../lib/db/client";
import { MAX_BASELINE_FILE_CHARS, exportBaselines } from "../../lib/db/baselines";
import { importBaselines, type ImportReport } from "../../lib/db/baseline-import";
import { connectTarget, storedCapabilities } from "../../lib/collector/targets";
import { validatePlans } from "../../lib/collector/validate-plans";
import { UserError } from "../../lib/errors";
import { targetWriteBack } from "../../lib/write-back";
import { listPlans, plansListUsage } from "./plans-list";
import { dispatch, withRepository } from "./subcommands";
import type { Command, CommandContext } from "./types";

const usage = [
  plansListUsage,
  "       planwatch plans validate --target NAME [--json]",
  "       planwatch plans export --target NAME > baselines.json",
  "       planwatch plans import --target NAME FILE [--json]",
].join("\n");

export const plansCommand: Command = {
  name: "plans",
  summary: "list a statement's plans and which runs now; validate plans against the target's objects; export or import plan baselines",
  usage,
  run: dispatch("plans", usage, { list: withRepository(listPlans), validate: withRepository(validate), export: withRepository(exportFile), import: withRepository(importFile) }),
};


function options(args: string[], positionals: number) {
  const parsed = parseArgs({ args, options: { target: { type: "string" }, json: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
  if (!parsed.values.target) throw new UserError(`--target NAME is required\nUsage: ${usage}`);
  if (parsed.positionals.length !== positionals) throw new UserError(`${positionals === 0 ? "no file expected" : "give exactly one FILE"}\nUsage: ${usage}`);
  return { target: parsed.values.target, json: parsed.values.json, positionals: parsed.positionals };
}

async function validate(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const opts = options(args, 0);
  const row = await repo.target.findUnique({ where: { name: opts.target } });
  if (!row) throw new UserError(`there is no target named "${opts.target}"`);
  const client = await connectTarget(row);
  try {
    const result = await validatePlans({ repo, target: { id: row.id, name: row.name, capabilities: storedCapabilities(row.capabilities) }, client });
    if (opts.json) {
      ctx.out(JSON.stringify({ ...result, invalidated: result.invalidated.map(String), revalidated: result.revalidated.map(String) }));
      return;
    }
    ctx.out(`checked ${result.checked} plan(s) of ${row.name}: ${result.invalidated.length} now invalid, ${result.revalidated.length} valid again`);
    if (result.missing.length > 0) ctx.out(`missing on the target: ${result.missing.join(", ")}`);
    if (result.unreadable > 0) ctx.out(`${result.unreadable} stored plan(s) could not be read and were left as they were`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function exportFile(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const opts = options(args, 0);
  const file = await exportBaselines(repo, { targetName: opts.target, actor: cliActor() });
  ctx.out(JSON.stringify(file, null, 2));
}

async function importFile(args: string[], repo: PrismaClient, ctx: CommandContext) {
  const opts = options(args, 1);
  const path = opts.positionals[0] ?? "";
  const size = await stat(path).catch(() => {
    throw new UserError(`cannot read ${path}: no such file`);
  });
  if (size.size > MAX_BASELINE_FILE_CHARS) throw new UserError(`${path} is larger than ${MAX_BASELINE_FILE_CHARS / 1024 / 1024} MiB; nothing was imported`);
  const text = await readFile(path, "utf8");
  const report = await importBaselines(repo, { targetName: opts.target, file: text, actor: cliActor(), writeBack: targetWriteBack(repo) });
  if (opts.json) ctx.out(JSON.stringify(report, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  else for (const line of describeReport(report)) ctx.out(line);
}

function describeReport(report: ImportReport): string[] {
  const lines = [
    `statements: ${report.statementsMatched} matched, ${report.statementsCreated.length} created (not yet seen on the target)`,
    `plans: ${report.plansCreated} created, ${report.plansUnchanged} unchanged, ${report.decisions.length} decision(s) applied`,
  ];
  for (const text of report.statementsCreated) lines.push(`  created: ${text.replace(/\s+/g, " ").slice(0, 120)}`);
  for (const d of report.decisions) {
    const state = (s: { status: string; enabled: boolean }) => `${s.status}${s.enabled ? "" : " (disabled)"}`;
    lines.push(`  plan ${d.planId}: ${state(d.from)} → ${state(d.to)}${d.writeBack ? ` — write-back ${d.writeBack.result}: ${d.writeBack.detail}` : ""}`);
  }
  for (const f of report.failures) lines.push(`  plan ${f.planId} NOT changed: ${f.message}`);
  return lines;
}
