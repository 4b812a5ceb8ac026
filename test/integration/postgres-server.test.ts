import { describe, expect, it } from "vitest";
import { freshDatabase, testServers, withClient } from "../support/databases";

describe.each(testServers().map((s) => [s.major, s] as const))("PostgreSQL %i test cluster", (major, server) => {
  it("runs the expected major with pg_stat_statements and auto_explain preloaded", async () => {
    const url = await freshDatabase(server);
    await withClient(url, async (client) => {
      const version = await client.query<{ server_version_num: string }>("show server_version_num");
      expect(Math.floor(Number(version.rows[0]?.server_version_num) / 10000)).toBe(major);
      const preload = await client.query<{ shared_preload_libraries: string }>("show shared_preload_libraries");
      expect(preload.rows[0]?.shared_preload_libraries).toBe("pg_stat_statements,auto_explain");
      await client.query("create extension pg_stat_statements");
      const rows = await client.query("select count(*) from pg_stat_statements");
      expect(rows.rowCount).toBe(1);
    });
  });
});

describe("starting a cluster as root", () => {
  it("never changes the permissions of shared folders such as the temp folder", async () => {
    const { statSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { availableBinaries, startCluster } = await import("../support/clusters");
    const before = statSync(tmpdir()).mode;
    const cluster = await startCluster((await availableBinaries())[0]!, { fsync: "off" });
    try {
      expect(statSync(tmpdir()).mode.toString(8)).toBe(before.toString(8));
    } finally {
      await cluster.dispose();
    }
  });
});
