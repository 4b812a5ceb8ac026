// A generic plan (planned without parameter values: prepared statements after their 5th execution,
// or plan_cache_mode = force_generic_plan) prints `$n` where a custom plan prints the constants:
// `Filter: (y = $1)` against `Filter: (y = 127)`. The persistence layer stores the answer on each
// sample (PlanSamplePoint.isGeneric).
//
// Before PostgreSQL 17, InitPlan outputs and correlated SubPlan parameters are also printed `$n`
// (`InitPlan 1 (returns $0)`, `Filter: (x > $0)`). The ones an InitPlan header names are left out,
// and `$0` is never an external parameter (those count from $1); a correlated SubPlan parameter on a
// PostgreSQL 16 or older plan can still read as generic, which the evidence text only ever reports
// as a note, never as a verdict.
import type { Plan, PlanNode } from "../plan/model";

const PARAM = /(?<![\w$])\$(\d+)(?![\w$])/g;

export function isGenericPlan(plan: Plan): boolean {
  const nodes = allNodes(plan.root);
  const internal = new Set<string>(["0"]);
  for (const node of nodes) {
    const returns = /\(returns ([^)]*)\)/.exec(node.subplanName ?? "");
    for (const m of (returns?.[1] ?? "").matchAll(PARAM)) internal.add(m[1] ?? "");
  }
  return nodes.some((node) =>
    node.conditions.some((condition) => [...condition.expression.matchAll(PARAM)].some((m) => !internal.has(m[1] ?? ""))),
  );
}

function allNodes(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const stack = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    out.push(node);
    stack.push(...node.children);
  }
  return out;
}
