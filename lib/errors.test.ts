import { describe, expect, it } from "vitest";
import { connectionErrorMessage, describeDatabaseUrl, redactSecrets } from "./errors";

describe("describeDatabaseUrl", () => {
  it("names host, port and database, never user or password", () => {
    expect(describeDatabaseUrl("postgresql://alice:hunter2@db.example:6543/sales")).toBe("db.example:6543/sales");
    expect(describeDatabaseUrl("postgres://bob:pw@host/app")).toBe("host:5432/app");
  });
  it("does not throw on garbage", () => {
    expect(describeDatabaseUrl("not a url")).toBe("(unparseable database URL)");
  });
});

describe("redactSecrets", () => {
  it("hides passwords inside URLs and the given URL's password anywhere", () => {
    const url = "postgresql://alice:S3cr%40t!@h:1/d";
    const text = `failed for postgresql://alice:S3cr%40t!@h:1/d because S3cr@t! was wrong`;
    const out = redactSecrets(text, url);
    expect(out).not.toContain("S3cr");
    expect(out).toContain("postgresql://alice:***@h:1/d");
  });
});

describe("connectionErrorMessage", () => {
  it("is one line naming the server and the reason", () => {
    const msg = connectionErrorMessage("postgresql://u:topsecret@10.1.2.3:5433/repo", new Error("connect ECONNREFUSED 10.1.2.3:5433"));
    expect(msg).toBe("cannot connect to 10.1.2.3:5433/repo: connect ECONNREFUSED 10.1.2.3:5433");
  });
});
