// One collector at a time per target, across processes and machines: a session-level advisory lock
// in the repository, held on a dedicated connection for the whole run of that target. A collector
// that dies ends its session, and PostgreSQL releases the lock with it: nothing to clean up.
import pg from "pg";

/** First key of the two-key advisory lock: "PLWT", so our locks never collide with other users'. */
export const TARGET_LOCK_CLASS_ID = 0x504c5754;
const LOCK_CONNECT_TIMEOUT_MS = 10_000;

export interface TargetLock {
  /** The session holding the lock: the run may use it (its transactions leave the lock alone). */
  session: pg.ClientBase;
  release(): Promise<void>;
}

/** The second key: target ids fold into int4 (distinct for the first 2³² targets). */
export function targetLockKey(targetId: bigint): number {
  return Number(BigInt.asIntN(32, targetId));
}

/** Takes the target's lock without waiting; null when another collector holds it. */
export function tryLockTarget(repositoryUrl: string, targetId: bigint): Promise<TargetLock | null> {
  return tryRepositoryLock(repositoryUrl, targetLockKey(targetId));
}

/** Second key of the repository-wide maintenance lock (retention): no target id folds to it before 2³¹ targets. */
export const MAINTENANCE_LOCK_KEY = -2;

/** Takes the ("PLWT", key) session lock without waiting; null when another process holds it. */
export async function tryRepositoryLock(repositoryUrl: string, key: number): Promise<TargetLock | null> {
  const client = new pg.Client({
    connectionString: repositoryUrl,
    connectionTimeoutMillis: LOCK_CONNECT_TIMEOUT_MS,
    application_name: "planwatch-collector",
  });
  // If the repository goes away mid-run the lock is gone with the session; the run's own writes fail.
  client.on("error", () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock($1::int4, $2::int4) as locked", [
      TARGET_LOCK_CLASS_ID,
      key,
    ]);
    if (rows[0]?.locked !== true) {
      await client.end().catch(() => undefined);
      return null;
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  let released = false;
  return {
    session: client,
    async release() {
      if (released) return;
      released = true;
      // Ending the session releases the lock even when the unlock query cannot run.
      await client.query("select pg_advisory_unlock($1::int4, $2::int4)", [TARGET_LOCK_CLASS_ID, key]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
