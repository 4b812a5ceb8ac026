import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffPlans } from "../diff";
import { analyzePlan } from "../metrics";
import { parsePlan } from "../parse";
import { act, est, indexScan, node, plan, seqScan } from "../test-helpers";
import { buildCompareModel } from "./compare-rows";
import { formatCount, formatMs, formatShare } from "./format";
import { nodeDetails } from "./node-details";
import { buildTreeModel, misestimateBadge } from "./node-rows";
import { MAX_PLAN_SOURCE_CHARS, readPasted } from "./read-pasted";
import { treeKeyAction, visibleRows, type TreeShape } from "./visible-rows";

const fixtures = path.join(import.meta.dirname, "..", "__fixtures__");
const load = (file: string) => parsePlan(readFileSync(path.join(fixtures, file), "utf8"));
const none = new Set<number>();

function shapeOf(children: Record<number, number[]>): TreeShape {
  return { roots: [0], childrenOf: (id) => children[id] ?? [] };
}

describe("format", () => {
  it("prints figures with units and magnitude-aware precision", () => {
    expect(formatMs(0.0123)).toBe("0.012 ms");
    expect(formatMs(4.812)).toBe("4.81 ms");
    expect(formatMs(1234.4)).toBe("1,234 ms");
    expect(formatMs(12_345)).toBe("12.3 s");
    expect(formatMs(null)).toBe("—");
    expect(formatCount(24353)).toBe("24,353");
    expect(formatCount(12_400_000)).toBe("12.4M");
    expect(formatShare(0.004)).toBe("<1%");
    expect(formatShare(0.456)).toBe("46%");
  });
});

describe("misestimate badges", () => {
  it("steps at 10×, 100× and 1000× with the direction", () => {
    expect(misestimateBadge({ factor: 9.9, direction: "under", estimatedRows: 10, actualRows: 99 })).toBeNull();
    expect(misestimateBadge({ factor: 12, direction: "under", estimatedRows: 10, actualRows: 120 })).toMatchObject({ level: 10, direction: "under", text: "12× under" });
    expect(misestimateBadge({ factor: 250, direction: "over", estimatedRows: 250, actualRows: 1 })).toMatchObject({ level: 100, direction: "over" });
    expect(misestimateBadge({ factor: 5000, direction: "under", estimatedRows: 1, actualRows: 5000 })?.level).toBe(1000);
  });
});

describe("buildTreeModel", () => {
  const p = plan(
    node("Hash Join", { joinType: "Inner", actual: act(20, 100), estimate: est(500, 100) }, [
      seqScan("orders", { alias: "o", actual: act(15, 5000), estimate: est(300, 10) }),
      node("Hash", { actual: act(2, 50), estimate: est(150, 50) }, [seqScan("customers", { actual: act(1.5, 50), estimate: est(140, 50) })]),
    ]),
  );

  it("computes self time, shares, hot ranks and misestimates per node", () => {
    const m = buildTreeModel(p);
    expect(m.metric).toBe("time");
    expect(m.hotIds[0]).toBe(1);
    const scan = m.rows[1];
    expect(scan).toMatchObject({ label: "Seq Scan on orders", alias: "o", hotRank: 1, selfText: "15.0 ms", depth: 1, parentId: 0 });
    expect(scan?.misestimate).toMatchObject({ level: 100, direction: "under" });
    expect(scan?.ariaLabel).toContain("Seq Scan on orders");
    expect(scan?.ariaLabel).toContain("hot node 1");
    expect(m.rows[0]?.qualifier).toBe("inner");
    expect(m.pinnedIds.has(0)).toBe(true);
  });

  it("falls back to costs without ANALYZE and to nothing with COSTS OFF", () => {
    const plain = buildTreeModel(load("pg18/hash-join.txt"));
    expect(plain.metric).toBe("cost");
    expect(plain.rows[0]?.selfText).toMatch(/^cost /);
    const off = buildTreeModel(load("pg18/hash-join.costs-off.txt"));
    expect(off.metric).toBe("none");
    expect(off.hotIds).toEqual([]);
    expect(off.rows.every((r) => r.selfText === "—")).toBe(true);
  });
});

