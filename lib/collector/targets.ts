// Registering, listing and removing monitored databases ("targets"), and connecting to them.
// The password is kept only encrypted (secrets.ts); it never appears in a row a caller can display,
// in an error message or in a log line.
import pg from "pg";
import { z } from "zod";
import { authorize, type Actor } from "../auth/authorize";
import { Prisma, type PrismaClient } from "../db/client";
import { UserError, connectionErrorMessage, describeDatabaseUrl, redactSecrets } from "../errors";
import { capabilitySummary, capabilityWarnings, detectCapabilities } from "./capabilities";
import { decryptPassword, encryptPassword, type SecretKeySource } from "./secrets";
import type { TargetCapabilities } from "./types";

export const TARGET_CONNECT_TIMEOUT_MS = 10_000;
/** Every query of a collector session on a target stops after this long. */
export const TARGET_STATEMENT_TIMEOUT_MS = 30_000;
export const APPLICATION_NAME = "planwatch";

export const targetNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,63}$/, "must be 1 to 63 characters: letters, digits, '_', '.', '-'");

export const targetUrlSchema = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\//i.test(v), "must be a postgresql:// URL");

export const addTargetInputSchema = z.object({ name: targetNameSchema, url: targetUrlSchema });

/** The connection fields of a Target row that connecting needs. */
export interface TargetConnection {
  name: string;
  host: string;
  port: number;
  database: string;
  username: string;
  passwordCiphertext: Uint8Array | null;
}

/** A target as lists show it: never the password or its ciphertext. */
export interface TargetRow {
  name: string;
  host: string;
  port: number;
  database: string;
  username: string;
  health: "healthy" | "unhealthy" | "unknown";
  serverVersion: string | null;
  /** ISO 8601, or null before the first collection. */
  lastCollectedAt: string | null;
  nextCollectAt: string | null;
  lastError: string | null;
  collectIntervalSeconds: number;
  /** One line, e.g. "pg_stat_statements 1.12 (track_planning), auto_explain json, …"; null before detection. */
  capabilities: string | null;
  /** Optional features that are missing, each with the setting that fixes it. */
  warnings: string[];
}

interface ParsedUrl {
  host: string;
  port: number;
  database: string;
  username: string;
  password: string | null;
}

/** Splits a postgresql:// URL into the fields we store; options in the URL are refused, not dropped. */
export function parseTargetUrl(url: string): ParsedUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError("url: not a valid postgresql:// URL");
  }
  if (!/^postgres(ql)?:$/i.test(u.protocol)) throw new UserError("url: must be a postgresql:// URL");
  if (!u.hostname) throw new UserError("url: must name a host (postgresql://user:password@host:port/database)");
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!database) throw new UserError("url: must name a database (postgresql://user:password@host:port/database)");
  const username = decodeURIComponent(u.username);
  if (!username) throw new UserError("url: must name a user (postgresql://user:password@host:port/database)");
  if (u.search) {
    // Silently dropping e.g. sslmode=require would connect less safely than asked.
    throw new UserError(`url: connection options (${[...u.searchParams.keys()].join(", ")}) are not supported yet; remove them from the URL`);
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : 5432,
    database,
    username,
    password: u.password ? decodeURIComponent(u.password) : null,
  };
}

export interface AddTargetInput {
  name: string;
  url: string;
  actor: Actor;
  /** Where the encryption key comes from (defaults to this process's environment). */
  secrets?: SecretKeySource;
}

export interface AddedTarget {
  row: TargetRow;
  capabilities: TargetCapabilities;
}

/**
 * Validates, connects (refusing an unreachable or unmonitorable server), then stores the target with
 * its password encrypted. Nothing is stored when any step fails.
 */
export async function addTarget(repo: PrismaClient, input: AddTargetInput): Promise<AddedTarget> {
  authorize(input.actor, "target:manage");
  const parsed = addTargetInputSchema.safeParse({ name: input.name, url: input.url });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Never echo the input: the URL carries a password.
    throw new UserError(`${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}`);
  }
  const { name, url } = parsed.data;
  const fields = parseTargetUrl(url);
  if (await repo.target.findUnique({ where: { name }, select: { id: true } })) throw duplicate(name);
  // Encrypt before connecting: a missing PLANWATCH_SECRET should not cost a connection attempt.
  const passwordCiphertext = fields.password === null ? null : await encryptPassword(fields.password, input.secrets);

  const client = await connect({ ...fields, name }, fields.password);
  let capabilities: TargetCapabilities;
  try {
    capabilities = await detectCapabilities(client);
  } catch (err) {
    throw err instanceof UserError ? err : new UserError(redactSecrets(`cannot read the capabilities of ${describeDatabaseUrl(url)}: ${messageOf(err)}`, url));
  } finally {
    await client.end().catch(() => undefined);
  }

  try {
    const created = await repo.target.create({
      data: {
        name,
        host: fields.host,
        port: fields.port,
        database: fields.database,
        username: fields.username,
        passwordCiphertext: passwordCiphertext === null ? null : new Uint8Array(passwordCiphertext),
        serverVersion: capabilities.serverVersion,
        serverVersionNum: capabilities.serverVersionNum,
        capabilities: capabilities as unknown as Prisma.InputJsonValue,
        health: "healthy",
      },
    });
    return { row: toRow(created), capabilities };
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw duplicate(name);
    throw err;
  }
}

