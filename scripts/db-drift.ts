// Optional tool: how does a live database differ from schema.prisma?
//
//   npx tsx scripts/db-drift.ts [DATABASE_URL]     (default: $DATABASE_URL)
//
// Prints the SQL that would take the live database to schema.prisma (the WASM schema engine
// introspects it through @prisma/adapter-pg) and exits 2 when there is drift, 0 when none.
// Read-only: it never changes the database. `_prisma_migrations` is ignored by the engine.
//
// Workaround (adapter-pg 7.10.1): introspection reads pg_catalog columns of type "char" (OID 18),
// which the adapter cannot map ("Column type 'char' could not be deserialized"); the pool below
// reports such columns as text.
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { ColumnTypeEnum, type IsolationLevel, type SqlMigrationAwareDriverAdapterFactory, type SqlQuery, type SqlQueryable, type SqlResultSet } from "@prisma/driver-adapter-utils";
import { createSchemaEngine, lastPanic } from "./lib/schema-engine";
import { describeDatabaseUrl } from "../lib/errors";

const CHAR_OID = 18;
const TEXT_OID = 25;
const CHAR_COLUMNS = Symbol("char columns");

type Rows = unknown[][] & { [CHAR_COLUMNS]?: number[] };

/** Reports "char" columns as text (so the adapter accepts them) and remembers which ones they were. */
class CharAsTextPool extends pg.Pool {
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result as never;
    return result.then((res: pg.QueryResult) => {
      const charColumns: number[] = [];
      (res.fields ?? []).forEach((field, i) => {
        if (field.dataTypeID === CHAR_OID) {
          field.dataTypeID = TEXT_OID;
          charColumns.push(i);
        }
      });
      if (charColumns.length > 0) (res.rows as Rows)[CHAR_COLUMNS] = charColumns;
      return res;
    }) as never;
  }
}

/** ...and tells the engine they are Character columns, as the native engine's driver would. */
function withCharColumns<T extends SqlQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  return Object.assign(Object.create(queryable) as T, {
    async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
      const result = await queryRaw(query);
      for (const i of (result.rows as Rows)[CHAR_COLUMNS] ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
      return result;
    },
  });
}

function introspectionFactory(pool: pg.Pool): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaPg(pool);
  return {
    provider: "postgres",
    adapterName: inner.adapterName,
    async connect() {
      const adapter = withCharColumns(await inner.connect());
      const startTransaction = adapter.startTransaction.bind(adapter);
      return Object.assign(adapter, { startTransaction: async (level?: IsolationLevel) => withCharColumns(await startTransaction(level)) });
    },
    async connectToShadowDb() {
      throw new Error("db-drift never needs a shadow database");
    },
  };
}

export async function driftSql(databaseUrl: string, schemaText: string): Promise<string> {
  const pool = new CharAsTextPool({ connectionString: databaseUrl, max: 2 });
  try {
    const engine = await createSchemaEngine(introspectionFactory(pool));
    const result = await engine.diff({
      // "The database of this schema's datasource", reached through the adapter (the engine no
      // longer accepts a URL target).
      from: { tag: "schemaDatasource", files: [{ path: "schema.prisma", content: schemaText }], configDir: process.cwd() },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schemaText }] },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.exitCode === 2 ? (result.stdout ?? "") : "";
  } finally {
    await pool.end();
  }
}

async function main(): Promise<number> {
  const url = process.argv[2] ?? process.env.DATABASE_URL;
  if (!url) {
    console.error("usage: npx tsx scripts/db-drift.ts <postgresql://…>   (or set DATABASE_URL)");
    return 1;
  }
  const schemaText = await readFile(path.resolve(import.meta.dirname, "..", "prisma", "schema.prisma"), "utf8");
  const sql = await driftSql(url, schemaText);
  if (sql === "") {
    console.log(`${describeDatabaseUrl(url)} matches schema.prisma`);
    return 0;
  }
  console.log(`-- ${describeDatabaseUrl(url)} differs from schema.prisma; this SQL would bring it in line:\n${sql}`);
  return 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      const message = (err instanceof Error ? err.message : String(err)) + (lastPanic ? `\nschema engine panic: ${lastPanic}` : "");
      const url = process.argv[2] ?? process.env.DATABASE_URL ?? "";
      let password = "";
      try {
        password = url ? new URL(url).password : "";
      } catch {}
      console.error(`db-drift: ${password ? message.replaceAll(password, "***") : message}`);
      process.exit(1);
    },
  );
}
