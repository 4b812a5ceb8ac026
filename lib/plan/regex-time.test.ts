// Pasted plans are untrusted and may be up to 8 Mi characters, all of it on one line if the paster
// likes. Regexes of the text parser backtracked superlinearly on such a line (a long run of spaces,
// a word with no "=", many " on "…) and took seconds to hours at these sizes; each was replaced by
// a scan. Each case below reads a line of 1–2 MB (the unit timeout, 5 s, fails a regression) and
// checks the scan against the regex it replaced, kept here as the reference, on crafted and random
// lines.
import { describe, expect, it } from "vitest";
import { parsePlan, PlanParseError } from "./index";
import type { Actual, Estimate, PlanNode } from "./model";
import { emptyNode } from "./node-draft";
import { decimal, normalizeSubplanName, parseLabel, parseNodeHeader, parseSubplanHeader, type NodeHeader } from "./text-node-line";
import { buffersByRegex } from "./test-helpers";
import { applyPair, parseBuffers, parseTrigger, splitPairs } from "./text-properties";

const SIZE = 2_000_000;
const COST = "(cost=0.00..1.00 rows=1 width=4)";
const ROOT = `Seq Scan on t  ${COST} (actual time=0.010..0.020 rows=1 loops=1)`;
/** A plan whose root has one more line: a property, or a summary line after the tree. */
const withLine = (line: string) => `${ROOT}\n${line}`;
/** A plan with a subplan header line `header` over its first child. */
const withSubplan = (header: string) => `Nested Loop  ${COST}\n  ${header}\n    ->  Seq Scan on u  ${COST}\n  ->  Seq Scan on t  ${COST}`;
const refused = (text: string) => expect(() => parsePlan(text)).toThrow(PlanParseError);

/** A seeded generator (mulberry32): the random lines are the same on every run. */
function randomText(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const join = (tokens: readonly string[], max: number) => Array.from({ length: Math.floor(next() * (max + 1)) }, () => pick(tokens)).join("");
  return { next, pick, join };
}

/** Whitespace to mix in: `\s` has more than the space, and line terminators stop `.`. */
const SPACES = [" ", " ", "  ", "   ", "\t", "\u00a0", "\u2028", "\u2029", "\u3000", "\ufeff", "\u000b", "\u180e", "\u0085", "\u200b"];

