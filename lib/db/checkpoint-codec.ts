// The packed form of a checkpoint's running totals (target_checkpoint.totals, format 1).
//
// One record per statement, in no particular order, of 10 fields of 8 bytes in big-endian order
// (int8send/float8send byte order, like target_baseline):
//
//   0 statement_id   int8      4 rows                 float8    8 plans           float8
//   1 calls          float8    5 shared_read_blocks   float8    9 total_plan_ms   float8
//   2 sum_exec_ms    float8    6 temp_written_blocks  float8
//   3 sum_squares_   float8    7 calls_while_planned  float8
//     exec_ms2
//
// Counts are float8 because every field is summed and subtracted as a double by the ranking
// (lib/regression/running-totals.ts); they are exact below 2^53.
import { accumulate, zeroTotals, type RunningTotals, type TotalsByStatement, type TotalsSource } from "../regression/running-totals";

export const CHECKPOINT_FORMAT = 1;
const FIELDS = 10;
export const CHECKPOINT_RECORD_BYTES = FIELDS * 8;
const TWO_32 = 4_294_967_296;

export function encodeCheckpoint(totals: TotalsByStatement): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(totals.size * CHECKPOINT_RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const [id, t] of totals) {
    view.setBigInt64(at, BigInt(id));
    view.setFloat64(at + 8, t.calls);
    view.setFloat64(at + 16, t.sumExecMs);
    view.setFloat64(at + 24, t.sumSquaresExecMs2);
    view.setFloat64(at + 32, t.rows);
    view.setFloat64(at + 40, t.sharedReadBlocks);
    view.setFloat64(at + 48, t.tempWrittenBlocks);
    view.setFloat64(at + 56, t.callsWhilePlanned);
    view.setFloat64(at + 64, t.plans);
    view.setFloat64(at + 72, t.totalPlanMs);
    at += CHECKPOINT_RECORD_BYTES;
  }
  return bytes;
}

function checkedView(bytes: Uint8Array, format: number, statementCount: number): DataView {
  if (format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint format ${format} is not one this version reads (${CHECKPOINT_FORMAT}); upgrade PlanWatch`);
  if (bytes.byteLength !== statementCount * CHECKPOINT_RECORD_BYTES) {
    throw new Error(`checkpoint holds ${bytes.byteLength} bytes, expected ${statementCount} records of ${CHECKPOINT_RECORD_BYTES}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Record `at` into `t` (its fields overwritten). */
function readRecord(view: DataView, at: number, t: RunningTotals): number {
  t.calls = view.getFloat64(at + 8);
  t.sumExecMs = view.getFloat64(at + 16);
  t.sumSquaresExecMs2 = view.getFloat64(at + 24);
  t.rows = view.getFloat64(at + 32);
  t.sharedReadBlocks = view.getFloat64(at + 40);
  t.tempWrittenBlocks = view.getFloat64(at + 48);
  t.callsWhilePlanned = view.getFloat64(at + 56);
  t.plans = view.getFloat64(at + 64);
  t.totalPlanMs = view.getFloat64(at + 72);
  // Two 32-bit halves instead of getBigInt64: no BigInt per record (ids are positive, below 2^53).
  return view.getUint32(at) * TWO_32 + view.getUint32(at + 4);
}

/** The records of `bytes`; throws on an unknown format or a length that is not the stated records. */
export function decodeCheckpoint(bytes: Uint8Array, format: number, statementCount: number): TotalsByStatement {
  const view = checkedView(bytes, format, statementCount);
  const out: TotalsByStatement = new Map();
  for (let at = 0; at < bytes.byteLength; at += CHECKPOINT_RECORD_BYTES) {
    const t = zeroTotals();
    out.set(readRecord(view, at, t), t);
  }
  return out;
}

/** The records of `bytes` as a source that adds them as it reads them (checked now, read on addTo). */
export function packedSource(bytes: Uint8Array, format: number, statementCount: number): TotalsSource {
  const view = checkedView(bytes, format, statementCount);
  return {
    addTo(acc, sign) {
      const t = zeroTotals();
      for (let at = 0; at < bytes.byteLength; at += CHECKPOINT_RECORD_BYTES) accumulate(acc, readRecord(view, at, t), t, sign);
    },
  };
}
