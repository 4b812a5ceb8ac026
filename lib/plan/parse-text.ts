// Text EXPLAIN → Plan. The tree is given by indentation alone: a node's "->" column, its
// properties further right, "InitPlan 1"/"SubPlan 2"/"CTE x" headers in front of subplans, and
// summary lines ("Planning Time", "Settings", "JIT", …) back at the root's own column.
import { locate, type CleanLine, type CleanSource } from "./cleanup";
import { PlanParseError } from "./errors";
import type { Buffers, Plan, PlanNode, Trigger, WorkerStats } from "./model";
import { MAX_PLAN_DEPTH, assemble, emptyNode, impliedRelationship, planSummary, zeroBuffers } from "./node-draft";
import { applyLine, parseBuffers, parseSettings, parseTrigger, splitPairs } from "./text-properties";
import { parseNodeHeader, parseSubplanHeader, type NodeHeader } from "./text-node-line";
import { indentOf, isTextPlanLine, isTopLevelLine } from "./text-lines";

interface Open {
  index: number;
  /** Column of the node's "->" (the root: its first character). */
  anchor: number;
}

interface WorkerBlock {
  node: number;
  indent: number;
  stats: WorkerStats;
}

interface Summary {
  planningTimeMs: number | null;
  executionTimeMs: number | null;
  planningBuffers: Buffers | null;
  settings: Record<string, string>;
  triggers: Trigger[];
  queryText: string | null;
  queryId: string | null;
}

function failAt(line: CleanLine, message: string, column = 0): never {
  const where = locate(line, column);
  throw new PlanParseError(message, where?.line ?? null, where?.offset ?? null);
}


/** Fills a node from its header line, splitting " on …" by what the node scans. */
export function nodeFromHeader(h: NodeHeader): PlanNode {
  // A fresh draft filled field by field: copying a 44-field node per step is what made big plans slow.
  const node = emptyNode(h.nodeType);
  node.joinType = h.joinType;
  node.strategy = h.strategy;
  node.partialMode = h.partialMode;
  node.operation = h.operation;
  node.command = h.command;
  node.scanDirection = h.scanDirection;
  node.indexName = h.indexName;
  node.parallelAware = h.parallelAware;
  node.estimate = h.estimate;
  node.actual = h.actual;
  node.neverExecuted = h.neverExecuted;
  node.extra["Async Capable"] = h.asyncCapable;
  if (h.customProvider) node.extra["Custom Plan Provider"] = h.customProvider;
  const t = h.target;
  if (!t) return node;
  switch (h.nodeType) {
    case "CTE Scan":
    case "WorkTable Scan":
      node.cteName = t.object;
      node.alias = t.alias;
      break;
    case "Function Scan":
      node.functionName = t.object;
      node.schema = t.schema;
      node.alias = t.alias;
      break;
    case "Subquery Scan":
    case "Values Scan":
    case "Table Function Scan":
      // These print only their alias after " on ".
      node.alias = t.alias;
      break;
    case "Named Tuplestore Scan":
      node.alias = t.alias;
      node.extra["Tuplestore Name"] = t.object ?? "";
      break;
    default:
      node.relationName = t.object;
      node.schema = t.schema;
      node.alias = t.alias;
  }
  return node;
}

function hasCondition(node: PlanNode, kind: string): boolean {
  for (const c of node.conditions) if (c.kind === kind) return true;
  return false;
}

const INDEX_SCAN_TYPE = /^Index (Only )?Scan$/;

/** JSON prints zero counters that text leaves out; fill them (in the draft) where JSON would have them. */
function applyJsonDefaults(node: PlanNode): void {
  if (node.actual === null && !node.neverExecuted) return;
  node.rowsRemovedByFilter = node.rowsRemovedByFilter ?? (hasCondition(node, "filter") ? 0 : null);
  node.rowsRemovedByJoinFilter = node.rowsRemovedByJoinFilter ?? (hasCondition(node, "joinFilter") ? 0 : null);
  node.rowsRemovedByIndexRecheck =
    node.rowsRemovedByIndexRecheck ??
    (hasCondition(node, "recheckCond") ||
    ((hasCondition(node, "indexCond") || hasCondition(node, "orderBy")) && INDEX_SCAN_TYPE.test(node.nodeType))
      ? 0
      : null);
}