describe("node lines", () => {
  const NUM = String.raw`\d+(?:\.\d+)?`;
  const TAIL = new RegExp(
    String.raw`^(.*?)(?:\s+\(cost=(${NUM})\.\.(${NUM}) rows=(${NUM}) width=(\d+)\))?` +
      String.raw`(?:\s+\((?:actual (?:time=(${NUM})\.\.(${NUM}) )?rows=(${NUM}) loops=(\d+)|(never executed))\))?$`,
  );
  /** parseNodeHeader as it was, by one regex for the line. */
  function headerByRegex(content: string): NodeHeader | null {
    const m = TAIL.exec(content.trim());
    if (!m) return null;
    const node = parseLabel(m[1] ?? "");
    if (!node) return null;
    if (m[2] !== undefined) node.estimate = { startupCost: decimal(m[2]), totalCost: decimal(m[3] ?? ""), rows: decimal(m[4] ?? ""), widthBytes: decimal(m[5] ?? "") } satisfies Estimate;
    if (m[8] !== undefined) {
      node.actual = { startupTimeMs: m[6] !== undefined ? decimal(m[6]) : null, totalTimeMs: m[7] !== undefined ? decimal(m[7]) : null, rows: decimal(m[8]), loops: decimal(m[9] ?? "") } satisfies Actual;
    }
    node.neverExecuted = m[10] !== undefined;
    return node;
  }

  it("reads a line with a long run of spaces in linear time", () => {
    refused(`Seq Scan on t${" ".repeat(SIZE)}x`);
    refused(`Nested Loop  ${COST}\n  ->  Seq Scan on t${" ".repeat(SIZE)}x  ${COST}`);
    refused(`Seq Scan on t${"  (cost=0.00..1.00 rows=1 width=4)".repeat(SIZE / 34)}`);
    refused(`Seq Scan on t${" (".repeat(SIZE / 2)}`);
    refused(`Seq Scan on t  (cost=${"1".repeat(SIZE)}..1 rows=1 width=1)  x (actual rows=1 loops=1)`);
    const root = parsePlan(`Seq Scan on t${" ".repeat(SIZE / 2)}${COST}${" ".repeat(SIZE / 2)}(actual rows=2 loops=1)`).root;
    expect([root.nodeType, root.relationName, root.estimate?.totalCost, root.actual?.rows]).toEqual(["Seq Scan", "t", 1, 2]);
    // A quoted name of megabytes is read up to each quote at once.
    const insert = parsePlan(`Insert on "${"a".repeat(SIZE)}"  ${COST}`).root;
    expect(insert.relationName).toHaveLength(SIZE);
  });

  it("reads what the regex read", () => {
    const lines = [
      `Seq Scan on t  ${COST}`, `Seq Scan on t ${COST}  (never executed)`, `Seq Scan on t  (actual time=1.5..2 rows=3.00 loops=1)`,
      `Seq Scan on t  ${COST}(actual rows=1 loops=1)`, `Seq Scan on t(cost=0.00..1.00 rows=1 width=4)`, `Hash Join  (actual rows=1 loops=1)  ${COST}`,
      `Seq Scan on t  ${COST}  ${COST}`, `Seq Scan on t  (actual rows=1 loops=1)  (actual rows=1 loops=1)`, `Custom Scan (x)  ${COST}`,
      `Custom Scan (x) (never executed)`, `Seq Scan on t\u2028  ${COST}`, `Seq Scan on "a\u2028b"  ${COST}`, `Seq Scan on "a\u2028b"`,
      `Seq Scan on t \u2028 ${COST}`, `  Seq Scan on t  ${COST}  `, `Seq Scan on t  (cost=1..2 rows=3 width=4`, `Seq Scan on t  (cost=1.2.3..2 rows=3 width=4)`,
      `Seq Scan on t  (actual time=1..2 loops=1)`, `Seq Scan on t  (never executed))`, `Result`, ``, ` `, `(cost=1..2 rows=3 width=4)`,
      `Seq Scan on t  (cost=12345678901234567.5..9007199254740993 rows=1 width=4)`, `Seq Scan on t\u00a0\u00a0${COST}\t(never executed)`,
    ];
    const random = randomText(1);
    const labels = ["Seq Scan on t", "Hash Join", "Nested Loop", "Index Scan using i on t", "Custom Scan (x)", 'Seq Scan on "a b"', "Result", "Parallel Seq Scan on t x", "Insert on t", "x"];
    const num = () => (random.next() < 0.95 ? random.pick(["0", "1", "0.00", "1.5", "24.00", "6019.12", "12345678901234567.5"]) : random.pick(["1.", ".5", "1.2.3", "", "a"]));
    const cost = () => `(cost=${num()}..${num()} rows=${num()} width=${random.pick(["4", "0", "12", "1.5"])})`;
    const actual = () =>
      random.next() < 0.25 ? random.pick(["(never executed)", "(never executed", "(never executed))"]) : `(actual ${random.next() < 0.6 ? `time=${num()}..${num()} ` : ""}rows=${num()} loops=${random.pick(["1", "2", "10", "1.5"])})`;
    const noise = () => [...SPACES, cost(), actual(), "(", ")", "x", "(cost=", "(actual ", "..", " on "];
    for (let i = 0; i < 20_000; i++) {
      const maybe = (p: number, text: () => string) => (random.next() < p ? text() : "");
      lines.push(
        random.next() < 0.6
          ? random.pick(["", " ", "  "]) + random.pick(labels) + maybe(0.3, () => random.join(noise(), 3)) + maybe(0.7, () => random.pick(SPACES) + maybe(0.3, () => random.pick(SPACES)) + cost()) +
              maybe(0.6, () => random.pick(SPACES) + actual()) + maybe(0.2, () => random.join(noise(), 3)) + random.pick(["", " ", "\u2028"])
          : random.join(noise(), 8),
      );
    }
    const read = lines.map((line) => [line, parseNodeHeader(line)]);
    expect(read).toEqual(lines.map((line) => [line, headerByRegex(line)]));
    // The cases cover every reading: no tail, cost only, actual only, both, never executed.
    const headers = read.map(([, h]) => h as NodeHeader | null);
    expect(headers.filter((h) => h && h.estimate && h.actual).length).toBeGreaterThan(300);
    expect(headers.filter((h) => h && !h.estimate && h.actual).length).toBeGreaterThan(300);
    expect(headers.filter((h) => h && h.estimate && !h.actual && !h.neverExecuted).length).toBeGreaterThan(500);
    expect(headers.filter((h) => h && h.neverExecuted).length).toBeGreaterThan(100);
  });
});

