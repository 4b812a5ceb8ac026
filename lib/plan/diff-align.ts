// Ordered alignment of two plan trees, top-down, in near-linear time.
//
// A general tree edit distance is O(n²·m²)-ish and far too slow for 2,000-node plans; plans also
// change in a few typical ways only: a scan method or join method replaced in place, a subtree
// added or removed, a wrapper node (Sort, Materialize, Gather, Hash, Memoize …) put on or taken off.
// So children lists are aligned like a text diff:
//   1. common prefix and suffix of identical subtrees (Merkle hashes) are paired;
//   2. patience anchors: keys unique on both sides, longest increasing run, at three strengths —
//      identical subtree, identical node, same scanned object (Index Scan on orders ↔ Seq Scan on orders);
//   3. what is left in a gap: an O(k·l) best-score alignment when small, pairing by position when large;
//   4. a gap that pairs nothing may "lift" a single wrapper on one side and align its children instead.
// Paired nodes then have their own children aligned the same way.
import { nodeShape } from "./fingerprint";
import type { Plan, PlanNode } from "./model";
import { isJoin, preorder, scannedObject } from "./plan-tree";

export interface NodeInfo {
  node: PlanNode;
  /** nodeShape(): the node's own shape attributes. */
  shape: string;
  /** Hash of the whole subtree's shape (53-bit, in-memory only: not a persisted identity). */
  subtree: number;
  /** Table, CTE or function read, else the index name. */
  object: string | null;
  category: string;
  depth: number;
}

export type AlignOp =
  | { kind: "pair"; a: PlanNode; b: PlanNode }
  | { kind: "left"; a: PlanNode }
  | { kind: "right"; b: PlanNode }
  /** `a` exists only on the left; its children were aligned with the right-hand nodes in `ops`. */
  | { kind: "liftLeft"; a: PlanNode; ops: AlignOp[] }
  | { kind: "liftRight"; b: PlanNode; ops: AlignOp[] };

function categoryOf(node: PlanNode): string {
  if (isJoin(node)) return "join";
  if (node.nodeType.endsWith(" Scan")) return "scan";
  if (node.nodeType === "Aggregate" || node.nodeType === "Group") return "aggregate";
  if (node.nodeType === "Sort" || node.nodeType === "Incremental Sort") return "sort";
  if (node.nodeType === "Gather" || node.nodeType === "Gather Merge") return "gather";
  if (node.nodeType === "Append" || node.nodeType === "Merge Append") return "append";
  return node.nodeType;
}

/** Per-node alignment keys, by node id. Subtree hashes are built bottom-up (post-order) in one pass. */
export function nodeInfos(plan: Plan): NodeInfo[] {
  const nodes = preorder(plan.root);
  // Filled from the end: pre-fill so the array stays packed rather than turning into a dictionary.
  const infos: (NodeInfo | null)[] = new Array<NodeInfo | null>(nodes.reduce((m, n) => Math.max(m, n.id), 0) + 1).fill(null);
  const depth = new Array<number>(infos.length).fill(0);
  for (const n of nodes) for (const c of n.children) depth[c.id] = (depth[n.id] ?? 0) + 1;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i] as PlanNode;
    const shape = nodeShape(n);
    infos[n.id] = {
      node: n,
      shape,
      subtree: hash53(shape, n.children, infos),
      object: scannedObject(n) ?? n.indexName,
      category: categoryOf(n),
      depth: depth[n.id] ?? 0,
    };
  }
  return infos as NodeInfo[];
}

/**
 * cyrb53-style 53-bit hash of a node's shape string and its children's hashes. Alignment only needs
 * "equal subtrees hash equal" within one diff, so this need not be fnv1a64's byte-exact definition,
 * and hashing numbers directly avoids building a string per node.
 */
