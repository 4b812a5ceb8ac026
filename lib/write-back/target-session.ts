// One transaction on a target for one write-back. The connection is opened per decision: decisions
// are rare, and a long-lived session would hold a slot on a production server for nothing.
import type pg from "pg";
import type { PrismaClient } from "../db/client";
import { connectTarget, storedCapabilities, type TargetConnection } from "../collector/targets";
import type { SecretKeySource } from "../collector/secrets";
import type { TargetCapabilities } from "../collector/types";
import type { WriteBackOutcome } from "../db/plan-decisions";
import { inTransaction } from "../db/sql-runner";

export interface WriteBackTarget extends TargetConnection {
  id: bigint;
  capabilities: TargetCapabilities | null;
}

export interface WriteBackOptions {
  /** Opens a session on the target; default: connectTarget with the stored (encrypted) password. */
  connect?: (target: WriteBackTarget) => Promise<pg.Client>;
  secrets?: SecretKeySource;
}

/** A failure that is an answer, not an accident: its message is the outcome's reason. */
export class WriteBackRefusal extends Error {
  override readonly name = "WriteBackRefusal";
}

export async function loadWriteBackTarget(repo: PrismaClient, targetId: bigint): Promise<WriteBackTarget | null> {
  const row = await repo.target.findUnique({
    where: { id: targetId },
    select: { id: true, name: true, host: true, port: true, database: true, username: true, passwordCiphertext: true, capabilities: true },
  });
  if (!row) return null;
  return { ...row, capabilities: storedCapabilities(row.capabilities) };
}

/**
 * Runs fn inside BEGIN … COMMIT on a fresh session and always closes it. Any error rolls back, so a
 * refusal halfway leaves the target exactly as it was.
 */
export async function inTargetTransaction<T>(target: WriteBackTarget, options: WriteBackOptions, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = options.connect ? await options.connect(target) : await connectTarget(target, options.secrets);
  try {
    return await inTransaction(client, () => fn(client));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function failed(detail: string): WriteBackOutcome {
  return { result: "failed", detail };
}

/** Turns any error into a failed outcome naming the target; the decision itself stands. */
export function failureOf(target: { name: string }, adapter: string, err: unknown): WriteBackOutcome {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WriteBackRefusal) return failed(`${adapter} on target "${target.name}": ${message}; nothing was written`);
  return failed(`${adapter} on target "${target.name}" failed: ${message}; nothing was written`);
}
