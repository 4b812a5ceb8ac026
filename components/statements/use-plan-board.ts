"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { decidePlanAction } from "@/app/(app)/statements/[id]/actions";
import { isPlanBoard, type PlanBoard } from "@/lib/api/plan-board";
import { nextFlags, type DecisionFailure, type UiPlanAction } from "@/lib/statements/plan-actions";
import { queryKeys } from "../query-keys";

const PLAN_BOARD_POLL_MS = 30_000;

async function fetchPlanBoard(statementId: string, signal: AbortSignal): Promise<PlanBoard> {
  const response = await fetch(`/api/statements/${statementId}/plans`, { cache: "no-store", signal });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(typeof body === "object" && body !== null && "error" in body ? String(body.error) : `the server answered ${response.status}`);
  }
  if (!isPlanBoard(body)) throw new Error("the plan history came back in an unexpected shape");
  return body;
}

/** The statement's plans and last decisions, polled (the collector adds plans while the page is open). */
export function usePlanBoard(statementId: string, initial: PlanBoard) {
  return useQuery({
    queryKey: queryKeys.statements.plans(statementId),
    queryFn: ({ signal }) => fetchPlanBoard(statementId, signal),
    initialData: initial,
    refetchInterval: PLAN_BOARD_POLL_MS,
  });
}

export interface DecisionVariables {
  planId: string;
  fingerprint: string;
  action: UiPlanAction;
  reason: string;
  expectedVersion: number;
}

export class DecisionError extends Error {
  constructor(readonly failure: DecisionFailure) {
    super(failure.message);
  }
}

export interface DecisionCallbacks {
  onDecided: (variables: DecisionVariables, writeBack: { result: string; detail: string } | null) => void;
  onFailed: (variables: DecisionVariables, failure: DecisionFailure) => void;
}

/**
 * One click, one decision: the table shows the new state at once, the server action decides, and
 * on a refusal the table goes back to what it was (a conflict reloads it from the server).
 */
export function usePlanDecision(statementId: string, callbacks: DecisionCallbacks) {
  const client = useQueryClient();
  const key = queryKeys.statements.plans(statementId);
  return useMutation({
    mutationFn: async (variables: DecisionVariables) => {
      const result = await decidePlanAction({
        planId: variables.planId,
        action: variables.action,
        reason: variables.reason.trim() || undefined,
        expectedVersion: variables.expectedVersion,
      });
      if ("error" in result) throw new DecisionError(result.error);
      return result.decision;
    },
    onMutate: async (variables) => {
      await client.cancelQueries({ queryKey: key });
      const previous = client.getQueryData<PlanBoard>(key);
      if (previous) {
        client.setQueryData<PlanBoard>(key, {
          ...previous,
          plans: previous.plans.map((p) => (p.planId === variables.planId ? { ...p, ...nextFlags(p, variables.action) } : p)),
        });
      }
      return { previous };
    },
    onError: (err, variables, context) => {
      if (context?.previous) client.setQueryData(key, context.previous);
      const failure = err instanceof DecisionError ? err.failure : { status: 500, message: err instanceof Error ? err.message : String(err) };
      callbacks.onFailed(variables, failure);
    },
    onSuccess: (decision, variables) => callbacks.onDecided(variables, decision.writeBack),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: key });
      // The list's "plan running now" may have changed too.
      void client.invalidateQueries({ queryKey: queryKeys.statements.all(), refetchType: "none" });
    },
  });
}
