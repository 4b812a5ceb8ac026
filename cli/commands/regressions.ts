import { parseArgs } from "node:util";
import { regressionParamsSchema, toRegressionParams, toRegressionRow, type RegressionRow } from "../../lib/api/regressions";
import { createPrisma } from "../../lib/db/client";
import { rankTarget } from "../../lib/db/regressions";
import { UserError } from "../../lib/errors";
import { shortFingerprint } from "../../lib/plan";
import { formatDuration } from "../../lib/regression";
import { formatNumber, formatRatio } from "../../lib/regression/format";
import type { Command } from "./types";

const usage =
  "planwatch regressions --target NAME [--recent 1h] [--baseline 24h] [--since ISO-TIME] [--min-ratio 1.5] [--alpha 0.01] [--min-calls 20] [--json]";

/** CLI flag of each API parameter, for error messages that name what the user typed. */
const FLAGS: Record<string, string> = { target: "--target", recent: "--recent", baseline: "--baseline", since: "--since", minRatio: "--min-ratio", alpha: "--alpha", minCalls: "--min-calls" };

/** Query column width when stdout is not a terminal (piped to less, a file). */
const DEFAULT_WIDTH = 160;

export const regressionsCommand: Command = {
  name: "regressions",
  summary: "rank a target's statements: regressions by time lost, then improvements, then stable",
  usage,
  async run(args, ctx) {
    const { values } = parseArgs({
      args,
      options: {
        target: { type: "string" },
        recent: { type: "string" },
        baseline: { type: "string" },
        since: { type: "string" },
        "min-ratio": { type: "string" },
        alpha: { type: "string" },
        "min-calls": { type: "string" },
        json: { type: "boolean", default: false },
      },
      strict: true,
    });
    // The API's own schema: the CLI accepts and refuses exactly what the API does.
    const parsed = regressionParamsSchema.safeParse({
      target: values.target,
      recent: values.recent,
      baseline: values.baseline,
      since: values.since,
      minRatio: values["min-ratio"],
      alpha: values.alpha,
      minCalls: values["min-calls"],
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "");
      throw new UserError(`${FLAGS[field] ?? field}: ${issue?.message ?? "invalid"}\nUsage: ${usage}`);
    }
    const { target, ...question } = toRegressionParams(parsed.data);

    const repo = createPrisma((await ctx.repository()).url);
    let rows: RegressionRow[];
    try {
      rows = (await rankTarget(repo, { targetName: target, ...question })).map(toRegressionRow);
    } finally {
      await repo.$disconnect();
    }
    if (values.json) {
      ctx.out(JSON.stringify(rows));
      return;
    }
    ctx.out(summaryLine(target, question.recentMs, question.baselineMs, rows));
    const width = process.stdout.isTTY ? (process.stdout.columns ?? DEFAULT_WIDTH) : DEFAULT_WIDTH;
    for (const line of table(rows, width)) ctx.out(line);
  },
};

function summaryLine(target: string, recentMs: number, baselineMs: number, rows: RegressionRow[]): string {
  const count = (verdict: RegressionRow["verdict"]) => rows.filter((r) => r.verdict === verdict).length;
  const windows = `last ${formatDuration(recentMs)} against the ${formatDuration(baselineMs)} before`;
  if (rows.length === 0) return `${target}: no statement was collected in the last ${formatDuration(recentMs + baselineMs)}`;
  return `${target}, ${windows}: ${count("regression")} regressed, ${count("improvement")} improved, ${count("stable")} stable`;
}

const HEADER = ["VERDICT", "RATIO", "IMPACT", "CALLS", "CAUSE", "PLAN", "QUERY"];
/** Columns that hold numbers: right-aligned. */
const NUMERIC = new Set([1, 2, 3]);

export function table(rows: readonly RegressionRow[], width: number): string[] {
  const cells = rows.map((r) => [
    r.verdict,
    r.ratio === null ? "-" : formatRatio(r.ratio),
    r.impactMs === null ? "-" : formatImpact(r.impactMs),
    formatNumber(r.recentCalls),
    r.cause ?? "-",
    planColumn(r),
  ]);
  const widths = HEADER.slice(0, -1).map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const pad = (c: string[]) => c.map((v, i) => (NUMERIC.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ");
  const queryWidth = Math.max(20, width - widths.reduce((a, b) => a + b + 2, 0));
  const lines = [`${pad(HEADER.slice(0, -1))}  QUERY`];
  rows.forEach((r, i) => {
    lines.push(`${pad(cells[i] ?? [])}  ${truncate(oneLine(r.query), queryWidth)}`);
    if (r.verdict === "regression") lines.push(`    ${r.evidence}`);
  });
  return lines;
}

/** Time lost (+) or saved (−) in the recent window, in the unit a person reads best. */
export function formatImpact(ms: number): string {
  const sign = ms > 0 ? "+" : ms < 0 ? "−" : "";
  const abs = Math.abs(ms);
  if (abs >= 3_600_000) return `${sign}${formatNumber(abs / 3_600_000)} h`;
  if (abs >= 60_000) return `${sign}${formatNumber(abs / 60_000)} min`;
  if (abs >= 1_000) return `${sign}${formatNumber(abs / 1_000)} s`;
  return `${sign}${formatNumber(abs)} ms`;
}

function planColumn(r: RegressionRow): string {
  const before = r.baselinePlan === null ? null : shortFingerprint(r.baselinePlan);
  const after = r.recentPlan === null ? null : shortFingerprint(r.recentPlan);
  if (before === after) return before ?? "-";
  return `${before ?? "?"}→${after ?? "?"}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
