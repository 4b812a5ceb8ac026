// Plan baselines as a file: the proactive workflow (capture and decide in development, export,
// import into production, enforce). Versioned JSON, validated with zod, self-checking: every plan
// carries its fingerprint, recomputed on import, so a tampered or foreign file is refused.
// A file holds no connection details: the source target's name and server version only.
import { z } from "zod";
import { authorize, type Actor } from "../auth/authorize";
import { NotFoundError, UserError } from "../errors";
import { fingerprint, parsePlan } from "../plan";
import type { PrismaClient } from "./client";
import { normalizeQueryText } from "./query-text";

export const BASELINE_FORMAT = "planwatch-baselines";
export const BASELINE_VERSION = 1;
/** A whole file; one plan is further bounded by lib/plan's own limit. */
export const MAX_BASELINE_FILE_CHARS = 64 * 1024 * 1024;

const PLAN_STATUSES = ["Approved", "Unapproved", "Rejected", "Preferred"] as const;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

const queryIdSchema = z
  .string()
  .regex(/^-?\d{1,19}$/, "must be a decimal 64-bit integer written as a string")
  .refine((v) => BigInt(v) >= INT8_MIN && BigInt(v) <= INT8_MAX, "is outside the 64-bit range");

const baselinePlanSchema = z
  .object({
    fingerprint: z.string().regex(/^[0-9a-f]{16}$/, "must be 16 lowercase hex digits"),
    status: z.enum(PLAN_STATUSES),
    enabled: z.boolean(),
    plan: z.unknown().refine((v) => v !== undefined && v !== null, "is missing"),
  })
  .strict();

const baselineStatementSchema = z
  .object({
    queryText: z.string().min(1).max(1_000_000),
    queryId: queryIdSchema,
    plans: z.array(baselinePlanSchema).min(1),
  })
  .strict();

export const baselineFileSchema = z
  .object({
    format: z.literal(BASELINE_FORMAT),
    version: z.literal(BASELINE_VERSION),
    exportedAt: z.iso.datetime(),
    source: z.object({ target: z.string().min(1), serverVersion: z.string().nullable() }).strict(),
    statements: z.array(baselineStatementSchema),
  })
  .strict();

export type BaselineFile = z.infer<typeof baselineFileSchema>;
export type BaselinePlan = z.infer<typeof baselinePlanSchema>;
export type BaselinePlanStatus = (typeof PLAN_STATUSES)[number];

/** One statement of a checked file, entries with the same text merged. */
export interface CheckedStatement {
  queryText: string;
  queryId: bigint;
  plans: BaselinePlan[];
}

interface MergedStatement {
  statement: CheckedStatement;
  byFingerprint: Map<string, BaselinePlan>;
}

/** A file PlanWatch refuses as a whole; the message says why and where. */
export class BaselineFileError extends UserError {
  override readonly name = "BaselineFileError";
}

export async function exportBaselines(repo: PrismaClient, input: { targetName: string; actor: Actor | null; now?: Date }): Promise<BaselineFile> {
  authorize(input.actor, "read");
  const target = await repo.target.findUnique({ where: { name: input.targetName }, select: { id: true, name: true, serverVersion: true } });
  if (!target) throw new NotFoundError(`there is no target named "${input.targetName}"`);
  const statements = await repo.statement.findMany({
    where: { targetId: target.id, plans: { some: {} } },
    orderBy: { id: "asc" },
    select: { queryId: true, queryText: true, plans: { orderBy: { id: "asc" }, select: { id: true, fingerprint: true, status: true, enabled: true, plan: true } } },
  });
  const latestDecision = await latestAuditIds(repo, statements.flatMap((s) => s.plans.map((p) => p.id)));

  // pg_stat_statements keeps one row per database and role: one entry per text in the file.
  const byText = new Map<string, { queryText: string; queryId: string; plans: Map<string, { plan: BaselinePlan; decidedAt: bigint }> }>();
  for (const s of statements) {
    const key = normalizeQueryText(s.queryText);
    const entry = byText.get(key) ?? { queryText: s.queryText, queryId: s.queryId.toString(), plans: new Map() };
    byText.set(key, entry);
    for (const p of s.plans) {
      const decidedAt = latestDecision.get(p.id) ?? 0n;
      const known = entry.plans.get(p.fingerprint);
      // Rows disagreeing on a plan: the latest decision is the current intent.
      if (known && known.decidedAt >= decidedAt) continue;
      entry.plans.set(p.fingerprint, { plan: { fingerprint: p.fingerprint, status: p.status, enabled: p.enabled, plan: p.plan }, decidedAt });
    }
  }
  return {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    exportedAt: (input.now ?? new Date()).toISOString(),
    source: { target: target.name, serverVersion: target.serverVersion },
    statements: [...byText.values()].map((e) => ({ queryText: e.queryText, queryId: e.queryId, plans: [...e.plans.values()].map((p) => p.plan) })),
  };
}

