// PlanWatch's own migration runner for the committed Prisma migrations (prisma/migrations).
//
// The Prisma 7 CLI cannot apply migrations here (no native schema engine offline, see
// /work/shared/notes/prisma-offline.md), so this applies them the way `prisma migrate deploy` does,
// keeping Prisma's layout and its `_prisma_migrations` table so the ordinary CLI agrees with the
// result on a machine where it works:
// - Prisma's advisory lock (key 72707369) serializes concurrent runners (and a concurrent Prisma CLI);
// - each pending migration runs in ONE transaction together with its `_prisma_migrations` row, so a
//   failure leaves neither half-applied DDL nor a row claiming success (stricter than Prisma, which
//   runs statements one by one);
// - checksum = sha256 hex of migration.sql, as Prisma records it;
// - refuses to run when an applied migration's file was edited afterwards, or when a failed
//   migration (finished_at and rolled_back_at both null, e.g. left by the Prisma CLI) is recorded.
// A failure of this runner is recorded with rolled_back_at set (its transaction did roll back), so
// the fixed migration is applied on the next run, as after `prisma migrate resolve --rolled-back`.
//
// Uses `pg` directly. Error messages name the server as host:port/database, never the password.
// Limitation: a migration that cannot run inside a transaction (CREATE INDEX CONCURRENTLY, using an
// enum value added in the same migration) must be split into separate migrations.
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { describeDatabaseUrl } from "../errors";
import { inTransaction } from "./sql-runner";

/** Prisma's advisory lock key for migrations (prisma-engines, sql-schema-connector). */
export const PRISMA_MIGRATION_LOCK_KEY = 72707369;

/** prisma/migrations of this project (computed lazily: bundlers may not provide import.meta.dirname). */
export function defaultMigrationsDir(): string {
  const here = import.meta.dirname as string | undefined;
  return here ? path.resolve(here, "..", "..", "prisma", "migrations") : path.resolve("prisma", "migrations");
}

export interface ApplyMigrationsOptions {
  /** Folder with <timestamp>_<name>/migration.sql (default: prisma/migrations of this project). */
  migrationsDir?: string;
  /** Progress lines ("applied 20261122023125_init"). */
  log?: (line: string) => void;
  /** How long to wait for another process holding the migration lock (default 60 s). */
  lockTimeoutMs?: number;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** The same table `prisma migrate` creates (prisma-engines, PostgreSQL flavour). */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

export function checksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** Like Prisma: a file whose only change is CRLF ↔ LF line endings still matches. */
function checksumMatches(file: MigrationFile, recorded: string): boolean {
  return file.checksum === recorded || checksum(file.sql.replaceAll("\r\n", "\n")) === recorded || checksum(file.sql.replaceAll(/\r?\n/g, "\r\n")) === recorded;
}

export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  if (!existsSync(migrationsDir)) throw new MigrationError(`migrations folder ${migrationsDir} does not exist`);
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const files: MigrationFile[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const file = path.join(migrationsDir, entry.name, "migration.sql");
    if (!existsSync(file)) throw new MigrationError(`migration folder ${entry.name} has no migration.sql`);
    const sql = await readFile(file, "utf8");
    files.push({ name: entry.name, sql, checksum: checksum(sql) });
  }
  return files;
}

/** Removes the URL's password from a message, raw and percent-encoded, whatever produced it. */
function redact(message: string, databaseUrl: string): string {
  let password = "";
  try {
    password = new URL(databaseUrl).password;
  } catch {
    return message.replaceAll(databaseUrl, "(database URL)");
  }
  if (!password) return message;
  let out = message.replaceAll(databaseUrl, "(database URL)");
  for (const form of new Set([password, decodeURIComponent(password), encodeURIComponent(decodeURIComponent(password))])) {
    if (form) out = out.replaceAll(form, "***");
  }
  return out;
}

function pgErrorText(err: unknown): string {
  const e = err as { message?: string; detail?: string; hint?: string; position?: string; code?: string };
  const parts = [e.message ?? String(err)];
  if (e.code) parts[0] = `${parts[0]} (SQLSTATE ${e.code})`;
  if (e.detail) parts.push(`DETAIL: ${e.detail}`);
  if (e.hint) parts.push(`HINT: ${e.hint}`);
  return parts.join("\n");
}

function lineOf(sql: string, position: string | undefined): string {
  const offset = Number(position);
  if (!Number.isFinite(offset) || offset <= 0) return "";
  return ` (migration.sql line ${sql.slice(0, offset - 1).split("\n").length})`;
}

