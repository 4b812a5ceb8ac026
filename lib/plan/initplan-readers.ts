// Which node runs an InitPlan: the first node, in post-order, that reads its output param
// ("(InitPlan 1).col1" on PostgreSQL 16+, "$0" on 15 and older), found through one index of the
// mentions of every InitPlan's tokens (a walk of the subtree per InitPlan was quadratic in pasted
// plans with thousands of them). See the header of ./metrics.ts for how InitPlans are charged.
import type { PlanNode } from "./model";
import { subplanOf } from "./plan-tree";

function textsOf(node: PlanNode): string[] {
  const out = node.conditions.map((c) => c.expression);
  // Loops, not push(...list): a spread passes every item as an argument and overflows the stack
  // for the 100,000s of Output items a pasted plan can carry.
  for (const list of [node.output, node.sortKey, node.groupKey]) for (const t of list) out.push(t);
  for (const v of Object.values(node.extra)) if (typeof v === "string") out.push(v);
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function initPlanEvaluator(
  init: PlanNode,
  attachedTo: PlanNode,
  parents: (PlanNode | null)[],
  incl: (number | null)[],
  readers: ReaderIndex,
): PlanNode {
  const sub = subplanOf(init);
  const returns = sub?.returns ?? [];
  const label = sub !== null && sub.label !== "" ? sub.label : null;
  let found: PlanNode | null = null;
  if (returns.length > 0 || label !== null) {
    const tokens = readerTokens(returns, label);
    if (tokens !== null) found = readers.first(init, attachedTo, tokens);
    else {
      // Names PostgreSQL does not print (hand-edited JSON): the regular expressions, walking the tree.
      const refs = returns.map((p) => new RegExp(`${escapeRegExp(p)}(?!\\d)`));
      if (label !== null) refs.push(new RegExp(`InitPlan ${escapeRegExp(label)}\\)`));
      found = firstReader(init, attachedTo, refs, incl);
    }
  }
  if (found !== null) return gatherAbove(found, attachedTo, parents) ?? found;
  // PostgreSQL ≤ 15 names the param only in "(returns $0)", which parsers may drop from the subplan
  // name. Any "$n" reader that ran at least as long as the InitPlan is then the best guess;
  // the time constraint keeps a prepared statement's "$1" in a short node from matching.
  if (sub !== null && sub.returns.length === 0) {
    const guess = readers.first(init, attachedTo, [ANY_PARAM]);
    if (guess !== null) return gatherAbove(guess, attachedTo, parents) ?? guess;
  }
  return attachedTo;
}

/** The first node in post-order (a deeper reader runs before the node above it) whose text matches. */
function firstReader(init: PlanNode, attachedTo: PlanNode, refs: RegExp[], incl: (number | null)[]): PlanNode | null {
  const own = incl[init.id] ?? 0;
  const stack: { n: PlanNode; done: boolean }[] = [{ n: attachedTo, done: false }];
  while (stack.length > 0) {
    const top = stack.pop() as { n: PlanNode; done: boolean };
    if (!top.done) {
      stack.push({ n: top.n, done: true });
      for (let i = top.n.children.length - 1; i >= 0; i--) {
        const c = top.n.children[i] as PlanNode;
        if (c !== init) stack.push({ n: c, done: false });
      }
      continue;
    }
    const reads = textsOf(top.n).some((t) => refs.some((r) => r.test(t)));
    // Only a node whose time can contain the InitPlan's can have run it (1 µs of rounding allowed).
    if (reads && (incl[top.n.id] ?? 0) + 0.001 >= own) return top.n;
  }
  return null;
}

/** Token for any "$n" (the guess for PostgreSQL ≤ 15 plans without "(returns …)"). */
const ANY_PARAM = "$";

/**
 * What PostgreSQL prints (labels "1", params "$0") as index tokens: "InitPlan 1)" → "I1", "$0" → "$0".
 * Null for other names, which keep the regular-expression walk.
 */
function readerTokens(returns: string[], label: string | null): string[] | null {
  const tokens: string[] = [];
  for (const p of returns) {
    if (!/^\$\d+$/.test(p)) return null;
    tokens.push(p);
  }
  if (label !== null) {
    if (!/^\d+$/.test(label)) return null;
    tokens.push(`I${label}`);
  }
  return tokens;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * The tokens a text mentions, as the reader regular expressions would match them: "InitPlan N)"
 * (digits then ")"), "$N" with its whole digit run (`\$0(?!\d)` does not match "$01"), and any "$N".
 */
function addTokens(text: string, wanted: ReadonlySet<string>, add: (token: string) => void): void {
  for (let at = text.indexOf("InitPlan "); at >= 0; at = text.indexOf("InitPlan ", at + 9)) {
    let end = at + 9;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end > at + 9 && text.charCodeAt(end) === 41) {
      const token = `I${text.slice(at + 9, end)}`;
      if (wanted.has(token)) add(token);
    }
  }
  for (let at = text.indexOf("$"); at >= 0; at = text.indexOf("$", at + 1)) {
    let end = at + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end === at + 1) continue;
    add(ANY_PARAM);
    const token = text.slice(at, end);
    if (wanted.has(token)) add(token);
  }
}

