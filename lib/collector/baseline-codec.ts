// The packed form of a target's baselines (target_baseline.counters, format 1).
//
// One record per statement, in no particular order, of 15 fields of 8 bytes each in big-endian
// order: the byte order of PostgreSQL's int8send/float8send, so SQL can build (the migration from
// per-statement rows does) or inspect a record with the same functions:
//
//   0 statement_id   int8      5 calls          int8      10 rows                 int8
//   1 user_id        int8      6 total_exec_ms  float8    11 shared_hit_blocks    int8
//   2 db_id          int8      7 sum_squares_   float8    12 shared_read_blocks   int8
//   3 query_id       int8        exec_ms2                 13 temp_read_blocks     int8
//   4 captured_at    float8    8 total_plan_ms  float8    14 temp_written_blocks  int8
//     (epoch ms)                 (NaN: NULL)
//                              9 plans          int8 (-1: NULL)
//
// Why binary and not arrays of numbers: the text of 75,000 numbers costs a String() each in the
// collector and array_in on the server; these bytes are written and read as they are.
import type { StatementCumulative } from "../regression/interval-stats";

export const BASELINE_FORMAT = 1;
const FIELDS = 15;
export const BASELINE_RECORD_BYTES = FIELDS * 8;

export interface PackedBaseline {
  statementId: bigint;
  userId: bigint;
  dbId: bigint;
  queryId: bigint;
  /** The snapshot this baseline was taken at (the start of the statement's next interval). */
  capturedAt: Date;
  counters: StatementCumulative;
}

export function encodeBaselines(baselines: readonly PackedBaseline[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(baselines.length * BASELINE_RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  baselines.forEach((b, i) => {
    const at = i * BASELINE_RECORD_BYTES;
    const c = b.counters;
    view.setBigInt64(at, b.statementId);
    view.setBigInt64(at + 8, b.userId);
    view.setBigInt64(at + 16, b.dbId);
    view.setBigInt64(at + 24, b.queryId);
    view.setFloat64(at + 32, b.capturedAt.getTime());
    view.setBigInt64(at + 40, c.calls);
    view.setFloat64(at + 48, c.totalExecMs);
    view.setFloat64(at + 56, c.sumSquaresExecMs2);
    view.setFloat64(at + 64, c.totalPlanMs ?? NaN);
    view.setBigInt64(at + 72, c.plans ?? -1n);
    view.setBigInt64(at + 80, c.rows);
    view.setBigInt64(at + 88, c.sharedHitBlocks);
    view.setBigInt64(at + 96, c.sharedReadBlocks);
    view.setBigInt64(at + 104, c.tempReadBlocks);
    view.setBigInt64(at + 112, c.tempWrittenBlocks);
  });
  return bytes;
}

/** The records of `bytes`; throws on an unknown format or a length that is not whole records. */
export function decodeBaselines(bytes: Uint8Array, format: number, statementCount: number): PackedBaseline[] {
  if (format !== BASELINE_FORMAT) throw new Error(`baseline format ${format} is not one this collector reads (${BASELINE_FORMAT}); upgrade the collector`);
  if (bytes.byteLength !== statementCount * BASELINE_RECORD_BYTES) {
    throw new Error(`baseline holds ${bytes.byteLength} bytes for ${statementCount} statements of ${BASELINE_RECORD_BYTES} bytes each`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: PackedBaseline[] = new Array(statementCount);
  for (let i = 0; i < statementCount; i++) {
    const at = i * BASELINE_RECORD_BYTES;
    const totalPlanMs = view.getFloat64(at + 64);
    const plans = view.getBigInt64(at + 72);
    out[i] = {
      statementId: view.getBigInt64(at),
      userId: view.getBigInt64(at + 8),
      dbId: view.getBigInt64(at + 16),
      queryId: view.getBigInt64(at + 24),
      capturedAt: new Date(view.getFloat64(at + 32)),
      counters: {
        calls: view.getBigInt64(at + 40),
        totalExecMs: view.getFloat64(at + 48),
        sumSquaresExecMs2: view.getFloat64(at + 56),
        totalPlanMs: Number.isNaN(totalPlanMs) ? null : totalPlanMs,
        plans: plans < 0n ? null : plans,
        rows: view.getBigInt64(at + 80),
        sharedHitBlocks: view.getBigInt64(at + 88),
        sharedReadBlocks: view.getBigInt64(at + 96),
        tempReadBlocks: view.getBigInt64(at + 104),
        tempWrittenBlocks: view.getBigInt64(at + 112),
      },
    };
  }
  return out;
}
