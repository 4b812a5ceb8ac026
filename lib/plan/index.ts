// Public surface of the plan library. Pure TypeScript: safe to import from server and browser code.
export type * from "./model";

export { parsePlan } from "./parse";
export { PlanParseError } from "./errors";

export { fingerprint, shortFingerprint, canonicalShape } from "./fingerprint";

export { analyzePlan, hotNodes, misestimate, sharedBlocks } from "./metrics";
export type { HotNode, Misestimate, MisestimateDirection, NodeMetrics, PlanMetrics } from "./metrics";

export { diffPlans } from "./diff";
export type { ChangeField, DiffRow, DiffStatus, MetricDelta, NodeChange, PlanDiff, RowDeltas } from "./diff";

export { hintsFor, planHints } from "./hints";
export type { PlanHints } from "./hints";

export { describeNode } from "./plan-tree";
