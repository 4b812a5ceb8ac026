import { defineConfig } from "vitest/config";
import path from "node:path";

const root = import.meta.dirname;
// `server-only` throws outside React Server Components; tests import lib/db directly.
const alias = { "@": root, "server-only": path.join(root, "test/support/empty-module.ts") };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["lib/**/*.test.ts", "cli/**/*.test.ts"], environment: "node", sequence: { groupOrder: 0 } },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: ["test/integration/**/*-workload.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: files run two at a time against the shared clusters.
          maxWorkers: 2,
          // Runs after the unit project (a different worker limit needs its own group).
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Real workloads judged by real timings: run alone, after everything else, so other test
        // files do not load the machine while they measure.
        resolve: { alias },
        test: {
          name: "workload",
          include: ["test/integration/**/*-workload.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
