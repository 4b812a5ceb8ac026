import { parseListQuery } from "@/lib/api/statements";
import { statementList } from "@/lib/db/statement-list";
import { NotFoundError } from "@/lib/errors";
import { StatementList } from "./statement-list";

interface Props {
  targets: string[];
  searchParams: Record<string, string | string[] | undefined>;
}

/** Server side of the list: the first page is rendered with data; the browser then polls and pages. */
export async function StatementListSection({ targets, searchParams }: Props) {
  const { params } = parseListQuery(searchParams);
  let data = null;
  try {
    // The first target is the default; the page has just read the names (no second lookup).
    data = await statementList({ ...params, target: params.target ?? targets[0] });
  } catch (err) {
    // An unknown target in a deep link: the client shows the error next to the target selector.
    if (!(err instanceof NotFoundError)) throw err;
  }
  return <StatementList targets={targets} initial={data === null ? null : { params, data }} />;
}
