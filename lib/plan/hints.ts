// pg_hint_plan hints that pin a captured plan: scan method per relation, join method per join and
// the join order (Leading with nested parentheses, outer side first). Hints name the alias, or the
// table name when the query gave none (text EXPLAIN without VERBOSE prints "Seq Scan on orders o").
//
// What pg_hint_plan cannot pin is reported in `unsupported` and makes `complete` false instead of
// being approximated silently: Memoize, parallelism (Gather, parallel-aware nodes), Append over
// partitions (hints name the parent, not each partition), subquery / function / VALUES / CTE scans
// (no scan-method hint exists for them), nodes with no name to hint, names used twice in one query
// level (pg_hint_plan rejects ambiguous names), and aggregation or set-operation strategies.
// Sort, Hash, Materialize, Limit and the like follow from the query and the hinted joins and are not reported.
import type { Plan, PlanNode } from "./model";
import { describeNode, isJoin, subplanOf } from "./plan-tree";

export interface PlanHints {
  /** The hint comment, e.g. "/*+ SeqScan(o) HashJoin(o c) Leading((o c)) *\/". */
  text: string;
  /** True when the hints express every planner choice found in the plan. */
  complete: boolean;
  /** One line per plan element the hints do not pin. */
  unsupported: string[];
}

/**
 * A query level's join tree, kept only as what the hints need, built bottom-up: rebuilding each
 * join's leaf list from its subtree made a left-deep chain of n joins cost n³.
 */
interface JoinTree {
  isJoin: boolean;
  /** The leaves' quoted names, outer side first, space-separated; null when a leaf has no name. */
  names: string | null;
  /** The Leading() term: "o" or "(o c)"; null when a leaf has no name. */
  leading: string | null;
}

/** A join's method hint, in post-order (the order the recursive emitter had); written out after the level. */
type JoinHint = { method: string; names: string | null };

const UNNAMED: JoinTree = { isJoin: false, names: null, leading: null };

const JOIN_HINT: Record<string, string> = { "Nested Loop": "NestLoop", "Hash Join": "HashJoin", "Merge Join": "MergeJoin" };

const SCAN_HINT: Record<string, string> = {
  "Seq Scan": "SeqScan",
  "Index Scan": "IndexScan",
  "Index Only Scan": "IndexOnlyScan",
  "Bitmap Heap Scan": "BitmapScan",
  "Tid Scan": "TidScan",
};

/** Scans of things other than tables: nothing to choose, but also nothing pg_hint_plan can pin. */
const UNHINTABLE_SCANS: ReadonlySet<string> = new Set([
  "Function Scan",
  "Table Function Scan",
  "Values Scan",
  "CTE Scan",
  "WorkTable Scan",
  "Named Tuplestore Scan",
  "Subquery Scan",
  "Tid Range Scan",
  "Sample Scan",
  "Foreign Scan",
  "Custom Scan",
]);

