import { describe, expect, it } from "vitest";
import type { RegressionRow } from "../api/regressions";
import { listParamsToQuery, parseListQuery, statementListParamsSchema } from "../api/statements";
import { isGenericEvidence, matchesSearch, selectStatements, type ListSelection } from "./list";

function row(id: string, over: Partial<RegressionRow> = {}): RegressionRow {
  return {
    statementId: id,
    queryId: id,
    query: `select ${id}`,
    baselineMeanMs: 1,
    recentMeanMs: 1,
    ratio: 1,
    recentCalls: 10,
    impactMs: 0,
    pValue: null,
    verdict: "stable",
    cause: null,
    baselinePlan: null,
    recentPlan: null,
    evidence: "",
    ...over,
  };
}

const base = { q: "", verdict: "all", sort: "impact", dir: "desc", page: 1, pageSize: 2 } as const;

describe("selectStatements", () => {
  const rows = [
    row("1", { verdict: "regression", impactMs: 500, ratio: 6, recentCalls: 100, recentMeanMs: 6 }),
    row("2", { verdict: "regression", impactMs: 900, ratio: 2, recentCalls: 900, recentMeanMs: 2 }),
    row("3", { verdict: "improvement", impactMs: -300, ratio: 0.25, recentCalls: 400, recentMeanMs: 0.25, query: "select * from ORDERS  where id = $1" }),
    row("4", { impactMs: null, ratio: null, recentMeanMs: null, recentCalls: 0 }),
  ];

  it("sorts by impact descending, missing values last", () => {
    // impacts 900 > 500 > −300 > null
    const page1 = selectStatements(rows, base);
    expect(page1.rows.map((r) => r.statementId)).toEqual(["2", "1"]);
    expect(page1.total).toBe(4);
    expect(page1.pageCount).toBe(2); // ceil(4 / 2)
    const page2 = selectStatements(rows, { ...base, page: 2 });
    expect(page2.rows.map((r) => r.statementId)).toEqual(["3", "4"]);
  });

  it("ascending keeps missing values last too", () => {
    // ratios 0.25 < 2 < 6, null last
    const all = selectStatements(rows, { ...base, sort: "ratio", dir: "asc", pageSize: 10 });
    expect(all.rows.map((r) => r.statementId)).toEqual(["3", "2", "1", "4"]);
  });

  it("sorts by calls and by recent mean", () => {
    expect(selectStatements(rows, { ...base, sort: "calls", pageSize: 10 }).rows.map((r) => r.statementId)).toEqual(["2", "3", "1", "4"]);
    expect(selectStatements(rows, { ...base, sort: "recent", pageSize: 10 }).rows.map((r) => r.statementId)).toEqual(["1", "2", "3", "4"]);
  });

  it("filters by verdict and counts each verdict over the searched rows", () => {
    const regressions = selectStatements(rows, { ...base, verdict: "regressions", pageSize: 10 });
    expect(regressions.rows.map((r) => r.statementId)).toEqual(["2", "1"]);
    expect(regressions.counts).toEqual({ regressions: 2, improvements: 1, all: 4 });
    expect(selectStatements(rows, { ...base, verdict: "improvements" }).rows.map((r) => r.statementId)).toEqual(["3"]);
  });

  it("searches the query text case-insensitively, whitespace folded", () => {
    const found = selectStatements(rows, { ...base, q: "from orders where" });
    expect(found.rows.map((r) => r.statementId)).toEqual(["3"]);
    expect(found.counts).toEqual({ regressions: 0, improvements: 1, all: 1 });
    expect(matchesSearch("SELECT 1", "  ")).toBe(true);
  });

  it("a page past the end shows the last page", () => {
    const past = selectStatements(rows, { ...base, page: 9 });
    expect(past.page).toBe(2);
    expect(past.rows).toHaveLength(2);
  });

  it("an empty list is one empty page", () => {
    expect(selectStatements([], base)).toMatchObject({ rows: [], total: 0, page: 1, pageCount: 1 });
  });
});

