import { describe, expect, it } from "vitest";
import { lnBeta, lnGamma, regularizedIncompleteBeta, studentTTwoSidedP, welchTTest } from "./welch";

describe("studentTTwoSidedP", () => {
  // References: scipy 1.17 `2 * stats.t.sf(t, df)` and mpmath (50 digits) betainc; closed forms where they exist.
  it.each([
    [2.0, 10, 0.0733880347707], // scipy: 2·t.sf(2, 10)
    [1.0, 1, 0.5], // Cauchy: 1 − 2·atan(1)/π = 0.5
    [3.0, 1, 1 - (2 * Math.atan(3)) / Math.PI], // Cauchy: 0.204832764...
    [2.0, 2, 1 - 2 / Math.sqrt(6)], // df = 2: 1 − t/√(2 + t²) = 0.183503419...
    [0.5, 3.7, 0.64533563332], // scipy, fractional df as Welch produces
    [3.0, 5, 0.0300992478975], // scipy
    [0.1, 50, 0.920744213653], // scipy
    [1.16, 58, 0.250801667714], // scipy
    [2.5, 12345.6, 0.0124322001456], // scipy
  ])("t = %d, df = %d → p ≈ %d", (t, df, p) => {
    expect(studentTTwoSidedP(t, df)).toBeCloseTo(p, 10);
    expect(studentTTwoSidedP(-t, df)).toBeCloseTo(p, 10); // two-sided: symmetric
  });

  it("is accurate far out in the tail (relative, not just absolute)", () => {
    const p1 = studentTTwoSidedP(5, 30); // scipy: 2.3296685467e-05
    expect(Math.abs(p1 / 2.3296685467e-5 - 1)).toBeLessThan(1e-9);
    const p2 = studentTTwoSidedP(10, 100); // scipy: 9.90168898459e-17
    expect(Math.abs(p2 / 9.90168898459e-17 - 1)).toBeLessThan(1e-9);
    const p3 = studentTTwoSidedP(40, 598); // scipy: 3.54378140115e-171
    expect(Math.abs(p3 / 3.54378140115e-171 - 1)).toBeLessThan(1e-9);
  });

  it("tends to the normal distribution for huge df (millions of calls)", () => {
    expect(studentTTwoSidedP(1.96, 1e6)).toBeCloseTo(0.0499960675853, 10); // scipy; normal: 0.0499957902...
    expect(studentTTwoSidedP(1.96, 1e9)).toBeCloseTo(0.0499957905737, 8); // mpmath betainc; df capped at 1e8
    expect(studentTTwoSidedP(3, 1e10)).toBeCloseTo(0.0026997960699, 8); // mpmath; normal: 0.00269979606
    expect(studentTTwoSidedP(0.01, 1e12)).toBeCloseTo(0.992021287371, 10); // scipy
  });

  it("handles the edges", () => {
    expect(studentTTwoSidedP(0, 7)).toBe(1);
    expect(studentTTwoSidedP(Infinity, 7)).toBe(0);
    expect(() => studentTTwoSidedP(1, 0)).toThrow(RangeError);
    expect(() => studentTTwoSidedP(Number.NaN, 3)).toThrow(RangeError);
  });
});

describe("special functions", () => {
  it("lnGamma matches factorials and Γ(½) = √π", () => {
    expect(lnGamma(10)).toBeCloseTo(Math.log(362_880), 12); // Γ(10) = 9!
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lnGamma(1)).toBeCloseTo(0, 14);
  });

  it("lnBeta stays exact when one argument is huge", () => {
    expect(lnBeta(3, 4)).toBeCloseTo(Math.log(1 / 60), 13); // B(3, 4) = 2!·3!/6! = 1/60
    expect(lnBeta(5e5, 0.5)).toBeCloseTo(-5.9888164957774643, 12); // mpmath log(beta(5e5, 0.5))
    expect(lnBeta(5e9, 0.5)).toBeCloseTo(-10.593986931740556, 11); // mpmath
    expect(lnBeta(20, 30)).toBeCloseTo(-33.968820791977386, 11); // scipy betaln
  });

  it("regularizedIncompleteBeta matches a polynomial case", () => {
    // I_x(2, 3) = 6x² − 8x³ + 3x⁴; at 0.3: 0.54 − 0.216 + 0.0243 = 0.3483
    expect(regularizedIncompleteBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 13);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });
});

describe("welchTTest", () => {
  it("matches scipy's ttest_ind_from_stats(equal_var=False)", () => {
    // a: n 30, mean 40, sd 10; b: n 25, mean 48, sd 15 (sample variances 100 and 225)
    const r = welchTTest({ n: 30, mean: 40, variance: 100 }, { n: 25, mean: 48, variance: 225 });
    // se² = 100/30 + 225/25 = 3.3333 + 9 = 12.3333; t = 8 / √12.3333 = 2.2779792 (scipy: −2.2779791898, a − b)
    expect(r?.t).toBeCloseTo(2.2779791898, 9);
    // df = 12.3333² / (3.3333²/29 + 9²/24) = 152.111 / (0.383142 + 3.375) = 40.4754
    expect(r?.df).toBeCloseTo(40.4754, 3);
    expect(r?.pValue).toBeCloseTo(0.0280797658074, 11); // scipy: 0.028079765807354305
  });

  it("no test with fewer than two observations, or no spread and equal means", () => {
    expect(welchTTest({ n: 1, mean: 5, variance: 0 }, { n: 100, mean: 9, variance: 4 })).toBeNull();
    expect(welchTTest({ n: 50, mean: 5, variance: 0 }, { n: 50, mean: 5, variance: 0 })).toBeNull();
    expect(welchTTest({ n: 50, mean: Number.NaN, variance: 1 }, { n: 50, mean: 5, variance: 1 })).toBeNull();
  });

  it("no spread and different means: a certain difference", () => {
    expect(welchTTest({ n: 50, mean: 5, variance: 0 }, { n: 40, mean: 6, variance: 0 })).toEqual({
      t: Infinity,
      df: 88, // 50 + 40 − 2
      pValue: 0,
    });
  });

  it("one group without spread still tests against the other's", () => {
    const r = welchTTest({ n: 20, mean: 10, variance: 0 }, { n: 20, mean: 11, variance: 4 });
    // se² = 4/20 = 0.2; t = 1/√0.2 = 2.23607; df = n_b − 1 = 19
    expect(r?.t).toBeCloseTo(2.23607, 5);
    expect(r?.df).toBeCloseTo(19, 10);
  });
});
