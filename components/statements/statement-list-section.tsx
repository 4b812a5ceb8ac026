import { parseListQuery } from "@/lib/api/statements";
import type { RankingTarget } from "@/lib/db/regressions";
import { statementList } from "@/lib/db/statement-list";
import { NotFoundError } from "@/lib/errors";
import { StatementList } from "./statement-list";

interface Props {
  /** Every target with its data version (the page read them in one query). */
  targets: readonly RankingTarget[];
  searchParams: Record<string, string | string[] | undefined>;
}

/** Server side of the list: the first page is rendered with data; the browser then polls and pages. */
export async function StatementListSection({ targets, searchParams }: Props) {
  const { params } = parseListQuery(searchParams);
  let data = null;
  try {
    data = await statementList(params, undefined, targets);
  } catch (err) {
    // An unknown target in a deep link: the client shows the error next to the target selector.
    if (!(err instanceof NotFoundError)) throw err;
  }
  return <StatementList targets={targets.map((t) => t.name)} initial={data === null ? null : { params, data }} />;
}