export async function listTargets(repo: PrismaClient): Promise<TargetRow[]> {
  const targets = await repo.target.findMany({ orderBy: { name: "asc" } });
  return targets.map(toRow);
}

export class TargetNotFoundError extends UserError {
  constructor(name: string) {
    super(`there is no target named "${name}"`);
  }
}

/**
 * Removes a target and everything collected from it, in one transaction: intervals and rollups
 * explicitly (no foreign keys on those, see schema.prisma), the rest by cascade.
 */
export async function removeTarget(repo: PrismaClient, name: string): Promise<void> {
  await repo.$transaction(
    async (tx) => {
      const target = await tx.target.findUnique({ where: { name }, select: { id: true } });
      if (!target) throw new TargetNotFoundError(name);
      await tx.statementInterval.deleteMany({ where: { targetId: target.id } });
      await tx.statementRollup.deleteMany({ where: { targetId: target.id } });
      await tx.target.delete({ where: { id: target.id } });
    },
    { timeout: 600_000, maxWait: 30_000 },
  );
}

/** The target's URL with its password in clear: server-side only, never log or return it. */
export async function targetConnectionString(target: TargetConnection, secrets?: SecretKeySource): Promise<string> {
  const password = target.passwordCiphertext ? await decryptPassword(target.passwordCiphertext, target.name, secrets) : null;
  return buildUrl(target, password);
}

/** A connected collector session on the target (application_name planwatch, bounded statements). */
export async function connectTarget(target: TargetConnection, secrets?: SecretKeySource): Promise<pg.Client> {
  const password = target.passwordCiphertext ? await decryptPassword(target.passwordCiphertext, target.name, secrets) : null;
  return connect(target, password);
}

/** Parses stored capabilities JSON (null when never detected or from an older shape). */
export function storedCapabilities(value: unknown): TargetCapabilities | null {
  if (!value || typeof value !== "object") return null;
  const caps = value as Partial<TargetCapabilities>;
  return caps.pgStatStatements && caps.autoExplain && caps.serverLog ? (value as TargetCapabilities) : null;
}

async function connect(target: Omit<TargetConnection, "passwordCiphertext">, password: string | null): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.username,
    password: password ?? undefined,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: TARGET_CONNECT_TIMEOUT_MS,
    statement_timeout: TARGET_STATEMENT_TIMEOUT_MS,
  });
  // A target that goes away mid-run emits 'error' on the idle client; the next query reports it.
  client.on("error", () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new UserError(connectionErrorMessage(buildUrl(target, password), err));
  }
}

function buildUrl(target: Pick<TargetConnection, "host" | "port" | "database" | "username">, password: string | null): string {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  const auth = encodeURIComponent(target.username) + (password === null ? "" : `:${encodeURIComponent(password)}`);
  return `postgresql://${auth}@${host}:${target.port}/${encodeURIComponent(target.database)}`;
}

type TargetRecord = Awaited<ReturnType<PrismaClient["target"]["findMany"]>>[number];

function toRow(t: TargetRecord): TargetRow {
  const caps = storedCapabilities(t.capabilities);
  return {
    name: t.name,
    host: t.host,
    port: t.port,
    database: t.database,
    username: t.username,
    health: t.health,
    serverVersion: t.serverVersion,
    lastCollectedAt: t.lastCollectedAt?.toISOString() ?? null,
    nextCollectAt: t.nextCollectAt?.toISOString() ?? null,
    lastError: t.lastError,
    collectIntervalSeconds: t.collectIntervalSeconds,
    capabilities: caps ? capabilitySummary(caps) : null,
    warnings: caps ? capabilityWarnings(caps) : [],
  };
}

function duplicate(name: string): UserError {
  return new UserError(`a target named "${name}" already exists; remove it first or choose another name`);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
