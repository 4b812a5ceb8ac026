// Numbers in evidence text: en-US grouping whatever the runtime's locale (the same text on the server,
// in the browser and in tests), and only the digits a reader can use.

// One formatter per digit count: toLocaleString with options builds a new Intl.NumberFormat at every
// call, which made the evidence text most of the time of ranking 5,000 statements (measured).
const formatters = new Map<number, Intl.NumberFormat>();
/** value.toLocaleString("en-US", { maximumFractionDigits }) without building a formatter per call. */
export function formatDigits(value: number, maximumFractionDigits: number): string {
  let formatter = formatters.get(maximumFractionDigits);
  if (!formatter) formatters.set(maximumFractionDigits, (formatter = new Intl.NumberFormat("en-US", { maximumFractionDigits })));
  return formatter.format(value);
}

export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  return formatDigits(value, magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2);
}

export function formatMs(ms: number): string {
  return `${formatNumber(ms)} ms`;
}

/** "2.5×", "0.33×": ratios of means. */
export function formatRatio(ratio: number): string {
  return `${formatDigits(ratio, ratio >= 10 ? 1 : 2)}×`;
}

/** "either window", "the baseline window", "the recent window": which of the two lacks something. */
export function missingWindows(baselineMissing: boolean, recentMissing: boolean): string {
  if (baselineMissing && recentMissing) return "either window";
  return baselineMissing ? "the baseline window" : "the recent window";
}

/** p-values: two significant digits, small ones in exponent form ("p = 0.034", "p < 1e-12"). */
export function formatPValue(p: number): string {
  if (p < 1e-12) return "p < 1e-12";
  if (p < 0.001) return `p = ${p.toExponential(1)}`;
  return `p = ${Number(p.toPrecision(2))}`;
}