function quoteName(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) || /^".*"$/.test(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** Partition children get the parent's alias plus "_N" ("events_1"); UNION ALL members keep theirs. */
function partitionStem(members: PlanNode[]): string | null {
  const stems = new Set<string>();
  for (const m of members) {
    const match = m.alias !== null && m.alias !== m.relationName ? /^(.*)_\d+$/.exec(m.alias) : null;
    if (match === null || m.relationName === null) return null;
    stems.add(match[1] ?? "");
  }
  return stems.size === 1 ? ([...stems][0] ?? null) : null;
}

function indexesUnder(node: PlanNode): string[] {
  const out: string[] = [];
  // Loops, not push(...children): a spread of 100,000s of children overflows the stack.
  const stack: PlanNode[] = [];
  for (const c of node.children) stack.push(c);
  while (stack.length > 0) {
    const n = stack.pop() as PlanNode;
    if (n.nodeType === "Bitmap Index Scan" && n.indexName !== null) out.push(n.indexName);
    for (const c of n.children) stack.push(c);
  }
  return out.sort();
}

class HintBuilder {
  readonly scans: string[] = [];
  readonly joins: string[] = [];
  readonly leading: string[] = [];
  readonly unsupported: string[] = [];
  /** Query blocks (subplans, subqueries, UNION members) still to visit, first in first out. */
  private readonly blocks: PlanNode[] = [];
  /** blocks[next] is the next to visit: shift() per block made a UNION ALL of n members quadratic. */
  private next = 0;
  private names = new Map<string, number>();
  /** Every alias / table name in the plan, to spot EXPLAIN's "orders_1" renames. */
  private allNames = new Set<string>();

  run(root: PlanNode): void {
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop() as PlanNode;
      for (const name of [n.alias, n.relationName]) if (name !== null) this.allNames.add(name);
      for (const c of n.children) stack.push(c);
    }
    this.blocks.push(root);
    while (this.next < this.blocks.length) {
      const block = this.blocks[this.next++] as PlanNode;
      this.names = new Map();
      const pending = { scans: this.scans.length, joins: this.joins.length };
      const joinHints: JoinHint[] = [];
      const tree = this.tree(block, joinHints);
      for (const { method, names } of joinHints) {
        if (names !== null) this.joins.push(`${method}(${names})`);
        else this.unsupported.push(`${method} over a relation without a name: join method and order not hinted`);
      }
      const ambiguous = [...this.names].filter(([, n]) => n > 1).map(([name]) => name);
      if (ambiguous.length > 0) {
        // pg_hint_plan ignores hints on ambiguous names; drop this level's hints rather than emit dead ones.
        this.scans.splice(pending.scans);
        this.joins.splice(pending.joins);
        this.unsupported.push(`name ${ambiguous.map(quoteName).join(", ")} appears more than once in one query level: hints would be ambiguous`);
        continue;
      }
      const lead = tree.isJoin ? tree.leading : null;
      if (lead !== null) this.leading.push(`Leading(${lead})`);
    }
  }

  /**
   * The join tree of one query level; subplans are queued as their own levels. An explicit stack
   * instead of recursion: a pasted plan may be 5,000 levels deep. Steps run in the recursive order
   * (a join's outer side completely, then its inner side), so names, hints and messages keep their order.
   */
  private tree(top: PlanNode, joinHints: JoinHint[]): JoinTree {
    type Step = { node: PlanNode; belowJoin: boolean } | { join: string };
    const steps: Step[] = [{ node: top, belowJoin: false }];
    const results: JoinTree[] = [];
    while (steps.length > 0) {
      const step = steps.pop() as Step;
      if ("join" in step) {
        const inner = results.pop() as JoinTree;
        const outer = results.pop() as JoinTree;
        const names = outer.names === null || inner.names === null ? null : `${outer.names} ${inner.names}`;
        joinHints.push({ method: step.join, names });
        const leading = outer.leading === null || inner.leading === null ? null : `(${outer.leading} ${inner.leading})`;
        results.push({ isJoin: true, names, leading });
        continue;
      }
      const { node, belowJoin } = step;
      const own: PlanNode[] = [];
      for (const c of node.children) {
        if (subplanOf(c) !== null) this.blocks.push(c);
        else own.push(c);
      }
      this.note(node, belowJoin);
      if (isJoin(node) && own.length === 2) {
        steps.push({ join: JOIN_HINT[node.nodeType] ?? node.nodeType });
        steps.push({ node: own[1] as PlanNode, belowJoin: true }, { node: own[0] as PlanNode, belowJoin: true });
      } else if (SCAN_HINT[node.nodeType] === undefined && !UNHINTABLE_SCANS.has(node.nodeType) && node.nodeType !== "Append" && node.nodeType !== "Merge Append" && own.length === 1) {
        steps.push({ node: own[0] as PlanNode, belowJoin });
      } else results.push(this.single(node, own));
    }
    return results.pop() as JoinTree;
  }

  /** A node that is not a join over two inputs nor a pass-through with one. */
  private single(node: PlanNode, own: PlanNode[]): JoinTree {
    const scanHint = SCAN_HINT[node.nodeType];
    if (scanHint !== undefined) return this.leaf(node, scanHint);
    if (UNHINTABLE_SCANS.has(node.nodeType)) {
      this.unsupported.push(`${describeNode(node)}: pg_hint_plan has no scan hint for it`);
      for (const c of own) this.blocks.push(c); // a subquery's own level
      return this.named(node.alias ?? node.relationName);
    }
    if (node.nodeType === "Append" || node.nodeType === "Merge Append") return this.append(node, own);
    for (const c of own) this.blocks.push(c);
    return UNNAMED;
  }

  private note(node: PlanNode, belowJoin: boolean): void {
    const label = describeNode(node);
    if (node.nodeType === "Memoize") this.unsupported.push(`${label}: Memoize is not hinted`);
    if (node.nodeType === "Gather" || node.nodeType === "Gather Merge") this.unsupported.push(`${label}: parallel plans are not hinted`);
    else if (node.parallelAware) this.unsupported.push(`${label}: parallel scans are not hinted`);
    const strategy = node.strategy;
    // Hashed vs sorted grouping is a planner choice; a plain aggregate is not.
    if ((node.nodeType === "Aggregate" || node.nodeType === "SetOp") && strategy !== null && strategy !== "Plain") {
      this.unsupported.push(`${label}: the ${strategy.toLowerCase()} strategy is not hinted`);
    } else if (belowJoin && (node.nodeType === "Aggregate" || node.nodeType === "Unique")) {
      this.unsupported.push(`${label} below a join: semi-join unique-ification is not hinted`);
    }
  }

  private named(name: string | null): JoinTree {
    if (name === null) return UNNAMED;
    this.names.set(name, (this.names.get(name) ?? 0) + 1);
    const quoted = quoteName(name);
    return { isJoin: false, names: quoted, leading: quoted };
  }

  private leaf(node: PlanNode, hint: string): JoinTree {
    const name = node.alias ?? node.relationName;
    if (name === null) {
      this.unsupported.push(`${describeNode(node)}: no alias or table name to hint`);
      return UNNAMED;
    }
    const renamed = name === node.alias && name !== node.relationName ? /^(.+)_\d+$/.exec(name) : null;
    if (renamed !== null && this.allNames.has(renamed[1] ?? "")) {
      // EXPLAIN makes repeated names unique for display ("orders" in a subquery becomes "orders_1");
      // the query itself says "orders" in both places, which a hint cannot tell apart.
      this.unsupported.push(`${describeNode(node)}: "${name}" is EXPLAIN's rename of a repeated name "${renamed[1] ?? ""}"; no hint can target it`);
      return UNNAMED;
    }
    const indexes = node.nodeType === "Bitmap Heap Scan" ? indexesUnder(node) : node.indexName !== null ? [node.indexName] : [];
    this.scans.push(`${hint}(${[name, ...indexes].map(quoteName).join(" ")})`);
    return this.named(name);
  }

  private append(node: PlanNode, members: PlanNode[]): JoinTree {
    const stem = partitionStem(members);
    if (stem === null) {
      // UNION ALL: every member is its own query level.
      for (const m of members) this.blocks.push(m);
      return UNNAMED;
    }
    this.unsupported.push(`${describeNode(node)} over ${members.length} partitions of ${stem}: per-partition scans are not hinted`);
    // A hint on the parent applies to every partition, so a uniform Seq Scan is still expressible.
    if (members.every((m) => m.nodeType === "Seq Scan")) this.scans.push(`SeqScan(${quoteName(stem)})`);
    return this.named(stem);
  }

}

export function planHints(plan: Plan): PlanHints {
  const b = new HintBuilder();
  b.run(plan.root);
  const hints = [...b.scans, ...b.joins, ...b.leading];
  const unsupported = [...new Set(b.unsupported)];
  const text = hints.length <= 4 ? `/*+ ${hints.join(" ")} */`.replace("/*+  */", "/*+ */") : `/*+\n  ${hints.join("\n  ")}\n*/`;
  return { text, complete: unsupported.length === 0, unsupported };
}

/** The pg_hint_plan comment that reproduces the plan's scans, joins and join order. */
export function hintsFor(plan: Plan): string {
  return planHints(plan).text;
}
