// Plan identity: a hash of the plan's shape (as Aurora QPM's plan_hash or pg_stat_plans' planid).
//
// In the shape: node types, join types, aggregate strategy and partial mode, SetOp command and
// strategy, ModifyTable operation, parallel awareness, backward index scans, scanned tables (every
// partition is its own table), index names, CTE and function names, and the tree itself: child order
// (outer before inner, Append members in order) and which children are InitPlans / SubPlans / CTEs.
//
// Left out, because it varies run to run or between EXPLAIN formats of the same plan: costs, rows,
// widths, times, buffers, worker counts, conditions and sort keys (constants, parameters), aliases,
// subplan numbers (text and JSON, PostgreSQL 15 and 18 spell "InitPlan 1 (returns $0)" differently), and
// schemas: text EXPLAIN prints them only with VERBOSE, so using them would make JSON and text differ.
//
// The hash is 64-bit FNV-1a over the UTF-8 bytes of the canonical string (hashed as it is walked,
// without building it), written in plain 16-bit arithmetic: no node:crypto (this module also runs in
// the browser), no BigInt (slow per byte), and the same result on every runtime.
import type { Plan, PlanNode } from "./model";
import {
  joinTypeOf,
  normalizedNodeType,
  partialModeOf,
  scannedObject,
  strategyOf,
  subplanOf,
} from "./plan-tree";

const SEPARATORS = /[\\[\];=(),]/g;

function escape(value: string): string {
  SEPARATORS.lastIndex = 0;
  return SEPARATORS.test(value) ? value.replace(SEPARATORS, (c) => `\\${c}`) : value;
}

/** Appends `key=value` to a node's attribute list (`;`-separated) when the value is known. */
function attr(attrs: string, key: string, value: string | null): string {
  if (value === null) return attrs;
  return attrs === "" ? `${key}=${escape(value)}` : `${attrs};${key}=${escape(value)}`;
}

/** The canonical token of one node, without its children. */
export function nodeShape(node: PlanNode): string {
  const { nodeType, operation } = normalizedNodeType(node);
  let attrs = "";
  const sub = subplanOf(node);
  if (sub !== null) attrs = attr(attrs, "sub", sub.kind === "CTE" ? `CTE ${sub.label}` : sub.kind);
  attrs = attr(attrs, "join", joinTypeOf(node));
  if (nodeType === "Aggregate" || nodeType === "SetOp") attrs = attr(attrs, "strategy", strategyOf(node));
  if (nodeType === "Aggregate") attrs = attr(attrs, "partial", partialModeOf(node));
  attrs = attr(attrs, "op", operation);
  attrs = attr(attrs, "cmd", node.command);
  attrs = attr(attrs, "on", scannedObject(node));
  attrs = attr(attrs, "index", node.indexName);
  if (node.parallelAware) attrs = attrs === "" ? "parallel" : `${attrs};parallel`;
  if (node.scanDirection === "Backward") attrs = attrs === "" ? "backward" : `${attrs};backward`;
  return attrs === "" ? escape(nodeType) : `${escape(nodeType)}[${attrs}]`;
}

/**
 * The canonical shape string, e.g. `Hash Join[join=Inner](Seq Scan[on=orders],Hash(Seq Scan[on=customers]))`.
 * Built iteratively: a 2,000-node Append or a deep join chain must not hit the recursion limit.
 */
export function canonicalShape(plan: Plan): string {
  return subtreeShape(plan.root);
}

/**
 * Emits the canonical shape's parts in order (node shapes and the separators between them), so the
 * string and its hash come from one walk. `shapeOf` lets callers that already computed nodeShape()
 * for every node (the diff) reuse it.
 */
function walkShape(root: PlanNode, shapeOf: (node: PlanNode) => string, emit: (part: string) => void): void {
  const stack: (PlanNode | string)[] = [root];
  while (stack.length > 0) {
    const item = stack.pop() as PlanNode | string;
    if (typeof item === "string") {
      emit(item);
      continue;
    }
    emit(shapeOf(item));
    if (item.children.length === 0) continue;
    emit("(");
    stack.push(")");
    for (let i = item.children.length - 1; i >= 0; i--) {
      stack.push(item.children[i] as PlanNode);
      if (i > 0) stack.push(",");
    }
  }
}

