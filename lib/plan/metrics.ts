// Derived per-node metrics: inclusive/exclusive time, cost and buffers, row misestimates, hot nodes.
//
// How time is attributed (the approach of PEV2 / explain.dalibo.com, made exact so that exclusive
// times add up to the root's time):
// - EXPLAIN ANALYZE prints per-loop averages, so a node's inclusive time is total time × loops.
// - Below a Gather / Gather Merge every process (workers + leader) runs its own copy of the subtree and
//   the per-loop figures are averaged over all of them. total × loops is then the sum of the processes'
//   times, which overlap in wall-clock terms; dividing by (workers launched + 1) turns it back into an
//   average per process, comparable with the Gather's own elapsed time. Subplans are not divided:
//   PostgreSQL runs InitPlans in the leader before starting the workers.
// - A node's inclusive time contains its children's, so exclusive = inclusive − what its children
//   account for. Subplans are where it gets subtle:
//   * SubPlan: attached to the node whose expression calls it, which therefore includes its time.
//   * InitPlan: attached to the top of its query level but run lazily by the first node that reads
//     its output param, inside that node's timing. We look for the node that references it
//     ("(InitPlan 1).col1" on 16+, "$0" from "InitPlan 1 (returns $0)" on ≤ 15) and charge it there; if it is
//     below a Gather, the Gather evaluated it before launching workers. Without a reference
//     (e.g. text EXPLAIN of PostgreSQL 15, which drops "(returns $0)"), the attaching node is used.
//   * CTE: the CTE subplan runs while the CTE Scans read from it, so its time is inside those scans;
//     it is taken out of them in proportion to their inclusive times (PEV2 does the same).
//   Each node is therefore subtracted exactly once, and exclusive times sum to the root's inclusive time.
// - Exclusive time is clamped at 0. It can only go negative through artefacts, never real work:
//   times are rounded to 1 µs per loop and multiplied by loops (a child with 10,000 loops carries up
//   to 10 ms of rounding), parallel averages are approximations, and a referencing node may be guessed
//   wrong. A negative "self time" would show up as nonsense in the UI, so it is clamped and the clamped
//   amount is reported (`clampedTimeMs`) instead of silently breaking the sum.
import type { Buffers, Plan, PlanNode } from "./model";
import { initPlanEvaluator, ReaderIndex } from "./initplan-readers";
import { preorder, subplanOf } from "./plan-tree";

export type MisestimateDirection = "under" | "over" | "exact";

export interface Misestimate {
  /** ≥ 1: how many times larger the bigger of (estimated, actual) rows is than the smaller. */
  factor: number;
  /** "under": more rows than estimated; "over": fewer; "exact": factor 1. */
  direction: MisestimateDirection;
  estimatedRows: number;
  actualRows: number;
}

export interface NodeMetrics {
  nodeId: number;
  /** Elapsed time including children, loops and parallel workers accounted for. Null without timing. */
  inclusiveTimeMs: number | null;
  exclusiveTimeMs: number | null;
  /** Exclusive time / the root's inclusive time (0..1). */
  timeShare: number | null;
  inclusiveCost: number | null;
  exclusiveCost: number | null;
  costShare: number | null;
  /** Rows over all loops (actual per-loop rows × loops). */
  actualRows: number | null;
  estimatedRows: number | null;
  misestimate: Misestimate | null;
  inclusiveBuffers: Buffers | null;
  exclusiveBuffers: Buffers | null;
  /** Processes the node's per-loop numbers are averaged over (1 outside a Gather). */
  processes: number;
}

export interface PlanMetrics {
  /** The root's inclusive time: the denominator of `timeShare`. */
  totalTimeMs: number | null;
  totalCost: number | null;
  /** By node id. A plain record so it survives JSON (server → client components). */
  nodes: Record<number, NodeMetrics>;
  /** Time dropped by clamping negative exclusive times at 0 (see the header comment). */
  clampedTimeMs: number;
}

/** Buffers has 10 counters; the accumulator below keeps them in this order. */
const BUFFER_FIELDS = [
  "sharedHitBlocks",
  "sharedReadBlocks",
  "sharedDirtiedBlocks",
  "sharedWrittenBlocks",
  "localHitBlocks",
  "localReadBlocks",
  "localDirtiedBlocks",
  "localWrittenBlocks",
  "tempReadBlocks",
  "tempWrittenBlocks",
] as const satisfies readonly (keyof Buffers)[];

