// Snapshots of pg_stat_statements with exact per-interval deltas (issue 4).
//
// pg_stat_statements counters are cumulative since each entry was created, so an interval is the
// difference of two snapshots; every way that difference can lie is turned into a baseline restart
// instead of a stored interval:
// - a global reset (pg_stat_statements_info.stats_reset changed): every baseline restarts, no
//   interval is stored this run;
// - one entry reset or evicted and re-created: its counters went down, or (1.11+) its stats_since is
//   after its baseline was taken; only that baseline restarts;
// - an entry missing from the snapshot (evicted: dealloc): its baseline is dropped, so when it comes
//   back it starts from its first snapshot again.
// The read on the target happens before the repository transaction, which then writes everything
// or nothing in a few statements whatever the number of statements: lock the target, load its
// baselines (one row), insert the statements seen for the first time (when there are any), then one
// statement of data-modifying CTEs for the rest (see writeSnapshot). A statement with no call since
// its baseline keeps its baseline as it is: its capture time is the last snapshot in which it ran,
// statement.last_seen_at the same to within an hour (LAST_SEEN_RESOLUTION).
import { loadCheckpoint, nextCheckpoint, packCheckpoint } from "../db/checkpoints";
import { ensureIntervalPartitions } from "../db/partitions";
import { inTransaction, prismaRunner } from "../db/sql-runner";
import { intervalDelta, type IntervalDelta } from "../regression/interval-stats";
import { DAY_MS } from "../regression/rollup-segments";
import { periodStartMs, type IntervalSums, type TotalsByStatement } from "../regression/running-totals";
import { pgssShape, readPgss, readPgssTexts, type PgssEntry, type PgssSnapshot } from "./snapshot-read";
import { encodeBaselines } from "./baseline-codec";
import {
  loadBaselines,
  lockTarget,
  upsertStatements,
  writeSnapshot,
  type Baseline,
  type FreshStatement,
  type IntervalRow,
  type KnownStatement,
  type TargetSnapshotState,
} from "./snapshot-store";
import type { CollectContext, SnapshotResult } from "./types";

/** What to do with one statement of the snapshot. */
export type SnapshotDecision =
  | { kind: "interval"; delta: IntervalDelta; windowStart: Date }
  /** No call since the baseline: keep the baseline (and its capture time) as it is. */
  | { kind: "idle" }
  | { kind: "baseline"; cause: "first-sight" | "global-reset" | "counters-decreased" | "re-created"; detail: string[] };

/** A global reset: stats_reset moved since the last snapshot (unknown before the first one). */
export function isGlobalReset(previous: TargetSnapshotState, snapshot: PgssSnapshot): boolean {
  return previous.statsResetAt !== null && snapshot.statsResetMs !== null && previous.statsResetAt.getTime() !== snapshot.statsResetMs;
}

export function decide(entry: PgssEntry, baseline: Baseline | undefined, globalReset: boolean): SnapshotDecision {
  if (!baseline) return { kind: "baseline", cause: "first-sight", detail: [] };
  if (globalReset) return { kind: "baseline", cause: "global-reset", detail: [] };
  // stats_since (target clock) against the baseline's capture time (collector clock): an entry born
  // after the baseline was taken cannot be continued, even when its counters happen to be higher.
  // Clock skew or an entry born between the run's `now` and the read costs one interval at worst
  // (a restart), never a wrong delta, unless the target's clock runs behind by more than the time
  // between the eviction and the baseline. Storing stats_since in the baseline would make this an
  // exact equality test (needs a field in the packed baseline).
  if (entry.statsSinceMs !== null && entry.statsSinceMs > baseline.capturedAt.getTime()) {
    return { kind: "baseline", cause: "re-created", detail: [`stats_since ${new Date(entry.statsSinceMs).toISOString()}`] };
  }
  const delta = intervalDelta(baseline.counters, entry.counters);
  if (delta.kind === "restart") return { kind: "baseline", cause: "counters-decreased", detail: delta.decreased };
  if (delta.calls === 0n) return { kind: "idle" };
  return { kind: "interval", delta, windowStart: baseline.capturedAt };
}