/**
 * Applies every migration in `migrationsDir` not yet recorded in `_prisma_migrations`, in folder-name
 * order, each in its own transaction. Safe to call from several processes at once.
 */
export async function applyMigrations(databaseUrl: string, options: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const server = describeDatabaseUrl(databaseUrl);
  const log = options.log ?? (() => undefined);
  const migrations = await readMigrations(options.migrationsDir ?? defaultMigrationsDir());

  const client = new pg.Client({ connectionString: databaseUrl, application_name: "planwatch-migrate" });
  client.on("error", () => undefined); // a dropped connection surfaces as a failed query below
  try {
    await client.connect();
  } catch (err) {
    throw new MigrationError(redact(`cannot connect to ${server} to migrate: ${pgErrorText(err)}`, databaseUrl));
  }
  try {
    await lock(client, server, options.lockTimeoutMs ?? 60_000);
    try {
      return await applyLocked(client, server, migrations, log);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof MigrationError) {
      err.message = redact(err.message, databaseUrl);
      throw err;
    }
    throw new MigrationError(redact(`migrating ${server} failed: ${pgErrorText(err)}`, databaseUrl));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function lock(client: pg.Client, server: string, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATION_LOCK_KEY]);
  } catch (err) {
    if ((err as { code?: string }).code === "55P03") {
      throw new MigrationError(
        `another process has been migrating ${server} for more than ${timeoutMs} ms (advisory lock ${PRISMA_MIGRATION_LOCK_KEY} is held); try again when it is done`,
      );
    }
    throw err;
  } finally {
    await client.query("RESET lock_timeout").catch(() => undefined);
  }
}

async function applyLocked(client: pg.Client, server: string, migrations: MigrationFile[], log: (line: string) => void): Promise<{ applied: string[] }> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await client.query<MigrationRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, started_at, logs
       FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
  );

  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    const names = failed.map((r) => r.migration_name).join(", ");
    throw new MigrationError(
      `${server} has a failed migration (${names}) that may have been applied partly; no migration was applied. ` +
        `Repair the database by hand, then mark it resolved: ` +
        `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed[0]!.migration_name}' AND finished_at IS NULL` +
        ` (or set finished_at if it is in fact complete).`,
    );
  }

  const applied = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r]));
  const files = new Map(migrations.map((m) => [m.name, m]));
  const edited = migrations.filter((m) => applied.has(m.name) && !checksumMatches(m, applied.get(m.name)!.checksum));
  if (edited.length > 0) {
    const m = edited[0]!;
    throw new MigrationError(
      `migration ${edited.map((e) => e.name).join(", ")} was changed after it was applied to ${server} ` +
        `(checksum recorded ${applied.get(m.name)!.checksum.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…); no migration was applied. ` +
        `Restore the committed migration.sql and put the change in a new migration (npm run db:diff).`,
    );
  }
  for (const name of applied.keys()) {
    if (!files.has(name)) log(`warning: ${server} has migration ${name}, which is not in the migrations folder (applied by a newer version?)`);
  }

  const pending = migrations.filter((m) => !applied.has(m.name));
  const done: string[] = [];
  for (const migration of pending) {
    await applyOne(client, server, migration);
    done.push(migration.name);
    log(`applied ${migration.name}`);
  }
  if (pending.length === 0) log(`${server} is up to date (${applied.size} migration${applied.size === 1 ? "" : "s"})`);
  return { applied: done };
}

async function applyOne(client: pg.Client, server: string, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  try {
    await inTransaction(client, async () => {
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, clock_timestamp(), 0)`,
        [id, migration.checksum, migration.name],
      );
      // The whole file as one simple-protocol query: multiple statements and $$ bodies work, and it
      // stays inside this transaction (the SQL must not COMMIT itself).
      await client.query(migration.sql);
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`, [id]);
    });
  } catch (err) {
    // Rolled back by now (inTransaction).
    const text = pgErrorText(err);
    // Record the attempt as rolled back (which it was), for the record and for `prisma migrate status`.
    await client
      .query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, rolled_back_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp(), 0)`,
        [id, migration.checksum, migration.name, text],
      )
      .catch(() => undefined);
    throw new MigrationError(
      `migration ${migration.name} failed on ${server}${lineOf(migration.sql, (err as { position?: string }).position)} and was rolled back ` +
        `(nothing of it is applied; earlier migrations stay applied): ${text}`,
    );
  }
}
