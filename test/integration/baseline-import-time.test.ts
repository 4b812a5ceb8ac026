// Importing a baseline file first indexes the target's statements by normalized text, and a target
// may hold many rows of one text (pg_stat_statements keeps one per database and role). That index
// was once rebuilt by copying a text's id list per row (60,000 rows of one text: 77 s on a busy machine); the
// import must now finish well within the 15 s this test allows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/client";
import { importBaselines } from "@/lib/db/baseline-import";
import { fingerprint, parsePlan } from "@/lib/plan";
import { testServers, withClient } from "../support/databases";
import { freshRepository } from "../support/repository";

const admin: Actor = { kind: "user", userId: "1", email: "dba@example.com", role: "admin" };
const ROWS = 60_000;

describe("baseline import time is linear in the target's statements", () => {
  let repo: PrismaClient;

  beforeAll(async () => {
    let url: string;
    ({ url, repo } = await freshRepository(testServers()[0]!));
    const target = await repo.target.create({ data: { name: "prod", host: "prod-db.internal", database: "shop", username: "planwatch" } });
    // One text as many roles ran it, in layouts that normalize alike.
    await withClient(url, (c) =>
      c.query(`insert into statement (target_id, query_id, db_id, user_id, query_text)
               select $1, 1, 5, i, case when i % 2 = 0 then 'select 1' else 'select  1 ;' end from generate_series(1, $2) i`, [target.id, ROWS]),
    );
  });
  afterAll(async () => {
    await repo.$disconnect();
  });

  it(`imports a file next to ${ROWS.toLocaleString("en")} rows of one text`, { timeout: 15_000 }, async () => {
    const plan = { "Node Type": "Seq Scan", "Relation Name": "orders" };
    const file = {
      format: "planwatch-baselines",
      version: 1,
      exportedAt: "2026-01-01T00:00:00Z",
      source: { target: "dev", serverVersion: null },
      statements: [{ queryText: "select 2", queryId: "2", plans: [{ fingerprint: fingerprint(parsePlan(plan)), status: "Approved", enabled: true, plan }] }],
    };
    const report = await importBaselines(repo, { targetName: "prod", file: JSON.stringify(file), actor: admin });
    expect(report).toMatchObject({ statementsMatched: 0, statementsCreated: ["select 2"], plansCreated: 1 });
  });
});
