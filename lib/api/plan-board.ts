// GET /api/statements/[id]/plans: a statement's plan history as the plan table shows it (statementPlans
// plus each plan's version for optimistic concurrency) and its last decisions. Types only: the route
// builds it on the server, the table reads and optimistically edits it in the browser.
import type { AuditRow } from "../db/audit";
import type { StatementPlanRow } from "../db/statement-plans";
import type { WhichPlanResult } from "../regression";

export interface PlanBoardPlan extends StatementPlanRow {
  /** The version decidePlan expects back (ConflictError when someone decided in between). */
  version: number;
}

export interface PlanBoard {
  statementId: string;
  target: string;
  runsNow: WhichPlanResult;
  plans: PlanBoardPlan[];
  decisions: AuditRow[];
}

export function isPlanBoard(value: unknown): value is PlanBoard {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<PlanBoard>;
  return typeof v.statementId === "string" && Array.isArray(v.plans) && Array.isArray(v.decisions) && typeof v.runsNow === "object";
}
