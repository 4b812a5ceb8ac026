import { describe, expect, it } from "vitest";
import { UserError } from "../errors";
import { formatDuration, MAX_DURATION_MS, parseDuration, tryParseDuration } from "./durations";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000], // 90 × 1,000
    ["15m", 900_000], // 15 × 60 × 1,000
    ["1h", 3_600_000], // 60 × 60 × 1,000
    ["7d", 604_800_000], // 7 × 24 × 3,600,000
    ["3650d", 315_360_000_000], // the cap: 3,650 × 86,400,000
  ])("%s → %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "15", "m", "1.5h", "1h30m", "15M", "-1h", " 1h", "1h ", "1 h", "1w", "0s", "3651d", "99999999999999999999d"])(
    "rejects %j with a UserError that shows the input",
    (text) => {
      expect(() => parseDuration(text)).toThrow(UserError);
      expect(() => parseDuration(text)).toThrow(JSON.stringify(text));
    },
  );

  it("explains what it expects", () => {
    expect(tryParseDuration("15M")).toEqual({
      ok: false,
      message: 'invalid duration "15M": expected a whole number and a unit s, m, h or d (e.g. 90s, 15m, 1h, 7d)',
    });
    expect(tryParseDuration("0m")).toEqual({ ok: false, message: 'invalid duration "0m": must be longer than zero' });
    expect(tryParseDuration("1h")).toEqual({ ok: true, ms: 3_600_000 });
  });
});

describe("formatDuration", () => {
  it("uses the largest unit that divides exactly and round-trips", () => {
    expect(formatDuration(5_400_000)).toBe("90m"); // 1.5 h is not whole hours
    expect(formatDuration(604_800_000)).toBe("7d");
    expect(formatDuration(90_000)).toBe("90s");
    for (const text of ["90s", "15m", "1h", "7d", "36h"]) expect(formatDuration(parseDuration(text))).toBe(text);
    expect(formatDuration(MAX_DURATION_MS)).toBe("3650d");
  });

  it("refuses what parseDuration could not have produced", () => {
    expect(() => formatDuration(1_500)).toThrow(RangeError);
    expect(() => formatDuration(0)).toThrow(RangeError);
  });
});
