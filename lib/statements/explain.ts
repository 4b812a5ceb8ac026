// The EXPLAIN ANALYZE form's answer, read for its summary line: total time, planning time, root node,
// whether the plan is new. Pure; runs in the browser.
import { parsePlan } from "../plan";
import { shortFingerprint } from "../plan/fingerprint";

export interface ExplainAnswer {
  planId: string;
  fingerprint: string;
  isNew: boolean;
  status: string | null;
  plan: unknown;
}

export interface ExplainSummary {
  planId: string;
  shortFingerprint: string;
  isNew: boolean;
  status: string | null;
  rootNode: string | null;
  executionMs: number | null;
  planningMs: number | null;
  estimatedCost: number | null;
}

export function explainSummary(answer: ExplainAnswer): ExplainSummary {
  let rootNode: string | null = null;
  let executionMs: number | null = null;
  let planningMs: number | null = null;
  let estimatedCost: number | null = null;
  try {
    const plan = parsePlan(answer.plan);
    rootNode = plan.root.nodeType;
    executionMs = plan.executionTimeMs ?? plan.root.actual?.totalTimeMs ?? null;
    planningMs = plan.planningTimeMs;
    estimatedCost = plan.root.estimate?.totalCost ?? null;
  } catch {
    // The summary still names the plan; its page shows what could not be read.
  }
  return { planId: answer.planId, shortFingerprint: shortFingerprint(answer.fingerprint), isNew: answer.isNew, status: answer.status, rootNode, executionMs, planningMs, estimatedCost };
}

export function isExplainAnswer(value: unknown): value is ExplainAnswer {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<ExplainAnswer>;
  return typeof v.planId === "string" && typeof v.fingerprint === "string" && typeof v.isNew === "boolean";
}
