// The secret better-auth signs session cookies with. Same rules as the key for target passwords
// (lib/collector/secrets.ts): PLANWATCH_AUTH_SECRET when set; otherwise the embedded repository gets
// a random secret generated once into <dataDir>/auth.secret (mode 0600); an external repository
// (DATABASE_URL) refuses, because every app process of that repository must sign and check cookies
// with the same secret, which only the operator can arrange.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { readEnv, type Env } from "../env";
import { UserError } from "../errors";
import { EMBEDDED_MARKER_ENV } from "../collector/secrets";

export const AUTH_SECRET_FILE = "auth.secret";
/** better-auth warns below 32 characters; a shorter secret is refused outright. */
export const MIN_AUTH_SECRET_LENGTH = 32;

export interface AuthSecretSource {
  /** PLANWATCH_AUTH_SECRET, when set. */
  secret: string | undefined;
  /** The repository is the embedded one: a generated secret file is acceptable. */
  embedded: boolean;
  dataDir: string;
}

export function authSecretSource(env: Env = readEnv(), processEnv: Record<string, string | undefined> = process.env): AuthSecretSource {
  const secret = processEnv.PLANWATCH_AUTH_SECRET?.trim() || undefined;
  return { secret, embedded: env.databaseUrl === undefined || processEnv[EMBEDDED_MARKER_ENV] === "1", dataDir: env.dataDir };
}

/** The secret, generating the embedded one on first use. Never logs or echoes it. */
export async function loadAuthSecret(source: AuthSecretSource = authSecretSource()): Promise<string> {
  if (source.secret) {
    if (source.secret.length < MIN_AUTH_SECRET_LENGTH) {
      throw new UserError(`PLANWATCH_AUTH_SECRET is too short: use at least ${MIN_AUTH_SECRET_LENGTH} random characters (e.g. \`openssl rand -base64 32\`)`);
    }
    return source.secret;
  }
  if (!source.embedded) {
    throw new UserError(
      "PLANWATCH_AUTH_SECRET is not set: with an external repository (DATABASE_URL) every PlanWatch app process must sign session cookies with the same secret. Set PLANWATCH_AUTH_SECRET (at least 32 random characters) to the same value everywhere",
    );
  }
  const file = path.join(source.dataDir, AUTH_SECRET_FILE);
  if (!existsSync(file)) {
    await mkdir(source.dataDir, { recursive: true, mode: 0o755 });
    // "wx": if another process created it first, its secret wins and we read it below.
    await writeFile(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  }
  const secret = (await readFile(file, "utf8")).trim();
  if (secret.length < MIN_AUTH_SECRET_LENGTH) throw new UserError(`${file} is damaged (too short); remove it to generate a new one (everyone will have to sign in again)`);
  return secret;
}
