// Database-free schema diffs with Prisma's WASM schema engine (@prisma/schema-engine-wasm).
//
// The Prisma 7 CLI needs the native schema engine for every migrate command, and that binary cannot
// be downloaded here (see /work/shared/notes/prisma-offline.md). The WASM build of the same engine
// computes "schema A → schema B" SQL without touching a database, which is all we need to write
// migration.sql files. The package's own entry imports the .wasm file as an ES module, which Node
// cannot do, so the module is instantiated by hand from its wasm-bindgen glue.
//
// Dev-time only: @prisma/schema-engine-wasm is a devDependency. Do not import this from app/ or lib/.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { ColumnTypeEnum, bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { DiffTarget, SchemaEngine } from "@prisma/schema-engine-wasm";

let enginePromise: Promise<SchemaEngine> | undefined;
let wasmLoaded: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmLoaded ??= instantiateWasm();
  return wasmLoaded;
}

/** Message of the last Rust panic inside the engine (the glue reports panics to this registry). */
export let lastPanic: string | undefined;

async function instantiateWasm(): Promise<void> {
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(message: string) {
      lastPanic = message;
    },
  };
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
  const bytes = await readFile(wasmPath);
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
}

/**
 * A PostgreSQL "driver adapter" with no database behind it. The engine connects once when it is
 * created (and reads the connection info); any query means some operation needed a real database,
 * which this module never wants, so it fails loudly.
 */
function offlineFactory(): SqlMigrationAwareDriverAdapterFactory {
  const refuse = (what: string) => async () => {
    throw new Error(`the offline schema engine was asked to ${what}; only database-free diffs are supported`);
  };
  const adapter: SqlDriverAdapter = {
    provider: "postgres",
    adapterName: "planwatch-offline",
    // The start-up probe: "does the schema exist, which server version". Answer as a PostgreSQL
    // server would; the version does not influence datamodel-to-datamodel diffs.
    queryRaw: async (query) => {
      if (/^SELECT EXISTS\(SELECT 1 FROM pg_namespace/i.test(query.sql)) {
        return {
          columnNames: ["exists", "version", "numeric_version"],
          columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
          rows: [[true, "PostgreSQL 18.0 (PlanWatch offline schema engine)", 180000]],
        };
      }
      return refuse(`run the query ${query.sql.slice(0, 80)}`)();
    },
    executeRaw: refuse("execute SQL"),
    executeScript: refuse("run a script"),
    startTransaction: refuse("start a transaction"),
    getConnectionInfo: () => ({ schemaName: "public", supportsRelationJoins: true }),
    dispose: async () => undefined,
  };
  return {
    provider: "postgres",
    adapterName: "planwatch-offline",
    connect: async () => adapter,
    connectToShadowDb: refuse("create a shadow database") as never,
  };
}

/** A schema engine working through `adapterFactory` (a real database for introspection, or none). */
export async function createSchemaEngine(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<SchemaEngine> {
  await loadWasm();
  const log = (_message: string) => undefined;
  return bg.SchemaEngine.new({ datamodels: undefined }, log, bindMigrationAwareSqlAdapterFactory(adapterFactory));
}

/**
 * The process-wide database-free engine. It requires a driver adapter even for diffs between
 * datamodels; the offline one answers only the start-up probe.
 */
export function schemaEngine(): Promise<SchemaEngine> {
  enginePromise ??= createSchemaEngine(offlineFactory());
  return enginePromise;
}

const datamodel = (schemaText: string, fileName = "schema.prisma"): DiffTarget => ({
  tag: "schemaDatamodel",
  files: [{ path: fileName, content: schemaText }],
});

/** SQL that takes the database described by `from` (null: an empty database) to `to`. Empty string: no change. */
export async function sqlDiff(fromSchema: string | null, toSchema: string): Promise<string> {
  const engine = await schemaEngine();
  const result = await engine.diff({
    from: fromSchema === null ? { tag: "empty" } : datamodel(fromSchema, "from.prisma"),
    to: datamodel(toSchema, "to.prisma"),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout ?? "";
}

/** SQL that creates everything in the Prisma schema `schemaText` in an empty database. */
export function sqlFromEmpty(schemaText: string): Promise<string> {
  return sqlDiff(null, schemaText);
}
