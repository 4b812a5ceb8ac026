// Gluing back lines a terminal cut, with its bounds: each glue used to re-read (and copy) the whole
// growing line, quadratic in the number of pieces (a 262 kB paste of 40-character junk lines took
// 78 s to refuse; psql's wrapped cells, 58 s for 1.4 MB). Now the pieces are joined once, and only the root line and "->" node lines,
// which are short in real plans, have a length past which gluing stops.
import { describe, expect, it } from "vitest";
import { MAX_GLUED_NODE_CHARS, MAX_GLUED_ROOT_CHARS } from "./cleanup";
import { parsePlan } from "./index";

/** Cuts every line longer than `width` into pieces of `width`, as a terminal does. */
function cutAt(text: string, width: number): string {
  return text
    .split("\n")
    .flatMap((line) => line.match(new RegExp(`.{1,${width}}`, "g")) ?? [""])
    .join("\n");
}

const ROOT = "Seq Scan on orders  (cost=0.00..35.50 rows=2550 width=4) (actual time=0.010..0.250 rows=2550 loops=1)";

describe("gluing cut lines", () => {
  it("glues a cut root line back", () => {
    const cut = cutAt(ROOT, 30);
    expect(cut.split("\n")).toHaveLength(4);
    const plan = parsePlan(cut);
    expect(plan.root.relationName).toBe("orders");
    expect(plan.root.actual?.rows).toBe(2550);
  });

  it("glues a long cut property line whole, however many pieces it has", () => {
    const values = Array.from({ length: 4000 }, (_, i) => String(i)).join(",");
    const text = `${ROOT}\n  Filter: (id = ANY ('{${values}}'::integer[]))\n  Rows Removed by Filter: 0`;
    const cut = cutAt(text, 100);
    expect(cut.split("\n").length).toBeGreaterThan(190);
    expect(parsePlan(cut).root.conditions).toEqual(parsePlan(text).root.conditions);
  });

  it("glues a multi-line Query Text with its newlines", () => {
    const query = "select *\n  from orders\n where id = 1";
    const plan = parsePlan(`Query Text: ${query}\n${ROOT}`);
    expect(plan.queryText).toBe(query);
  });

  it(`reads a cut root line longer than ${MAX_GLUED_ROOT_CHARS} characters as the uncut one`, () => {
    // Its first piece already reads as a node line: the rest is glued on as its continuation.
    const long = `Seq Scan on orders ${"a".repeat(1100)}  (cost=0.00..35.50 rows=2550 width=4)`;
    const cut = parsePlan(cutAt(long, 40)).root;
    expect(cut.alias).toBe("a".repeat(1100));
    expect(cut.estimate).toEqual(parsePlan(long).root.estimate);
  });

  it(`reads a cut "->" line longer than ${MAX_GLUED_NODE_CHARS} characters as the uncut one`, () => {
    const child = `  ->  Seq Scan on items ${"b".repeat(MAX_GLUED_NODE_CHARS)}  (cost=0.00..1.00 rows=1 width=4)`;
    const text = `Append  (cost=0.00..2.00 rows=2 width=4)\n${child}`;
    const [whole] = parsePlan(text).root.children;
    const [cut] = parsePlan(cutAt(text, 80)).root.children;
    expect(cut?.alias).toBe("b".repeat(MAX_GLUED_NODE_CHARS));
    expect(cut?.estimate).toEqual(whole?.estimate);
  });

  it("glues a cell psql's wrapped format cut into lines that end and start with \".\"", () => {
    const wrapped = ` QUERY PLAN\n-----------\n${ROOT.slice(0, 40)}.\n.${ROOT.slice(40, 80)}.\n.${ROOT.slice(80)}\n(3 rows)`;
    expect(parsePlan(wrapped).root).toEqual(parsePlan(ROOT).root);
  });

  it("refuses a long wrapped psql cell of junk in linear time", () => {
    // 20,000 cut lines (880 kB): joined step by step this took ~20 s; now tens of milliseconds.
    const cell = Array.from({ length: 20_000 }, (_, i) => (i === 0 ? `${ROOT}.` : `.${"x".repeat(40)}.`)).join("\n");
    expect(() => parsePlan(` QUERY PLAN\n-----------\n${cell}\n(1 row)`)).toThrow(/not an EXPLAIN plan/);
  });

  it("refuses a long paste of junk that never reads as a plan", () => {
    const junk = Array.from({ length: 5_000 }, (_, i) => `word${i} ${"v".repeat(30)}`).join(" ");
    expect(() => parsePlan(cutAt(junk, 40))).toThrow(/not an EXPLAIN plan/);
  });
});
