// Where the e2e server runs and keeps its embedded repository. Each port gets its own data folder,
// so two e2e runs at once (CI and a developer, two developers) never wipe each other's repository.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3107);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? (E2E_PORT === 3107 ? ".planwatch-e2e" : `.planwatch-e2e-${E2E_PORT}`);
