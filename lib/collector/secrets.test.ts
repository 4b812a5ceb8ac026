import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEnv } from "../env";
import {
  EMBEDDED_MARKER_ENV,
  decryptPassword,
  decryptSecret,
  encryptPassword,
  encryptSecret,
  keyFromSecret,
  loadSecretKey,
  secretKeySource,
  type SecretKeySource,
} from "./secrets";

const dirs: string[] = [];
async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), "planwatch-secrets-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("encryptSecret / decryptSecret", () => {
  const key = randomBytes(32);

  it("round-trips, with version byte, 12-byte IV and 16-byte tag around the ciphertext", () => {
    const data = encryptSecret(key, "pässword-1");
    expect(data[0]).toBe(1);
    expect(data.length).toBe(1 + 12 + Buffer.byteLength("pässword-1") + 16);
    expect(decryptSecret(key, data)).toBe("pässword-1");
  });

  it("uses a fresh IV every time", () => {
    expect(encryptSecret(key, "same").equals(encryptSecret(key, "same"))).toBe(false);
  });

  it("never contains the plaintext", () => {
    expect(encryptSecret(key, "Visible-Secret").toString("latin1")).not.toContain("Visible-Secret");
  });

  it("refuses a wrong key with a clear error naming PLANWATCH_SECRET", () => {
    const data = encryptSecret(key, "x");
    expect(() => decryptSecret(randomBytes(32), data)).toThrow(/cannot decrypt .*PLANWATCH_SECRET changed\?/);
  });

  it("refuses tampered data and unknown versions", () => {
    const data = encryptSecret(key, "abc");
    const tampered = Buffer.from(data);
    tampered[14] = tampered[14]! ^ 1;
    expect(() => decryptSecret(key, tampered)).toThrow(/cannot decrypt/);
    const v2 = Buffer.from(data);
    v2[0] = 2;
    expect(() => decryptSecret(key, v2)).toThrow(/unknown format \(version 2\)/);
    expect(() => decryptSecret(key, Buffer.alloc(3))).toThrow(/unknown format/);
  });
});

describe("keyFromSecret", () => {
  it("reads 64 hex digits as the key itself", () => {
    const raw = randomBytes(32);
    expect(keyFromSecret(raw.toString("hex")).equals(raw)).toBe(true);
  });

  it("reads base64 and base64url of 32 bytes as the key itself", () => {
    const raw = randomBytes(32);
    expect(keyFromSecret(raw.toString("base64")).equals(raw)).toBe(true);
    expect(keyFromSecret(raw.toString("base64url")).equals(raw)).toBe(true);
  });

  it("derives a stable 32-byte key from any other passphrase", () => {
    const a = keyFromSecret("correct horse battery staple");
    expect(a.length).toBe(32);
    expect(keyFromSecret("correct horse battery staple").equals(a)).toBe(true);
    expect(keyFromSecret("correct horse battery stapl").equals(a)).toBe(false);
  });
});

describe("where the key comes from", () => {
  it("is embedded when DATABASE_URL is unset or the app server marks it", () => {
    expect(secretKeySource(readEnv({}), {}).embedded).toBe(true);
    const external = readEnv({ DATABASE_URL: "postgresql://u:p@h/db" });
    expect(secretKeySource(external, {}).embedded).toBe(false);
    expect(secretKeySource(external, { [EMBEDDED_MARKER_ENV]: "1" }).embedded).toBe(true);
    expect(secretKeySource(external, { PLANWATCH_SECRET: " s " }).secret).toBe("s");
  });

  it("generates <dataDir>/secret.key once (mode 0600) in embedded mode and reuses it", async () => {
    const dataDir = path.join(await tempDir(), "data");
    const source: SecretKeySource = { secret: undefined, embedded: true, dataDir };
    expect(await loadSecretKey(source, { create: false })).toBeNull();
    const first = await loadSecretKey(source, { create: true });
    const file = path.join(dataDir, "secret.key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first?.length).toBe(32);
    expect((await loadSecretKey(source, { create: true }))?.equals(first!)).toBe(true);
    expect(Buffer.from((await readFile(file, "utf8")).trim(), "base64").equals(first!)).toBe(true);
  });

  it("refuses to encrypt with an external repository and no PLANWATCH_SECRET, naming the variable", async () => {
    const source: SecretKeySource = { secret: undefined, embedded: false, dataDir: await tempDir() };
    await expect(encryptPassword("pw", source)).rejects.toThrow(/PLANWATCH_SECRET is not set/);
  });

  it("encrypts with PLANWATCH_SECRET and decrypts only with the same value", async () => {
    const dataDir = await tempDir();
    const data = await encryptPassword("Pw-123", { secret: "first passphrase", embedded: false, dataDir });
    expect(await decryptPassword(data, "db1", { secret: "first passphrase", embedded: false, dataDir })).toBe("Pw-123");
    await expect(decryptPassword(data, "db1", { secret: "second passphrase", embedded: false, dataDir })).rejects.toThrow(
      /cannot decrypt the password of target "db1".*PLANWATCH_SECRET changed\?/,
    );
    await expect(decryptPassword(data, "db1", { secret: undefined, embedded: false, dataDir })).rejects.toThrow(/PLANWATCH_SECRET is not set/);
  });
});
