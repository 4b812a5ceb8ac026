// Account administration (the CLI today, an admin page later): users are created here, never
// through public sign-up. Passwords are hashed with better-auth's own hashing utility (scrypt, its
// stored format) into the "credential" account, exactly as its sign-up would, so the web sign-in
// accepts them; no auth instance (and so no auth secret) is needed to create a user.
import { generateRandomString, hashPassword } from "better-auth/crypto";
import { z } from "zod";
import { Prisma, type PrismaClient } from "../db/client";
import { ConflictError, NotFoundError, UserError } from "../errors";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./auth";
import { actorName, type Actor, type Role } from "./authorize";
import { normalizeEmail } from "./sign-in-throttle";

const emailSchema = z.email();

export interface UserRow {
  id: string;
  email: string;
  role: string;
  createdAt: Date;
  /** Unexpired sessions right now. */
  activeSessions: number;
}

export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new UserError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new UserError(`the password must have at most ${MAX_PASSWORD_LENGTH} characters`);
}

export function validateEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (!emailSchema.safeParse(normalized).success) throw new UserError(`"${email}" is not an email address`);
  return normalized;
}

export async function createUser(repo: PrismaClient, input: { email: string; password: string; role: Role; actor: Actor; action?: string }): Promise<UserRow> {
  const email = validateEmail(input.email);
  validatePassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const id = generateRandomString(32, "a-z", "A-Z", "0-9");
  try {
    const user = await repo.$transaction(async (tx) => {
      const created = await tx.user.create({ data: { id, email, name: email.split("@")[0] ?? email, role: input.role, emailVerified: true } });
      await tx.account.create({ data: { id: generateRandomString(32, "a-z", "A-Z", "0-9"), userId: id, accountId: id, providerId: "credential", password: passwordHash } });
      await tx.authAuditEvent.create({ data: { actor: actorName(input.actor), action: input.action ?? "user.add", subject: email, detail: `role ${input.role}` } });
      return created;
    });
    return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt, activeSessions: 0 };
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw new ConflictError(`a user with the email ${email} already exists`);
    throw err;
  }
}

export async function listUsers(repo: PrismaClient, now = new Date()): Promise<UserRow[]> {
  const users = await repo.user.findMany({
    orderBy: { email: "asc" },
    include: { _count: { select: { sessions: { where: { expiresAt: { gt: now } } } } } },
  });
  return users.map((u) => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt, activeSessions: u._count.sessions }));
}

/** Changes a role; it applies at the user's next request (sessions read the role every time). */
export async function setUserRole(repo: PrismaClient, input: { email: string; role: Role; actor: Actor }): Promise<{ from: string; to: Role }> {
  const email = normalizeEmail(input.email);
  return repo.$transaction(
    async (tx) => {
      const user = await tx.user.findUnique({ where: { email } });
      if (!user) throw new NotFoundError(`no user with the email ${email}`);
      if (user.role === "admin" && input.role !== "admin") await assertNotLastAdmin(tx, user.id);
      await tx.user.update({ where: { id: user.id }, data: { role: input.role } });
      await tx.authAuditEvent.create({ data: { actor: actorName(input.actor), action: "user.set-role", subject: email, detail: `${user.role} → ${input.role}` } });
      return { from: user.role, to: input.role };
    },
    { isolationLevel: "Serializable" },
  );
}

/** Removes a user with their sessions and password (cascade): their cookies stop working at once. */
export async function removeUser(repo: PrismaClient, input: { email: string; actor: Actor }): Promise<void> {
  const email = normalizeEmail(input.email);
  await repo.$transaction(
    async (tx) => {
      const user = await tx.user.findUnique({ where: { email } });
      if (!user) throw new NotFoundError(`no user with the email ${email}`);
      if (user.role === "admin") await assertNotLastAdmin(tx, user.id);
      await tx.user.delete({ where: { id: user.id } });
      await tx.authAuditEvent.create({ data: { actor: actorName(input.actor), action: "user.remove", subject: email, detail: `was ${user.role}` } });
    },
    { isolationLevel: "Serializable" },
  );
}

export async function countUsers(repo: PrismaClient): Promise<number> {
  return repo.user.count();
}

// Nobody could sign in to administer PlanWatch any more (the CLI still could, but a slip should
// not need it). Serializable transactions keep two concurrent demotions from both passing.
async function assertNotLastAdmin(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  const others = await tx.user.count({ where: { role: "admin", id: { not: userId } } });
  if (others === 0) throw new UserError("that is the last admin: make another user admin first");
}
