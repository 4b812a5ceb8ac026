// The home page's statement list: ranked rows filtered by search and verdict, sorted by the chosen
// column and cut into pages. Pure (the route handler and the page call it on the server).
import type { RegressionRow } from "../api/regressions";
import type { SortDirection, StatementSort, VerdictFilter } from "../api/statements";

export interface ListSelection {
  q: string;
  verdict: VerdictFilter;
  sort: StatementSort;
  dir: SortDirection;
  page: number;
  pageSize: number;
}

export interface SelectedPage<T> {
  rows: T[];
  total: number;
  /** The page shown: the asked one, or the last one when it asked past the end. */
  page: number;
  pageCount: number;
  counts: { regressions: number; improvements: number; all: number };
}

const SORT_VALUE: Record<StatementSort, (r: RegressionRow) => number | null> = {
  impact: (r) => r.impactMs,
  ratio: (r) => r.ratio,
  calls: (r) => r.recentCalls,
  recent: (r) => r.recentMeanMs,
};

/** Case-insensitive substring of the query text; whitespace runs in the search match any whitespace. */
export function matchesSearch(query: string, search: string): boolean {
  return searchMatcher(search)(query);
}

/** matchesSearch with the search parsed once, for filtering thousands of rows. */
function searchMatcher(search: string): (query: string) => boolean {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  const needle = words.join(" ");
  return (query) => query.toLowerCase().replace(/\s+/g, " ").includes(needle);
}

export function matchesVerdict(row: Pick<RegressionRow, "verdict">, verdict: VerdictFilter): boolean {
  if (verdict === "regressions") return row.verdict === "regression";
  if (verdict === "improvements") return row.verdict === "improvement";
  return true;
}

/**
 * Sort by the column (missing values last whatever the direction, then the ranking's own order as
 * the tie-break so equal values never shuffle between polls), then the page.
 */
export function selectStatements<T extends RegressionRow>(ranked: readonly T[], selection: ListSelection): SelectedPage<T> {
  const matches = searchMatcher(selection.q);
  const searched = ranked.filter((r) => matches(r.query));
  const counts = {
    regressions: searched.filter((r) => r.verdict === "regression").length,
    improvements: searched.filter((r) => r.verdict === "improvement").length,
    all: searched.length,
  };
  const value = SORT_VALUE[selection.sort];
  const sign = selection.dir === "desc" ? -1 : 1;
  const filtered = searched
    .map((row, rank) => ({ row, rank, v: value(row) }))
    .filter(({ row }) => matchesVerdict(row, selection.verdict))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.rank - b.rank : a.v === null ? 1 : -1;
      return a.v === b.v ? a.rank - b.rank : sign * (a.v - b.v);
    })
    .map(({ row }) => row);
  const pageCount = Math.max(1, Math.ceil(filtered.length / selection.pageSize));
  const page = Math.min(Math.max(1, selection.page), pageCount);
  const start = (page - 1) * selection.pageSize;
  return { rows: filtered.slice(start, start + selection.pageSize), total: filtered.length, page, pageCount, counts };
}

/** The evidence text names a generic plan (attribution's note on a plan change). */
export function isGenericEvidence(evidence: string): boolean {
  return /new plan is a generic plan/.test(evidence);
}
