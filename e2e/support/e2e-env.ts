// Where the e2e server runs and keeps its embedded repository. Each port gets its own data folder,
// so two e2e runs at once (CI and a developer, two developers) never wipe each other's repository.
import { readFileSync } from "node:fs";
import path from "node:path";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3107);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? (E2E_PORT === 3107 ? ".planwatch-e2e" : `.planwatch-e2e-${E2E_PORT}`);

const root = path.resolve(import.meta.dirname, "..", "..");

/** The e2e server's embedded repository, as a connection string (from the data folder). */
export function repositoryUrl(): string {
  const config = JSON.parse(readFileSync(path.resolve(root, E2E_DATA_DIR, "repository.json"), "utf8")) as { port: number; password: string };
  return `postgresql://postgres:${encodeURIComponent(config.password)}@127.0.0.1:${config.port}/planwatch`;
}
