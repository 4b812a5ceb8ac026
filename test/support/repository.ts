// A migrated plan repository per test file, plus small builders for rows the tests need.
import { applyMigrations } from "../../lib/db/migrate";
import { createPrisma, type PrismaClient } from "../../lib/db/client";
import { freshDatabase, type TestServer } from "./databases";

export async function freshRepository(server: TestServer): Promise<{ url: string; repo: PrismaClient }> {
  const url = await freshDatabase(server, "repo");
  await applyMigrations(url);
  return { url, repo: createPrisma(url) };
}

let seq = 0;

/** A target with one statement and one plan, inserted directly (no collector involved). */
export async function seedPlan(repo: PrismaClient, overrides: { status?: "Approved" | "Unapproved" | "Rejected" | "Preferred" } = {}) {
  seq += 1;
  const target = await repo.target.create({ data: { name: `t${seq}-${Date.now()}`, host: "127.0.0.1", database: "app", username: "app" } });
  const statement = await repo.statement.create({
    data: { targetId: target.id, queryId: BigInt(-4_000_000_000 - seq), dbId: 5n, userId: 10n, queryText: "select * from orders where id = $1" },
  });
  const plan = await repo.plan.create({
    data: { statementId: statement.id, fingerprint: `fp-${seq}`, status: overrides.status ?? "Unapproved", plan: { Plan: { "Node Type": "Seq Scan" } }, source: "auto_explain" },
  });
  return { target, statement, plan };
}