function intervalRow(statementId: bigint, windowStart: Date, d: IntervalDelta): IntervalRow {
  return {
    statementId,
    windowStart,
    calls: d.calls,
    totalExecMs: d.totalExecMs,
    // decide() only makes intervals with calls > 0, which always have a mean and a variance.
    meanExecMs: d.meanExecMs ?? 0,
    execVarianceMs2: d.execVarianceMs2 ?? 0,
    totalPlanMs: d.totalPlanMs,
    plans: d.plans,
    rows: d.rows,
    sharedHitBlocks: d.sharedHitBlocks,
    sharedReadBlocks: d.sharedReadBlocks,
    tempReadBlocks: d.tempReadBlocks,
    tempWrittenBlocks: d.tempWrittenBlocks,
  };
}

/** Milliseconds per step, in the progress line: where a slow snapshot spends its time. */
type StepTimes = Record<string, number>;

async function timed<T>(times: StepTimes, step: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    times[step] = (times[step] ?? 0) + (performance.now() - started);
  }
}

interface StoreOutcome {
  intervals: number;
  reset: boolean;
  restartedBaselines: number;
  vanished: number;
  deallocRise: bigint | null;
}

/**
 * The baselines as this process last wrote them, per repository client and target, tagged with the
 * snapshot time they belong to. A snapshot whose locked target row still shows that time uses them
 * instead of reading and decoding the target's baseline row (the repository holds exactly these:
 * only snapshots write target_baseline, and each one moves target.last_snapshot_at in the same
 * transaction); any other time (another collector ran, this process restarted) reads them back.
 */
const baselineCache = new WeakMap<object, Map<bigint, CachedState>>();

/** What a snapshot leaves for the next one of the same process (see baselineCache). */
interface CachedState {
  snapshotAtMs: number;
  baselines: Map<string, Baseline>;
  /**
   * The running totals of the last checkpoint (lib/db/checkpoints.ts), for the period starting at
   * periodStartMs, and target.checkpoints_from as of then: a backfill or retention changes it, and
   * the totals are then read back (a backfill counts from the period's start, not from this process's
   * first checkpoint).
   */
  checkpoint: { periodStartMs: number; totals: TotalsByStatement; fromMs: number | null };
}

