// Builders for hand-made plans in tests: every model field gets the value the parser would give when
// EXPLAIN did not print it, so tests only spell out what they are about.
import type { Actual, Buffers, Estimate, Plan, PlanNode } from "./model";
import { emptyNode, zeroBuffers } from "./node-draft";
import { parseBuffers } from "./text-properties";

export type NodeSpec = Partial<Omit<PlanNode, "id" | "children">>;

export function node(nodeType: string, spec: NodeSpec = {}, children: PlanNode[] = []): PlanNode {
  return { ...emptyNode(nodeType), ...spec, children };
}

/** Per-loop actuals as EXPLAIN ANALYZE prints them. */
export function act(totalTimeMs: number, rows: number, loops = 1, startupTimeMs = 0): Actual {
  return { startupTimeMs, totalTimeMs, rows, loops };
}

export function est(totalCost: number, rows: number, startupCost = 0, widthBytes = 8): Estimate {
  return { startupCost, totalCost, rows, widthBytes };
}

export function bufs(partial: Partial<Buffers>): Buffers {
  return { ...zeroBuffers(), ...partial };
}

export function seqScan(relationName: string, spec: NodeSpec = {}): PlanNode {
  return node("Seq Scan", { relationName, alias: relationName, ...spec });
}

export function indexScan(relationName: string, indexName: string, spec: NodeSpec = {}): PlanNode {
  return node("Index Scan", { relationName, alias: relationName, indexName, scanDirection: "Forward", ...spec });
}

/** Copies the tree assigning pre-order ids, like the parser does. Iterative: tests build 5,000-deep chains. */
function renumber(root: PlanNode): { root: PlanNode; count: number } {
  let next = 0;
  const out: PlanNode = { ...root, children: [] };
  const stack: [PlanNode, PlanNode][] = [[root, out]];
  while (stack.length > 0) {
    const [src, dst] = stack.pop() as [PlanNode, PlanNode];
    // Pre-order ids: a child's whole subtree is numbered before its next sibling.
    const pending: [PlanNode, PlanNode][] = [];
    for (const child of src.children) {
      const c: PlanNode = { ...child, id: -1, children: [] };
      dst.children.push(c);
      pending.push([child, c]);
    }
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i] as [PlanNode, PlanNode]);
  }
  // Ids in a second pass, in true pre-order.
  const order: PlanNode[] = [];
  const walk: PlanNode[] = [out];
  while (walk.length > 0) {
    const n = walk.pop() as PlanNode;
    order.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) walk.push(n.children[i] as PlanNode);
  }
  next = 0;
  for (const n of order) n.id = next++;
  return { root: out, count: next };
}

export function plan(root: PlanNode, overrides: Partial<Omit<Plan, "root" | "nodeCount">> = {}): Plan {
  const numbered = renumber(root);
  const analyzed = hasActuals(numbered.root);
  return {
    format: "json",
    root: numbered.root,
    nodeCount: numbered.count,
    analyzed,
    hasCosts: numbered.root.estimate !== null,
    planningTimeMs: null,
    executionTimeMs: analyzed ? (numbered.root.actual?.totalTimeMs ?? null) : null,
    planningBuffers: null,
    settings: {},
    triggers: [],
    queryText: null,
    queryId: null,
    durationMs: null,
    ...overrides,
  };
}

function hasActuals(root: PlanNode): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop() as PlanNode;
    if (n.actual !== null || n.neverExecuted) return true;
    stack.push(...n.children);
  }
  return false;
}

/** Replaces the node with the given id by `f(node)`; returns a new plan (ids renumbered). */
export function replaceNode(p: Plan, id: number, f: (n: PlanNode) => PlanNode): Plan {
  const { root, nodeCount, ...rest } = p;
  void nodeCount;
  // Copy only the path from the root to the node; the rest is shared (renumber copies it anyway).
  const path: PlanNode[] = [];
  const find = (n: PlanNode): boolean => {
    path.push(n);
    if (n.id === id) return true;
    for (const c of n.children) if (find(c)) return true;
    path.pop();
    return false;
  };
  if (!find(root)) throw new Error(`no node ${id}`);
  let replaced = f(path[path.length - 1] as PlanNode);
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = path[i] as PlanNode;
    const old = path[i + 1] as PlanNode;
    const fresh = replaced;
    replaced = { ...parent, children: parent.children.map((c) => (c === old ? fresh : c)) };
  }
  return plan(replaced, rest);
}

/** A left-deep chain of hash joins over `tables` tables (3 nodes per extra table), for size tests. */
export function bigJoinPlan(tables: number, analyzed = true): Plan {
  const scanOf = (i: number): PlanNode =>
    seqScan(`t${i}`, {
      estimate: est(100 + i, 1000),
      actual: analyzed ? act(1 + (i % 7), 1000) : null,
      buffers: analyzed ? bufs({ sharedHitBlocks: 10, sharedReadBlocks: i % 3 }) : null,
    });
  let left: PlanNode = scanOf(0);
  let leftTime = 1;
  for (let i = 1; i < tables; i++) {
    const scanTime = 1 + (i % 7);
    const hashTime = scanTime + 0.5;
    leftTime = leftTime + hashTime + 1;
    const hash = node("Hash", { estimate: est(100 + i, 1000), actual: analyzed ? act(hashTime, 1000) : null }, [scanOf(i)]);
    left = node(
      "Hash Join",
      { joinType: "Inner", estimate: est(1000 * i, 1000), actual: analyzed ? act(leftTime, 1000) : null },
      [left, hash],
    );
  }
  return plan(left);
}

/** parseBuffers as it was, all by the two regexes: the reference its scans are checked against. */
export function buffersByRegex(value: string): Record<string, number> {
  const out: Record<string, number> = { ...parseBuffers("") };
  const names: Record<string, string> = {
    "shared hit": "sharedHitBlocks", "shared read": "sharedReadBlocks", "shared dirtied": "sharedDirtiedBlocks", "shared written": "sharedWrittenBlocks",
    "local hit": "localHitBlocks", "local read": "localReadBlocks", "local dirtied": "localDirtiedBlocks", "local written": "localWrittenBlocks",
    "temp read": "tempReadBlocks", "temp written": "tempWrittenBlocks",
  };
  for (const segment of value.split(",")) {
    const m = /^\s*(shared|local|temp)\s+(.*)$/.exec(segment);
    if (!m) continue;
    for (const [, key, n] of (m[2] ?? "").matchAll(/(\w+)=(\d+)/g)) {
      const name = names[`${m[1]} ${key}`];
      if (name) out[name] = Number(n);
    }
  }
  return out;
}