export function misestimate(node: PlanNode): Misestimate | null {
  if (node.actual === null || node.estimate === null || node.neverExecuted) return null;
  const loops = node.actual.loops;
  if (loops <= 0) return null;
  // Compare totals over loops: PostgreSQL 18 prints fractional per-loop rows and ≤ 17 rounds them,
  // so per-loop values below 1 would make meaningless ratios. 0 counts as 1 (no division by zero,
  // and "0 vs 1 row" is not a misestimate worth flagging).
  const estimatedRows = node.estimate.rows * loops;
  const actualRows = node.actual.rows * loops;
  const e = Math.max(estimatedRows, 1);
  const a = Math.max(actualRows, 1);
  const direction: MisestimateDirection = a > e ? "under" : a < e ? "over" : "exact";
  return { factor: Math.max(a, e) / Math.min(a, e), direction, estimatedRows, actualRows };
}

/** Per node id, how many processes its per-loop figures are averaged over. */
function processCounts(nodes: PlanNode[]): number[] {
  const counts = new Array<number>(nodes.length).fill(1);
  for (const n of nodes) {
    const own = counts[n.id] ?? 1;
    const isGather = n.nodeType === "Gather" || n.nodeType === "Gather Merge";
    for (const child of n.children) {
      if (subplanOf(child) !== null) continue; // run by the leader
      counts[child.id] = isGather ? (n.workersLaunched ?? n.workersPlanned ?? 0) + 1 : own;
    }
  }
  return counts;
}

function inclusiveTime(node: PlanNode, processes: number, analyzed: boolean): number | null {
  if (node.neverExecuted) return analyzed ? 0 : null;
  const a = node.actual;
  if (a === null || a.totalTimeMs === null) return null;
  return (a.totalTimeMs * a.loops) / processes;
}

/**
 * Who pays for each node: the ids its inclusive amounts are subtracted from, with weights summing to 1.
 * Only nodes that do not simply pay their parent in full (CTE subplans, InitPlans) are listed.
 * `pooled`: see MAX_SEPARATE_CTE_CHARGES.
 */
interface Charge {
  payers: { id: number; weight: number }[];
  pooled: PlanNode[] | null;
}
type Payers = Map<number, Charge>;

/**
 * Every CTE subplan of a name is charged to every CTE Scan of that name (several subplans share a
 * name when query levels reuse it), which is k·m charges. Up to this many they are made one by one,
 * in node order, as always; beyond, each scan is charged the subplans' summed amounts once, which
 * differs only in floating-point rounding and keeps a pasted plan with thousands of both linear.
 */
const MAX_SEPARATE_CTE_CHARGES = 1_000_000;

function payers(nodes: PlanNode[], parents: (PlanNode | null)[], incl: (number | null)[]): Payers {
  const result: Payers = new Map();
  const cteScans = new Map<string, PlanNode[]>();
  for (const n of nodes) {
    if (n.nodeType !== "CTE Scan") continue;
    const name = n.cteName ?? n.relationName;
    if (name === null) continue;
    const scans = cteScans.get(name);
    if (scans === undefined) cteScans.set(name, [n]);
    else scans.push(n);
  }
  const cteSubplans = new Map<string, PlanNode[]>();
  const initPlans: { init: PlanNode; parent: PlanNode }[] = [];
  for (const n of nodes) {
    const parent = parents[n.id];
    if (parent === null || parent === undefined) continue;
    const sub = subplanOf(n);
    if (sub?.kind === "CTE" && cteScans.has(sub.label)) {
      const same = cteSubplans.get(sub.label);
      if (same === undefined) cteSubplans.set(sub.label, [n]);
      else same.push(n);
    } else if (sub?.kind === "InitPlan") initPlans.push({ init: n, parent });
    // Everything else pays its parent with weight 1: left out of the map.
  }
  // The weights depend on the name only: one list per name, shared by its subplans.
  for (const [name, subplans] of cteSubplans) {
    const scans = cteScans.get(name) ?? [];
    const total = scans.reduce((s, x) => s + (incl[x.id] ?? 0), 0);
    const weights = scans.map((x) => ({ id: x.id, weight: total > 0 ? (incl[x.id] ?? 0) / total : 1 / scans.length }));
    const pooled = subplans.length > 1 && subplans.length * scans.length > MAX_SEPARATE_CTE_CHARGES ? subplans : null;
    const charge: Charge = { payers: weights, pooled };
    for (const n of subplans) result.set(n.id, charge);
  }
  const readers = initPlans.length > 0 ? new ReaderIndex(nodes, initPlans, incl) : null;
  for (const { init, parent } of initPlans) {
    const evaluator = initPlanEvaluator(init, parent, parents, incl, readers as ReaderIndex);
    result.set(init.id, { payers: [{ id: evaluator.id, weight: 1 }], pooled: null });
  }
  return result;
}

