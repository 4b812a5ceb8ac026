// The few repository maintenance modules (partitions, rollups, retention) run from Prisma (the
// collector, the app) and from plain pg clients (benchmarks, generators): this is the smallest
// surface both offer. Rows come back as plain objects keyed by column name.
import type pg from "pg";
import type { PrismaClient } from "./client";

export interface SqlRunner {
  /** The underlying client: a cache key for what a process remembers about this database. */
  readonly identity: object;
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** A statement whose result is not read (DDL, locks: Prisma cannot return a void column). */
  execute(sql: string, params?: unknown[]): Promise<void>;
  /** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

type RawClient = Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

function prismaQuery(client: RawClient) {
  return (sql: string, params: unknown[] = []) => client.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
}

function prismaExecute(client: RawClient) {
  return async (sql: string, params: unknown[] = []) => {
    await client.$executeRawUnsafe(sql, ...params);
  };
}

export function prismaRunner(client: PrismaClient): SqlRunner {
  return {
    identity: client,
    query: prismaQuery(client),
    execute: prismaExecute(client),
    transaction: (work) => client.$transaction((tx) => work(prismaTxRunner(tx)), { timeout: 600_000, maxWait: 30_000 }),
  };
}

function prismaTxRunner(tx: RawClient): SqlRunner {
  const runner: SqlRunner = { identity: tx, query: prismaQuery(tx), execute: prismaExecute(tx), transaction: (work) => work(runner) };
  return runner;
}

/** A runner on one pg client (not a pool: a transaction needs one session). */
export function pgRunner(client: pg.ClientBase): SqlRunner {
  const runner: SqlRunner = {
    identity: client,
    query: async (sql, params = []) => (await client.query(sql, params)).rows as Record<string, unknown>[],
    execute: async (sql, params = []) => {
      await client.query(sql, params);
    },
    transaction: (work) => inTransaction(client, () => work({ ...runner, transaction: (inner) => inner(runner) })),
  };
  return runner;
}

/**
 * Runs `work` inside `begin` … COMMIT on one pg session: committed when it resolves, rolled back
 * when it throws (the error is the caller's; a failed ROLLBACK on a broken session is not).
 */
export async function inTransaction<T>(client: pg.ClientBase, work: (client: pg.ClientBase) => Promise<T>, begin = "BEGIN"): Promise<T> {
  await client.query(begin);
  try {
    const out = await work(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
