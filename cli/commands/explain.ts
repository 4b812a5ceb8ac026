import { parseArgs } from "node:util";
import { createPrisma } from "../../lib/db/client";
import { UserError } from "../../lib/errors";
import { explainStatement } from "../../lib/collector/explain-statement";
import type { Command } from "./types";

const usage = "planwatch explain STATEMENT_ID [--param VALUE …] [--allow-writes] [--timeout-ms MS] [--json]";

/** psql's COPY spelling of NULL: a value that cannot be confused with text anyone types as a value. */
const NULL_VALUE = "\\N";

export const explainCommand: Command = {
  name: "explain",
  summary: "EXPLAIN ANALYZE a statement on its target with the given $1…$n values (rolled back) and store the plan",
  usage: `${usage}\n\n  --param VALUE   the next $n, in order (${NULL_VALUE} for NULL); values are bound, never put into the SQL\n  --allow-writes  run INSERT/UPDATE/DELETE/MERGE too (the transaction is still rolled back)`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        param: { type: "string", multiple: true, default: [] },
        "allow-writes": { type: "boolean", default: false },
        "timeout-ms": { type: "string" },
        json: { type: "boolean", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0 || !/^\d{1,19}$/.test(id)) throw new UserError(`explain needs one STATEMENT_ID (a number)\nUsage: ${usage}`);
    const timeout = values["timeout-ms"];
    if (timeout !== undefined && !/^\d{1,9}$/.test(timeout)) throw new UserError(`--timeout-ms must be a number of milliseconds`);

    const repo = createPrisma((await ctx.repository()).url);
    try {
      const result = await explainStatement(repo, BigInt(id), {
        params: values.param.map((v) => (v === NULL_VALUE ? null : v)),
        allowWrites: values["allow-writes"],
        statementTimeoutMs: timeout === undefined ? undefined : Number(timeout),
      });
      if (!result) throw new UserError(`there is no statement ${id}`);
      if (values.json) {
        ctx.out(JSON.stringify({ statementId: id, planId: result.planId.toString(), isNew: result.isNew, status: result.status, fingerprint: result.fingerprint, plan: result.planJson }));
        return;
      }
      const ms = result.plan.executionTimeMs;
      ctx.out(`statement ${id}: plan ${result.planId} (${result.fingerprint}) ${result.isNew ? `new, ${result.status}` : "already known"}`);
      ctx.out(`execution ${ms === null ? "?" : `${ms.toFixed(3)} ms`}, planning ${result.plan.planningTimeMs?.toFixed(3) ?? "?"} ms; rolled back`);
      ctx.out(JSON.stringify(result.planJson, null, 2));
    } finally {
      await repo.$disconnect();
    }
  },
};
