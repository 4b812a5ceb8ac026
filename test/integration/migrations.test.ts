// The committed migrations, the migration runner (lib/db/migrate.ts), the migration writer
// (npm run db:diff) and the generated Prisma client, against real PostgreSQL 18 and 15.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBaselines } from "../../lib/collector/baseline-codec";
import { applyMigrations, checksum, MigrationError } from "../../lib/db/migrate";
import { createPrisma, Prisma } from "../../lib/db/client";
import { checkMigrations, writeMigration } from "../../scripts/migration-diff";
import { sqlFromEmpty } from "../../scripts/lib/schema-engine";
import { driftSql } from "../../scripts/db-drift";
import { freshDatabase, testServers, withClient } from "../support/databases";

const root = path.resolve(import.meta.dirname, "..", "..");
const schemaPath = path.join(root, "prisma", "schema.prisma");
const migrationsDir = path.join(root, "prisma", "migrations");
const PASSWORD = "test-Pa55word"; // test/support/clusters.ts

const tempDirs: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `planwatch-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes migrations (name → SQL) into a new temporary migrations folder. */
async function migrationsFolder(migrations: Record<string, string>): Promise<string> {
  const dir = await tempDir("migrations");
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

/**
 * The schema of a database as sorted lines, from the catalogs (pg_dump 15 cannot dump 18).
 * Partitioning is the one thing schema.prisma cannot say: a partitioned table reads as a table, its
 * partitions are left out (the test below checks the partitioning itself).
 * Column order is left out on purpose: ADD COLUMN appends, so a history of migrations and a
 * from-scratch script legitimately differ there.
 */
async function schemaOf(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const lines: string[] = [];
    const q = async (sql: string) => (await client.query<{ line: string }>(sql)).rows.map((r) => r.line);
    const ours = `n.nspname = 'public'`;
    lines.push(
      ...(await q(`
        SELECT format('relation %s kind=%s', c.relname, CASE c.relkind WHEN 'p' THEN 'r' WHEN 'I' THEN 'i' ELSE c.relkind::text END) AS line
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE ${ours} AND c.relkind IN ('r','p','v','m','S','f','i','I') AND NOT c.relispartition
           AND c.relname NOT IN ('_prisma_migrations', '_prisma_migrations_pkey')`)),
      ...(await q(`
        SELECT format('column %s.%s %s%s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                      CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                      coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''),
                      CASE WHEN a.attidentity::text <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
                      || CASE WHEN a.attgenerated::text <> '' THEN ' GENERATED ' || a.attgenerated::text ELSE '' END) AS line
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE ${ours} AND c.relkind IN ('r','p','v','m','f') AND a.attnum > 0 AND NOT a.attisdropped AND NOT c.relispartition
           AND c.relname <> '_prisma_migrations'`)),
      ...(await q(`
        SELECT format('constraint %s on %s: %s', con.conname, c.relname, pg_get_constraintdef(con.oid)) AS line
          FROM pg_constraint con
          JOIN pg_class c ON c.oid = con.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         -- PostgreSQL 18 records NOT NULL as constraints named after the column at creation (kept on
         -- rename): nullability is compared with the columns instead.
         WHERE ${ours} AND c.relname <> '_prisma_migrations' AND con.contype <> 'n' AND NOT c.relispartition`)),
      ...(await q(`
        SELECT format('index %s: %s', indexname, replace(replace(indexdef, ' ON ONLY ', ' ON '), 'public.', '')) AS line
          FROM pg_indexes x JOIN pg_class t ON t.relname = x.tablename AND t.relnamespace = 'public'::regnamespace
         WHERE x.schemaname = 'public' AND x.tablename <> '_prisma_migrations' AND NOT t.relispartition`)),
      ...(await q(`
        SELECT format('enum %s (%s)', t.typname, string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)) AS line
          FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE ${ours} GROUP BY t.typname`)),
      ...(await q(`
        SELECT format('sequence %s %s owned by %s', s.sequencename, s.data_type,
                      coalesce((SELECT c2.relname || '.' || a.attname FROM pg_depend dep
                                  JOIN pg_class c2 ON c2.oid = dep.refobjid
                                  JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
                                 WHERE dep.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass
                                   AND dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a','i') LIMIT 1), '-')) AS line
          FROM pg_sequences s WHERE s.schemaname = 'public'`)),
      ...(await q(`
        SELECT format('function %s: %s', p.proname, pg_get_functiondef(p.oid)) AS line
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${ours} AND p.prokind IN ('f','p')`)),
      ...(await q(`
        SELECT format('trigger %s: %s', t.tgname, replace(pg_get_triggerdef(t.oid), 'public.', '')) AS line
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE ${ours} AND NOT t.tgisinternal`)),
      ...(await q(`
        SELECT format('view %s: %s', viewname, definition) AS line FROM pg_views WHERE schemaname = 'public'`)),
    );
    return lines.sort();
  });
}

function schemaDifference(migrated: string[], fromSchema: string[]) {
  return {
    onlyAfterMigrations: migrated.filter((l) => !fromSchema.includes(l)),
    onlyInSchemaPrisma: fromSchema.filter((l) => !migrated.includes(l)),
  };
}

async function migrationRows(url: string) {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished: boolean; rolled_back: boolean; applied_steps_count: number; logs: string | null }>(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count, logs
         FROM _prisma_migrations ORDER BY started_at, migration_name`,
    );
    return rows;
  });
}

