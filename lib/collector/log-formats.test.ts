import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  autoExplainPayload,
  completeCsvBytes,
  formatOfLogFile,
  parseCsvlogChunk,
  parseJsonlogChunk,
  parseLogTimestamp,
  parseStderrChunk,
  timestampZone,
  type ChunkParse,
} from "./log-formats";
import { compileLinePrefix, prefixHasQueryId } from "./log-line-prefix";

// Real server output: test/fixtures/server-logs/README.md says how it was produced.
const fixtures = path.resolve(import.meta.dirname, "../../test/fixtures/server-logs");
const fixture = (name: string) => readFileSync(path.join(fixtures, name));
const PREFIX = "%m [%p] %q%u@%d qid=%Q ";
const stderr = (chunk: Buffer, fileComplete = false) => parseStderrChunk(chunk, { prefix: compileLinePrefix(PREFIX), fileComplete });

const parsers: Record<string, (chunk: Buffer) => ChunkParse> = {
  jsonlog: parseJsonlogChunk,
  csvlog: parseCsvlogChunk,
  stderr: (c) => stderr(c),
};
const files = { jsonlog: "jsonlog.json", csvlog: "csvlog.csv", stderr: "stderr.log" } as const;

describe.each([15, 18])("PostgreSQL %i log files", (major) => {
  describe.each(Object.keys(files) as Array<keyof typeof files>)("%s", (format) => {
    const bytes = fixture(`pg${major}.${files[format]}`);
    const parse = parsers[format]!;

    it("reads every auto_explain record with its query id, user, database and timestamp", () => {
      const { records, consumedBytes, malformed } = parse(bytes);
      expect(malformed).toBe(0);
      const plans = records.filter((r) => autoExplainPayload(r.message));
      // select 1, insert, analyze (no plan), two runs of the $1 select, the <10 select, junk, pg_sleep
      const queryText = (message: string) => {
        try {
          return (JSON.parse(autoExplainPayload(message)?.payload ?? "") as { "Query Text": string })["Query Text"];
        } catch {
          return "junk";
        }
      };
      expect(plans.map((r) => queryText(r.message))).toEqual([
        "select 1",
        "insert into t select g, 'v' || g from generate_series(1,1000) g",
        "select * from t where id = $1",
        "select v,\n  id from t where id < 10",
        "select * from t where id = $1",
        "junk",
        "select pg_sleep(0.3)",
      ]);
      for (const r of plans) {
        expect(r.queryId).toMatch(/^-?[1-9]\d*$/);
        expect(r.user).toBe("postgres");
        expect(r.database).toBe("postgres");
        expect(parseLogTimestamp(r.timestamp)?.getUTCFullYear()).toBe(2026);
      }
      // Both runs of the parameterized select share the query id.
      expect(plans[2]?.queryId).toBe(plans[4]?.queryId);
      // Every complete record of the file is consumed: the file ends with '\n'.
      if (format !== "stderr") expect(consumedBytes).toBe(bytes.length);
    });

    it("keeps the exact 64-bit query id (no rounding through JSON numbers)", () => {
      const ids = parse(bytes).records.map((r) => r.queryId).filter((id) => id !== null);
      const text = bytes.toString("utf8");
      for (const id of ids) expect(text).toContain(id);
    });

    it("multi-line messages come back with their lines, without the stderr tab", () => {
      const multi = parse(bytes).records.find((r) => r.message.startsWith("multi"));
      expect(multi?.message).toBe("multi\nline\n\tmessage");
      const plan = parse(bytes).records.find((r) => r.message.includes('"Query Text": "select 1"'));
      expect(plan?.message.startsWith("duration: ")).toBe(true);
      expect(plan?.message).toContain('\n{\n  "Query Text": "select 1",\n');
    });

    it("never consumes a record cut in the middle, at any cut point", () => {
      const whole = parse(bytes).records.length;
      for (let cut = 0; cut < bytes.length; cut += 97) {
        const first = parse(bytes.subarray(0, cut));
        expect(first.consumedBytes).toBeLessThanOrEqual(cut);
        const rest = parse(bytes.subarray(first.consumedBytes));
        const messages = [...first.records, ...rest.records].map((r) => r.message);
        expect(messages).toEqual(parse(bytes).records.map((r) => r.message));
        expect(messages.length).toBe(whole);
      }
    });
  });
});

