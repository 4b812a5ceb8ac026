// Text fast paths give what the plain code they replace gives (fast-paths.test.ts has the earlier ones).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mayHoldRowCount } from "./cleanup";
import { parsePlan } from "./parse";
import { bareEnd, decimal, parseTarget } from "./text-node-line";
import { buffersByRegex } from "./test-helpers";
import { parseBuffers } from "./text-properties";

const read = (file: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", file), "utf8");

describe("mayHoldRowCount", () => {
  it("says what /\\(\\d+ / says", () => {
    const texts = ["", "(", "(1", "(1 ", "( 1 ", "(12 rows)", "x(0 y", "(a1 ", "((3 ", "(3(4 ", "(٣ ", "(1\t", "(cost=1 (7 rows)", read("pg18/big-union.analyze.txt")];
    for (const text of texts) expect([text.slice(0, 20), mayHoldRowCount(text)]).toEqual([text.slice(0, 20), /\(\d+ /.test(text)]);
  });
});

describe("bareEnd", () => {
  it("ends an unquoted identifier where /^[^\\s.\"]+/ does", () => {
    const texts = ["orders o", "public.orders", 'a"b', "tab\tx", "nb\u00a0sp", "em\u2003sp", "bom\ufeffx", "ctl\u0001x", "é t", "x", "", ".x", "日本 x"];
    for (const text of texts) {
      for (let start = 0; start <= text.length; start++) {
        const m = /^[^\s."]+/.exec(text.slice(start));
        expect([text, start, bareEnd(text, start)]).toEqual([text, start, start + (m?.[0].length ?? 0)]);
      }
    }
    expect(parseTarget('public."My Table" t')).toEqual({ schema: "public", object: "My Table", alias: "t" });
    // Only a plain space separates an alias: other whitespace ends the token, then fails the parse.
    expect(parseTarget("a\u00a0b")).toBeNull();
  });
});

describe("gluing lines a terminal cut", () => {
  it("reads a big plan cut at a terminal's width as the uncut plan", () => {
    const text = read("pg18/big-union.analyze.txt");
    const width = 100;
    const cut = text
      .split("\n")
      .flatMap((l) => (l.length <= width ? [l] : [l.slice(0, width), l.slice(width)]))
      .join("\n");
    expect(cut).not.toBe(text);
    expect(parsePlan(cut)).toEqual(parsePlan(text));
  });
});

describe("decimal", () => {
  it("is Number() for every figure a node line can hold", () => {
    const texts = ["0", "00", "1", "24.00", "0.031", "6019.12", "1.5", "0.1", "0.3", "9007199254740991", "9007199254740993", "123456789012345", "1234567890123456", "12345678901234.5", "1234567890123.45", "0.000000000000001", "99999999999999.9", "", ".5", "5.", "1.2.3", "1e5", " 1", "-1", "٣"];
    for (let i = 0; i < 20_000; i++) {
      const whole = String(Math.floor(Math.random() * 10 ** (1 + (i % 12))));
      const frac = String(Math.floor(Math.random() * 10 ** (1 + (i % 7)))).padStart(1 + (i % 7), "0");
      texts.push(whole, `${whole}.${frac}`);
    }
    for (const text of texts) expect([text, decimal(text)]).toEqual([text, Number(text)]);
  });
});

describe("parseBuffers", () => {
  it("reads the usual shared-only value as the regexes do, and leaves the rest to them", () => {
    const values = [
      "shared hit=1", "shared hit=2776", "shared hit=1 read=2", "shared hit=1 read=2 dirtied=3 written=4", "shared read=5 hit=6",
      "shared hit=1 hit=2", "shared  hit=1", "shared hit=1 ", "shared hit=1x", "shared hit=", "shared hit", "shared =1", "shared ",
      "shared", "shared hit=1, temp read=3", "shared hit=1 foo=2", "shared foo=2 hit=3", "shared hit=01", "shared hit=1234567890123456789",
      "shared hit=999999999999999", "shared hit=1\nread=2", "shared\thit=1", "local hit=1", "temp read=1 written=2", " shared hit=1", "",
    ];
    for (const value of values) expect([value, parseBuffers(value)]).toEqual([value, buffersByRegex(value)]);
  });
});
