// Pasted plans are untrusted and may be up to 8 Mi characters. Each case below once took far longer
// than the unit timeout (5 s) at the size given, or threw a RangeError (stack overflow) where a
// plan or the product's PlanParseError is due; the old time is in each case's comment.
import { describe, expect, it } from "vitest";
import { cleanupSource } from "./cleanup";
import { PlanParseError } from "./errors";
import { analyzePlan, fingerprint, parsePlan } from "./index";
import { parseSubplanName } from "./plan-tree";

const SCAN = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)";

describe("plan structure time is linear", () => {
  it("reads a subplan name with a long run of spaces in it", () => {
    // The name regex tried every label length against every split of the spaces: cubic, 1.4 s for
    // 1 kB → 92 s for 4 kB through parse and metrics; 2.5 kB took ~25 s.
    const name = `InitPlan x${" ".repeat(2500)}y`;
    const plan = parsePlan(JSON.stringify([{ Plan: { "Node Type": "Result", Plans: [{ "Node Type": "Result", "Parent Relationship": "InitPlan", "Subplan Name": name }] } }]));
    analyzePlan(plan);
    fingerprint(plan);
    expect(parseSubplanName(name)).toEqual({ kind: "InitPlan", label: `x${" ".repeat(2500)}y`, returns: [] });
  });

  it("reads subplan names as the regex they replace did", () => {
    expect(parseSubplanName("hashed SubPlan 2")).toEqual({ kind: "SubPlan", label: "2", returns: [] });
    expect(parseSubplanName("InitPlan 1 (returns $0,$1)")).toEqual({ kind: "InitPlan", label: "1", returns: ["$0", "$1"] });
    expect(parseSubplanName("CTE x (returns a (returns b)")).toEqual({ kind: "CTE", label: "x", returns: ["a (returns b"] });
    expect(parseSubplanName("CTE  (returns $0\n)")).toEqual({ kind: "CTE", label: "", returns: ["$0"] });
    expect(parseSubplanName("CTE x\ny")).toBeNull();
    expect(parseSubplanName("CTE ")).toBeNull();
    expect(parseSubplanName("CTEx y")).toBeNull();
  });

  it("drops psql's '+' marks when a line has a long run of spaces", () => {
    // /\s*\+\s*$/ scanned the run from each of its spaces: 20 kB 0.5 s → 80 kB 9.9 s; 120 kB ~22 s.
    const source = `${SCAN} +\n  Filter: (a${" ".repeat(120_000)}b)`;
    const lines = cleanupSource(source).lines.map((l) => l.text);
    expect(lines[0]).toBe(SCAN);
    expect(lines[1]?.length).toBe(120_014); // "  Filter: (a", the spaces, "b)"
  });

  it("glues many 1-character lines after a \"->\" line that never reads whole", () => {
    // Each glue re-read the whole line so far, up to MAX_GLUED_NODE_CHARS (4,096): 10 groups of
    // 4,200 lines (42 kB) took 15–18 s, with costs on and ")" lines as long.
    const groups = (head: string, part: string) =>
      ["Result", ...Array.from({ length: 10 }, () => [head, ...Array.from({ length: 4200 }, () => part)].join("\n"))].join("\n");
    const costsOff = cleanupSource(groups("  ->  Foo", "x")).lines.map((l) => l.text.length);
    // Per group: the "->" line glued until past the bound, then the other 112 lines glued onto one.
    expect(costsOff).toEqual([6, ...Array.from({ length: 10 }, () => [4097, 112]).flat()]);
    const costsOn = cleanupSource(groups("  ->  Foo (cost=", ")")).lines.map((l) => l.text.length);
    // Past the bound, the 119 lines left in a group are too short to have been cut.
    expect(costsOn).toEqual([6, ...Array.from({ length: 10 }, () => [4097, ...Array.from({ length: 119 }, () => 1)]).flat()]);
  });

  it("glues 320,000 1-character lines that never read as a root line", () => {
    // Each glue joined the pieces of the root line so far and read it twice, up to
    // MAX_GLUED_ROOT_CHARS (1,024): 0.64 MB took 21 s.
    const lines = cleanupSource(Array.from({ length: 320_000 }, () => "x").join("\n")).lines;
    // 312 lines of 1,024 pieces and the remaining 512 (312 × 1,024 + 512 = 320,000).
    expect(lines.map((l) => l.text.length)).toEqual([...Array.from({ length: 312 }, () => 1024), 512]);
  });

  it("points at a bad node after many siblings, deep in the tree", () => {
    // Locating the error compared the whole path at every value at its depth: depth × siblings,
    // 4,000 × 100,000 (1.9 MB) took ~20 s.
    const depth = 4000;
    const source = `[{"Plan":${`{"Node Type":"Limit","Plans":[`.repeat(depth)}${`{"Node Type":"a"},`.repeat(100_000)}\n{"Node Type":5}${"]}".repeat(depth)}}]`;
    const offset = source.indexOf("5}");
    expect(() => parsePlan(source)).toThrow(new PlanParseError('"Node Type" should be text, found 5', 2, offset));
  });
});

describe("deeply nested JSON values", () => {
  // JSON.parse reads values nested 10,000 deep (20 kB); JSON.stringify and String() recursed per
  // level and threw RangeError: Maximum call stack size exceeded.
  const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
  const node = (extra: string) => `[{"Plan":{"Node Type":"Seq Scan","Relation Name":"t"${extra}}}]`;

  it("keeps an unknown key's deep value as its JSON text", () => {
    expect(parsePlan(node(`,"Weird":${deep}`)).root.extra["Weird"]).toBe(deep);
  });

  it("quotes the start of a deep value of the wrong type", () => {
    const source = node(`,"Alias":${deep}`);
    const error = new PlanParseError(`"Alias" should be text, found ${"[".repeat(40)}`, 1, source.indexOf("[["));
    expect(() => parsePlan(source)).toThrow(error);
  });

  it("reads a deep Settings value as String() would", () => {
    expect(parsePlan(`[{"Plan":{"Node Type":"Result"},"Settings":{"a":${deep},"b":[[1,[2]],[]]}}]`).settings).toEqual({ a: "", b: "1,2," });
  });
});
