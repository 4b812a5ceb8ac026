// Welch's unequal-variance t-test from two groups' summaries, and the Student-t distribution it needs.
//
// The two-sided p-value of t with ν degrees of freedom is I_x(ν/2, 1/2) with x = ν / (ν + t²), the
// regularized incomplete beta function, evaluated by its continued fraction (Numerical Recipes'
// betacf, modified Lentz). Two details keep it accurate to ~1e-10 where the ranking lives, which is
// far out in the tail and at huge ν (a busy statement makes millions of calls a day):
//  - x and 1 − x are both passed in, computed without subtraction (1 − x = t² / (ν + t²)), so a
//    p-value of 1e-40 is not lost to 1 − (1 − 1e-40);
//  - ln B(a, b) for large a uses Stirling's series for the difference ln Γ(a) − ln Γ(a + b) instead of
//    subtracting two numbers near 1e10 (what R's lbeta does);
//  - ν is capped at 1e8. Near x = 1 the fraction's first terms cancel like 1 − x, so its error grows
//    with ν (1e-10 absolute at 1e8, 1e-8 at 1e10, 1e-6 at 1e12, measured against mpmath), while the t
//    distribution is already the normal there: P(|T| ≥ t) − P(|Z| ≥ t) ≈ 2φ(t)(t³ + t) / (4ν) ≤ 0.27/ν,
//    3e-9 at the cap. Windows of a busy statement do reach 1e9 calls.

/** n observations with mean and unbiased sample variance (divides by n − 1). */
export interface SampleSummary {
  n: number;
  mean: number;
  variance: number;
}

export interface WelchResult {
  /** (mean b − mean a) / standard error: positive when b is larger. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided. */
  pValue: number;
}

/**
 * Welch's t-test of b against a; null when no test is possible: a group with fewer than two
 * observations, or no spread in either group and equal means. With no spread in either group and
 * different means the difference is certain (every observation of a differs from every one of b):
 * t = ±∞, p = 0, df = n_a + n_b − 2.
 */
export function welchTTest(a: SampleSummary, b: SampleSummary): WelchResult | null {
  if (![a.n, a.mean, a.variance, b.n, b.mean, b.variance].every(Number.isFinite)) return null;
  if (!(a.n >= 2 && b.n >= 2)) return null;
  const seA2 = Math.max(0, a.variance) / a.n;
  const seB2 = Math.max(0, b.variance) / b.n;
  const diff = b.mean - a.mean;
  const se2 = seA2 + seB2;
  if (se2 === 0) {
    return diff === 0 ? null : { t: diff > 0 ? Infinity : -Infinity, df: a.n + b.n - 2, pValue: 0 };
  }
  const t = diff / Math.sqrt(se2);
  const df = se2 ** 2 / (seA2 ** 2 / (a.n - 1) + seB2 ** 2 / (b.n - 1));
  return { t, df, pValue: studentTTwoSidedP(t, df) };
}

/** P(|T| ≥ |t|) for Student's t with df > 0 degrees of freedom. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) throw new RangeError(`Student t needs df > 0 and a number t (t=${t}, df=${df})`);
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  if (t2 === 0) return 1;
  // x = df / (df + t²) and 1 − x = t² / (df + t²), each computed without cancellation.
  const nu = Math.min(df, MAX_DEGREES_OF_FREEDOM);
  const denom = nu + t2;
  return regularizedIncompleteBetaPair(nu / 2, 0.5, nu / denom, t2 / denom);
}

/** I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  return regularizedIncompleteBetaPair(a, b, x, 1 - x);
}

const MAX_DEGREES_OF_FREEDOM = 1e8;
const MAX_ITERATIONS = 10_000;
const EPSILON = 1e-15;
const TINY = 1e-300;

/** I_x(a, b) given x and y = 1 − x (the caller may know y more precisely than 1 − x). */
function regularizedIncompleteBetaPair(a: number, b: number, x: number, y: number): number {
  if (!(a > 0 && b > 0) || !(x >= 0 && y >= 0)) throw new RangeError(`incomplete beta needs a, b > 0 and 0 ≤ x ≤ 1`);
  if (x === 0) return 0;
  if (y === 0) return 1;
  // x^a · y^b / B(a, b), in logs; log1p keeps ln x exact when x is within 1e-8 of 1.
  const lnX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const lnY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const front = Math.exp(a * lnX + b * lnY - lnBeta(a, b));
  // The continued fraction converges fast below the mean of the beta distribution; above it, use
  // the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, y)) / b;
}

/** Numerical Recipes' betacf (modified Lentz's method). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = nonZero(1 - (qab * x) / qap);
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return h;
  }
  throw new Error(`incomplete beta: continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

function nonZero(v: number): number {
  return Math.abs(v) < TINY ? TINY : v;
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: ~1e-15 relative). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let series = LANCZOS[0] ?? 0;
  for (let i = 1; i < LANCZOS.length; i++) series += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln B(a, b), stable when one argument is large (R's lbeta). */
export function lnBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    // Both large: Stirling for each Γ, the corrections carried separately.
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    // One large: ln Γ(q) − ln Γ(p + q) by Stirling, without forming either.
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q);
    return lnGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lnGamma(p) + lnGamma(q) - lnGamma(p + q);
}

/** ln Γ(x) − ((x − ½) ln x − x + ½ ln 2π) for x ≥ 10, Stirling's series (error < 1e-16). */
function stirlingCorrection(x: number): number {
  const x2 = 1 / (x * x);
  return (
    (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 * (1 / 1188 - x2 * (691 / 360360 - x2 / 156)))))) / x
  );
}
