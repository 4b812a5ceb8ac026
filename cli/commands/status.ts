import { parseArgs } from "node:util";
import pg from "pg";
import { APP_VERSION } from "../../lib/version";
import type { Command } from "./types";

export const statusCommand: Command = {
  name: "status",
  summary: "show the repository connection, its server version and what it holds",
  usage: "planwatch status [--json]",
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
    const repo = await ctx.repository();
    const client = new pg.Client({ connectionString: repo.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string; migrations: number; targets: number; statements: number; plans: number }>(`
        select current_setting('server_version') as server_version,
               (select count(*)::int from _prisma_migrations where finished_at is not null) as migrations,
               (select count(*)::int from target) as targets,
               (select count(*)::int from statement) as statements,
               (select count(*)::int from plan) as plans`);
      const row = rows[0]!;
      const status = {
        version: APP_VERSION,
        repository: repo.description,
        embedded: repo.embedded !== null || !process.env.DATABASE_URL,
        serverVersion: row.server_version,
        migrations: row.migrations,
        targets: row.targets,
        statements: row.statements,
        plans: row.plans,
      };
      if (values.json) ctx.out(JSON.stringify(status));
      else
        for (const [key, value] of Object.entries(status)) ctx.out(`${key.padEnd(14)} ${String(value)}`);
    } finally {
      await client.end();
    }
  },
};
