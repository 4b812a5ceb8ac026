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

type JoinTree =
  | { kind: "leaf"; name: string | null }
  | { kind: "join"; method: string; outer: JoinTree; inner: JoinTree };

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
  const stack = [...node.children];
  while (stack.length > 0) {
    const n = stack.pop() as PlanNode;
    if (n.nodeType === "Bitmap Index Scan" && n.indexName !== null) out.push(n.indexName);
    stack.push(...n.children);
  }
  return out.sort();
}

class HintBuilder {
  readonly scans: string[] = [];
  readonly joins: string[] = [];
  readonly leading: string[] = [];
  readonly unsupported: string[] = [];
  /** Query blocks (subplans, subqueries, UNION members) still to visit. */
  private readonly blocks: PlanNode[] = [];
  private names = new Map<string, number>();
  /** Every alias / table name in the plan, to spot EXPLAIN's "orders_1" renames. */
  private allNames = new Set<string>();

  run(root: PlanNode): void {
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop() as PlanNode;
      for (const name of [n.alias, n.relationName]) if (name !== null) this.allNames.add(name);
      stack.push(...n.children);
    }
    this.blocks.push(root);
    while (this.blocks.length > 0) {
      const block = this.blocks.shift() as PlanNode;
      this.names = new Map();
      const pending = { scans: this.scans.length, joins: this.joins.length };
      const tree = this.tree(block, false);
      this.emitJoins(tree);
      const ambiguous = [...this.names].filter(([, n]) => n > 1).map(([name]) => name);
      if (ambiguous.length > 0) {
        // pg_hint_plan ignores hints on ambiguous names; drop this level's hints rather than emit dead ones.
        this.scans.splice(pending.scans);
        this.joins.splice(pending.joins);
        this.unsupported.push(`name ${ambiguous.map(quoteName).join(", ")} appears more than once in one query level: hints would be ambiguous`);
        continue;
      }
      const lead = tree.kind === "join" ? this.leadingOf(tree) : null;
      if (lead !== null) this.leading.push(`Leading(${lead})`);
    }
  }

  /** The join tree of one query level; subplans are queued as their own levels. */
  private tree(node: PlanNode, belowJoin: boolean): JoinTree {
    const own: PlanNode[] = [];
    for (const c of node.children) {
      if (subplanOf(c) !== null) this.blocks.push(c);
      else own.push(c);
    }
    this.note(node, belowJoin);
    if (isJoin(node) && own.length === 2) {
      const method = JOIN_HINT[node.nodeType] ?? node.nodeType;
      return { kind: "join", method, outer: this.tree(own[0] as PlanNode, true), inner: this.tree(own[1] as PlanNode, true) };
    }
    const scanHint = SCAN_HINT[node.nodeType];
    if (scanHint !== undefined) return this.leaf(node, scanHint);
    if (UNHINTABLE_SCANS.has(node.nodeType)) {
      this.unsupported.push(`${describeNode(node)}: pg_hint_plan has no scan hint for it`);
      for (const c of own) this.blocks.push(c); // a subquery's own level
      return this.named(node.alias ?? node.relationName);
    }
    if (node.nodeType === "Append" || node.nodeType === "Merge Append") return this.append(node, own);
    if (own.length === 1) return this.tree(own[0] as PlanNode, belowJoin);
    for (const c of own) this.blocks.push(c);
    return { kind: "leaf", name: null };
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
    if (name !== null) this.names.set(name, (this.names.get(name) ?? 0) + 1);
    return { kind: "leaf", name };
  }

  private leaf(node: PlanNode, hint: string): JoinTree {
    const name = node.alias ?? node.relationName;
    if (name === null) {
      this.unsupported.push(`${describeNode(node)}: no alias or table name to hint`);
      return { kind: "leaf", name: null };
    }
    const renamed = name === node.alias && name !== node.relationName ? /^(.+)_\d+$/.exec(name) : null;
    if (renamed !== null && this.allNames.has(renamed[1] ?? "")) {
      // EXPLAIN makes repeated names unique for display ("orders" in a subquery becomes "orders_1");
      // the query itself says "orders" in both places, which a hint cannot tell apart.
      this.unsupported.push(`${describeNode(node)}: "${name}" is EXPLAIN's rename of a repeated name "${renamed[1] ?? ""}"; no hint can target it`);
      return { kind: "leaf", name: null };
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
      return { kind: "leaf", name: null };
    }
    this.unsupported.push(`${describeNode(node)} over ${members.length} partitions of ${stem}: per-partition scans are not hinted`);
    // A hint on the parent applies to every partition, so a uniform Seq Scan is still expressible.
    if (members.every((m) => m.nodeType === "Seq Scan")) this.scans.push(`SeqScan(${quoteName(stem)})`);
    return this.named(stem);
  }

  private emitJoins(tree: JoinTree): void {
    if (tree.kind === "leaf") return;
    this.emitJoins(tree.outer);
    this.emitJoins(tree.inner);
    const names = leaves(tree);
    if (names.every((n): n is string => n !== null)) this.joins.push(`${tree.method}(${names.map(quoteName).join(" ")})`);
    else this.unsupported.push(`${tree.method} over a relation without a name: join method and order not hinted`);
  }

  private leadingOf(tree: JoinTree): string | null {
    if (tree.kind === "leaf") return tree.name === null ? null : quoteName(tree.name);
    const outer = this.leadingOf(tree.outer);
    const inner = this.leadingOf(tree.inner);
    return outer === null || inner === null ? null : `(${outer} ${inner})`;
  }
}

function leaves(tree: JoinTree): (string | null)[] {
  return tree.kind === "leaf" ? [tree.name] : [...leaves(tree.outer), ...leaves(tree.inner)];
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