const FIELD_COUNT = BUFFER_FIELDS.length;

// Field by field on purpose: indexing Buffers by a computed key is several times slower in V8 and
// this runs for every node of 2,000-node plans.
function addBuffers(acc: Float64Array, id: number, b: Buffers, w: number): void {
  const at = id * FIELD_COUNT;
  acc[at] = (acc[at] ?? 0) + b.sharedHitBlocks * w;
  acc[at + 1] = (acc[at + 1] ?? 0) + b.sharedReadBlocks * w;
  acc[at + 2] = (acc[at + 2] ?? 0) + b.sharedDirtiedBlocks * w;
  acc[at + 3] = (acc[at + 3] ?? 0) + b.sharedWrittenBlocks * w;
  acc[at + 4] = (acc[at + 4] ?? 0) + b.localHitBlocks * w;
  acc[at + 5] = (acc[at + 5] ?? 0) + b.localReadBlocks * w;
  acc[at + 6] = (acc[at + 6] ?? 0) + b.localDirtiedBlocks * w;
  acc[at + 7] = (acc[at + 7] ?? 0) + b.localWrittenBlocks * w;
  acc[at + 8] = (acc[at + 8] ?? 0) + b.tempReadBlocks * w;
  acc[at + 9] = (acc[at + 9] ?? 0) + b.tempWrittenBlocks * w;
}

/** All of a pooled CTE name's subplans, summed, charged once to its scans (see MAX_SEPARATE_CTE_CHARGES). */
function chargePooled(charge: Charge, incl: (number | null)[], childTime: Float64Array, childBuffers: Float64Array): void {
  let time = 0;
  const sum = new Float64Array(FIELD_COUNT);
  let buffered = false;
  for (const n of charge.pooled ?? []) {
    time += incl[n.id] ?? 0;
    if (n.buffers === null) continue;
    buffered = true;
    addBuffers(sum, 0, n.buffers, 1);
  }
  const buffers = Object.fromEntries(BUFFER_FIELDS.map((f, i) => [f, sum[i] ?? 0])) as Record<keyof Buffers, number>;
  for (const { id, weight } of charge.payers) {
    childTime[id] = (childTime[id] ?? 0) + time * weight;
    if (buffered) addBuffers(childBuffers, id, buffers, weight);
  }
}

/** The node's buffers minus what its children account for, clamped at 0 (see the header comment). */
function exclusiveBuffers(own: Buffers, acc: Float64Array, id: number): Buffers {
  const at = id * FIELD_COUNT;
  return {
    sharedHitBlocks: Math.max(0, own.sharedHitBlocks - (acc[at] ?? 0)),
    sharedReadBlocks: Math.max(0, own.sharedReadBlocks - (acc[at + 1] ?? 0)),
    sharedDirtiedBlocks: Math.max(0, own.sharedDirtiedBlocks - (acc[at + 2] ?? 0)),
    sharedWrittenBlocks: Math.max(0, own.sharedWrittenBlocks - (acc[at + 3] ?? 0)),
    localHitBlocks: Math.max(0, own.localHitBlocks - (acc[at + 4] ?? 0)),
    localReadBlocks: Math.max(0, own.localReadBlocks - (acc[at + 5] ?? 0)),
    localDirtiedBlocks: Math.max(0, own.localDirtiedBlocks - (acc[at + 6] ?? 0)),
    localWrittenBlocks: Math.max(0, own.localWrittenBlocks - (acc[at + 7] ?? 0)),
    tempReadBlocks: Math.max(0, own.tempReadBlocks - (acc[at + 8] ?? 0)),
    tempWrittenBlocks: Math.max(0, own.tempWrittenBlocks - (acc[at + 9] ?? 0)),
  };
}