async function latestAuditIds(repo: PrismaClient, planIds: bigint[]): Promise<Map<bigint, bigint>> {
  if (planIds.length === 0) return new Map();
  const rows = await repo.planStatusChange.groupBy({ by: ["planId"], where: { planId: { in: planIds } }, _max: { id: true } });
  return new Map(rows.map((r) => [r.planId, r._max.id ?? 0n]));
}

/**
 * Parses and checks a whole file before anything is stored: JSON, format and version, shape, every
 * plan readable and matching its fingerprint, no contradictions between entries of the same text.
 */
export function checkBaselineFile(source: string | unknown): { file: BaselineFile; statements: CheckedStatement[] } {
  const value = typeof source === "string" ? parseJson(source) : source;
  assertFormat(value);
  const parsed = baselineFileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new BaselineFileError(`the baseline file is malformed; nothing was imported:\n  ${issues.join("\n  ")}`);
  }
  const file = parsed.data;
  // Each statement's plans also by fingerprint: one text may carry as many plans as the file holds.
  const merged = new Map<string, MergedStatement>();
  file.statements.forEach((s, i) => {
    s.plans.forEach((p, j) => verifyFingerprint(p, `statements[${i}].plans[${j}]`));
    const key = normalizeQueryText(s.queryText);
    const entry: MergedStatement = merged.get(key) ?? { statement: { queryText: s.queryText, queryId: BigInt(s.queryId), plans: [] }, byFingerprint: new Map() };
    merged.set(key, entry);
    for (const p of s.plans) {
      const same = entry.byFingerprint.get(p.fingerprint);
      if (!same) {
        entry.statement.plans.push(p);
        entry.byFingerprint.set(p.fingerprint, p);
      } else if (same.status !== p.status || same.enabled !== p.enabled) {
        throw new BaselineFileError(`statements[${i}]: plan ${p.fingerprint} appears twice for the same statement with different decisions; nothing was imported`);
      }
    }
  });
  return { file, statements: [...merged.values()].map((e) => e.statement) };
}

function parseJson(text: string): unknown {
  if (text.length > MAX_BASELINE_FILE_CHARS) throw new BaselineFileError(`the baseline file is larger than ${MAX_BASELINE_FILE_CHARS / 1024 / 1024} MiB; nothing was imported`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BaselineFileError(`the baseline file is not valid JSON (${err instanceof Error ? err.message : String(err)}); nothing was imported`);
  }
}

/** Format and version first: a foreign file deserves "not ours", not a list of missing fields. */
function assertFormat(value: unknown): void {
  const head = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  if (head?.format !== BASELINE_FORMAT) {
    throw new BaselineFileError(`not a PlanWatch baseline file (expected "format": "${BASELINE_FORMAT}"); nothing was imported`);
  }
  if (head.version !== BASELINE_VERSION) {
    throw new BaselineFileError(`baseline file version ${JSON.stringify(head.version)} is not supported (this PlanWatch reads version ${BASELINE_VERSION}); nothing was imported`);
  }
}

function verifyFingerprint(plan: BaselinePlan, where: string): void {
  let computed: string;
  try {
    computed = fingerprint(parsePlan(plan.plan));
  } catch (err) {
    throw new BaselineFileError(`${where}.plan is not an EXPLAIN plan PlanWatch can read (${err instanceof Error ? err.message : String(err)}); nothing was imported`);
  }
  if (computed !== plan.fingerprint) {
    throw new BaselineFileError(
      `${where}: the fingerprint ${plan.fingerprint} does not match its plan (computed ${computed}): the file was altered or written by an incompatible PlanWatch; nothing was imported`,
    );
  }
}
