// Baseline export/import (development → production) with real plans from PostgreSQL 18 and 15:
// statuses survive the trip, changes to existing plans are decisions (audited), importing twice
// changes nothing, and a malformed, foreign or tampered file is refused whole with nothing stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, type Actor } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/client";
import { BaselineFileError, exportBaselines, type BaselineFile } from "@/lib/db/baselines";
import { importBaselines } from "@/lib/db/baseline-import";
import type { WriteBackRequest } from "@/lib/db/plan-decisions";
import { freshDatabase, testServers, withClient } from "../support/databases";
import { freshRepository } from "../support/repository";
import { ORDERS_SETUP, ORDERS_SQL, SHAPES, explainJson, fingerprintOf, seedStatement } from "../support/plan-fixtures";

const admin: Actor = { kind: "user", userId: "1", email: "dba@example.com", role: "admin" };
const approver: Actor = { kind: "user", userId: "2", email: "ann@example.com", role: "approver" };
const viewer: Actor = { kind: "user", userId: "3", email: "vic@example.com", role: "viewer" };

const ORDERS_TEXT = "select * from orders where customer_id = $1";
const COUNT_TEXT = "select count(*) from orders where total > $1";

describe.each(testServers())("PostgreSQL $major", (server) => {
  let dev: PrismaClient;
  let prod: PrismaClient;
  let url: string;
  let json: Record<"indexScan" | "bitmapScan" | "seqScan" | "count", unknown>;
  let exported: BaselineFile;

  const counts = async (repo: PrismaClient) => ({
    statements: await repo.statement.count(),
    plans: await repo.plan.count(),
    audit: await repo.planStatusChange.count(),
  });
  const statusesOf = async (repo: PrismaClient, targetName: string) => {
    const plans = await repo.plan.findMany({ where: { statement: { target: { name: targetName } } }, select: { fingerprint: true, status: true, enabled: true } });
    return Object.fromEntries(plans.map((p) => [p.fingerprint, `${p.status}${p.enabled ? "" : " (disabled)"}`]));
  };

  beforeAll(async () => {
    url = await freshDatabase(server, "baseline_plans");
    await withClient(url, (c) => c.query(ORDERS_SETUP));
    json = {
      indexScan: await explainJson(url, ORDERS_SQL, SHAPES.indexScan),
      bitmapScan: await explainJson(url, ORDERS_SQL, SHAPES.bitmapScan),
      seqScan: await explainJson(url, ORDERS_SQL, SHAPES.seqScan),
      count: await explainJson(url, "select count(*) from orders where total > 10"),
    };
    ({ repo: dev } = await freshRepository(server));
    ({ repo: prod } = await freshRepository(server));
    const devTarget = await dev.target.create({ data: { name: "dev", host: "dev-db.internal", port: 6543, database: "shop", username: "planwatch_dev", serverVersion: `${server.major}.4`, passwordCiphertext: new Uint8Array([1, 2, 3]) } });
    await seedStatement(dev, devTarget.id, ORDERS_TEXT, [
      { json: json.indexScan, status: "Approved" },
      { json: json.bitmapScan, status: "Preferred" },
      { json: json.seqScan, status: "Rejected", enabled: false },
    ], 4242n);
    await seedStatement(dev, devTarget.id, COUNT_TEXT, [{ json: json.count, status: "Approved" }], -77n);

    // Production already runs the orders statement (other layout), with the seq scan captured as Unapproved.
    const prodTarget = await prod.target.create({ data: { name: "prod", host: "prod-db.internal", database: "shop", username: "planwatch" } });
    await seedStatement(prod, prodTarget.id, "select *\n  from orders\n where customer_id = $1", [{ json: json.seqScan, status: "Unapproved" }], 9191n);
    exported = await exportBaselines(dev, { targetName: "dev", actor: viewer });
  });
  afterAll(async () => {
    await dev?.$disconnect();
    await prod?.$disconnect();
  });

  it("exports a versioned file with statuses and the plans, and no connection details", async () => {
    expect(exported).toMatchObject({ format: "planwatch-baselines", version: 1, source: { target: "dev", serverVersion: `${server.major}.4` } });
    expect(exported.statements.map((s) => [s.queryText, s.queryId, s.plans.map((p) => p.status)])).toEqual([
      [ORDERS_TEXT, "4242", ["Approved", "Preferred", "Rejected"]],
      [COUNT_TEXT, "-77", ["Approved"]],
    ]);
    expect(exported.statements[0]!.plans[2]).toMatchObject({ enabled: false, fingerprint: fingerprintOf(json.seqScan) });
    const text = JSON.stringify(exported);
    for (const secret of ["dev-db.internal", "6543", "planwatch_dev", "passwordCiphertext", "shop"]) expect(text).not.toContain(secret);
  });

  it("refuses a malformed, foreign, tampered or unknown-status file as a whole; nothing is stored", async () => {
    const before = await counts(prod);
    const good = JSON.parse(JSON.stringify(exported)) as BaselineFile;
    const variants: Array<[string, unknown, RegExp]> = [
      ["truncated JSON", JSON.stringify(exported).slice(0, 200), /not valid JSON/],
      ["another tool's file", JSON.stringify({ format: "qpm-export", plans: [] }), /not a PlanWatch baseline file/],
      ["a future version", JSON.stringify({ ...good, version: 2 }), /version 2 is not supported/],
      ["an unknown status", withPlan(good, 1, 0, { status: "Accepted" }), /statements\.1\.plans\.0\.status/],
      ["a tampered plan", withPlan(good, 1, 0, { plan: json.seqScan }), /statements\[1\]\.plans\[0\]: the fingerprint .* does not match its plan/],
      ["a foreign fingerprint", withPlan(good, 0, 0, { fingerprint: "0123456789abcdef" }), /does not match its plan/],
      ["not a plan", withPlan(good, 0, 1, { plan: { hello: "world" } }), /statements\[0\]\.plans\[1\]\.plan is not an EXPLAIN plan/],
      ["an unknown field", JSON.stringify({ ...good, password: "x" }), /unrecognized key/i],
    ];
    for (const [what, file, message] of variants) {
      const err = await importBaselines(prod, { targetName: "prod", file, actor: admin }).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(BaselineFileError);
      expect((err as Error).message, what).toMatch(message);
      expect((err as Error).message, what).toMatch(/nothing was imported/);
    }
    expect(await counts(prod)).toEqual(before);
  });

  it("needs baseline:import (an approver is refused) and changes nothing then", async () => {
    const before = await counts(prod);
    const err = await importBaselines(prod, { targetName: "prod", file: JSON.stringify(exported), actor: approver }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(403);
    expect(await counts(prod)).toEqual(before);
  });

  it("imports: same statuses on the other side, existing plans changed through audited decisions, new statements reported", async () => {
    const requests: WriteBackRequest[] = [];
    const report = await importBaselines(prod, {
      targetName: "prod",
      file: JSON.stringify(exported),
      actor: admin,
      writeBack: async (r) => (requests.push(r), { result: "ok", detail: "test write-back" }),
    });
    expect(report).toMatchObject({ statementsMatched: 1, statementsCreated: [COUNT_TEXT], plansCreated: 3, plansUnchanged: 0, failures: [] });
    expect(await statusesOf(prod, "prod")).toEqual(await statusesOf(dev, "dev"));

    // The production seq scan was Unapproved: reject and disable are two audited decisions by the importer.
    const seq = await prod.plan.findFirstOrThrow({ where: { fingerprint: fingerprintOf(json.seqScan) }, include: { statusChanges: { orderBy: { id: "asc" } } } });
    expect(seq.statusChanges.map((c) => [c.actor, c.fromStatus, c.toStatus, c.toEnabled, c.writeBackResult])).toEqual([
      ["dba@example.com", "Unapproved", "Rejected", true, "ok"],
      ["dba@example.com", "Rejected", "Rejected", false, "ok"],
    ]);
    expect(seq.statusChanges[0]!.reason).toMatch(/baseline import from target "dev"/);
    // New plans carry their first status as an audit row, written back like a decision.
    const created = await prod.planStatusChange.findMany({ where: { fromStatus: null }, orderBy: { id: "asc" } });
    expect(created.map((c) => [c.actor, c.toStatus, c.writeBackResult])).toEqual([
      ["dba@example.com", "Approved", "ok"],
      ["dba@example.com", "Preferred", "ok"],
      ["dba@example.com", "Approved", "ok"],
    ]);
    expect(requests).toHaveLength(5);
    const newStatement = await prod.statement.findFirstOrThrow({ where: { queryText: COUNT_TEXT } });
    expect(newStatement).toMatchObject({ queryId: -77n, dbId: 0n, userId: 0n });
  });

  it("importing the same file again changes nothing and adds no audit rows", async () => {
    const before = await counts(prod);
    const statuses = await statusesOf(prod, "prod");
    const report = await importBaselines(prod, { targetName: "prod", file: JSON.stringify(exported), actor: admin });
    expect(report).toMatchObject({ statementsMatched: 2, statementsCreated: [], plansCreated: 0, plansUnchanged: 4, decisions: [], failures: [] });
    expect(await counts(prod)).toEqual(before);
    expect(await statusesOf(prod, "prod")).toEqual(statuses);
  });

  it("a round trip reproduces the file's decisions (export of the import equals the export)", async () => {
    const again = await exportBaselines(prod, { targetName: "prod", actor: viewer });
    const shape = (f: BaselineFile) => f.statements.map((s) => s.plans.map((p) => [p.fingerprint, p.status, p.enabled]).sort());
    expect(shape(again).sort()).toEqual(shape(exported).sort());
  });
});

function withPlan(file: BaselineFile, statement: number, plan: number, change: Record<string, unknown>): string {
  const copy = JSON.parse(JSON.stringify(file)) as { statements: Array<{ plans: Array<Record<string, unknown>> }> };
  Object.assign(copy.statements[statement]!.plans[plan]!, change);
  return JSON.stringify(copy);
}
