// `planwatch plans list --statement ID [--json]`: a statement's plans and which one runs now.
import { parseArgs } from "node:util";
import type { PrismaClient } from "../../lib/db/client";
import { statementPlans, type StatementPlanRow, type StatementPlans } from "../../lib/db/statement-plans";
import { UserError } from "../../lib/errors";
import { formatNumber } from "../../lib/regression/format";
import type { CommandContext } from "./types";

export const plansListUsage = "planwatch plans list --statement ID [--json]";

export async function listPlans(args: string[], repo: PrismaClient, ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({ args, options: { statement: { type: "string" }, json: { type: "boolean", default: false } }, strict: true });
  const id = values.statement;
  if (!id || !/^\d{1,19}$/.test(id)) throw new UserError(`--statement ID (a statement id, a positive integer) is required\nUsage: ${plansListUsage}`);
  const result = await statementPlans(repo, BigInt(id));
  if (values.json) {
    ctx.out(JSON.stringify(result));
    return;
  }
  for (const line of describePlans(result)) ctx.out(line);
}

export function describePlans(result: StatementPlans): string[] {
  const runs = result.runsNow;
  const lines = [
    `statement ${result.statementId} on ${result.target} (query id ${result.queryId}): ${result.query.replace(/\s+/g, " ").slice(0, 120)}`,
    `runs now: ${runs.fingerprint === null ? "none of the known plans" : `plan ${runs.planId ?? "(new)"} ${runs.fingerprint.slice(0, 8)}`} — ${runs.explanation}`,
  ];
  if (result.plans.length === 0) return [...lines, "no plans captured yet"];
  const header = ["PLAN", "FINGERPRINT", "STATUS", "ENABLED", "VALID", "SAMPLES", "MEAN MS", "COST", "FIRST SEEN", "LAST SEEN", "LAST WRITE-BACK"];
  const cells = result.plans.map((p) => row(p, runs.planId));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [...lines, line(header), ...cells.map(line)];
}

function row(p: StatementPlanRow, runningPlanId: string | null): string[] {
  return [
    `${p.planId}${p.planId === runningPlanId ? "*" : ""}`,
    p.fingerprint.slice(0, 16),
    p.status,
    p.enabled ? "yes" : "no",
    p.valid ? "yes" : "no",
    formatNumber(p.samples),
    p.meanActualMs === null ? "-" : formatNumber(p.meanActualMs),
    p.latestEstimatedCost === null ? "-" : formatNumber(p.latestEstimatedCost),
    p.firstSeenAt.slice(0, 19).replace("T", " "),
    p.lastSeenAt.slice(0, 19).replace("T", " "),
    p.lastWriteBack === null ? "-" : `${p.lastWriteBack.result} (${p.lastWriteBack.at.slice(0, 19).replace("T", " ")})`,
  ];
}