describe("visibleRows", () => {
  const shape = shapeOf({ 0: [1, 4], 1: [2, 3] });

  it("flattens in pre-order and leaves collapsed subtrees out", () => {
    expect(visibleRows(shape, { collapsed: none, unfoldedGroups: none, pinned: none }).map((r) => (r.kind === "node" ? r.id : "more"))).toEqual([0, 1, 2, 3, 4]);
    const rows = visibleRows(shape, { collapsed: new Set([1]), unfoldedGroups: none, pinned: none });
    expect(rows.map((r) => (r.kind === "node" ? [r.id, r.expanded] : null))).toEqual([
      [0, true],
      [1, false],
      [4, false],
    ]);
  });

  it("folds large sibling groups to the first five, keeping pinned members, until unfolded", () => {
    const kids = Array.from({ length: 30 }, (_, i) => i + 1);
    const big = shapeOf({ 0: kids });
    const rows = visibleRows(big, { collapsed: none, unfoldedGroups: none, pinned: new Set([20]) });
    expect(rows.map((r) => (r.kind === "node" ? r.id : `+${r.hiddenCount}`))).toEqual([0, 1, 2, 3, 4, 5, "+14", 20, "+10"]);
    expect(rows[7]).toMatchObject({ posInSet: 20, setSize: 30 });
    expect(visibleRows(big, { collapsed: none, unfoldedGroups: new Set([0]), pinned: none })).toHaveLength(31);
  });

  it("handles 5,000-deep chains without recursion", () => {
    const chain: Record<number, number[]> = {};
    for (let i = 0; i < 5000; i++) chain[i] = [i + 1];
    expect(visibleRows(shapeOf(chain), { collapsed: none, unfoldedGroups: none, pinned: none })).toHaveLength(5001);
  });

  it("maps keys to tree actions", () => {
    const rows = visibleRows(shape, { collapsed: none, unfoldedGroups: none, pinned: none });
    expect(treeKeyAction(rows, 0, "ArrowDown")).toEqual({ type: "move", index: 1 });
    expect(treeKeyAction(rows, 1, "ArrowLeft")).toEqual({ type: "collapse", id: 1 });
    expect(treeKeyAction(rows, 2, "ArrowLeft")).toEqual({ type: "move", index: 1 });
    expect(treeKeyAction(rows, 1, "ArrowRight")).toEqual({ type: "move", index: 2 });
    expect(treeKeyAction(rows, 3, "Enter")).toEqual({ type: "activate", id: 3 });
    const collapsed = visibleRows(shape, { collapsed: new Set([1]), unfoldedGroups: none, pinned: none });
    expect(treeKeyAction(collapsed, 1, "ArrowRight")).toEqual({ type: "expand", id: 1 });
  });
});

describe("nodeDetails", () => {
  it("groups what EXPLAIN said and leaves empty groups out", () => {
    const p = load("pg18/hash-join.analyze.json");
    const m = analyzePlan(p);
    const d = nodeDetails(p.root.children[0] ?? p.root, m.nodes[1] ?? null);
    const titles = d.sections.map((s) => s.title);
    expect(titles).toContain("Node");
    expect(titles).toContain("Time");
    expect(d.sections.flatMap((s) => s.items).some((i) => i.label === "Hash Cond" && i.code === true)).toBe(true);
    const costsOff = load("pg18/hash-join.costs-off.txt");
    expect(nodeDetails(costsOff.root, null).sections.map((s) => s.title)).not.toContain("Cost");
  });
});

describe("buildCompareModel", () => {
  it("nests rows by depth, pins changed rows and their ancestors, and marks deltas", () => {
    const before = plan(node("Limit", { actual: act(1, 10) }, [indexScan("orders", "orders_pkey", { actual: act(0.02, 10), estimate: est(8, 10) })]));
    const after = plan(node("Limit", { actual: act(9, 10) }, [seqScan("orders", { actual: act(8.24, 10), estimate: est(1900, 10) })]));
    const m = buildCompareModel(diffPlans(before, after));
    expect(m.shape.roots).toEqual([0]);
    expect(m.shape.childrenOf(0)).toEqual([1]);
    expect(m.parentOf(1)).toBe(0);
    expect(m.firstChange).toBe(1);
    expect([...m.pinned].sort()).toEqual([0, 1]);
    const scan = m.row(1);
    expect(scan?.status).toBe("changed");
    expect(scan?.time).toMatchObject({ tone: "worse", text: "412×↑" });
    expect(scan?.changesText).toContain("nodeType: Index Scan → Seq Scan");
    expect(scan?.ariaLabel).toMatch(/^changed: Index Scan using orders_pkey on orders → Seq Scan on orders/);
  });
});

describe("readPasted", () => {
  it("reads psql-framed text and reports errors with the line first", () => {
    const ok = readPasted(readFileSync(path.join(fixtures, "pasted/pg18-hash-join.framed.txt"), "utf8"));
    expect(ok.ok).toBe(true);
    const bad = readPasted(readFileSync(path.join(fixtures, "bad/junk-inside-plan.txt"), "utf8"));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^line \d+: /);
    const huge = readPasted("x".repeat(MAX_PLAN_SOURCE_CHARS + 1));
    expect(huge).toMatchObject({ ok: false, line: null });
    if (!huge.ok) expect(huge.message).toContain("too large");
  });
});

describe("planSummary", () => {
  it("names the hottest nodes and what a plain EXPLAIN cannot say", async () => {
    const { planSummary } = await import("./plan-summary");
    const analyzed = load("pg18/hash-join.analyze.json");
    const s = planSummary(analyzed, buildTreeModel(analyzed));
    expect(s.facts.map((f) => f.label)).toEqual(["Execution time", "Planning time", "Nodes", "Total cost", "Fingerprint"]);
    expect(s.hot.length).toBeGreaterThan(0);
    expect(s.note).toBeNull();
    const plain = load("pg18/hash-join.txt");
    expect(planSummary(plain, buildTreeModel(plain)).note).toContain("without ANALYZE");
  });
});