/** What analyzePlan and the diff share: per node id, the inclusive time and what children account for. */
interface Accounting {
  nodes: PlanNode[];
  processes: number[];
  incl: (number | null)[];
  childTime: Float64Array;
  childBuffers: Float64Array;
  childCost: Float64Array;
  rootTime: number | null;
  rootCost: number | null;
}

function account(plan: Plan): Accounting {
  const nodes = preorder(plan.root);
  let size = 1;
  for (const n of nodes) if (n.id + 1 > size) size = n.id + 1;
  const parents = new Array<PlanNode | null>(size).fill(null);
  for (const n of nodes) for (const c of n.children) parents[c.id] = n;
  const processes = processCounts(nodes);
  const incl = new Array<number | null>(size).fill(null);
  for (const n of nodes) incl[n.id] = inclusiveTime(n, processes[n.id] ?? 1, plan.analyzed);
  const pay = payers(nodes, parents, incl);

  // What each node's children (and subplans it evaluates) account for.
  const childTime = new Float64Array(size);
  // Flat accumulator instead of one Buffers object per addition: this runs for every node of big plans.
  const childBuffers = new Float64Array(size * FIELD_COUNT);
  const childCost = new Float64Array(size);
  for (const n of nodes) {
    const parent = parents[n.id];
    if (parent === null || parent === undefined) continue;
    // Cost follows the planner, which adds subplan and InitPlan costs to the node they hang off.
    childCost[parent.id] = (childCost[parent.id] ?? 0) + (n.estimate?.totalCost ?? 0);
    const special = pay.get(n.id);
    if (special === undefined) {
      childTime[parent.id] = (childTime[parent.id] ?? 0) + (incl[n.id] ?? 0) * 1;
      if (n.buffers !== null) addBuffers(childBuffers, parent.id, n.buffers, 1);
      continue;
    }
    if (special.pooled === null) {
      for (const { id, weight } of special.payers) {
        childTime[id] = (childTime[id] ?? 0) + (incl[n.id] ?? 0) * weight;
        if (n.buffers !== null) addBuffers(childBuffers, id, n.buffers, weight);
      }
    } else if (special.pooled[0] === n) chargePooled(special, incl, childTime, childBuffers);
  }
  return {
    nodes,
    processes,
    incl,
    childTime,
    childBuffers,
    childCost,
    rootTime: incl[plan.root.id] ?? null,
    rootCost: plan.root.estimate?.totalCost ?? null,
  };
}

/** Exclusive time, clamped at 0; `raw` < 0 is what the clamp dropped. */
function exclusiveTime(acc: Accounting, n: PlanNode): number | null {
  const inclusiveTimeMs = acc.incl[n.id] ?? null;
  return inclusiveTimeMs === null ? null : Math.max(0, inclusiveTimeMs - (acc.childTime[n.id] ?? 0));
}

function actualRowsOf(n: PlanNode): number | null {
  const loops = n.actual?.loops ?? null;
  return n.actual !== null && loops !== null ? n.actual.rows * loops : n.neverExecuted ? 0 : null;
}

export function analyzePlan(plan: Plan): PlanMetrics {
  const acc = account(plan);
  const { rootTime, rootCost } = acc;
  let clampedTimeMs = 0;
  const out: Record<number, NodeMetrics> = {};
  for (const n of acc.nodes) {
    const inclusiveTimeMs = acc.incl[n.id] ?? null;
    let exclusiveTimeMs: number | null = null;
    if (inclusiveTimeMs !== null) {
      const raw = inclusiveTimeMs - (acc.childTime[n.id] ?? 0);
      if (raw < 0) clampedTimeMs -= raw;
      exclusiveTimeMs = Math.max(0, raw);
    }
    const inclusiveCost = n.estimate?.totalCost ?? null;
    const exclusiveCost = inclusiveCost === null ? null : Math.max(0, inclusiveCost - (acc.childCost[n.id] ?? 0));
    const loops = n.actual?.loops ?? null;
    out[n.id] = {
      nodeId: n.id,
      inclusiveTimeMs,
      exclusiveTimeMs,
      timeShare: exclusiveTimeMs !== null && rootTime !== null && rootTime > 0 ? exclusiveTimeMs / rootTime : null,
      inclusiveCost,
      exclusiveCost,
      costShare: exclusiveCost !== null && rootCost !== null && rootCost > 0 ? exclusiveCost / rootCost : null,
      actualRows: actualRowsOf(n),
      estimatedRows: n.estimate === null ? null : n.estimate.rows * (loops !== null && loops > 0 ? loops : 1),
      misestimate: misestimate(n),
      inclusiveBuffers: n.buffers,
      exclusiveBuffers: n.buffers === null ? null : exclusiveBuffers(n.buffers, acc.childBuffers, n.id),
      processes: acc.processes[n.id] ?? 1,
    };
  }
  return { totalTimeMs: rootTime, totalCost: rootCost, nodes: out, clampedTimeMs };
}

