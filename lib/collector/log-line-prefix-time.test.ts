// stderr log lines are untrusted text (a client picks its user, database and application names, and
// anything a server process writes to stderr lands in the file): a head line that fails the
// log_line_prefix must be refused in linear time. With "%u@%d" compiled to two unbounded lazy
// fields, a failing line retried every split (128,000 '@': about 30 s), and padding made it cubic
// (5,000 spaces: about 30 s); the unit timeout (5 s) is what fails them now.
import { describe, expect, it } from "vitest";
import { compileLinePrefix } from "./log-line-prefix";

const TS = "2026-11-22 02:39:58.044 UTC";

describe("a failing log line is refused in linear time", () => {
  it("refuses 128,000 '@' where %u@%d is expected", () => {
    const parse = compileLinePrefix("%m [%p] %q%u@%d ");
    expect(parse(`${TS} [1] ${"@".repeat(128_000)} ${"x".repeat(128_000)}`)).toBeNull();
    expect(parse(`${TS} [1] ${"@ ".repeat(32_000)}`)).toBeNull();
    expect(parse(`${TS} [1] alice@app LOG:  x`)?.fields).toMatchObject({ user: "alice", database: "app" });
  });

  it("refuses 5,000 spaces after a padded %u", () => {
    const parse = compileLinePrefix("%m [%p] %-10u %d ");
    expect(parse(`${TS} [1] u${" ".repeat(5_000)}x`)).toBeNull();
    expect(parse(`${TS} [1] alice      app LOG:  x`)?.fields).toMatchObject({ user: "alice", database: "app" });
  });

  it("reads names of 63 characters, the longest PostgreSQL prints", () => {
    const parse = compileLinePrefix("%m [%p] %q%u@%d ");
    const name = "n".repeat(63);
    expect(parse(`${TS} [1] ${name}@${name} LOG:  x`)?.fields).toMatchObject({ user: name, database: name });
  });
});