function workerFrom(number: number, rest: string): WorkerStats {
  const m = /actual (?:time=(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?) )?rows=(\d+(?:\.\d+)?) loops=(\d+)/.exec(rest);
  const actual = m
    ? { startupTimeMs: m[1] !== undefined ? Number(m[1]) : null, totalTimeMs: m[2] !== undefined ? Number(m[2]) : null, rows: Number(m[3]), loops: Number(m[4]) }
    : null;
  return { workerNumber: number, actual, buffers: null };
}

function applySummary(s: Summary, block: string | null, content: string): Summary {
  const [key, value] = splitPairs(content)[0] ?? ["", ""];
  if (block === "Planning") return key === "Buffers" ? { ...s, planningBuffers: parseBuffers(value) } : s;
  if (block !== null) return s; // JIT and Serialization details: no model field
  const ms = Number(/^(\d+(?:\.\d+)?) ms$/.exec(value)?.[1] ?? NaN);
  switch (key) {
    case "Planning Time":
      return { ...s, planningTimeMs: Number.isFinite(ms) ? ms : null };
    case "Execution Time":
      return { ...s, executionTimeMs: Number.isFinite(ms) ? ms : null };
    case "Settings":
      return { ...s, settings: parseSettings(value) };
    case "Query Identifier":
      return { ...s, queryId: value };
    case "Query Text":
      return { ...s, queryText: value };
  }
  const trigger = parseTrigger(content);
  // Appended in place (the parse's own array): copying it per trigger line was quadratic.
  if (trigger) s.triggers.push(trigger);
  return s;
}

