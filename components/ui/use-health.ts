"use client";

import { useQuery } from "@tanstack/react-query";
import { healthSchema, type Health } from "@/lib/api/health";
import { queryKeys } from "../query-keys";

const HEALTH_POLL_MS = 15_000;

async function fetchHealth(): Promise<Health> {
  const response = await fetch("/api/health", { cache: "no-store" });
  // 503 still carries a health body that says what is wrong.
  const parsed = healthSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new Error(`health check answered ${response.status} without a valid body`);
  return parsed.data;
}

export function useHealth() {
  return useQuery({ queryKey: queryKeys.health(), queryFn: fetchHealth, refetchInterval: HEALTH_POLL_MS });
}