/**
 * The figures a diff row compares, by node id, without building analyzePlan's full per-node records:
 * the same values as analyzePlan(plan).nodes[id].exclusiveTimeMs, .actualRows, .inclusiveCost and
 * sharedBlocks(.exclusiveBuffers).
 */
export interface RowFigures {
  totalTimeMs: number | null;
  exclusiveTimeMs: (number | null)[];
  actualRows: (number | null)[];
  inclusiveCost: (number | null)[];
  sharedBlocks: (number | null)[];
  /** Whether analyzePlan would have a record for the id. */
  has: boolean[];
}

export function rowFigures(plan: Plan): RowFigures {
  const acc = account(plan);
  const size = acc.incl.length;
  const exclusiveTimeMs = new Array<number | null>(size).fill(null);
  const actualRows = new Array<number | null>(size).fill(null);
  const inclusiveCost = new Array<number | null>(size).fill(null);
  const shared = new Array<number | null>(size).fill(null);
  const has = new Array<boolean>(size).fill(false);
  for (const n of acc.nodes) {
    exclusiveTimeMs[n.id] = exclusiveTime(acc, n);
    actualRows[n.id] = actualRowsOf(n);
    inclusiveCost[n.id] = n.estimate?.totalCost ?? null;
    const b = n.buffers;
    if (b !== null) {
      const at = n.id * FIELD_COUNT;
      shared[n.id] = Math.max(0, b.sharedHitBlocks - (acc.childBuffers[at] ?? 0)) + Math.max(0, b.sharedReadBlocks - (acc.childBuffers[at + 1] ?? 0));
    } else shared[n.id] = null;
    has[n.id] = true;
  }
  return { totalTimeMs: acc.rootTime, exclusiveTimeMs, actualRows, inclusiveCost, sharedBlocks: shared, has };
}

export interface HotNode {
  node: PlanNode;
  metrics: NodeMetrics;
  /** What the ranking used: exclusive time when the plan has timings, else exclusive cost. */
  by: "time" | "cost";
  value: number;
  share: number | null;
}

/** The `n` nodes with the most exclusive time (or exclusive cost when the plan has no timings). */
export function hotNodes(plan: Plan, n: number, metrics: PlanMetrics = analyzePlan(plan)): HotNode[] {
  const all = preorder(plan.root);
  const timed = all.some((x) => metrics.nodes[x.id]?.exclusiveTimeMs != null);
  const by: HotNode["by"] = timed ? "time" : "cost";
  const rows: HotNode[] = [];
  for (const node of all) {
    const m = metrics.nodes[node.id];
    if (m === undefined) continue;
    const value = by === "time" ? m.exclusiveTimeMs : m.exclusiveCost;
    if (value === null) continue;
    rows.push({ node, metrics: m, by, value, share: by === "time" ? m.timeShare : m.costShare });
  }
  // Stable on ties: earlier (higher) nodes first, so the order does not depend on the sort implementation.
  rows.sort((a, b) => b.value - a.value || a.node.id - b.node.id);
  return rows.slice(0, Math.max(0, n));
}

/** Sum of exclusive shared buffers read + hit: the usual "how much did this node touch" number. */
export function sharedBlocks(b: Buffers | null): number | null {
  return b === null ? null : b.sharedHitBlocks + b.sharedReadBlocks;
}
