// Process configuration, validated once at the boundary. Read lazily: `next build` imports
// modules without any of these set, so nothing may throw at import time.
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const portSchema = z.coerce.number().int().min(1).max(65535);

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgresql:// URL")
    .optional(),
  PORT: portSchema.default(3000),
  HOSTNAME: z.string().trim().min(1).default("127.0.0.1"),
  PLANWATCH_DATA_DIR: z.string().trim().min(1).default(".planwatch"),
  PLANWATCH_EMBEDDED_PORT: portSchema.default(54329),
  PLANWATCH_WEB_PROCESSES: z
    .string()
    .refine((v) => v === "auto" || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 64), 'must be "auto" or a whole number from 1 to 64')
    .default("1"),
});

export type Env = {
  databaseUrl: string | undefined;
  port: number;
  hostname: string;
  /** Absolute path of the data folder (embedded repository, generated keys). */
  dataDir: string;
  embeddedPort: number;
  /** Web server processes (one event loop each); "auto" is one per available core. */
  webProcesses: number;
};

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // Never echo the value: DATABASE_URL carries a password.
    throw new Error(`invalid environment: ${issue?.path.join(".")} ${issue?.message}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    hostname: e.HOSTNAME,
    dataDir: path.resolve(e.PLANWATCH_DATA_DIR),
    embeddedPort: e.PLANWATCH_EMBEDDED_PORT,
    webProcesses: e.PLANWATCH_WEB_PROCESSES === "auto" ? os.availableParallelism() : Number(e.PLANWATCH_WEB_PROCESSES),
  };
}
