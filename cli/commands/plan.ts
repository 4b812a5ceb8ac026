import { parseArgs } from "node:util";
import { cliActor } from "../../lib/auth/authorize";
import { createPrisma } from "../../lib/db/client";
import { PLAN_ACTIONS, decidePlan, type PlanAction } from "../../lib/db/plan-decisions";
import { UserError } from "../../lib/errors";
import { targetWriteBack } from "../../lib/write-back";
import type { Command } from "./types";

const isAction = (value: string | undefined): value is PlanAction => PLAN_ACTIONS.includes(value as PlanAction);

export const planCommand: Command = {
  name: "plan",
  summary: "approve, reject, prefer, unapprove, disable or enable a plan (audited as the OS user)",
  usage: `planwatch plan ${PLAN_ACTIONS.join("|")} PLAN_ID [--reason TEXT] [--json]`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: { reason: { type: "string" }, json: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
    const [action, id, ...rest] = positionals;
    if (!isAction(action)) throw new UserError(`unknown plan action "${action ?? ""}": use one of ${PLAN_ACTIONS.join(", ")}`);
    if (!id || !/^\d{1,19}$/.test(id) || rest.length > 0) throw new UserError(`PLAN_ID must be one plan id (a positive integer)\nUsage: ${this.usage}`);

    const repo = createPrisma((await ctx.repository()).url);
    try {
      const decision = await decidePlan(repo, { planId: BigInt(id), action, actor: cliActor(), reason: values.reason }, targetWriteBack(repo));
      if (values.json) {
        ctx.out(JSON.stringify({ ...decision, planId: String(decision.planId), auditId: decision.auditId === null ? null : String(decision.auditId) }));
        return;
      }
      const describe = (s: { status: string; enabled: boolean }) => `${s.status}${s.enabled ? "" : " (disabled)"}`;
      if (!decision.changed) {
        ctx.out(`plan ${id} is already ${describe(decision.to)}: nothing changed`);
        return;
      }
      ctx.out(`plan ${id}: ${describe(decision.from)} → ${describe(decision.to)}`);
      if (decision.writeBack) ctx.out(`write-back: ${decision.writeBack.result}: ${decision.writeBack.detail}`);
    } finally {
      await repo.$disconnect();
    }
  },
};
