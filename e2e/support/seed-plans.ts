// Puts a target, a statement and its plans straight into the e2e server's embedded repository
// (.planwatch-e2e, created by playwright.config.ts's webServer), so stored-plan pages have data
// without a monitored PostgreSQL. Each call uses fresh names: specs never see each other's rows.
import pg from "pg";
import { fingerprint, parsePlan } from "../../lib/plan";
import { repositoryUrl } from "./e2e-env";

export interface SeededStatement {
  statementId: string;
  planIds: string[];
}


/** Plans in order of capture: the last one is the most recently seen. */
export async function seedStatement(queryText: string, plans: unknown[]): Promise<SeededStatement> {
  const client = new pg.Client({ connectionString: repositoryUrl() });
  await client.connect();
  try {
    const name = `e2e-plans-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const target = await client.query<{ id: string }>(
      `insert into target (name, host, database, username, updated_at) values ($1, '127.0.0.1', 'shop', 'monitor', now()) returning id::text`,
      [name],
    );
    const statement = await client.query<{ id: string }>(
      `insert into statement (target_id, query_id, db_id, user_id, query_text) values ($1, $2, 1, 1, $3) returning id::text`,
      [target.rows[0]?.id, String(Math.floor(Math.random() * 1e12)), queryText],
    );
    const statementId = statement.rows[0]?.id ?? "";
    const planIds: string[] = [];
    for (const [i, plan] of plans.entries()) {
      const seen = new Date(Date.now() - (plans.length - i) * 60_000).toISOString();
      const row = await client.query<{ id: string }>(
        `insert into plan (statement_id, fingerprint, plan, source, first_seen_at, last_seen_at) values ($1, $2, $3::jsonb, 'on_demand', $4, $4) returning id::text`,
        [statementId, fingerprint(parsePlan(plan)), JSON.stringify(plan), seen],
      );
      planIds.push(row.rows[0]?.id ?? "");
    }
    return { statementId, planIds };
  } finally {
    await client.end();
  }
}
