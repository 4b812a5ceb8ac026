import { describe, expect, it } from "vitest";
import { BASELINE_FORMAT, BASELINE_RECORD_BYTES, decodeBaselines, encodeBaselines, type PackedBaseline } from "./baseline-codec";

const baseline = (statementId: bigint, over: Partial<PackedBaseline["counters"]> = {}): PackedBaseline => ({
  statementId,
  userId: 10n,
  dbId: 4_294_967_295n, // the largest oid
  queryId: -9_223_372_036_854_775_808n, // queryids are signed int8: the smallest one
  capturedAt: new Date("2026-12-03T11:00:00.123Z"),
  counters: {
    calls: 9_007_199_254_740_993n, // past Number.MAX_SAFE_INTEGER: must not go through a float
    totalExecMs: 0.1 + 0.2,
    sumSquaresExecMs2: 1e300,
    totalPlanMs: 1.5,
    plans: 3n,
    rows: 7n,
    sharedHitBlocks: 1n,
    sharedReadBlocks: 2n,
    tempReadBlocks: 0n,
    tempWrittenBlocks: 5n,
    ...over,
  },
});

describe("baseline codec", () => {
  it("round-trips every field exactly, NULL planning counters included", () => {
    const input = [baseline(3n), baseline(1n, { totalPlanMs: null, plans: null }), baseline(2n, { plans: 0n, totalPlanMs: 0 })];
    const bytes = encodeBaselines(input);
    expect(bytes.byteLength).toBe(3 * 120); // 3 records × 15 fields × 8 bytes
    expect(decodeBaselines(bytes, BASELINE_FORMAT, 3)).toEqual(input);
  });

  it("writes big-endian fields, as int8send does (the migration builds records in SQL)", () => {
    const bytes = encodeBaselines([baseline(258n)]);
    // int8send(258) = \x0000000000000102
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
  });

  it("refuses an unknown format and a length that is not whole records", () => {
    const bytes = encodeBaselines([baseline(1n), baseline(2n)]);
    expect(() => decodeBaselines(bytes, 2, 2)).toThrow(/format 2 is not one this collector reads/);
    expect(() => decodeBaselines(bytes.subarray(0, BASELINE_RECORD_BYTES + 8), BASELINE_FORMAT, 2)).toThrow(/128 bytes for 2 statements/);
    expect(decodeBaselines(new Uint8Array(0), BASELINE_FORMAT, 0)).toEqual([]);
  });
});