describe("jsonlog", () => {
  it("counts a broken line and goes on", () => {
    const good = fixture("pg18.jsonlog.json").toString("utf8").split("\n")[0]!;
    const { records, malformed } = parseJsonlogChunk(Buffer.from(`${good}\n{"message": "x"\n${good}\n`));
    expect(records.length).toBe(2);
    expect(malformed).toBe(1);
  });
});

describe("csvlog", () => {
  it("a newline inside quotes does not end a record; doubled quotes are quotes", () => {
    const text = 'a,"x\n""y""",b\nc';
    expect(completeCsvBytes(Buffer.from(text))).toBe(text.indexOf("c"));
  });
  it("older servers without the query_id column give null ids", () => {
    const row = fixture("pg15.csvlog.csv").toString("utf8").split("\n")[0]!.replace(/,0$/, "").replace(/,$/, "");
    const { records } = parseCsvlogChunk(Buffer.from(`${row}\n`));
    expect(records[0]?.queryId).toBeNull();
  });
});

describe("stderr", () => {
  it("holds back a trailing auto_explain record until its JSON is complete or the file is done", () => {
    const bytes = fixture("pg18.stderr.log");
    const text = bytes.toString("utf8");
    const start = text.indexOf('\t  "Query Text": "select pg_sleep(0.3)"');
    const cut = Buffer.from(text.slice(0, text.indexOf("\n", start) + 1));
    const open = stderr(cut);
    expect(open.records.at(-1)?.message).not.toContain("pg_sleep");
    expect(open.consumedBytes).toBeLessThan(cut.length);
    expect(stderr(bytes).records.at(-1)?.message).toContain("pg_sleep");
    // A finished (rotated-away) file gives up its last record as it is.
    expect(stderr(cut, true).records.at(-1)?.message).toContain("pg_sleep");
  });

  it("parses prefixes with %q, padding and repeated fields", () => {
    const parse = compileLinePrefix("%t [%5p] %q%-10u %d %u ");
    expect(parse("2026-11-22 02:39:31 UTC [  123] LOG:  checkpoint starting")).toMatchObject({ severity: "LOG", text: "checkpoint starting" });
    expect(parse("2026-11-22 02:39:31 UTC [  123] alice      app alice LOG:  hi")?.fields).toMatchObject({ user: "alice", database: "app" });
    expect(prefixHasQueryId("%m [%p] qid=%Q ")).toBe(true);
    expect(prefixHasQueryId("%m [%p] %%Q ")).toBe(false);
  });

  it("query id 0 (utility statements, background processes) means none", () => {
    const { records } = stderr(Buffer.from("2026-11-22 02:39:31.900 UTC [17572] postgres@db qid=0 LOG:  x\n"), true);
    expect(records[0]?.queryId).toBeNull();
  });
});

describe("timestamps and file names", () => {
  it("converts zone names and offsets", () => {
    expect(parseLogTimestamp("2026-11-22 02:39:58.044 UTC")?.toISOString()).toBe("2026-11-22T02:39:58.044Z");
    expect(parseLogTimestamp("2026-11-22 02:39:58 +03")?.toISOString()).toBe("2026-11-21T23:39:58.000Z");
    expect(parseLogTimestamp("2026-11-22 02:39:58.5 -05:30")?.toISOString()).toBe("2026-11-22T08:09:58.500Z");
    expect(parseLogTimestamp("2026-11-22 02:39:58.000 CET")).toBeNull();
    expect(timestampZone("2026-11-22 02:39:58.000 CET")).toBe("CET");
    expect(parseLogTimestamp("2026-11-22 02:39:58.000 CET", new Map([["CET", 3600]]))?.toISOString()).toBe("2026-11-22T01:39:58.000Z");
    expect(parseLogTimestamp("1795315198.044")?.toISOString()).toBe("2026-11-22T02:39:58.044Z");
  });
  it("names the format of a log file", () => {
    expect(formatOfLogFile("postgresql-2026-11-22_023949.json")).toBe("jsonlog");
    expect(formatOfLogFile("postgresql-Mon.csv")).toBe("csvlog");
    expect(formatOfLogFile("postgresql-2026-11-22_023949.log")).toBe("stderr");
  });
  it("reads auto_explain's duration and payload, even a broken one", () => {
    expect(autoExplainPayload("duration: 0.008 ms  plan:\n{}")).toEqual({ durationMs: 0.008, payload: "{}" });
    expect(autoExplainPayload("duration: 1 ms  plan: {broken")).toEqual({ durationMs: 1, payload: "{broken" });
    expect(autoExplainPayload("duration: 1 ms  statement: select 1")).toBeNull();
  });
});
