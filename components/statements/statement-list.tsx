"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo, type KeyboardEvent } from "react";
import {
  listParamsToQuery,
  parseListQuery,
  type StatementList as StatementListData,
  type StatementListParams,
  type StatementSort,
} from "@/lib/api/statements";
import { formatCount, formatDurationMs, formatImpactMs, formatRatio, formatTimestamp } from "@/lib/statements/format";
import { CauseBadges, RunningPlanCell, VerdictBadge } from "./badges";
import { StatementListControls } from "./statement-list-controls";
import { STATEMENT_LIST_POLL_MS, useStatementList } from "./use-statement-list";
import styles from "./statements.module.css";

interface Props {
  targets: string[];
  initial: { params: StatementListParams; data: StatementListData } | null;
}

const SORT_LABELS: Record<StatementSort, string> = { ratio: "Ratio", impact: "Impact", recent: "Recent mean", calls: "Recent calls" };

export function StatementList({ targets, initial }: Props) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const { params, ignored } = useMemo(() => parseListQuery(Object.fromEntries(searchParams)), [searchParams]);
  const { data, error, isFetching, isPlaceholderData } = useStatementList(params, initial ?? undefined);
  const target = params.target ?? data?.target ?? targets[0] ?? "";

  // URL state without a server round trip: Next.js keeps useSearchParams in sync with history.
  const onChange = useCallback(
    (next: Partial<StatementListParams>, mode: "push" | "replace" = "push") => {
      const query = listParamsToQuery({ ...params, ...next });
      const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
      if (mode === "replace") window.history.replaceState(null, "", url);
      else window.history.pushState(null, "", url);
    },
    [params],
  );

  const sortBy = (sort: StatementSort) =>
    onChange({ sort, dir: params.sort === sort && params.dir === "desc" ? "asc" : "desc", page: 1 });
  const open = (statementId: string) => router.push(`/statements/${statementId}`);
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, statementId: string) => {
    if (event.key === "Enter" && event.target === event.currentTarget) open(statementId);
  };

  const sortHeader = (sort: StatementSort) => {
    const active = params.sort === sort;
    return (
      <th className={styles.num} aria-sort={active ? (params.dir === "desc" ? "descending" : "ascending") : undefined} scope="col">
        <button type="button" className={styles.sortButton} data-active={active} onClick={() => sortBy(sort)}>
          {SORT_LABELS[sort]}
          <span aria-hidden="true">{active ? (params.dir === "desc" ? "▼" : "▲") : "↕"}</span>
        </button>
      </th>
    );
  };

  return (
    <section aria-labelledby="statements-title">
      <h2 id="statements-title" className="visually-hidden">
        Statements ranked by regression
      </h2>
      <StatementListControls params={params} target={target} targets={targets} counts={data?.counts} onChange={onChange} />
      {ignored.length > 0 ? (
        <p className={styles.notice} role="note">
          Ignored invalid link parameters: {ignored.join(", ")} (showing the defaults instead).
        </p>
      ) : null}
      {error ? (
        <p className={styles.errorNotice} role="alert">
          Cannot load the statements: {error.message}
          {data ? " — showing the last answer." : ""}
        </p>
      ) : null}
      <div className={`${styles.tableWrap} ${isPlaceholderData ? styles.fetching : ""}`} aria-busy={isFetching}>
        <table className={styles.table} aria-label="Statements ranked by regression">
          <thead>
            <tr>
              <th scope="col">Query</th>
              <th scope="col">Verdict</th>
              {sortHeader("ratio")}
              {sortHeader("impact")}
              {sortHeader("recent")}
              {sortHeader("calls")}
              <th scope="col">Cause</th>
              <th scope="col">Plan running now</th>
            </tr>
          </thead>
          <tbody>
            {data?.rows.map((row) => (
              <tr
                key={row.statementId}
                className={styles.rowLink}
                tabIndex={0}
                aria-label={`Statement ${row.statementId}: ${row.query.slice(0, 80)}`}
                onClick={(e) => {
                  if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey) open(row.statementId);
                }}
                onKeyDown={(e) => onRowKey(e, row.statementId)}
              >
                <td className={styles.queryCell}>
                  <a className={styles.query} href={`/statements/${row.statementId}`} title={row.query} tabIndex={-1} onClick={(e) => {
                      // A plain click is the row's; ctrl/cmd/shift-click opens a tab as links do.
                      if (!e.metaKey && !e.ctrlKey && !e.shiftKey) e.preventDefault();
                      else e.stopPropagation();
                    }}>
                    {row.query}
                  </a>
                </td>
                <td>
                  <VerdictBadge verdict={row.verdict} />
                </td>
                <td className={`${styles.num} ${row.verdict === "regression" ? styles.bad : row.verdict === "improvement" ? styles.ok : ""}`}>
                  {formatRatio(row.ratio)}
                </td>
                <td className={styles.num} title={row.impactMs === null ? undefined : `${formatCount(row.impactMs)} ms`}>
                  {formatImpactMs(row.impactMs)}
                </td>
                <td className={styles.num}>{row.recentMeanMs === null ? "—" : formatDurationMs(row.recentMeanMs)}</td>
                <td className={styles.num}>{formatCount(row.recentCalls)}</td>
                <td title={row.evidence}>
                  <CauseBadges cause={row.cause} generic={row.generic} />
                </td>
                <td>
                  <RunningPlanCell plan={row.runsNow} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && data.rows.length === 0 ? (
          <p className={styles.empty}>
            {data.counts.all === 0 && params.q === ""
              ? `No statement of ${data.target ?? "this target"} has intervals in the last ${data.recent} or the ${data.baseline} before.`
              : "No statement matches these filters."}
          </p>
        ) : null}
        {!data && !error ? <p className={styles.empty}>Loading statements…</p> : null}
      </div>
      {data ? (
        <div className={styles.footer}>
          <span>
            {formatCount(data.total)} statement{data.total === 1 ? "" : "s"} · updated {formatTimestamp(data.generatedAt)} · refreshes every{" "}
            {STATEMENT_LIST_POLL_MS / 1000} s{isFetching ? " · refreshing…" : ""}
          </span>
          <nav className={styles.pager} aria-label="Pages">
            <button type="button" disabled={data.page <= 1} onClick={() => onChange({ page: data.page - 1 })}>
              Previous
            </button>
            <span>
              Page {data.page} of {data.pageCount}
            </span>
            <button type="button" disabled={data.page >= data.pageCount} onClick={() => onChange({ page: data.page + 1 })}>
              Next
            </button>
          </nav>
        </div>
      ) : null}
    </section>
  );
}
