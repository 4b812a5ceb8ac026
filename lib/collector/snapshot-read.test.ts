import { describe, expect, it } from "vitest";
import { groupEntries, parseEntryLine, pgssQuery } from "./snapshot-read";

// user, db, queryid, calls, total, mean, stddev, plan total, plans, rows, hit, read, temp read, temp written, stats_since
const line = (over: Record<number, string> = {}) =>
  ["10", "16384", "-9223372036854775808", "4", "10", "2.5", "0.5", "1.25", "4", "40", "7", "3", "0", "0", "1764759600000"]
    .map((v, i) => over[i] ?? v)
    .join(",");

describe("pg_stat_statements read", () => {
  it("parses a line: int8 exactly, Σx² from calls, mean and stddev, the key from the server's own digits", () => {
    const e = parseEntryLine(line({ 3: "9007199254740993" }));
    expect(e.key).toBe("10:16384:-9223372036854775808");
    expect(e.queryId).toBe(-9223372036854775808n);
    expect(e.counters.calls).toBe(9007199254740993n); // past 2^53: never through a float
    expect(e.counters.totalExecMs).toBe(10);
    expect(e.counters.totalPlanMs).toBe(1.25);
    expect(e.statsSinceMs).toBe(1764759600000);
    const small = parseEntryLine(line());
    expect(small.counters.sumSquaresExecMs2).toBe(4 * (0.5 * 0.5 + 2.5 * 2.5)); // n·(s² + m²) = 4·6.5 = 26
  });

  it("reads empty planning fields and stats_since as NULL, never as zero", () => {
    const e = parseEntryLine(line({ 7: "", 8: "", 14: "" }));
    expect([e.counters.totalPlanMs, e.counters.plans, e.statsSinceMs]).toEqual([null, null, null]);
  });

  it("refuses an empty or non-numeric counter, naming it", () => {
    expect(() => parseEntryLine(line({ 3: "" }))).toThrow(/"" for calls of queryid -9223372036854775808/);
    expect(() => parseEntryLine(line({ 9: "12a" }))).toThrow(/"12a" for rows/);
    expect(() => parseEntryLine(line({ 4: "fast" }))).toThrow(/"fast" for total_exec_ms/);
    expect(() => parseEntryLine("1,2,3")).toThrow(/3 fields, expected 15/);
  });

  it("sums the toplevel and nested rows of one statement into one entry", () => {
    const entries = groupEntries([line(), line({ 3: "1", 4: "5", 5: "5", 6: "0", 9: "1", 14: "1764759700000" }), line({ 2: "7" })].join("\n"));
    expect(entries.map((e) => [e.key, e.counters.calls, e.counters.totalExecMs, e.counters.rows, e.statsSinceMs])).toEqual([
      ["10:16384:-9223372036854775808", 5n, 15, 41n, 1764759700000], // 4 + 1 calls, 10 + 5 ms, the later stats_since
      ["10:16384:7", 4n, 10, 40n, 1764759600000],
    ]);
    expect(groupEntries(null)).toEqual([]);
  });

  it("asks for planning counters and stats_since only where the extension has them", () => {
    const pg15 = pgssQuery({ version: [1, 10], schema: null, trackPlanning: false, hasInfoView: true });
    expect(pg15).not.toMatch(/total_plan_time|stats_since/);
    const pg18 = pgssQuery({ version: [1, 12], schema: "ext", trackPlanning: true, hasInfoView: true });
    expect(pg18).toMatch(/s\.total_plan_time::text.*s\.plans::text/s);
    expect(pg18).toMatch(/"ext"\.pg_stat_statements\(false\)/);
  });
});
