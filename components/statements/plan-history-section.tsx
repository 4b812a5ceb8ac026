import { planBoard } from "@/lib/db/statement-detail";
import { PlanHistory } from "./plan-history";

export async function PlanHistorySection({ statementId }: { statementId: bigint }) {
  const board = await planBoard(statementId);
  return <PlanHistory statementId={statementId.toString()} initial={board} />;
}
