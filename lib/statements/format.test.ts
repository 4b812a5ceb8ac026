import { describe, expect, it } from "vitest";
import { formatAgo, formatCost, formatShortTimestamp, formatDurationMs, formatImpactMs, formatRatio, formatTimestamp } from "./format";

describe("human units", () => {
  it("milliseconds become ms, s, min or h", () => {
    expect(formatDurationMs(0.4213)).toBe("0.42 ms");
    expect(formatDurationMs(42.25)).toBe("42.3 ms"); // 42.25 → one decimal from 10 on
    expect(formatDurationMs(1_234)).toBe("1.23 s"); // 1234 / 1000
    expect(formatDurationMs(95_000)).toBe("1.58 min"); // 95000 / 60000 = 1.583…
    expect(formatDurationMs(7_200_000)).toBe("2 h"); // 7200000 / 3600000
  });

  it("impact carries its sign", () => {
    expect(formatImpactMs(12_500)).toBe("+12.5 s");
    expect(formatImpactMs(-300)).toBe("−300 ms");
    expect(formatImpactMs(null)).toBe("—");
    expect(formatImpactMs(0)).toBe("0 ms");
    expect(formatImpactMs(-0.004)).toBe("0 ms"); // |−0.004| < 0.005 rounds to 0.00
    expect(formatImpactMs(-0.006)).toBe("−0.01 ms");
  });

  it("ratios, costs, times", () => {
    expect(formatRatio(2.456)).toBe("2.46×");
    expect(formatRatio(12.34)).toBe("12.3×");
    expect(formatRatio(null)).toBe("—");
    expect(formatCost(12_345.6)).toBe("12,346");
    expect(formatTimestamp("2026-05-04T13:07:22.123Z")).toBe("2026-05-04 13:07:22 UTC");
    expect(formatShortTimestamp("2026-05-04T13:07:22.123Z")).toBe("05-04 13:07:22");
    const now = new Date("2026-05-04T13:00:00Z");
    expect(formatAgo("2026-05-04T12:50:00Z", now)).toBe("10 min ago"); // 600 s / 60
    expect(formatAgo(null, now)).toBe("never");
  });
});