function hash53(text: string, children: readonly PlanNode[], infos: readonly (NodeInfo | null)[]): number {
  // The mixing step is written out inline (no helper closure): this runs for every node of both plans.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  for (let k = 0; k < children.length; k++) {
    const child = infos[(children[k] as PlanNode).id]?.subtree ?? 0;
    // "(": keeps "a" + child from colliding with a longer shape string
    h1 = Math.imul(h1 ^ 0x28, 2654435761);
    h2 = Math.imul(h2 ^ 0x28, 1597334677);
    const low = child >>> 0;
    h1 = Math.imul(h1 ^ low, 2654435761);
    h2 = Math.imul(h2 ^ low, 1597334677);
    const high = Math.floor(child / 4294967296);
    h1 = Math.imul(h1 ^ high, 2654435761);
    h2 = Math.imul(h2 ^ high, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

type Key = (info: NodeInfo) => string | number | null;
const KEYS: Key[] = [(i) => i.subtree, (i) => i.shape, (i) => (i.object === null ? null : `${i.category}:${i.object}`)];

/** A gap of siblings still to align, or an op to emit once the gaps queued above it are done. */
type Work = { a: PlanNode[]; b: PlanNode[]; level: number } | AlignOp;

/** One align() call: its lift budget, output, pending work, and what is left to spend on anchor searches. */
interface Run {
  budget: number;
  out: AlignOp[];
  work: Work[];
  anchorWork: number;
}

/**
 * Each patience round scans its whole gap, so lists built to yield one anchor per round cost n²
 * (8,000 siblings: 26 s). Rounds are therefore paid from an allowance linear in the list's length;
 * once it is spent, the remaining gaps are aligned as gaps without anchors are. Plans as PostgreSQL
 * prints them (at most a few dozen rounds) never come near it, so their alignment is unchanged.
 */
const ANCHOR_WORK_PER_SIBLING = 8;
const ANCHOR_WORK_BASE = 20_000;

/** Cells above which a gap is paired by position instead of by best score. */
const MAX_DP_CELLS = 10_000;
const LIFT_BUDGET = 3;

export class Aligner {
  constructor(
    private readonly left: NodeInfo[],
    private readonly right: NodeInfo[],
  ) {}

  private l(n: PlanNode): NodeInfo {
    return this.left[n.id] as NodeInfo;
  }

  private r(n: PlanNode): NodeInfo {
    return this.right[n.id] as NodeInfo;
  }

  /** How alike two nodes are for pairing in a gap; 0 = never pair. */
  score(a: PlanNode, b: PlanNode): number {
    const x = this.l(a);
    const y = this.r(b);
    if (x.subtree === y.subtree) return 8;
    if (x.shape === y.shape) return 6;
    if (x.object !== null && x.object === y.object) return 4;
    if (x.node.nodeType === y.node.nodeType) return 2;
    return x.category === y.category ? 1 : 0;
  }

  align(a: PlanNode[], b: PlanNode[], budget = LIFT_BUDGET): AlignOp[] {
    // Gaps still to align and ops to emit after them, last first. An explicit stack instead of
    // alignInto ↔ alignMiddle recursion: sibling lists where each round finds one anchor would
    // recurse once per sibling, and a pasted plan can have 100,000s of them.
    const run: Run = { budget, out: [], work: [{ a, b, level: 0 }], anchorWork: ANCHOR_WORK_PER_SIBLING * (a.length + b.length) + ANCHOR_WORK_BASE };
    while (run.work.length > 0) {
      const w = run.work.pop() as Work;
      if ("kind" in w) run.out.push(w);
      else this.alignInto(w.a, w.b, w.level, run);
    }
    return run.out;
  }

  /** Pairs the common prefix now; queues the middle, then the common suffix. */
  private alignInto(a: PlanNode[], b: PlanNode[], level: number, run: Run): void {
    let start = 0;
    while (start < a.length && start < b.length && this.same(a[start] as PlanNode, b[start] as PlanNode)) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && this.same(a[endA - 1] as PlanNode, b[endB - 1] as PlanNode)) {
      endA--;
      endB--;
    }
    for (let i = 0; i < start; i++) run.out.push({ kind: "pair", a: a[i] as PlanNode, b: b[i] as PlanNode });
    for (let i = a.length - 1, j = b.length - 1; i >= endA; i--, j--) run.work.push({ kind: "pair", a: a[i] as PlanNode, b: b[j] as PlanNode });
    this.alignMiddle(a.slice(start, endA), b.slice(start, endB), level, run);
  }

  private same(a: PlanNode, b: PlanNode): boolean {
    return this.l(a).subtree === this.r(b).subtree;
  }

  /** Emits what needs no further alignment now; queues the gaps between anchors (and their pairs). */
  private alignMiddle(a: PlanNode[], b: PlanNode[], level: number, run: Run): void {
    if (a.length === 0 || b.length === 0) {
      for (const x of a) run.out.push({ kind: "left", a: x });
      for (const y of b) run.out.push({ kind: "right", b: y });
      return;
    }
    for (let lv = level; lv < KEYS.length && run.anchorWork > 0; lv++) {
      run.anchorWork -= a.length + b.length;
      const key = KEYS[lv] as Key;
      const anchors = this.anchors(a, b, key);
      if (anchors.length === 0) continue;
      // Pushed last first: gap, anchor, gap, anchor … tail come off the stack in order.
      let [pa, pb] = [a.length, b.length];
      for (let k = anchors.length - 1; k >= 0; k--) {
        const [i, j] = anchors[k] as [number, number];
        run.work.push({ a: a.slice(i + 1, pa), b: b.slice(j + 1, pb), level: lv });
        run.work.push({ kind: "pair", a: a[i] as PlanNode, b: b[j] as PlanNode });
        pa = i;
        pb = j;
      }
      run.work.push({ a: a.slice(0, pa), b: b.slice(0, pb), level: lv });
      return;
    }
    this.fallback(a, b, run.budget, run.out);
  }

  /** Patience anchors: keys unique on both sides, kept in increasing order on both. */
  private anchors(a: PlanNode[], b: PlanNode[], key: Key): [number, number][] {
    const inA = new Map<string | number, number>();
    a.forEach((n, i) => {
      const k = key(this.l(n));
      if (k !== null) inA.set(k, inA.has(k) ? -1 : i);
    });
    const inB = new Map<string | number, number>();
    b.forEach((n, j) => {
      const k = key(this.r(n));
      if (k !== null) inB.set(k, inB.has(k) ? -1 : j);
    });
    const pairs: [number, number][] = [];
    for (const [k, i] of inA) {
      const j = inB.get(k);
      if (i >= 0 && j !== undefined && j >= 0) pairs.push([i, j]);
    }
    pairs.sort((x, y) => x[0] - y[0]);
    return longestIncreasing(pairs);
  }

  private fallback(a: PlanNode[], b: PlanNode[], budget: number, out: AlignOp[]): void {
    const ops = a.length * b.length <= MAX_DP_CELLS ? this.bestScore(a, b) : this.byPosition(a, b);
    if (budget > 0 && !ops.some((o) => o.kind === "pair")) {
      const lifted = this.lift(a, b, budget - 1);
      // Loops, not push(...ops): a spread of 100,000s of ops overflows the stack.
      if (lifted !== null) {
        for (const op of lifted) out.push(op);
        return;
      }
    }
    for (const op of ops) out.push(op);
  }

  /** A lone wrapper on one side whose children pair with the other side (Sort removed, Gather added …). */
  private lift(a: PlanNode[], b: PlanNode[], budget: number): AlignOp[] | null {
    const tries: AlignOp[][] = [];
    const onlyA = a[0];
    if (a.length === 1 && onlyA !== undefined && onlyA.children.length > 0) {
      const ops = this.align(onlyA.children, b, budget);
      tries.push([{ kind: "liftLeft", a: onlyA, ops }]);
    }
    const onlyB = b[0];
    if (b.length === 1 && onlyB !== undefined && onlyB.children.length > 0) {
      const ops = this.align(a, onlyB.children, budget);
      tries.push([{ kind: "liftRight", b: onlyB, ops }]);
    }
    let best: AlignOp[] | null = null;
    let bestPairs = 0;
    for (const t of tries) {
      const pairs = countPairs(t);
      if (pairs > bestPairs) {
        best = t;
        bestPairs = pairs;
      }
    }
    return best;
  }

  private byPosition(a: PlanNode[], b: PlanNode[]): AlignOp[] {
    const out: AlignOp[] = [];
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i];
      const y = b[i];
      if (x !== undefined && y !== undefined && this.score(x, y) > 0) out.push({ kind: "pair", a: x, b: y });
      else {
        if (x !== undefined) out.push({ kind: "left", a: x });
        if (y !== undefined) out.push({ kind: "right", b: y });
      }
    }
    return out;
  }

  /** Order-preserving pairing with the highest total score (Needleman–Wunsch without gap costs). */
  private bestScore(a: PlanNode[], b: PlanNode[]): AlignOp[] {
    const w = b.length + 1;
    const table = new Float64Array((a.length + 1) * w);
    for (let i = a.length - 1; i >= 0; i--) {
      for (let j = b.length - 1; j >= 0; j--) {
        const s = this.score(a[i] as PlanNode, b[j] as PlanNode);
        const take = s > 0 ? s + (table[(i + 1) * w + j + 1] ?? 0) : 0;
        table[i * w + j] = Math.max(take, table[(i + 1) * w + j] ?? 0, table[i * w + j + 1] ?? 0);
      }
    }
    const out: AlignOp[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i] as PlanNode;
      const y = b[j] as PlanNode;
      const s = this.score(x, y);
      const here = table[i * w + j] ?? 0;
      if (s > 0 && here === s + (table[(i + 1) * w + j + 1] ?? 0)) {
        out.push({ kind: "pair", a: x, b: y });
        i++;
        j++;
      } else if (here === (table[(i + 1) * w + j] ?? 0)) {
        out.push({ kind: "left", a: x });
        i++;
      } else {
        out.push({ kind: "right", b: y });
        j++;
      }
    }
    for (; i < a.length; i++) out.push({ kind: "left", a: a[i] as PlanNode });
    for (; j < b.length; j++) out.push({ kind: "right", b: b[j] as PlanNode });
    return out;
  }
}

function countPairs(ops: AlignOp[]): number {
  let n = 0;
  for (const o of ops) {
    if (o.kind === "pair") n++;
    else if (o.kind === "liftLeft" || o.kind === "liftRight") n += countPairs(o.ops);
  }
  return n;
}

/** Longest run of pairs increasing in both coordinates (input sorted by the first), O(k log k). */
function longestIncreasing(pairs: [number, number][]): [number, number][] {
  const tails: number[] = [];
  const prev = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([, j], idx) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pairs[tails[mid] as number] as [number, number])[1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[idx] = tails[lo - 1] as number;
    tails[lo] = idx;
  });
  const out: [number, number][] = [];
  for (let k = tails.length > 0 ? (tails[tails.length - 1] as number) : -1; k >= 0; k = prev[k] as number) {
    out.push(pairs[k] as [number, number]);
  }
  return out.reverse();
}
