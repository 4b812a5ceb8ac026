import { describe, expect, it } from "vitest";
import { formatDigits } from "./format";

describe("formatDigits", () => {
  it("writes what Intl.NumberFormat('en-US', { maximumFractionDigits }) writes", () => {
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const values = [
      0, -0, 0.125, -0.125, 0.005, 1.005, 2.675, 999.995, 1000, -1000, 1234567.891, -0.001, 0.5, 1.5, 2.5, 99.95, 123456789012345,
      1e15, 1e21, -1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.MIN_VALUE,
      ...Array.from({ length: 2000 }, () => (random() - 0.3) * 10 ** Math.floor(random() * 12 - 4)),
    ];
    for (const digits of [0, 1, 2, 3]) {
      const intl = new Intl.NumberFormat("en-US", { maximumFractionDigits: digits });
      for (const v of values) expect([v, digits, formatDigits(v, digits)]).toEqual([v, digits, intl.format(v)]);
    }
  });
});