async function store(
  ctx: CollectContext,
  snapshot: PgssSnapshot,
  times: StepTimes,
  fetchTexts: (entries: PgssEntry[]) => Promise<Map<string, string>>,
): Promise<StoreOutcome> {
  const targetId = ctx.target.id;
  const cacheOfRepo = baselineCache.get(ctx.repo) ?? new Map<bigint, CachedState>();
  baselineCache.set(ctx.repo, cacheOfRepo);
  // Dropped before the transaction: a failed or rolled-back snapshot must not leave a cache behind.
  const cached = cacheOfRepo.get(targetId);
  cacheOfRepo.delete(targetId);
  // A snapshot lost in a crash is lost whole (the transaction is atomic), and the next one simply
  // spans both windows: not worth waiting for the WAL flush at every commit. The timeouts bound a
  // snapshot stuck behind another transaction's lock; either rolls everything back.
  const period = periodStartMs(ctx.now.getTime());
  const begin = "BEGIN; SET LOCAL synchronous_commit = off; SET LOCAL lock_timeout = '30s'; SET LOCAL statement_timeout = '120s'";
  const outcome = await inTransaction(ctx.repoSession, async (tx) => {
    const previous = await timed(times, "lock", () => lockTarget(tx, targetId));
    const reset = isGlobalReset(previous, snapshot);
    const cacheValid = cached !== undefined && previous.lastSnapshotAt?.getTime() === cached.snapshotAtMs;
    const baselines = cacheValid ? cached.baselines : await timed(times, "baselines", () => loadBaselines(tx, targetId));
    // A new period starts from zero; within one, from the last checkpoint (cached, or read back).
    const totalsCached = cacheValid && cached.checkpoint.fromMs === (previous.checkpointsFrom?.getTime() ?? null);
    const totalsBefore = totalsCached
      ? cached.checkpoint.periodStartMs === period
        ? cached.checkpoint.totals
        : new Map()
      : await timed(times, "checkpoint", () => loadCheckpoint(tx, targetId, previous.checkpointsFrom, ctx.now));
    const decisions = snapshot.entries.map((entry) => decide(entry, baselines.get(entry.key), reset));

    // Texts only for the statements that store one: first seen, or a restarted baseline.
    const needText = snapshot.entries.filter((_, i) => decisions[i]!.kind === "baseline");
    const texts = await timed(times, "texts", () => fetchTexts(needText));
    // "" when the server did not give one (no privilege, text file unreadable): the stored text stays.
    const textOf = (entry: PgssEntry) => texts.get(entry.key) ?? "";

    const fresh: FreshStatement[] = [];
    const known: KnownStatement[] = [];
    const intervals: IntervalRow[] = [];
    let restartedBaselines = 0;
    snapshot.entries.forEach((entry, i) => {
      const decision = decisions[i]!;
      // No call since the baseline: nothing to write (last_seen_at is the last snapshot with calls).
      if (decision.kind === "idle") return;
      const baseline = baselines.get(entry.key);
      if (!baseline) {
        fresh.push({ queryId: entry.queryId, dbId: entry.dbId, userId: entry.userId, queryText: textOf(entry) });
        return;
      }
      // A statement continuing its baseline is the same pg_stat_statements entry, so its text is the
      // one already stored: sending "" (kept by the update) spares shipping and parsing every text.
      known.push({ statementId: baseline.statementId, queryText: decision.kind === "baseline" ? textOf(entry) : "" });
      if (decision.kind === "interval") intervals.push(intervalRow(baseline.statementId, decision.windowStart, decision.delta));
      else if (decision.cause === "counters-decreased" || decision.cause === "re-created") restartedBaselines++;
    });

    const current = new Set(snapshot.entries.map((e) => e.key));
    const vanished = [...baselines.keys()].filter((key) => !current.has(key)).length;
    const upserted = await timed(times, "new", () => upsertStatements(tx, targetId, ctx.now, fresh));
    // Known statement without a baseline: it vanished from pg_stat_statements (evicted) and is back.
    restartedBaselines += upserted.existing;
    const changed = fresh.length + known.length + vanished > 0;
    const next = changed ? nextBaselines(baselines, snapshot.entries, decisions, upserted.ids, ctx.now) : baselines;

    // In statement order: the interval index entries then go in key order. (Sorted on numbers
    // converted once: bigint comparisons were a visible part of a 5,000-statement snapshot, and an
    // order slightly off past 2^53 ids would only cost locality.)
    const ordered = intervals.map((row) => ({ id: Number(row.statementId), row })).sort((a, b) => a.id - b.id).map((o) => o.row);
    const totals = intervals.length > 0 ? nextCheckpoint(totalsBefore, intervals.map(intervalSums)) : totalsBefore;
    await timed(times, "write", () =>
      writeSnapshot(tx, {
        targetId,
        now: ctx.now,
        known,
        intervals: ordered,
        baselines: changed ? { counters: encodeBaselines([...next.values()]), statementCount: next.size } : null,
        checkpoint: intervals.length > 0 ? packCheckpoint(totals) : null,
        state: { statsResetAt: snapshot.statsResetMs === null ? null : new Date(snapshot.statsResetMs), deallocCount: snapshot.dealloc },
      }),
    );
    const deallocRise = previous.deallocCount !== null && snapshot.dealloc !== null && !reset ? snapshot.dealloc - previous.deallocCount : null;
    // What writeSnapshot leaves in target.checkpoints_from.
    const checkpointsFrom = previous.checkpointsFrom ?? (intervals.length > 0 ? ctx.now : null);
    return { intervals: intervals.length, reset, restartedBaselines, vanished, deallocRise, after: next, totals, checkpointsFrom };
  }, begin);
  const { after, totals, checkpointsFrom, ...result } = outcome;
  cacheOfRepo.set(targetId, {
    snapshotAtMs: ctx.now.getTime(),
    baselines: after,
    checkpoint: { periodStartMs: period, totals, fromMs: checkpointsFrom?.getTime() ?? null },
  });
  return result;
}

