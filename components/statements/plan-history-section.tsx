import { planBoard } from "@/lib/db/statement-detail";
import { PlanHistory } from "./plan-history";

export async function PlanHistorySection({ statementId, canDecide, role }: { statementId: bigint; canDecide: boolean; role: string | null }) {
  const board = await planBoard(statementId);
  return <PlanHistory statementId={statementId.toString()} initial={board} canDecide={canDecide} role={role} />;
}