describe("selectStatements from one shared ranking", () => {
  // The reference: filter, count, sort and cut per call, as the list did before its orders were
  // prepared once per ranking.
  function reference(ranked: RegressionRow[], s: ListSelection) {
    const searched = ranked.filter((r) => matchesSearch(r.query, s.q));
    const key = { impact: "impactMs", ratio: "ratio", calls: "recentCalls", recent: "recentMeanMs" } as const;
    const sign = s.dir === "desc" ? -1 : 1;
    const sorted = searched
      .map((row, rank) => ({ row, rank, v: row[key[s.sort]] }))
      .filter(({ row }) => s.verdict === "all" || row.verdict === (s.verdict === "regressions" ? "regression" : "improvement"))
      .sort((a, b) => (a.v === null || b.v === null ? (a.v === b.v ? a.rank - b.rank : a.v === null ? 1 : -1) : a.v === b.v ? a.rank - b.rank : sign * (a.v - b.v)))
      .map(({ row }) => row);
    const pageCount = Math.max(1, Math.ceil(sorted.length / s.pageSize));
    const page = Math.min(Math.max(1, s.page), pageCount);
    return {
      rows: sorted.slice((page - 1) * s.pageSize, page * s.pageSize),
      total: sorted.length,
      page,
      pageCount,
      counts: { regressions: searched.filter((r) => r.verdict === "regression").length, improvements: searched.filter((r) => r.verdict === "improvement").length, all: searched.length },
    };
  }

  it("answers every selection as a fresh filter, sort and cut would, whatever was asked before", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const verdicts = ["regression", "improvement", "stable"] as const;
    // Ties and missing values on purpose: few distinct values.
    const ranked = Array.from({ length: 300 }, (_, i) =>
      row(String(i), {
        verdict: verdicts[Math.floor(random() * 3)]!,
        impactMs: random() < 0.1 ? null : Math.floor(random() * 20) - 5,
        ratio: random() < 0.1 ? null : Math.floor(random() * 8) / 2,
        recentCalls: Math.floor(random() * 10),
        recentMeanMs: random() < 0.1 ? null : Math.floor(random() * 5),
        query: `SELECT ${random() < 0.5 ? "*  FROM Orders" : "id from\tcustomers"} /* ${i} */`,
      }),
    );
    for (let round = 0; round < 2; round++) {
      for (const q of ["", "from orders", "CUSTOMERS", "nothing"]) {
        for (const verdict of ["all", "regressions", "improvements"] as const) {
          for (const sort of ["impact", "ratio", "calls", "recent"] as const) {
            for (const dir of ["desc", "asc"] as const) {
              for (const page of [1, 3, 99]) {
                const selection = { q, verdict, sort, dir, page, pageSize: 25 };
                expect(selectStatements(ranked, selection)).toEqual(reference(ranked, selection));
              }
            }
          }
        }
      }
    }
  });

  it("a changed ranking is a new array: nothing of the old one is answered", () => {
    const first = [row("1", { impactMs: 1 }), row("2", { impactMs: 2 })];
    expect(selectStatements(first, base).rows.map((r) => r.statementId)).toEqual(["2", "1"]);
    const second = [row("1", { impactMs: 3 }), row("2", { impactMs: 2 })];
    expect(selectStatements(second, base).rows.map((r) => r.statementId)).toEqual(["1", "2"]);
  });
});

describe("list parameters", () => {
  it("defaults, and the URL leaves defaults out", () => {
    const parsed = statementListParamsSchema.parse({});
    expect(parsed).toMatchObject({ recent: "1h", baseline: "24h", verdict: "all", sort: "impact", dir: "desc", page: 1, pageSize: 50 });
    expect(listParamsToQuery(parsed)).toBe("");
    expect(listParamsToQuery({ ...parsed, target: "shop", recent: "15m", page: 3 })).toBe("target=shop&recent=15m&page=3");
  });

  it("refuses an unknown parameter and a bad value by name", () => {
    const unknown = statementListParamsSchema.safeParse({ recnet: "1h" });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(["recnet"]);
    const bad = statementListParamsSchema.safeParse({ recent: "2h" });
    expect(bad.error?.issues[0]).toMatchObject({ path: ["recent"], message: "must be one of 15m, 1h, 6h, 24h" });
    expect(statementListParamsSchema.safeParse({ page: "0" }).success).toBe(false);
  });

  it("a deep link keeps its valid parameters and names the ignored ones", () => {
    const { params, ignored } = parseListQuery({ target: "shop", recent: "2h", sort: "ratio", bogus: "1" });
    expect(params).toMatchObject({ target: "shop", recent: "1h", sort: "ratio" });
    expect(ignored.sort()).toEqual(["bogus", "recent"]);
  });
});

it("generic evidence is recognised from attribution's note", () => {
  expect(isGenericEvidence("plan changed a → b; new plan is a generic plan ($n parameters): plan_cache_mode …")).toBe(true);
  expect(isGenericEvidence("plan changed a → b")).toBe(false);
});
