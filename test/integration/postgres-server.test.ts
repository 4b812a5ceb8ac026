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
