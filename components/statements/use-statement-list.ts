"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { listParamsToQuery, statementListSchema, type StatementList, type StatementListParams } from "@/lib/api/statements";
import { queryKeys } from "../query-keys";

export const STATEMENT_LIST_POLL_MS = 30_000;

async function fetchStatementList(params: StatementListParams, signal: AbortSignal): Promise<StatementList> {
  const query = listParamsToQuery(params);
  const response = await fetch(`/api/statements${query ? `?${query}` : ""}`, { cache: "no-store", signal });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = typeof body === "object" && body !== null && "error" in body ? String(body.error) : `the server answered ${response.status}`;
    throw new Error(message);
  }
  const parsed = statementListSchema.safeParse(body);
  if (!parsed.success) throw new Error("the statement list came back in an unexpected shape");
  return parsed.data;
}

/** The ranked statement page for these parameters, polled every 30 s; the previous page stays while the next loads. */
export function useStatementList(params: StatementListParams, initial?: { params: StatementListParams; data: StatementList }) {
  const matchesInitial = initial !== undefined && listParamsToQuery(initial.params) === listParamsToQuery(params);
  return useQuery({
    queryKey: queryKeys.statements.list(params),
    queryFn: ({ signal }) => fetchStatementList(params, signal),
    refetchInterval: STATEMENT_LIST_POLL_MS,
    placeholderData: keepPreviousData,
    initialData: matchesInitial ? initial.data : undefined,
    initialDataUpdatedAt: matchesInitial ? Date.parse(initial.data.generatedAt) : undefined,
  });
}