async function tableExists(url: string, table: string): Promise<boolean> {
  return withClient(url, async (client) => (await client.query("SELECT to_regclass($1) AS t", [`public.${table}`])).rows[0]?.t !== null);
}

describe.each(testServers().map((s) => [s.major, s] as const))("migrations on PostgreSQL %i", (_major, server) => {
  it("the committed migrations produce exactly the schema in schema.prisma", async () => {
    const [migratedUrl, fromSchemaUrl] = await Promise.all([freshDatabase(server, "mig"), freshDatabase(server, "schema")]);
    const { applied } = await applyMigrations(migratedUrl);
    expect(applied.length).toBeGreaterThan(0);
    const sql = await sqlFromEmpty(await readFile(schemaPath, "utf8"));
    await withClient(fromSchemaUrl, (client) => client.query(sql));

    const [migrated, fromSchema] = await Promise.all([schemaOf(migratedUrl), schemaOf(fromSchemaUrl)]);
    // Not vacuous: the repository tables are there.
    for (const table of ["target", "statement", "statement_interval", "plan", "plan_sample", "plan_status_change"]) {
      expect(migrated).toContain(`relation ${table} kind=r`);
    }
    expect(schemaDifference(migrated, fromSchema), "schema after the committed migrations vs. empty → schema.prisma").toEqual({
      onlyAfterMigrations: [],
      onlyInSchemaPrisma: [],
    });
  });

  it("statement_interval is partitioned by window_end, with a default partition", async () => {
    const url = await freshDatabase(server, "parts");
    await applyMigrations(url);
    const rows = await withClient(url, async (client) =>
      (
        await client.query<{ key: string; partitions: string[] }>(
          `SELECT pg_get_partkeydef('statement_interval'::regclass) AS key,
                  array(SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                         WHERE i.inhparent = 'statement_interval'::regclass) AS partitions`,
        )
      ).rows,
    );
    expect(rows).toEqual([{ key: "RANGE (window_end)", partitions: ["statement_interval_default DEFAULT"] }]);
  });

  it("packed_baselines carries every statement's baseline over, exactly, into one uncompressed row per target", async () => {
    const url = await freshDatabase(server, "packed");
    const names = (await readdir(migrationsDir)).filter((n) => /^\d{14}_/.test(n)).sort();
    const packed = names.findIndex((n) => n.endsWith("_packed_baselines"));
    const before = await tempDir("before-packed");
    for (const name of names.slice(0, packed)) await cp(path.join(migrationsDir, name), path.join(before, name), { recursive: true });
    await applyMigrations(url, { migrationsDir: before });
    await withClient(url, async (client) => {
      await client.query(`INSERT INTO target (id, name, host, database, username, updated_at) VALUES (1, 't1', 'h', 'd', 'u', now()), (2, 't2', 'h', 'd', 'u', now())`);
      await client.query(`INSERT INTO statement (id, target_id, query_id, db_id, user_id, query_text) VALUES
                            (11, 1, -5, 16384, 10, 'a'), (12, 1, 9007199254740993, 16384, 10, 'b'), (21, 2, 7, 1, 4294967295, 'c')`);
      await client.query(`INSERT INTO statement_counter VALUES
        (12, '2026-12-03T10:00:00.001Z', 9007199254740993, 1.5, 2.25, NULL, NULL, 3, 4, 5, 6, 7),
        (11, '2026-12-03T10:01:00Z', 2, 0.1, 0.01, 0.3, 2, 8, 9, 10, 11, 12),
        (21, '2026-12-03T10:02:00Z', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)`);
    });
    await applyMigrations(url);
    const repo = createPrisma(url);
    try {
      const rows = await repo.targetBaseline.findMany({ orderBy: { targetId: "asc" } });
      expect(rows.map((r) => [r.targetId, r.statementCount, r.writtenAt.toISOString()])).toEqual([
        [1n, 2, "2026-12-03T10:01:00.000Z"],
        [2n, 1, "2026-12-03T10:02:00.000Z"],
      ]);
      const [one, two] = rows.map((r) => decodeBaselines(r.counters, r.format, r.statementCount));
      expect(one).toEqual([
        { statementId: 11n, userId: 10n, dbId: 16384n, queryId: -5n, capturedAt: new Date("2026-12-03T10:01:00Z"),
          counters: { calls: 2n, totalExecMs: 0.1, sumSquaresExecMs2: 0.01, totalPlanMs: 0.3, plans: 2n, rows: 8n, sharedHitBlocks: 9n, sharedReadBlocks: 10n, tempReadBlocks: 11n, tempWrittenBlocks: 12n } },
        { statementId: 12n, userId: 10n, dbId: 16384n, queryId: 9007199254740993n, capturedAt: new Date("2026-12-03T10:00:00.001Z"),
          counters: { calls: 9007199254740993n, totalExecMs: 1.5, sumSquaresExecMs2: 2.25, totalPlanMs: null, plans: null, rows: 3n, sharedHitBlocks: 4n, sharedReadBlocks: 5n, tempReadBlocks: 6n, tempWrittenBlocks: 7n } },
      ]);
      expect(two?.map((b) => [b.statementId, b.userId, b.dbId, b.queryId, b.counters.totalPlanMs, b.counters.plans])).toEqual([[21n, 4294967295n, 1n, 7n, 0, 0n]]);
      // 'e'xternal: no pglz at every snapshot (see the migrations), for baselines and checkpoints.
      const storage = await repo.$queryRaw<{ attstorage: string }[]>`
        SELECT attstorage::text FROM pg_attribute
         WHERE (attrelid, attname) IN (('target_baseline'::regclass, 'counters'), ('target_checkpoint'::regclass, 'totals'))`;
      expect(storage.map((s) => s.attstorage)).toEqual(["e", "e"]);
    } finally {
      await repo.$disconnect();
    }
  });

  it("Prisma's own introspection sees no drift between the migrated database and schema.prisma (scripts/db-drift.ts)", async () => {
    const url = await freshDatabase(server, "drift");
    await applyMigrations(url);
    const schemaText = await readFile(schemaPath, "utf8");
    expect(await driftSql(url, schemaText)).toBe("");
    await withClient(url, (client) => client.query(`DROP INDEX plan_status_change_at_idx`));
    expect(await driftSql(url, schemaText)).toMatch(/CREATE INDEX "plan_status_change_at_idx"/);
  });

  it("records each migration like Prisma and applies nothing the second time", async () => {
    const url = await freshDatabase(server, "twice");
    const lines: string[] = [];
    const first = await applyMigrations(url, { log: (l) => lines.push(l) });
    const second = await applyMigrations(url, { log: (l) => lines.push(l) });
    expect(second.applied).toEqual([]);
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(first.applied);
    for (const row of rows) {
      expect(row).toMatchObject({ finished: true, rolled_back: false, applied_steps_count: 1, logs: null });
      expect(row.checksum).toBe(checksum(await readFile(path.join(migrationsDir, row.migration_name, "migration.sql"), "utf8")));
    }
    expect(lines.at(-1)).toMatch(/is up to date/);
    // The table is Prisma's, column for column.
    const columns = await withClient(url, async (client) =>
      (
        await client.query<{ c: string }>(
          `SELECT format('%s %s %s %s', column_name, data_type, coalesce(character_maximum_length::text, '-'), is_nullable) AS c
             FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        )
      ).rows.map((r) => r.c),
    );
    expect(columns).toEqual([
      "id character varying 36 NO",
      "checksum character varying 64 NO",
      "finished_at timestamp with time zone - YES",
      "migration_name character varying 255 NO",
      "logs text - YES",
      "rolled_back_at timestamp with time zone - YES",
      "started_at timestamp with time zone - NO",
      "applied_steps_count integer - NO",
    ]);
  });

  it("concurrent runners on one fresh database apply each migration exactly once", async () => {
    const url = await freshDatabase(server, "race");
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    const all = results.flatMap((r) => r.applied);
    const names = (await migrationRows(url)).map((r) => r.migration_name);
    expect(all.sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
  });

  it("a failing migration is rolled back completely, keeps earlier ones, and is retried once fixed", async () => {
    const url = await freshDatabase(server, "broken");
    const dir = await migrationsFolder({
      "20260101000000_first": `CREATE TABLE "first_table" (id int PRIMARY KEY);`,
      "20260101000001_second": `CREATE TABLE "second_table" (id int);\nCREATE INDEX "second_idx" ON "second_table"(id);\nINSERT INTO "missing_table" VALUES (1);\n`,
      "20260101000002_third": `CREATE TABLE "third_table" (id int);`,
    });
    const error = await applyMigrations(url, { migrationsDir: dir }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(MigrationError);
    const message = (error as Error).message;
    expect(message).toMatch(/migration 20260101000001_second failed on 127\.0\.0\.1:\d+\/broken_\w+ \(migration\.sql line 3\) and was rolled back/);
    expect(message).toMatch(/relation "missing_table" does not exist/);
    expect(message).not.toContain(PASSWORD);

    expect(await tableExists(url, "first_table")).toBe(true);
    expect(await tableExists(url, "second_table")).toBe(false); // nothing half-applied
    expect(await tableExists(url, "third_table")).toBe(false); // stopped at the failure
    expect(await migrationRows(url)).toMatchObject([
      { migration_name: "20260101000000_first", finished: true, rolled_back: false },
      { migration_name: "20260101000001_second", finished: false, rolled_back: true, logs: expect.stringMatching(/missing_table/) },
    ]);

    // Fixing the unapplied migration is allowed; the next run applies it and the rest.
    await writeFile(path.join(dir, "20260101000001_second", "migration.sql"), `CREATE TABLE "second_table" (id int);\n`);
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: ["20260101000001_second", "20260101000002_third"] });
    expect(await tableExists(url, "third_table")).toBe(true);
  });

  it("refuses when an applied migration was edited afterwards", async () => {
    const url = await freshDatabase(server, "edited");
    const dir = await migrationsFolder({ "20260101000000_first": `CREATE TABLE "first_table" (id int);` });
    await applyMigrations(url, { migrationsDir: dir });
    await writeFile(path.join(dir, "20260101000000_first", "migration.sql"), `CREATE TABLE "first_table" (id bigint);`);
    await mkdir(path.join(dir, "20260101000001_second"));
    await writeFile(path.join(dir, "20260101000001_second", "migration.sql"), `CREATE TABLE "second_table" (id int);`);

    const run = applyMigrations(url, { migrationsDir: dir });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/migration 20260101000000_first was changed after it was applied to 127\.0\.0\.1:\d+\/edited_\w+/);
    await run.catch((err: Error) => expect(err.message).not.toContain(PASSWORD));
    expect(await tableExists(url, "second_table")).toBe(false);
  });

  it("refuses when a failed migration is recorded (e.g. by the Prisma CLI)", async () => {
    const url = await freshDatabase(server, "failed");
    const dir = await migrationsFolder({ "20260101000000_first": `CREATE TABLE "first_table" (id int);` });
    await applyMigrations(url, { migrationsDir: dir });
    await withClient(url, (client) =>
      client.query(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (gen_random_uuid(), 'x', '20260101000001_second', now())`),
    );
    await mkdir(path.join(dir, "20260101000001_second"));
    await writeFile(path.join(dir, "20260101000001_second", "migration.sql"), `CREATE TABLE "second_table" (id int);`);
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/has a failed migration \(20260101000001_second\)/);
    expect(await tableExists(url, "second_table")).toBe(false);
  });

  it("connection errors name host:port/database, never the password", async () => {
    const url = (await freshDatabase(server, "auth")).replace(encodeURIComponent(PASSWORD), "wr0ng-" + encodeURIComponent(PASSWORD));
    const error = (await applyMigrations(url).catch((err: unknown) => err)) as Error;
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toMatch(/cannot connect to 127\.0\.0\.1:\d+\/auth_\w+/);
    expect(error.message).not.toContain(PASSWORD);
  });

  it("Prisma client round trip: target → statement → plan → sample → status change; duplicate fingerprint is P2002", async () => {
    const url = await freshDatabase(server, "client");
    await applyMigrations(url);
    const db = createPrisma(url);
    try {
      const target = await db.target.create({
        data: { name: "orders-db", host: "db.internal", port: 5433, database: "orders", username: "planwatch", passwordCiphertext: new Uint8Array([1, 2, 3]) },
      });
      const statement = await db.statement.create({
        data: { targetId: target.id, queryId: -8_123_456_789_012_345_678n, dbId: 16_384n, userId: 10n, queryText: "select * from orders where id = $1" },
      });
      await db.statementInterval.create({
        data: {
          targetId: target.id,
          statementId: statement.id,
          windowStart: new Date("2026-11-22T10:00:00Z"),
          windowEnd: new Date("2026-11-22T10:05:00Z"),
          calls: 120n,
          totalExecMs: 36.5,
          meanExecMs: 0.304,
          execVarianceMs2: 0.0121,
          totalPlanMs: null,
          rows: 120n,
          sharedHitBlocks: 480n,
          sharedReadBlocks: 3n,
          tempReadBlocks: 0n,
          tempWrittenBlocks: 0n,
        },
      });
      const plan = await db.plan.create({
        data: { statementId: statement.id, fingerprint: "fp-index-scan", plan: { Plan: { "Node Type": "Index Scan", "Total Cost": 8.3 } }, source: "auto_explain" },
      });
      await db.planSample.create({
        data: { planId: plan.id, estimatedTotalCost: 8.3, actualTotalMs: 0.05, actualRows: 1.5, sharedHitBlocks: 4n, sharedReadBlocks: 0n, planningMs: 0.1, source: "auto_explain" },
      });
      await db.planStatusChange.create({
        data: { planId: plan.id, actor: "alice", fromStatus: "Unapproved", toStatus: "Approved", fromEnabled: true, toEnabled: true, reason: "baseline", writeBackResult: "advisory" },
      });

      const read = await db.target.findUniqueOrThrow({
        where: { name: "orders-db" },
        include: { statements: { include: { plans: { include: { samples: true, statusChanges: true } } } } },
      });
      expect(read.health).toBe("unknown");
      expect(Array.from(read.passwordCiphertext ?? [])).toEqual([1, 2, 3]);
      const [s] = read.statements;
      expect(s?.queryId).toBe(-8_123_456_789_012_345_678n);
      expect(await db.statementInterval.findMany({ where: { statementId: statement.id } })).toMatchObject([{ calls: 120n, meanExecMs: 0.304, totalPlanMs: null }]);
      const [p] = s?.plans ?? [];
      expect(p).toMatchObject({ status: "Unapproved", enabled: true, valid: true, version: 0, source: "auto_explain", plan: { Plan: { "Node Type": "Index Scan" } } });
      expect(p?.samples[0]).toMatchObject({ actualRows: 1.5, sharedHitBlocks: 4n, tempReadBlocks: null, source: "auto_explain" });
      expect(p?.statusChanges[0]).toMatchObject({ actor: "alice", fromStatus: "Unapproved", toStatus: "Approved", writeBackResult: "advisory" });

      const duplicate = await db.plan
        .create({ data: { statementId: statement.id, fingerprint: "fp-index-scan", plan: {}, source: "on_demand" } })
        .catch((err: unknown) => err);
      expect(duplicate).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect((duplicate as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");

      // Deleting a target removes its history.
      await db.target.delete({ where: { id: target.id } });
      expect(await db.planStatusChange.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("npm run db:diff", () => {
  it("--check passes: the committed migrations contain everything in schema.prisma", async () => {
    const { stdout } = await promisify(execFile)(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/migration-diff.ts", "--check"], { cwd: root });
    expect(stdout).toMatch(/the migrations match schema.prisma/);
  });

  it("--check fails on a schema change without a migration; --name writes one that brings a database to the new schema", async () => {
    const dir = await tempDir("diff");
    const dirMigrations = path.join(dir, "migrations");
    await cp(migrationsDir, dirMigrations, { recursive: true });
    const changed = (await readFile(schemaPath, "utf8")).replace(
      /(\n\s*lastError\s+String\?[^\n]*\n)/,
      `$1  sslMode            String       @default("prefer") @map("ssl_mode")\n`,
    );
    expect(changed).toContain("ssl_mode");
    const changedPath = path.join(dir, "schema.prisma");
    await writeFile(changedPath, changed);

    expect(await checkMigrations({ schemaPath, migrationsDir: dirMigrations })).toBeNull();
    expect(await checkMigrations({ schemaPath: changedPath, migrationsDir: dirMigrations })).toMatch(/ADD COLUMN\s+"ssl_mode" TEXT NOT NULL DEFAULT 'prefer'/);

    const folder = await writeMigration({ name: "Add SSL mode", schemaPath: changedPath, migrationsDir: dirMigrations, now: new Date("2099-01-02T03:04:05Z") });
    expect(folder).toBe("20990102030405_add_ssl_mode");
    expect(await checkMigrations({ schemaPath: changedPath, migrationsDir: dirMigrations })).toBeNull();
    expect(await writeMigration({ name: "again", schemaPath: changedPath, migrationsDir: dirMigrations })).toBeNull();

    // The written migration really takes the committed schema to the changed one.
    const server = testServers()[0]!;
    const [migratedUrl, fromSchemaUrl] = await Promise.all([freshDatabase(server, "diffmig"), freshDatabase(server, "diffschema")]);
    await applyMigrations(migratedUrl, { migrationsDir: dirMigrations });
    await withClient(fromSchemaUrl, async (client) => client.query(await sqlFromEmpty(changed)));
    const [migrated, fromSchema] = await Promise.all([schemaOf(migratedUrl), schemaOf(fromSchemaUrl)]);
    expect(migrated).toContain(`column target.ssl_mode text NOT NULL DEFAULT 'prefer'::text`);
    expect(schemaDifference(migrated, fromSchema)).toEqual({ onlyAfterMigrations: [], onlyInSchemaPrisma: [] });
  });
});
