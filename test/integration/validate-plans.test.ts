// validatePlans against real PostgreSQL 18 and 15 targets: a dropped index or table makes the plans
// that use it invalid, recreating it makes them valid again; names are checked in one query,
// quoted identifiers and schemas included.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/db/client";
import { planObjects, validatePlans } from "@/lib/collector/validate-plans";
import { parsePlan } from "@/lib/plan";
import { freshDatabase, testServers, withClient } from "../support/databases";
import { freshRepository } from "../support/repository";
import { ORDERS_SETUP, ORDERS_SQL, SHAPES, explainJson, seedStatement } from "../support/plan-fixtures";

const QUOTED_SETUP = `
  create schema "Sales";
  create table "Sales"."Big Orders" (id int primary key, note text);
  insert into "Sales"."Big Orders" select g, 'n' from generate_series(1, 1000) g;
  analyze "Sales"."Big Orders";
`;

describe.each(testServers())("PostgreSQL $major", (server) => {
  let repo: PrismaClient;
  let url: string;
  let client: pg.Client;
  let target: { id: bigint; name: string; capabilities: null };
  const validity = async (ids: bigint[]) =>
    (await repo.plan.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" }, select: { valid: true } })).map((p) => p.valid);
  const run = () => validatePlans({ repo, target, client });

  beforeAll(async () => {
    ({ repo } = await freshRepository(server));
    url = await freshDatabase(server, "validate");
    await withClient(url, (c) => c.query(ORDERS_SETUP + QUOTED_SETUP));
    client = new pg.Client({ connectionString: url });
    await client.connect();
    const row = await repo.target.create({ data: { name: `validate-${server.major}`, host: "127.0.0.1", database: "x", username: "x" } });
    target = { id: row.id, name: row.name, capabilities: null };
  });
  afterAll(async () => {
    await client?.end();
    await repo?.$disconnect();
  });

  it("reads relations and indexes from a plan, giving an index its table's schema", async () => {
    const verbose = parsePlan(await explainJson(url, ORDERS_SQL, SHAPES.bitmapScan, true));
    expect(planObjects(verbose)).toEqual(
      expect.arrayContaining([
        { kind: "relation", schema: "public", name: "orders" },
        { kind: "index", schema: "public", name: "orders_customer_idx" },
      ]),
    );
    const plain = parsePlan(await explainJson(url, ORDERS_SQL, SHAPES.indexScan));
    expect(planObjects(plain)).toEqual([
      { kind: "relation", schema: null, name: "orders" },
      { kind: "index", schema: null, name: "orders_customer_idx" },
    ]);
  });

  it("drop an index → the plans using it are invalid; recreate it → valid again; other plans untouched", async () => {
    const { planIds } = await seedStatement(repo, target.id, "select * from orders where customer_id = $1", [
      { json: await explainJson(url, ORDERS_SQL, SHAPES.indexScan), status: "Approved" },
      { json: await explainJson(url, ORDERS_SQL, SHAPES.bitmapScan, true) },
      { json: await explainJson(url, ORDERS_SQL, SHAPES.seqScan) },
    ]);
    expect(await run()).toMatchObject({ checked: expect.any(Number), invalidated: [], revalidated: [], missing: [] });

    await withClient(url, (c) => c.query("drop index orders_customer_idx"));
    const dropped = await run();
    expect(dropped.invalidated).toEqual([planIds[0], planIds[1]]);
    expect(dropped.missing).toEqual(["orders_customer_idx", "public.orders_customer_idx"]);
    expect(await validity(planIds)).toEqual([false, false, true]);
    expect((await run()).invalidated).toEqual([]);

    await withClient(url, (c) => c.query("create index orders_customer_idx on orders (customer_id)"));
    const back = await run();
    expect(back.revalidated).toEqual([planIds[0], planIds[1]]);
    expect(await validity(planIds)).toEqual([true, true, true]);
  });

  it("quoted names in a schema: dropping the table invalidates its plan, recreating it revalidates", async () => {
    const sql = `select * from "Sales"."Big Orders" where id = 7`;
    const json = await explainJson(url, sql, { enable_seqscan: "off", enable_bitmapscan: "off" }, true);
    expect(planObjects(parsePlan(json))).toEqual([
      { kind: "relation", schema: "Sales", name: "Big Orders" },
      { kind: "index", schema: "Sales", name: "Big Orders_pkey" },
    ]);
    const { planIds } = await seedStatement(repo, target.id, `select * from "Sales"."Big Orders" where id = $1`, [{ json }]);
    await withClient(url, (c) => c.query(`alter table "Sales"."Big Orders" rename to "Old Orders"`));
    expect((await run()).missing).toEqual(expect.arrayContaining(["Sales.Big Orders"]));
    expect(await validity(planIds)).toEqual([false]);
    await withClient(url, (c) => c.query(`alter table "Sales"."Old Orders" rename to "Big Orders"`));
    expect((await run()).revalidated).toEqual(planIds);
    expect(await validity(planIds)).toEqual([true]);
  });

  it("leaves an unreadable stored plan as it was and reports it", async () => {
    const statement = await repo.statement.create({ data: { targetId: target.id, queryId: 99n, dbId: 1n, userId: 1n, queryText: "select 1" } });
    const plan = await repo.plan.create({ data: { statementId: statement.id, fingerprint: "junk", plan: { not: "a plan" }, source: "import" } });
    const result = await run();
    expect(result.unreadable).toBeGreaterThanOrEqual(1);
    expect(await validity([plan.id])).toEqual([true]);
  });
});
