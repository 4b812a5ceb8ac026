// EXPLAIN (FORMAT JSON) → Plan. Raw JSON is `unknown` until each value passes a guard; a value of
// the wrong type is an error, never silently dropped, so a broken paste cannot become a plan.
import { Check, Reader, Where, fail, isRecord, type Locator, type Path } from "./json-check";
import { readBuffers, readNode } from "./json-node";
import { plainText } from "./json-text";
import { nodeValues } from "./json-values";
import type { Plan, PlanNode, Trigger } from "./model";
import { MAX_PLAN_DEPTH, assemble, planSummary } from "./node-draft";
import type { RawExplain, RawPlanNode } from "./raw-types";

export { isRecord, type Locator } from "./json-check";

/** Walks "Plans" depth-first without recursion, so a hostile 100k-deep input cannot blow the stack. */
function readTree(rawRoot: Record<string, unknown>, rootWhere: Where, locate: Locator): { root: PlanNode; nodes: PlanNode[] } {
  const nodes: PlanNode[] = [];
  const parents: number[] = [];
  const stack: Array<{ raw: unknown; where: Where; parent: number; depth: number }> = [{ raw: rawRoot, where: rootWhere, parent: -1, depth: 0 }];
  while (stack.length) {
    const item = stack.pop();
    if (!item) break;
    if (!isRecord(item.raw)) fail("A plan node should be an object", item.where.path(), locate);
    if (item.depth > MAX_PLAN_DEPTH) fail(`The plan is nested deeper than ${MAX_PLAN_DEPTH} levels`, item.where.path(), locate);
    const index = nodes.length;
    nodes.push(readNode(item.raw, item.where, locate));
    parents.push(item.parent);
    const plans = item.raw["Plans"];
    if (plans === undefined) continue;
    if (!Array.isArray(plans)) fail(`"Plans" should be a list of plan nodes`, [...item.where.path(), "Plans"], locate);
    for (let i = plans.length - 1; i >= 0; i--) {
      stack.push({ raw: plans[i], where: new Where(item.where, ["Plans", i]), parent: index, depth: item.depth + 1 });
    }
  }
  return { root: assemble(nodes, parents), nodes };
}

function readTriggers(raw: unknown, path: Path, locate: Locator): Trigger[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail(`"Triggers" should be a list`, path, locate);
  return raw.map((t: unknown, i) => {
    if (!isRecord(t)) fail("A trigger should be an object", [...path, i], locate);
    const r = new Reader(t, new Where(null, [...path, i]), locate);
    // Text EXPLAIN names a constraint's trigger by its constraint only: use that name in both.
    const name = r.str("Constraint Name") ?? r.str("Trigger Name") ?? "";
    return { name, relationName: r.str("Relation"), timeMs: r.num("Time"), calls: r.num("Calls") };
  });
}

function readSettings(raw: unknown, path: Path, locate: Locator): Record<string, string> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) fail(`"Settings" should be an object`, path, locate);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plainText(v)]));
}

/**
 * One EXPLAIN result object ({ "Plan": … } or auto_explain's payload). `queryId` comes from the
 * source text: JSON numbers lose the low digits of a 64-bit query identifier.
 */
export function readExplain(raw: RawExplain & Record<string, unknown>, path: Path, locate: Locator, queryId: string | null): Plan {
  const plan = raw.Plan;
  if (!isRecord(plan)) fail(`"Plan" should be a plan node object`, [...path, "Plan"], locate);
  const where = new Where(null, path);
  const { root, nodes } = readTree(plan, new Where(where, ["Plan"]), locate);
  const r = new Reader(raw, where, locate);
  const planning = raw.Planning;
  const rawId = raw["Query Identifier"];
  return {
    format: "json",
    root,
    ...planSummary(root, nodes),
    planningTimeMs: r.num("Planning Time"),
    executionTimeMs: r.num("Execution Time"),
    planningBuffers: isRecord(planning) ? readBuffers(nodeValues(planning).values, new Check(new Where(where, ["Planning"]), locate)) : null,
    settings: readSettings(raw.Settings, [...path, "Settings"], locate),
    triggers: readTriggers(raw.Triggers, [...path, "Triggers"], locate),
    queryText: r.str("Query Text"),
    queryId: queryId ?? (typeof rawId === "number" || typeof rawId === "string" ? String(rawId) : null),
    durationMs: null,
  };
}

/** Finds the EXPLAIN result inside parsed JSON: the usual one-element array, or the object alone. */
export function findExplain(value: unknown, locate: Locator): { raw: RawExplain & Record<string, unknown>; path: Path } {
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    if (value.length === 0) fail("The JSON list is empty: expected [ { \"Plan\": … } ]", [], locate);
    if (isRecord(first) && "Plan" in first) return { raw: first, path: [0] };
    fail('JSON is not an EXPLAIN plan: expected [ { "Plan": … } ]', [0], locate);
  }
  if (isRecord(value)) {
    if ("Plan" in value) return { raw: value, path: [] };
    // A bare plan node (the inside of "Plan") is a plan too.
    if ("Node Type" in value) return { raw: { Plan: value as RawPlanNode }, path: [] };
  }
  fail('JSON is not an EXPLAIN plan: expected [ { "Plan": … } ] or { "Plan": … }', [], locate);
}