export function parseTextPlan(clean: CleanSource): Plan {
  const lines = clean.lines;
  let summary: Summary = { planningTimeMs: null, executionTimeMs: null, planningBuffers: null, settings: {}, triggers: [], queryText: null, queryId: null };
  let i = 0;
  // auto_explain puts "Query Text:" (and "Query Parameters:") before the plan.
  for (; i < lines.length; i++) {
    const content = lines[i]?.text.trim() ?? "";
    if (!/^Query (?:Text|Parameters|Identifier):/.test(content)) break;
    summary = applySummary(summary, null, content);
  }
  const rootLine = lines[i];
  if (!rootLine) throw new PlanParseError("There is no plan in the input: it is empty.", 1, 0);
  const rootHeader = parseNodeHeader(rootLine.text);
  if (!rootHeader) {
    failAt(rootLine, `This is not an EXPLAIN plan: expected a plan node such as "Seq Scan on orders  (cost=…)", found "${rootLine.text.trim().slice(0, 60)}"`, indentOf(rootLine.text));
  }
  const rootIndent = indentOf(rootLine.text);
  const nodes: PlanNode[] = [nodeFromHeader(rootHeader)];
  const parents: number[] = [-1];
  const headers: Array<{ relationship: string; name: string } | null> = [null];
  const stack: Open[] = [{ index: 0, anchor: rootIndent }];
  let pending: { relationship: string; name: string; parent: number } | null = null;
  let worker: WorkerBlock | null = null;
  let block: string | null = null; // summary block ("Planning", "JIT", …) once the tree is over
  let treeDone = false;

  const popTo = (column: number) => {
    while (stack.length > 1 && (stack.at(-1)?.anchor ?? -1) >= column) stack.pop();
    return stack.at(-1) as Open;
  };
  const flushWorker = () => {
    if (!worker) return;
    (nodes[worker.node] as PlanNode).workers.push(worker.stats);
    worker = null;
  };

  for (i++; i < lines.length; i++) {
    const line = lines[i] as CleanLine;
    const indent = indentOf(line.text);
    const content = line.text.trim();
    if (indent <= rootIndent) {
      if (!isTopLevelLine(content)) failAt(line, `Cannot read "${content.slice(0, 60)}" here: it is not part of an EXPLAIN plan`, indent);
      flushWorker();
      treeDone = true;
      block = /^(?:Planning|JIT|Serialization|Memory):$/.test(content) ? content.slice(0, -1) : null;
      summary = applySummary(summary, null, content);
      continue;
    }
    if (treeDone) {
      if (block === null) failAt(line, `Unexpected indented line after the plan summary: "${content.slice(0, 60)}"`, indent);
      summary = applySummary(summary, block, content);
      continue;
    }
    if (content.startsWith("->")) {
      flushWorker();
      const header = parseNodeHeader(content.slice(2));
      if (!header) failAt(line, `Cannot read the plan node "${content.slice(0, 80)}"`, indent);
      const parent = popTo(indent);
      if (stack.length > MAX_PLAN_DEPTH) failAt(line, `The plan is nested deeper than ${MAX_PLAN_DEPTH} levels`, indent);
      const sub = pending && pending.parent === parent.index ? pending : null;
      pending = null;
      nodes.push(nodeFromHeader(header));
      parents.push(parent.index);
      headers.push(sub && { relationship: sub.relationship, name: sub.name });
      stack.push({ index: nodes.length - 1, anchor: indent });
      continue;
    }
    const sub = parseSubplanHeader(content);
    if (sub) {
      flushWorker();
      pending = { ...sub, parent: popTo(indent).index };
      continue;
    }
    const owner = popTo(indent);
    const workerMatch = content.startsWith("Worker ") ? /^Worker (\d+):\s*(.*)$/.exec(content) : null;
    if (workerMatch) {
      flushWorker();
      worker = { node: owner.index, indent, stats: workerFrom(Number(workerMatch[1]), workerMatch[2] ?? "") };
      continue;
    }
    const open = worker as WorkerBlock | null; // assigned inside flushWorker too: TS cannot follow
    if (open && open.node === owner.index && indent > open.indent) {
      if (content.startsWith("Buffers:")) open.stats.buffers = parseBuffers(content.slice(8).trim());
      continue;
    }
    flushWorker();
    if (!isTextPlanLine(content, false)) failAt(line, `Cannot read "${content.slice(0, 60)}": expected a plan node ("->  …") or a "Key: value" line`, indent);
    applyLine(nodes[owner.index] as PlanNode, content);
  }
  flushWorker();

  // Relationships text leaves out: count each parent's children that have no subplan header.
  const regularCount = new Map<number, number>();
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index] as PlanNode;
    const parent = parents[index] ?? -1;
    const header = headers[index] ?? null;
    let relationship: string | null = null;
    if (header) relationship = header.relationship;
    else if (parent >= 0) {
      const n = regularCount.get(parent) ?? 0;
      regularCount.set(parent, n + 1);
      relationship = impliedRelationship(nodes[parent]?.nodeType ?? "", n);
    }
    node.parentRelationship = relationship;
    node.subplanName = header?.name ?? null;
    applyJsonDefaults(node);
  }
  // With BUFFERS, text leaves out all-zero "Buffers:" lines where JSON prints zeros.
  const buffersOn = summary.planningBuffers !== null || nodes.some((n) => n.buffers !== null);
  if (buffersOn) for (const n of nodes) if (!n.buffers && (n.actual || n.neverExecuted)) n.buffers = zeroBuffers();
  const filled = nodes;
  const root = assemble(filled, parents);
  return {
    format: "text",
    root,
    ...planSummary(root, filled),
    ...summary,
    // JSON prints a "Planning" block of zeros next to "Planning Time" when BUFFERS is on.
    planningBuffers: summary.planningBuffers ?? (buffersOn && summary.planningTimeMs !== null ? zeroBuffers() : null),
    durationMs: clean.durationMs,
  };
}
