// Bearer tokens for automation: `Authorization: Bearer pw_<43 base64url chars>` (256 random bits).
// Only the token's SHA-256 is stored, so a copy of the repository does not hand out working
// tokens; a token this random needs no salt or slow hash. The token is shown once, at creation.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/client";
import { NotFoundError, UserError } from "../errors";
import { actorName, type Actor, type Role } from "./authorize";
import { parseRole } from "./roles";

export const TOKEN_PREFIX = "pw_";
const TOKEN_PATTERN = /^pw_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is written at most once per this interval, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface ApiTokenRow {
  id: string;
  name: string;
  role: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Creates a token; the returned `token` is the only time it exists in clear. */
export async function createApiToken(repo: PrismaClient, input: { name: string; role: Role; actor: Actor }): Promise<{ token: string; row: ApiTokenRow }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new UserError("token name: 1 to 100 characters");
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const created = await repo.$transaction(async (tx) => {
    const row = await tx.apiToken.create({ data: { name, role: input.role, tokenHash: hashToken(token), createdBy: actorName(input.actor) } });
    await tx.authAuditEvent.create({ data: { actor: actorName(input.actor), action: "token.create", subject: `${row.id} (${name})`, detail: `role ${input.role}` } });
    return row;
  });
  return { token, row: toRow(created) };
}

export async function listApiTokens(repo: PrismaClient): Promise<ApiTokenRow[]> {
  const rows = await repo.apiToken.findMany({ orderBy: { id: "asc" } });
  return rows.map(toRow);
}

/** Revokes by id; revoking an already revoked token is a no-op that says so. */
export async function revokeApiToken(repo: PrismaClient, id: string, actor: Actor): Promise<{ row: ApiTokenRow; alreadyRevoked: boolean }> {
  if (!/^\d{1,18}$/.test(id)) throw new UserError(`token id must be a number (see \`planwatch token list\`), got "${id}"`);
  return repo.$transaction(async (tx) => {
    const existing = await tx.apiToken.findUnique({ where: { id: BigInt(id) } });
    if (!existing) throw new NotFoundError(`no token with id ${id}`);
    if (existing.revokedAt) return { row: toRow(existing), alreadyRevoked: true };
    const row = await tx.apiToken.update({ where: { id: existing.id }, data: { revokedAt: new Date() } });
    await tx.authAuditEvent.create({ data: { actor: actorName(actor), action: "token.revoke", subject: `${row.id} (${row.name})` } });
    return { row: toRow(row), alreadyRevoked: false };
  });
}

/** The actor of a presented token, or null (malformed, unknown, revoked, or a role we do not know). */
export async function resolveApiToken(repo: PrismaClient, token: string, now = new Date()): Promise<Actor | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await repo.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) return null;
  const role = parseRole(row.role);
  if (!role) return null;
  // Conditional update: several processes (or requests) in the same minute write once between them.
  await repo.apiToken.updateMany({
    where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
    data: { lastUsedAt: now },
  });
  return { kind: "token", tokenId: row.id.toString(), role };
}

function toRow(r: { id: bigint; name: string; role: string; createdBy: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }): ApiTokenRow {
  return { id: r.id.toString(), name: r.name, role: r.role, createdBy: r.createdBy, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, revokedAt: r.revokedAt };
}
