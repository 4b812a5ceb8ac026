// QPM's validate_plans for PlanWatch: a plan that scans a relation or uses an index that no longer
// exists on the target cannot run, so it is marked invalid (and never pinned by a write-back); it
// becomes valid again when the object is back. Run by the collector each cycle and on demand
// (`planwatch plans validate --target NAME`).
//
// Names come from the stored plan JSON. An index has no schema in EXPLAIN; it always lives in its
// table's schema, so it takes the schema of the node (or the nearest ancestor) that names the table.
// Without VERBOSE, EXPLAIN names no schema at all: those names resolve through the collector
// session's search_path, as the application's did when it was planned (best effort).
import type { PrismaClient } from "../db/client";
import { parsePlan, type Plan, type PlanNode } from "../plan";
import type { CollectContext, CollectorTarget } from "./types";

export interface PlanObject {
  kind: "relation" | "index";
  schema: string | null;
  name: string;
}

export interface ValidatePlansResult {
  /** Plans whose objects were checked. */
  checked: number;
  invalidated: bigint[];
  revalidated: bigint[];
  /** Stored plans that could not be parsed; their validity is left as it was. */
  unreadable: number;
  /** Missing objects, as "schema.name" (or "name"), sorted. */
  missing: string[];
}

export type ValidatePlansContext = Pick<CollectContext, "repo" | "target" | "client"> & { log?: CollectContext["log"] };

/** The relations and indexes a plan depends on, without duplicates. */
export function planObjects(plan: Plan): PlanObject[] {
  const found = new Map<string, PlanObject>();
  const visit = (node: PlanNode, inheritedSchema: string | null) => {
    const schema = node.schema ?? inheritedSchema;
    if (node.relationName !== null) add(found, { kind: "relation", schema: node.schema, name: node.relationName });
    if (node.indexName !== null) add(found, { kind: "index", schema, name: node.indexName });
    // Only a table's own subtree (e.g. Bitmap Heap Scan → Bitmap Index Scan) inherits its schema.
    const passDown = node.relationName !== null || node.nodeType.startsWith("Bitmap") ? schema : null;
    for (const child of node.children) visit(child, passDown);
  };
  visit(plan.root, null);
  return [...found.values()];
}

function add(found: Map<string, PlanObject>, object: PlanObject) {
  found.set(objectName(object), object);
}

export function objectName(object: Pick<PlanObject, "schema" | "name">): string {
  return object.schema === null ? object.name : `${object.schema}.${object.name}`;
}

export async function validatePlans(ctx: ValidatePlansContext): Promise<ValidatePlansResult> {
  const plans = await targetPlans(ctx.repo, ctx.target);
  const objectsOf = new Map<bigint, PlanObject[]>();
  const all = new Map<string, PlanObject>();
  let unreadable = 0;
  for (const plan of plans) {
    let parsed: Plan;
    try {
      parsed = parsePlan(plan.plan);
    } catch {
      unreadable += 1;
      continue;
    }
    const objects = planObjects(parsed);
    objectsOf.set(plan.id, objects);
    for (const o of objects) all.set(objectName(o), o);
  }
  const missing = await missingObjects(ctx.client, [...all.values()]);

  const invalidated: bigint[] = [];
  const revalidated: bigint[] = [];
  for (const plan of plans) {
    const objects = objectsOf.get(plan.id);
    if (!objects) continue;
    const valid = objects.every((o) => !missing.has(objectName(o)));
    if (valid && !plan.valid) revalidated.push(plan.id);
    if (!valid && plan.valid) invalidated.push(plan.id);
  }
  await ctx.repo.$transaction([
    ctx.repo.plan.updateMany({ where: { id: { in: invalidated } }, data: { valid: false } }),
    ctx.repo.plan.updateMany({ where: { id: { in: revalidated } }, data: { valid: true } }),
  ]);
  const result = { checked: objectsOf.size, invalidated, revalidated, unreadable, missing: [...missing].sort() };
  if (invalidated.length + revalidated.length > 0) {
    ctx.log?.(`plans: ${invalidated.length} marked invalid, ${revalidated.length} valid again${missing.size > 0 ? ` (missing: ${result.missing.join(", ")})` : ""}`);
  }
  return result;
}

async function targetPlans(repo: PrismaClient, target: CollectorTarget) {
  return repo.plan.findMany({ where: { statement: { targetId: target.id } }, select: { id: true, valid: true, plan: true }, orderBy: { id: "asc" } });
}

/** Names of the objects that do not exist on the target, checked in one query. */
async function missingObjects(client: ValidatePlansContext["client"], objects: PlanObject[]): Promise<Set<string>> {
  if (objects.length === 0) return new Set();
  const { rows } = await client.query<{ i: string; present: boolean }>(
    `SELECT i::text AS i,
            to_regclass(CASE WHEN s IS NULL THEN quote_ident(n) ELSE quote_ident(s) || '.' || quote_ident(n) END) IS NOT NULL AS present
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS o(s, n, i)`,
    [objects.map((o) => o.schema), objects.map((o) => o.name)],
  );
  const missing = new Set<string>();
  for (const row of rows) {
    const object = objects[Number(row.i) - 1];
    if (object && !row.present) missing.add(objectName(object));
  }
  return missing;
}