/** An interval's sums for the running totals (counters as numbers: exact below 2^53). */
function intervalSums(row: IntervalRow): IntervalSums & { statementId: number } {
  return {
    statementId: Number(row.statementId),
    calls: Number(row.calls),
    meanExecMs: row.meanExecMs,
    execVarianceMs2: row.execVarianceMs2,
    rows: Number(row.rows),
    sharedReadBlocks: Number(row.sharedReadBlocks),
    tempWrittenBlocks: Number(row.tempWrittenBlocks),
    totalPlanMs: row.totalPlanMs,
    plans: row.plans === null ? null : Number(row.plans),
  };
}

/**
 * The baselines after this snapshot: one per statement in it (a statement gone from
 * pg_stat_statements loses its baseline, so when it comes back it starts over), the stored one kept
 * for an idle statement, the snapshot's counters for every other.
 */
function nextBaselines(
  before: ReadonlyMap<string, Baseline>,
  entries: readonly PgssEntry[],
  decisions: readonly SnapshotDecision[],
  freshIds: ReadonlyMap<string, bigint>,
  now: Date,
): Map<string, Baseline> {
  const next = new Map<string, Baseline>();
  entries.forEach((entry, i) => {
    const stored = before.get(entry.key);
    if (decisions[i]!.kind === "idle" && stored) {
      next.set(entry.key, stored);
      return;
    }
    const statementId = stored?.statementId ?? freshIds.get(entry.key);
    if (statementId === undefined) throw new Error(`no statement id for ${entry.key} after the snapshot write`);
    next.set(entry.key, { statementId, userId: entry.userId, dbId: entry.dbId, queryId: entry.queryId, capturedAt: now, counters: entry.counters });
  });
  return next;
}

/** Reads pg_stat_statements once on ctx.client and stores intervals and baselines in one transaction. */
export async function collectSnapshot(ctx: CollectContext): Promise<SnapshotResult> {
  const times: StepTimes = {};
  const shape = await pgssShape(ctx.client, ctx.target.capabilities);
  const snapshot = await timed(times, "read", () => readPgss(ctx.client, shape));
  // Today's and tomorrow's partitions (a no-op once they exist), outside the snapshot's transaction.
  await ensureIntervalPartitions(prismaRunner(ctx.repo), ctx.now, new Date(ctx.now.getTime() + DAY_MS));
  const outcome = await timed(times, "store", () => store(ctx, snapshot, times, (entries) => readPgssTexts(ctx.client, shape, entries)));
  const notes = [
    outcome.reset ? "counters were reset: every baseline restarted, no interval stored" : null,
    outcome.restartedBaselines > 0 ? `${outcome.restartedBaselines} baseline(s) restarted` : null,
    outcome.vanished > 0 ? `${outcome.vanished} statement(s) left pg_stat_statements` : null,
    outcome.deallocRise !== null && outcome.deallocRise > 0n ? `dealloc +${outcome.deallocRise}` : null,
  ].filter((n): n is string => n !== null);
  const steps = Object.entries(times).map(([step, msTaken]) => `${step} ${msTaken.toFixed(0)}`).join(", ");
  ctx.log(`snapshot: ${snapshot.entries.length} statements, ${outcome.intervals} intervals${notes.length ? `; ${notes.join("; ")}` : ""} (ms: ${steps})`);
  return { statements: snapshot.entries.length, intervals: outcome.intervals, reset: outcome.reset, restartedBaselines: outcome.restartedBaselines };
}