/** Positions (post-order) of the nodes mentioning one token, and their inclusive time + 1 µs. */
interface Mentions {
  positions: number[];
  times: number[];
  /** Max-tree over `times` (built on first use): the first position whose time is large enough. */
  tree: Float64Array | null;
}

/**
 * firstReader for every InitPlan at once. Walking the attaching node's subtree per InitPlan is
 * quadratic when one node carries thousands of InitPlans; instead the nodes mentioning each token are
 * listed once in post-order, where a subtree is a range of positions, and each lookup is a search
 * for the first listed position in that range with enough time: the same node the walk would stop at.
 */
export class ReaderIndex {
  private readonly order: PlanNode[] = [];
  /** By node id: post-order position and subtree size. */
  private readonly position: number[] = [];
  private readonly size: number[] = [];
  private readonly mentions = new Map<string, Mentions>();

  constructor(
    nodes: PlanNode[],
    initPlans: { init: PlanNode }[],
    private readonly incl: (number | null)[],
  ) {
    const wanted = new Set<string>([ANY_PARAM]);
    for (const { init } of initPlans) {
      const sub = subplanOf(init);
      for (const t of readerTokens(sub?.returns ?? [], sub !== null && sub.label !== "" ? sub.label : null) ?? []) wanted.add(t);
    }
    // Sizes from the pre-order list, back to front; post-order positions from an explicit stack.
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i] as PlanNode;
      let size = 1;
      for (const c of n.children) size += this.size[c.id] ?? 0;
      this.size[n.id] = size;
    }
    const root = nodes[0];
    const stack: { n: PlanNode; done: boolean }[] = root === undefined ? [] : [{ n: root, done: false }];
    while (stack.length > 0) {
      const top = stack.pop() as { n: PlanNode; done: boolean };
      if (!top.done) {
        stack.push({ n: top.n, done: true });
        for (let i = top.n.children.length - 1; i >= 0; i--) stack.push({ n: top.n.children[i] as PlanNode, done: false });
        continue;
      }
      const pos = this.order.length;
      this.position[top.n.id] = pos;
      this.order.push(top.n);
      // The same sum firstReader compares, so the comparison gives the same answer.
      const time = (incl[top.n.id] ?? 0) + 0.001;
      for (const text of textsOf(top.n)) addTokens(text, wanted, (token) => this.mention(token, pos, time));
    }
  }

  private mention(token: string, pos: number, time: number): void {
    let m = this.mentions.get(token);
    if (m === undefined) {
      m = { positions: [], times: [], tree: null };
      this.mentions.set(token, m);
    }
    if (m.positions[m.positions.length - 1] !== pos) {
      m.positions.push(pos);
      m.times.push(time);
    }
  }

  /** firstReader(init, attachedTo, the tokens' expressions, incl), from the index. */
  first(init: PlanNode, attachedTo: PlanNode, tokens: string[]): PlanNode | null {
    const own = this.incl[init.id] ?? 0;
    const end = this.position[attachedTo.id] ?? 0;
    const start = end - (this.size[attachedTo.id] ?? 1) + 1;
    const initEnd = this.position[init.id] ?? 0;
    const initStart = initEnd - (this.size[init.id] ?? 1) + 1;
    let best = -1;
    for (const token of tokens) {
      const m = this.mentions.get(token);
      if (m === undefined) continue;
      // The subtree minus the InitPlan's own subtree: the range before it, then the one after.
      let found = firstFrom(m, start, own);
      if (found >= initStart) found = firstFrom(m, initEnd + 1, own);
      if (found >= 0 && found <= end && (best < 0 || found < best)) best = found;
    }
    return best < 0 ? null : (this.order[best] ?? null);
  }
}

/** The first listed position ≥ `from` whose time is ≥ `own`, or -1. */
function firstFrom(m: Mentions, from: number, own: number): number {
  const count = m.positions.length;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((m.positions[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= count) return -1;
  let leaves = 1;
  while (leaves < count) leaves *= 2;
  if (m.tree === null) {
    // NaN never passes the comparison, so it is stored as -Infinity and cannot poison the maxima.
    const tree = new Float64Array(2 * leaves).fill(-Infinity);
    for (let i = 0; i < count; i++) {
      const t = m.times[i] as number;
      tree[leaves + i] = Number.isNaN(t) ? -Infinity : t;
    }
    for (let i = leaves - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i] as number, tree[2 * i + 1] as number);
    m.tree = tree;
  }
  const tree = m.tree;
  // From leaf `lo` rightwards: climb while the subtree has nothing large enough, then descend leftmost.
  let i = leaves + lo;
  for (;;) {
    if ((tree[i] as number) >= own) {
      while (i < leaves) i = (tree[2 * i] as number) >= own ? 2 * i : 2 * i + 1;
      return m.positions[i - leaves] as number;
    }
    while (i & 1) i >>= 1;
    if (i === 0) return -1;
    i++;
  }
}

function gatherAbove(n: PlanNode, stop: PlanNode, parents: (PlanNode | null)[]): PlanNode | null {
  let found: PlanNode | null = null;
  for (let p = parents[n.id] ?? null; p !== null && p !== stop; p = parents[p.id] ?? null) {
    if (p.nodeType === "Gather" || p.nodeType === "Gather Merge") found = p;
  }
  return found;
}
