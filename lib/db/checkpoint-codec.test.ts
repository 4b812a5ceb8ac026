import { describe, expect, it } from "vitest";
import { mapSource, zeroTotals, type TotalsByStatement } from "../regression/running-totals";
import { CHECKPOINT_FORMAT, CHECKPOINT_RECORD_BYTES, decodeCheckpoint, encodeCheckpoint, packedSource } from "./checkpoint-codec";

const totals: TotalsByStatement = new Map([
  [3, { calls: 9_007_199_254_740_991, sumExecMs: 0.1 + 0.2, sumSquaresExecMs2: 1e300, rows: 7, sharedReadBlocks: 2, tempWrittenBlocks: 5, callsWhilePlanned: 4, plans: 3, totalPlanMs: 1.5 }],
  [2 ** 40 + 1, { ...zeroTotals(), calls: 1, sumExecMs: 2.5 }], // an id past 32 bits
  [1, zeroTotals()],
]);

describe("checkpoint codec", () => {
  it("round-trips every field exactly", () => {
    const bytes = encodeCheckpoint(totals);
    expect(bytes.byteLength).toBe(3 * CHECKPOINT_RECORD_BYTES); // 3 records × 10 fields × 8 bytes
    expect(decodeCheckpoint(bytes, CHECKPOINT_FORMAT, 3)).toEqual(totals);
  });

  it("adds as a packed source exactly what the decoded map adds", () => {
    const bytes = encodeCheckpoint(totals);
    const fromPacked: TotalsByStatement = new Map();
    const fromMap: TotalsByStatement = new Map();
    packedSource(bytes, CHECKPOINT_FORMAT, 3).addTo(fromPacked, -1);
    mapSource(totals).addTo(fromMap, -1);
    expect(fromPacked).toEqual(fromMap);
    expect(fromPacked.get(3)!.calls).toBe(-9_007_199_254_740_991);
  });

  it("refuses an unknown format and a length that is not the stated records", () => {
    const bytes = encodeCheckpoint(totals);
    expect(() => decodeCheckpoint(bytes, 2, 3)).toThrow(/format 2 .*upgrade PlanWatch/);
    expect(() => packedSource(bytes, CHECKPOINT_FORMAT, 4)).toThrow(/240 bytes, expected 4 records of 80/);
    expect(() => decodeCheckpoint(bytes.subarray(1), CHECKPOINT_FORMAT, 3)).toThrow(/239 bytes/);
  });
});