describe("subplan names", () => {
  const byRegex = (name: string) => name.replace(/ \(returns [^)]*\)$/, "");

  it("reads many unclosed \" (returns \" in linear time", () => {
    const name = `CTE x${" (returns a".repeat(SIZE / 11)}`;
    expect(parsePlan(withSubplan(name)).root.children[0]?.subplanName).toBe(name);
    expect(normalizeSubplanName(`${name})`)).toBe("CTE x");
    expect(parseSubplanHeader(`InitPlan 1${" (returns a".repeat(SIZE / 11)})`)).toEqual({ relationship: "InitPlan", name: "InitPlan 1" });
    expect(parseSubplanHeader(`InitPlan ${"1".repeat(SIZE)} (returns a`)).toBeNull();
  });

  it("drops what the regex dropped", () => {
    const names = ["InitPlan 1 (returns $0)", "InitPlan 1 (returns (returns $0)", "InitPlan 1 (returns $0) (returns $1)", "x (returns )", " (returns )", "(returns $0)", ")", "", "a)"];
    const random = randomText(2);
    for (let i = 0; i < 20_000; i++) names.push(random.pick(["InitPlan 1", "CTE x", "", "x"]) + random.join([" (returns ", "$0", ")", "(", " ", "a", " (returns $0)", "\u2028"], 6));
    expect(names.map((name) => [name, normalizeSubplanName(name)])).toEqual(names.map((name) => [name, byRegex(name)]));
    expect(names.filter((name) => byRegex(name) !== name).length).toBeGreaterThan(2000);
  });
});

describe("lines of several key-value pairs", () => {
  const MULTI = /^(?:Buckets|Batches|Planned Partitions|Sort Method|Hits|Storage|Estimates):/;
  function splitByRegex(content: string): Array<[string, string]> {
    const parts = MULTI.test(content) ? content.split(/\s{2,}(?=[A-Z][A-Za-z -]*:\s)/) : [content];
    return parts.map((part) => {
      const colon = part.indexOf(":");
      return colon < 0 ? [part.trim(), ""] : [part.slice(0, colon).trim(), part.slice(colon + 1).trim()];
    });
  }

  it("splits a long run of spaces or of keys in linear time", () => {
    expect(splitPairs(`Buckets: 1${" ".repeat(SIZE)}x`)).toEqual([["Buckets", `1${" ".repeat(SIZE)}x`]]);
    expect(splitPairs(`Buckets: 1${"  A".repeat(SIZE / 3)}`)).toHaveLength(1);
    expect(splitPairs(`Buckets: 1${"  Ab: 1".repeat(SIZE / 70)}`)).toHaveLength(1 + Math.floor(SIZE / 70));
    expect(parsePlan(withLine(`  Buckets: 1${" ".repeat(SIZE)}x`)).root.hashBuckets).toBeNaN();
  });

  it("splits where the regex split", () => {
    const lines = ["Buckets: 1024  Batches: 1  Memory Usage: 9kB", "Sort Method: quicksort  Memory: 25kB", "Buckets: 1  A: b", "Buckets: 1  A:b", "Buckets: 1 A: b", "Buckets: 1\t\tA-b c: d", "Buckets: 1  a: b"];
    const random = randomText(3);
    const tokens = [...SPACES, " ", "  ", "A", "a", "Batches:", "Memory Usage:", ":", " :", "B-b", "1024", "kB", "-", "Xy z:", "\t"];
    for (let i = 0; i < 20_000; i++) lines.push(random.pick(["Buckets:", "Batches:", "Sort Method:", "Hits:", "Storage:", "Estimates:", "Planned Partitions:", "Memory:"]) + random.join(tokens, 12));
    expect(lines.map((line) => [line, splitPairs(line)])).toEqual(lines.map((line) => [line, splitByRegex(line)]));
    expect(lines.filter((line) => splitByRegex(line).length > 1).length).toBeGreaterThan(500);
    expect(lines.filter((line) => splitByRegex(line).length > 2).length).toBeGreaterThan(30);
  });
});

