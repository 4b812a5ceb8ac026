// Small tree helpers shared by metrics, fingerprint, diff and hints. Pure: no I/O, no mutation.
import type { PlanNode } from "./model";

/** Nodes in pre-order (the order of `PlanNode.id`). Iterative so 2,000-deep chains cannot blow the stack. */
export function preorder(root: PlanNode): PlanNode[] {
  const out: PlanNode[] = [];
  const stack: PlanNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as PlanNode;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as PlanNode);
  }
  return out;
}

/** Parent of each node by id (the root maps to null). */
export function parentMap(root: PlanNode): Map<number, PlanNode | null> {
  const parents = new Map<number, PlanNode | null>([[root.id, null]]);
  for (const node of preorder(root)) for (const child of node.children) parents.set(child.id, node);
  return parents;
}

export type SubplanKind = "InitPlan" | "SubPlan" | "CTE";

export interface SubplanRef {
  kind: SubplanKind;
  /** "1" for "InitPlan 1", the CTE name for "CTE x". */
  label: string;
  /** PostgreSQL ≤ 15 names the params an InitPlan sets: "InitPlan 1 (returns $0,$1)" → ["$0", "$1"]. */
  returns: string[];
}

/** "hashed SubPlan 2", "CTE x": the kind word, which whitespace must follow. */
const SUBPLAN_HEAD = /^\s*(?:hashed\s+)?(InitPlan|SubPlan|CTE)(?=\s)/i;
const RETURNS_SEARCH = /\(returns\s/gi;
const RETURNS_AT = /\(returns\s/iy;
const SPACE = /\s/;
/** What `.` in a regex does not match. */
const isLineEnd = (c: string) => c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029";

/**
 * `/^\s*(?:hashed\s+)?(InitPlan|SubPlan|CTE)\s+(.+?)\s*(?:\(returns\s+([^)]*)\))?\s*$/i` in linear
 * time: that regex tries every label length against every split of the spaces around it, cubic in a
 * run of spaces (a 4 kB name took 30 s). It picks the shortest label that the spaces, an optional
 * "(returns …)" ending at the last ")" and trailing spaces can follow; so does this, by positions.
 */
export function parseSubplanName(name: string): SubplanRef | null {
  const head = SUBPLAN_HEAD.exec(name);
  if (head === null) return null;
  const word = (head[1] ?? "").toLowerCase();
  const kind: SubplanKind = word === "cte" ? "CTE" : word === "initplan" ? "InitPlan" : "SubPlan";
  const afterWord = head[0].length;
  let labelStart = afterWord;
  while (labelStart < name.length && SPACE.test(name.charAt(labelStart))) labelStart++;
  const contentEnd = name.trimEnd().length;
  // A "(returns …)" can only be the one after the last ")" but the final one.
  const closes = contentEnd >= 2 && name.charAt(contentEnd - 1) === ")";
  const lastInnerClose = closes ? name.lastIndexOf(")", contentEnd - 2) : -1;
  const returnsAt = (q: number) => {
    if (!closes || q <= lastInnerClose) return false;
    RETURNS_AT.lastIndex = q;
    return RETURNS_AT.test(name);
  };
  const ref = (label: string, returnsStart: number): SubplanRef => ({
    kind,
    label: label.trim(),
    returns:
      returnsStart < 0
        ? []
        : name
            .slice(returnsStart + 8, contentEnd - 1)
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
  });
  if (labelStart < name.length) {
    // The label starts after all the spaces and ends before the first line end.
    let lineEnd = labelStart;
    while (lineEnd < name.length && !isLineEnd(name.charAt(lineEnd))) lineEnd++;
    let returnsStart = -1;
    if (closes) {
      RETURNS_SEARCH.lastIndex = Math.max(labelStart + 1, lastInnerClose + 1);
      returnsStart = RETURNS_SEARCH.exec(name)?.index ?? -1;
    }
    if (returnsStart >= 0) {
      let labelEnd = returnsStart;
      while (labelEnd > labelStart + 1 && SPACE.test(name.charAt(labelEnd - 1))) labelEnd--;
      if (labelEnd <= lineEnd) return ref(name.slice(labelStart, labelEnd), returnsStart);
    } else if (contentEnd <= lineEnd) {
      return ref(name.slice(labelStart, contentEnd), -1);
    }
  }
  // Otherwise the regex gives the label one of the spaces after the word (the last that is not a
  // line end), when what follows them is nothing or a "(returns …)".
  if (labelStart < name.length && !returnsAt(labelStart)) return null;
  for (let at = labelStart - 1; at > afterWord; at--) {
    if (!isLineEnd(name.charAt(at))) return ref("", labelStart < name.length ? labelStart : -1);
  }
  return null;
}

/** Subplan names by node: fingerprint, metrics, hints and diff ask for each node's, some repeatedly. */
const parsedNames = new WeakMap<PlanNode, { name: string; ref: SubplanRef | null }>();

/**
 * The kind of query block a node heads. Text EXPLAIN has no "Parent Relationship" for subplans
 * other than through the header line, so the name is the primary source and the relationship the fallback.
 */
export function subplanOf(node: PlanNode): SubplanRef | null {
  if (node.subplanName !== null) {
    let parsed = parsedNames.get(node);
    if (parsed === undefined || parsed.name !== node.subplanName) {
      parsed = { name: node.subplanName, ref: parseSubplanName(node.subplanName) };
      parsedNames.set(node, parsed);
    }
    if (parsed.ref !== null) return parsed.ref;
  }
  if (node.parentRelationship === "InitPlan" || node.parentRelationship === "SubPlan") {
    return { kind: node.parentRelationship, label: "", returns: [] };
  }
  return null;
}

export const JOIN_TYPES: ReadonlySet<string> = new Set(["Nested Loop", "Hash Join", "Merge Join"]);

export function isJoin(node: PlanNode): boolean {
  return JOIN_TYPES.has(node.nodeType);
}

/** Text EXPLAIN spells an inner join without a join type; JSON says "Inner". Treat both the same. */
export function joinTypeOf(node: PlanNode): string | null {
  if (!isJoin(node)) return node.joinType;
  return node.joinType ?? "Inner";
}

const MODIFY_OPERATIONS: ReadonlySet<string> = new Set(["Insert", "Update", "Delete", "Merge"]);

/** JSON says "ModifyTable" + Operation; a lenient text parser may keep "Insert" as the node type. */
export function normalizedNodeType(node: PlanNode): { nodeType: string; operation: string | null } {
  if (MODIFY_OPERATIONS.has(node.nodeType)) return { nodeType: "ModifyTable", operation: node.nodeType };
  return { nodeType: node.nodeType, operation: node.operation };
}

/** Aggregate/SetOp strategy with the defaults EXPLAIN leaves implicit in text ("Aggregate" = Plain). */
export function strategyOf(node: PlanNode): string | null {
  if (node.strategy !== null) return node.strategy;
  if (node.nodeType === "Aggregate") return "Plain";
  if (node.nodeType === "SetOp") return "Sorted";
  return null;
}

export function partialModeOf(node: PlanNode): string | null {
  if (node.partialMode !== null) return node.partialMode;
  return node.nodeType === "Aggregate" ? "Simple" : null;
}

/** Node types whose "on X" names a real table (as opposed to a CTE, function, VALUES list or subquery alias). */
const RELATION_SCANS: ReadonlySet<string> = new Set([
  "Seq Scan",
  "Index Scan",
  "Index Only Scan",
  "Bitmap Heap Scan",
  "Tid Scan",
  "Tid Range Scan",
  "Sample Scan",
  "Foreign Scan",
  "Custom Scan",
  "ModifyTable",
  "Insert",
  "Update",
  "Delete",
  "Merge",
]);

/**
 * What a node reads, as the fingerprint and the diff see it: a table for relation scans, the CTE for
 * CTE/WorkTable scans, the function for function scans. Aliases are deliberately not part of it.
 */
export function scannedObject(node: PlanNode): string | null {
  if (RELATION_SCANS.has(node.nodeType)) return node.relationName;
  if (node.nodeType === "CTE Scan" || node.nodeType === "WorkTable Scan") return node.cteName ?? node.relationName;
  if (node.nodeType === "Function Scan" || node.nodeType === "Table Function Scan") {
    return node.functionName ?? node.relationName;
  }
  return null;
}

const AGGREGATE_PREFIX: Record<string, string> = { Hashed: "Hash", Sorted: "Group", Mixed: "Mixed", Plain: "" };

/** A one-line label in the words text EXPLAIN uses: "Hash Left Join", "Partial HashAggregate", "Index Scan using i on t". */
export function describeNode(node: PlanNode): string {
  const { nodeType, operation } = normalizedNodeType(node);
  let head = nodeType;
  if (isJoin(node)) {
    const jt = joinTypeOf(node);
    if (jt !== null && jt !== "Inner") {
      head = nodeType === "Nested Loop" ? `Nested Loop ${jt} Join` : nodeType.replace(" Join", ` ${jt} Join`);
    }
  } else if (nodeType === "Aggregate") {
    head = `${AGGREGATE_PREFIX[strategyOf(node) ?? "Plain"] ?? ""}Aggregate`;
    const mode = partialModeOf(node);
    if (mode === "Partial" || mode === "Finalize") head = `${mode} ${head}`;
  } else if (nodeType === "SetOp") {
    head = `${strategyOf(node) === "Hashed" ? "HashSetOp" : "SetOp"}${node.command !== null ? ` ${node.command}` : ""}`;
  } else if (nodeType === "ModifyTable" && operation !== null) {
    head = operation;
  }
  if (node.parallelAware) head = `Parallel ${head}`;
  if (node.scanDirection === "Backward") head = `${head} Backward`;
  // "Bitmap Index Scan on idx" names only the index; other index scans say "using idx on table".
  if (node.indexName !== null) head = `${head} ${nodeType === "Bitmap Index Scan" ? "on" : "using"} ${node.indexName}`;
  const target = scannedObject(node) ?? (node.nodeType === "Subquery Scan" ? node.alias : null);
  if (target !== null) head = `${head} on ${target}`;
  return head;
}
