// One factory for every React Query key, so invalidation can target a whole family.
export const queryKeys = {
  all: ["planwatch"] as const,
  health: () => [...queryKeys.all, "health"] as const,
};