describe("trigger lines", () => {
  function triggerByRegex(content: string) {
    const m = /^Trigger(?: (?!for constraint )(.*?))?(?: for constraint (.+?))?(?: on (.+?))?: (?:time=(\d+(?:\.\d+)?) )?calls=(\d+)$/.exec(content);
    if (!m) return null;
    return { name: m[2] ?? m[1] ?? "", relationName: m[3] ?? null, timeMs: m[4] !== undefined ? Number(m[4]) : null, calls: Number(m[5]) };
  }

  it("reads a long trigger line in linear time", () => {
    expect(parsePlan(withLine(`Trigger a${" for constraint b on c".repeat(SIZE / 21)}: x`)).triggers).toEqual([]);
    expect(parsePlan(withLine(`Trigger a${" on b".repeat(SIZE / 5)}: x`)).triggers).toEqual([]);
    const ons = Math.floor(SIZE / 6);
    expect(parseTrigger(`Trigger a${" on b:".repeat(ons)} calls=1`)?.relationName).toHaveLength(6 * ons - 5);
    expect(parseTrigger(`Trigger a${" on b".repeat(SIZE / 5)}\u2028: calls=1`)).toBeNull();
    const constraints = Math.floor(SIZE / 22);
    const fc = parseTrigger(`Trigger a${" for constraint b on c".repeat(constraints)}: time=1.5 calls=2`);
    expect([fc?.name, fc?.relationName?.length, fc?.timeMs, fc?.calls]).toEqual(["b", 22 * constraints - 21, 1.5, 2]);
  });

  it("reads what the regex read", () => {
    const lines = [
      "Trigger t: time=1.2 calls=3", "Trigger RI_ConstraintTrigger_a_1 for constraint fk on orders: time=0.5 calls=10", "Trigger for constraint fk: calls=1",
      "Trigger t on r: calls=1", "Trigger : calls=1", "Trigger: calls=1", "Trigger  on r: calls=1", "Trigger t for constraint : calls=1", "Trigger a:b: calls=1",
      "Trigger t on : calls=1", "Trigger t on r\u2028x: calls=1", "Trigger t\u2028 on r: calls=1", "Trigger t for constraint c\u2028 on r: calls=1", "Triggers: calls=1",
    ];
    const random = randomText(4);
    const tokens = ["a", "b", " ", " on ", " for constraint ", "for constraint ", " on", "on ", ":", ": ", "\u2028", "\r", "x:y", " for", " constraint "];
    const tails = [": calls=1", ": time=1.5 calls=2", ":calls=1", ": calls=", ": time=1. calls=2", "", ": calls=1x"];
    for (let i = 0; i < 20_000; i++) lines.push(random.pick(["Trigger", "Trigger ", "Trigger  ", "Trigger for constraint ", "Triggers"]) + random.join(tokens, 7) + random.pick(tails));
    expect(lines.map((line) => [line, parseTrigger(line)])).toEqual(lines.map((line) => [line, triggerByRegex(line)]));
    expect(lines.filter((line) => triggerByRegex(line)).length).toBeGreaterThan(1000);
    expect(lines.filter((line) => triggerByRegex(line)?.relationName).length).toBeGreaterThan(200);
    expect(lines.filter((line) => triggerByRegex(line) && /for constraint .+ on /.test(line)).length).toBeGreaterThan(100);
  });
});

