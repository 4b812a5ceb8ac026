// The home page's statement list: ranked rows filtered by search and verdict, sorted by the chosen
// column and cut into pages. Pure (the route handler and the page call it on the server); what a
// ranking's selections share is derived once per ranking array and kept with it.
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
  const needle = searchNeedle(search);
  return needle === null || foldQuery(query).includes(needle);
}

/** The search as foldQuery writes texts, or null for an empty search (everything matches). */
function searchNeedle(search: string): string | null {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return words.length === 0 ? null : words.join(" ");
}

function foldQuery(query: string): string {
  return query.toLowerCase().replace(/\s+/g, " ");
}

export function matchesVerdict(row: Pick<RegressionRow, "verdict">, verdict: VerdictFilter): boolean {
  if (verdict === "regressions") return row.verdict === "regression";
  if (verdict === "improvements") return row.verdict === "improvement";
  return true;
}

/**
 * What every selection from one ranking shares, built once per ranking (the ranking is one array
 * shared by every request for 15 s or until new data, lib/db/regressions.ts): each column's order,
 * each order cut by verdict, the verdict counts and the folded query texts. A request then costs a
 * slice of a prepared array instead of a filter, a sort and a count over every statement (5,000
 * statements: ~3 ms and their garbage per request, profiled under load).
 */
interface RankingIndex<T> {
  /** Rows in the order asked ("impact:desc:all"), built on first use. */
  orders: Map<string, readonly T[]>;
  counts: SelectedPage<T>["counts"];
  /** foldQuery of each row's text, built at the first search. */
  folded?: WeakMap<RegressionRow, string>;
}

const indexes = new WeakMap<readonly RegressionRow[], RankingIndex<RegressionRow>>();

function indexOf<T extends RegressionRow>(ranked: readonly T[]): RankingIndex<T> {
  let index = indexes.get(ranked) as RankingIndex<T> | undefined;
  if (index === undefined) {
    let regressions = 0;
    let improvements = 0;
    for (const r of ranked) {
      if (r.verdict === "regression") regressions++;
      else if (r.verdict === "improvement") improvements++;
    }
    index = { orders: new Map(), counts: { regressions, improvements, all: ranked.length } };
    indexes.set(ranked, index as unknown as RankingIndex<RegressionRow>);
  }
  return index;
}

/**
 * The rows sorted by the column (missing values last whatever the direction, then the ranking's own
 * order as the tie-break so equal values never shuffle between polls), cut by verdict.
 */
function ordered<T extends RegressionRow>(ranked: readonly T[], index: RankingIndex<T>, sort: StatementSort, dir: SortDirection, verdict: VerdictFilter): readonly T[] {
  const key = `${sort}:${dir}:${verdict}`;
  let rows = index.orders.get(key);
  if (rows !== undefined) return rows;
  if (verdict !== "all") {
    rows = ordered(ranked, index, sort, dir, "all").filter((r) => matchesVerdict(r, verdict));
  } else {
    const value = SORT_VALUE[sort];
    const sign = dir === "desc" ? -1 : 1;
    rows = ranked
      .map((row, rank) => ({ row, rank, v: value(row) }))
      .sort((a, b) => {
        if (a.v === null || b.v === null) return a.v === b.v ? a.rank - b.rank : a.v === null ? 1 : -1;
        return a.v === b.v ? a.rank - b.rank : sign * (a.v - b.v);
      })
      .map(({ row }) => row);
  }
  index.orders.set(key, rows);
  return rows;
}

/**
 * Filter by search and verdict, sort by the column, cut the page. `ranked` is read as an immutable
 * ranking: what is derived from it is kept with it (weakly) for the next selection from the same array.
 */
export function selectStatements<T extends RegressionRow>(ranked: readonly T[], selection: ListSelection): SelectedPage<T> {
  const index = indexOf(ranked);
  const needle = searchNeedle(selection.q);
  let rows: readonly T[];
  let counts = index.counts;
  if (needle === null) {
    rows = ordered(ranked, index, selection.sort, selection.dir, selection.verdict);
  } else {
    const folded = (index.folded ??= new WeakMap(ranked.map((r): [RegressionRow, string] => [r, foldQuery(r.query)])));
    const found: T[] = [];
    counts = { regressions: 0, improvements: 0, all: 0 };
    for (const r of ordered(ranked, index, selection.sort, selection.dir, "all")) {
      if (!folded.get(r)!.includes(needle)) continue;
      counts.all++;
      if (r.verdict === "regression") counts.regressions++;
      else if (r.verdict === "improvement") counts.improvements++;
      if (matchesVerdict(r, selection.verdict)) found.push(r);
    }
    rows = found;
  }
  const pageCount = Math.max(1, Math.ceil(rows.length / selection.pageSize));
  const page = Math.min(Math.max(1, selection.page), pageCount);
  const start = (page - 1) * selection.pageSize;
  return { rows: rows.slice(start, start + selection.pageSize), total: rows.length, page, pageCount, counts: { ...counts } };
}

/** The evidence text names a generic plan (attribution's note on a plan change). */
export function isGenericEvidence(evidence: string): boolean {
  return /new plan is a generic plan/.test(evidence);
}