export function subtreeShape(root: PlanNode, shapeOf: (node: PlanNode) => string = nodeShape): string {
  const parts: string[] = [];
  walkShape(root, shapeOf, (part) => parts.push(part));
  return parts.join("");
}

/**
 * fnv1a64(subtreeShape(root, shapeOf)) without building the string: the parts are hashed as they
 * come. Same bytes: no two node shapes are adjacent (an ASCII "(", "," or ")" is always between
 * them), so no surrogate pair can straddle two parts.
 */
export function shapeHash(root: PlanNode, shapeOf: (node: PlanNode) => string = nodeShape): string {
  const state: Fnv = { h0: 0x2325, h1: 0x8422, h2: 0x9ce4, h3: 0xcbf2 };
  walkShape(root, shapeOf, (part) => feed(state, part));
  return digest(state);
}

/** FNV-1a 64-bit state: four 16-bit limbs, least significant first, so every product stays exact in a double. */
interface Fnv {
  h0: number;
  h1: number;
  h2: number;
  h3: number;
}

/**
 * 64-bit FNV-1a of the string's UTF-8 bytes, as 16 hex chars, in plain 16-bit arithmetic; UTF-8 is
 * produced inline (no TextEncoder buffer per call).
 */
export function fnv1a64(text: string): string {
  // offset basis 0xcbf29ce484222325
  const state: Fnv = { h0: 0x2325, h1: 0x8422, h2: 0x9ce4, h3: 0xcbf2 };
  feed(state, text);
  return digest(state);
}

/** Hashes the UTF-8 bytes of `text` into `state`; the limbs live in locals for the ASCII loop. */
function feed(state: Fnv, text: string): void {
  let h0 = state.h0;
  let h1 = state.h1;
  let h2 = state.h2;
  let h3 = state.h3;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      state.h0 = h0;
      state.h1 = h1;
      state.h2 = h2;
      state.h3 = h3;
      i = feedWide(state, text, i);
      ({ h0, h1, h2, h3 } = state);
      continue;
    }
    // step(state, code), written out: nearly every byte of a shape string is ASCII.
    h0 ^= code;
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
  }
  state.h0 = h0;
  state.h1 = h1;
  state.h2 = h2;
  state.h3 = h3;
}

/** The UTF-8 bytes of the non-ASCII character at `i`; returns the index of its last code unit. */
function feedWide(state: Fnv, text: string, i: number): number {
  let code = text.charCodeAt(i);
  if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low < 0xe000) {
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      i++;
    }
  }
  // A lone surrogate becomes U+FFFD, as TextEncoder (and so every UTF-8 encoder) does.
  if (code >= 0xd800 && code < 0xe000) code = 0xfffd;
  if (code < 0x800) {
    step(state, 0xc0 | (code >> 6));
  } else if (code < 0x10000) {
    step(state, 0xe0 | (code >> 12));
    step(state, 0x80 | ((code >> 6) & 63));
  } else {
    step(state, 0xf0 | (code >> 18));
    step(state, 0x80 | ((code >> 12) & 63));
    step(state, 0x80 | ((code >> 6) & 63));
  }
  step(state, 0x80 | (code & 63));
  return i;
}

function step(state: Fnv, byte: number): void {
  const h0 = state.h0 ^ byte;
  // × prime 0x100000001b3 = 0x1b3 + 2^40; 2^40 shifts limb k to limb k+2, times 2^8.
  const t0 = h0 * 0x1b3;
  let t1 = state.h1 * 0x1b3;
  let t2 = state.h2 * 0x1b3 + (h0 << 8);
  const t3 = state.h3 * 0x1b3 + (state.h1 << 8);
  t1 += t0 >>> 16;
  t2 += t1 >>> 16;
  state.h0 = t0 & 0xffff;
  state.h1 = t1 & 0xffff;
  state.h2 = t2 & 0xffff;
  state.h3 = (t3 + (t2 >>> 16)) & 0xffff;
}

function digest(state: Fnv): string {
  return hex4(state.h3) + hex4(state.h2) + hex4(state.h1) + hex4(state.h0);
}

function hex4(x: number): string {
  return x.toString(16).padStart(4, "0");
}

/** The plan-shape hash: 16 hex chars. */
export function fingerprint(plan: Plan): string {
  return shapeHash(plan.root);
}

/** First 8 chars, for display next to a plan ("Plan 3fa1c09e"). */
export function shortFingerprint(fp: string): string {
  return fp.slice(0, 8);
}