describe("counts read as key=N (Buffers, Tuples, Heap Blocks, WAL)", () => {
  const counts = (value: string, re: RegExp) => [...value.matchAll(re)].map(([, key, n]) => [key ?? "", Number(n)] as const);
  /** applyPair's extras for each key as they were, by matchAll. */
  const extrasByRegex: Record<string, (value: string) => Record<string, number>> = {
    Tuples: (value) => {
      const m = Object.fromEntries(counts(value, /(\w+)=(\d+)/g));
      return Object.fromEntries(["inserted", "updated", "deleted", "skipped"].map((k) => [`Tuples ${k[0]?.toUpperCase()}${k.slice(1)}`, m[k] ?? 0]));
    },
    "Heap Blocks": (value) => {
      const m = Object.fromEntries(counts(value, /(\w+)=(\d+)/g));
      return { "Exact Heap Blocks": m.exact ?? 0, "Lossy Heap Blocks": m.lossy ?? 0 };
    },
    WAL: (value) => {
      const names: Record<string, string> = { records: "WAL Records", fpi: "WAL FPI", bytes: "WAL Bytes", "buffers full": "WAL Buffers Full" };
      const out: Record<string, number> = {};
      for (const [key, n] of counts(value, /([a-z ]+?)=(\d+)/g)) {
        const name = names[key.trim()];
        if (name) out[name] = n;
      }
      return out;
    },
  };
  const extrasOf = (key: string, value: string): PlanNode["extra"] => applyPair(emptyNode("Result"), key, value).extra;

  it("reads a long word with no \"=\" in linear time", () => {
    const word = "a".repeat(SIZE);
    const rootExtra = parsePlan(ROOT).root.extra;
    expect(parsePlan(withLine(`  WAL: ${word}`)).root.extra).toEqual(rootExtra);
    expect(parsePlan(withLine(`  WAL: ${"a ".repeat(SIZE / 2)}`)).root.extra).toEqual(rootExtra);
    expect(parsePlan(withLine(`  Heap Blocks: ${word}`)).root.extra).toMatchObject({ "Exact Heap Blocks": 0, "Lossy Heap Blocks": 0 });
    expect(parsePlan(withLine(`  Tuples: ${word}`)).root.extra).toMatchObject({ "Tuples Inserted": 0 });
    expect(parsePlan(withLine(`  Buffers: shared ${word}`)).root.buffers?.sharedHitBlocks).toBe(0);
    // A line terminator after a long run of spaces made the segment's `\s+` backtrack.
    expect(parsePlan(withLine(`  Buffers: shared${" ".repeat(SIZE)}hit=1\u2028x`)).root.buffers?.sharedHitBlocks).toBe(0);
    expect(parsePlan(withLine(`  Buffers: local${" ".repeat(SIZE)}hit=1`)).root.buffers?.localHitBlocks).toBe(1);
  });

  it("reads what the regexes read", () => {
    const values = ["inserted=1 updated=2 deleted=0 skipped=3", "a=1b=2", "exact=770 lossy=2", "records=10 fpi=0 bytes=1000 buffers full=0", "x_1=2=3", "=1", "constructor=5", "__proto__=1 records=2", "shared hit=1 read=2, temp read=4 written=5"];
    const random = randomText(5);
    const tokens = ["a", "b", "_", "1", "22", "=", "=1", "=12", " ", ",", "shared", "local", "temp", " hit=", " read=", "records", "fpi", "buffers full", "é", "Z", "\u2028", "  ", "inserted", "exact", "lossy", "constructor"];
    for (let i = 0; i < 10_000; i++) values.push(random.pick(["", "", "shared ", "local ", " temp ", "shared hit=1, ", "inserted="]) + random.join(tokens, 10));
    for (const key of Object.keys(extrasByRegex)) {
      const byRegex = extrasByRegex[key] as (value: string) => Record<string, number>;
      expect(values.map((value) => [key, value, extrasOf(key, value)])).toEqual(values.map((value) => [key, value, byRegex(value)]));
    }
    expect(values.map((value) => [value, parseBuffers(value)])).toEqual(values.map((value) => [value, buffersByRegex(value)]));
    expect(values.filter((value) => Object.keys(extrasByRegex.WAL?.(value) ?? {}).length > 0).length).toBeGreaterThan(100);
    expect(values.filter((value) => extrasByRegex.Tuples?.(value)["Tuples Inserted"]).length).toBeGreaterThan(50);
    expect(values.filter((value) => Object.values(buffersByRegex(value)).some((n) => n > 0)).length).toBeGreaterThan(500);
  });
});
