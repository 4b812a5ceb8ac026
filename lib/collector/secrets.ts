// Target passwords are stored encrypted (AES-256-GCM) so a copy of the repository alone does not
// give access to the monitored servers.
//
// The key comes from PLANWATCH_SECRET: 32 bytes written as 64 hex digits or as base64, or else any
// passphrase, stretched with scrypt and a fixed salt (a fixed salt is fine here: the key must be
// reproducible from the passphrase on every collector machine, and scrypt's cost still slows a
// brute force down). Without PLANWATCH_SECRET, an embedded repository gets a random key generated
// once into <dataDir>/secret.key (mode 0600); an external repository (DATABASE_URL) refuses, because
// every process that shares that repository must share the key, which only the operator can arrange.
//
// Stored format: version byte (1) + 12-byte IV + ciphertext + 16-byte GCM tag.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { readEnv, type Env } from "../env";
import { UserError } from "../errors";

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const SCRYPT_SALT = "planwatch:target-secrets:v1";
export const SECRET_KEY_FILE = "secret.key";

/**
 * Set by the app server in its own process when it started the embedded repository: it then puts
 * the repository URL into DATABASE_URL for Next.js, which would otherwise look like external mode.
 */
export const EMBEDDED_MARKER_ENV = "PLANWATCH_REPOSITORY_EMBEDDED";

export interface SecretKeySource {
  /** PLANWATCH_SECRET, when set. */
  secret: string | undefined;
  /** The repository is the embedded one: a generated key file is acceptable. */
  embedded: boolean;
  dataDir: string;
}

export function secretKeySource(env: Env = readEnv(), processEnv: Record<string, string | undefined> = process.env): SecretKeySource {
  const secret = processEnv.PLANWATCH_SECRET?.trim() || undefined;
  return { secret, embedded: env.databaseUrl === undefined || processEnv[EMBEDDED_MARKER_ENV] === "1", dataDir: env.dataDir };
}

/** The 32-byte key a PLANWATCH_SECRET value stands for (hex, base64, or a passphrase). */
export function keyFromSecret(secret: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(secret)) return Buffer.from(secret, "hex");
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(secret)) {
    const decoded = Buffer.from(secret, secret.includes("-") || secret.includes("_") ? "base64url" : "base64");
    if (decoded.length === KEY_BYTES) return decoded;
  }
  return scryptSync(secret, SCRYPT_SALT, KEY_BYTES);
}

const derivedKeys = new Map<string, Buffer>();

/**
 * The key for encrypting (create: true generates the embedded key file when missing) or decrypting.
 * Returns null only when no key exists yet and create is false.
 */
export async function loadSecretKey(source: SecretKeySource, { create }: { create: boolean }): Promise<Buffer | null> {
  if (source.secret) {
    let key = derivedKeys.get(source.secret);
    if (!key) derivedKeys.set(source.secret, (key = keyFromSecret(source.secret)));
    return key;
  }
  if (!source.embedded) {
    if (!create) return null;
    throw new UserError(
      "PLANWATCH_SECRET is not set: with an external repository (DATABASE_URL) every PlanWatch process must share the key that encrypts target passwords. Set PLANWATCH_SECRET (64 hex digits, 32 bytes of base64, or a passphrase) to the same value everywhere",
    );
  }
  const file = path.join(source.dataDir, SECRET_KEY_FILE);
  if (!existsSync(file)) {
    if (!create) return null;
    await mkdir(source.dataDir, { recursive: true, mode: 0o755 });
    // "wx": if another process created it first, its key wins and we read it below.
    await writeFile(file, randomBytes(KEY_BYTES).toString("base64") + "\n", { mode: 0o600, flag: "wx" }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  }
  const key = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
  if (key.length !== KEY_BYTES) throw new UserError(`${file} is damaged (expected ${KEY_BYTES} bytes of base64); target passwords cannot be decrypted without it`);
  return key;
}

export function encryptSecret(key: Buffer, plaintext: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, body, cipher.getAuthTag()]);
}

/** Decrypts; a wrong key or damaged data gives one clear error (never the data). */
export function decryptSecret(key: Buffer, data: Uint8Array, what = "a target password"): string {
  const bytes = Buffer.from(data);
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT_VERSION) {
    throw new UserError(`cannot decrypt ${what}: unknown format (version ${bytes[0] ?? "none"})`);
  }
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const body = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new UserError(`cannot decrypt ${what} with the current key: PLANWATCH_SECRET changed? (or ${SECRET_KEY_FILE} was replaced); add the target again with its password`);
  }
}

/** Encrypts a password with the process's key (creating the embedded key file when needed). */
export async function encryptPassword(password: string, source: SecretKeySource = secretKeySource()): Promise<Buffer> {
  const key = await loadSecretKey(source, { create: true });
  if (!key) throw new UserError("no key to encrypt target passwords");
  return encryptSecret(key, password);
}

export async function decryptPassword(ciphertext: Uint8Array, targetName: string, source: SecretKeySource = secretKeySource()): Promise<string> {
  const key = await loadSecretKey(source, { create: false });
  if (!key) {
    const where = source.embedded ? `${path.join(source.dataDir, SECRET_KEY_FILE)} is missing` : "PLANWATCH_SECRET is not set";
    throw new UserError(`cannot decrypt the password of target "${targetName}": ${where}`);
  }
  return decryptSecret(key, ciphertext, `the password of target "${targetName}"`);
}
