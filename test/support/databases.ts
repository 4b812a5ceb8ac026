// Per-test-file databases on the shared clusters started by global-setup.ts.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import pg from "pg";
import { ensureDatabase } from "../../lib/db/postgres-server";

export type TestServer = ReturnType<typeof inject<"pgServers">>[number];

export function testServers(): TestServer[] {
  return inject("pgServers");
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new empty database with a unique name; returns its URL. */
export async function freshDatabase(server: TestServer, prefix = "t"): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await ensureDatabase(server.adminUrl, name);
  return databaseUrl(server.adminUrl, name);
}

/** Runs fn with a connected client and always closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
