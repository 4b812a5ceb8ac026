// One factory for every React Query key, so invalidation can target a whole family.
import type { StatementListParams } from "@/lib/api/statements";

export const queryKeys = {
  all: ["planwatch"] as const,
  health: () => [...queryKeys.all, "health"] as const,
  statements: {
    all: () => [...queryKeys.all, "statements"] as const,
    /** The ranked, filtered, sorted page of GET /api/statements. */
    list: (params: StatementListParams) => [...queryKeys.statements.all(), "list", params] as const,
    /** One statement's plan table and last decisions (GET /api/statements/:id/plans). */
    plans: (statementId: string) => [...queryKeys.statements.all(), statementId, "plans"] as const,
  },
};
