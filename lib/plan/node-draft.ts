// Shared by both parsers: an empty node to fill, the parent relationship text EXPLAIN leaves out,
// and the final pass that numbers nodes in pre-order.
import type { Buffers, Plan, PlanNode } from "./model";

/** Deeper than any real plan (PostgreSQL's own stack limit stops far earlier); guards our loops. */
export const MAX_PLAN_DEPTH = 5_000;

export function emptyNode(nodeType: string): PlanNode {
  return {
    id: -1,
    nodeType,
    parentRelationship: null,
    subplanName: null,
    relationName: null,
    schema: null,
    alias: null,
    indexName: null,
    cteName: null,
    functionName: null,
    joinType: null,
    strategy: null,
    partialMode: null,
    operation: null,
    command: null,
    scanDirection: null,
    parallelAware: false,
    estimate: null,
    actual: null,
    neverExecuted: false,
    workersPlanned: null,
    workersLaunched: null,
    workers: [],
    buffers: null,
    ioTiming: null,
    conditions: [],
    rowsRemovedByFilter: null,
    rowsRemovedByJoinFilter: null,
    rowsRemovedByIndexRecheck: null,
    heapFetches: null,
    indexSearches: null,
    disabled: false,
    sortKey: [],
    sortMethod: null,
    sortSpaceUsedKb: null,
    sortSpaceType: null,
    groupKey: [],
    hashBuckets: null,
    hashBatches: null,
    peakMemoryUsageKb: null,
    output: [],
    extra: {},
    children: [],
  };
}

export function zeroBuffers(): Buffers {
  return {
    sharedHitBlocks: 0,
    sharedReadBlocks: 0,
    sharedDirtiedBlocks: 0,
    sharedWrittenBlocks: 0,
    localHitBlocks: 0,
    localReadBlocks: 0,
    localDirtiedBlocks: 0,
    localWrittenBlocks: 0,
    tempReadBlocks: 0,
    tempWrittenBlocks: 0,
  };
}

const MEMBER_PARENTS = new Set(["Append", "Merge Append", "BitmapAnd", "BitmapOr", "Custom Scan"]);

/**
 * What JSON's "Parent Relationship" says for a child that text prints without a header: members
 * of Append-like nodes, the subquery of a Subquery Scan, else outer then inner plan.
 */
export function impliedRelationship(parentType: string, regularIndex: number): string {
  if (MEMBER_PARENTS.has(parentType)) return "Member";
  if (parentType === "Subquery Scan") return "Subquery";
  return regularIndex === 0 ? "Outer" : "Inner";
}

/**
 * Nodes come in pre-order (each before its children), listed with their parent's index; returns
 * the root with ids = pre-order positions. Iterative: plans can be thousands of nodes deep-wide.
 * The nodes are the parser's own fresh drafts: they are numbered and linked in place, not copied.
 */
export function assemble(nodes: PlanNode[], parents: number[]): PlanNode {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as PlanNode;
    node.id = i;
    node.children = [];
    const parent = parents[i] ?? -1;
    if (parent >= 0) (nodes[parent] as PlanNode).children.push(node);
  }
  const root = nodes[0];
  if (!root) throw new Error("assemble: no nodes");
  return root;
}

export function planSummary(root: PlanNode, nodes: PlanNode[]): Pick<Plan, "nodeCount" | "analyzed" | "hasCosts"> {
  return {
    nodeCount: nodes.length,
    analyzed: nodes.some((n) => n.actual !== null || n.neverExecuted),
    hasCosts: root.estimate !== null,
  };
}
