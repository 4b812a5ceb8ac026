// `npm run demo` signs nobody in by itself: on a repository without any user it creates one admin
// with a random password and hands the credentials back to be printed once. They are not stored
// anywhere else (only the password's hash is) and never logged again; a later demo run finds the
// user and creates nothing.
import { randomBytes } from "node:crypto";
import { createPrisma } from "../db/client";
import { cliActor } from "./authorize";
import { countUsers, createUser } from "./users";

export const DEMO_ADMIN_EMAIL = "admin@planwatch.local";

export async function ensureDemoAdmin(repositoryUrl: string): Promise<{ email: string; password: string } | null> {
  const repo = createPrisma(repositoryUrl);
  try {
    if ((await countUsers(repo)) > 0) return null;
    const password = randomBytes(18).toString("base64url");
    await createUser(repo, { email: DEMO_ADMIN_EMAIL, password, role: "admin", actor: cliActor(), action: "demo-admin.create" });
    return { email: DEMO_ADMIN_EMAIL, password };
  } finally {
    await repo.$disconnect();
  }
}
