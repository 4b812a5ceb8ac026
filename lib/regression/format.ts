// Numbers in evidence text: en-US grouping whatever the runtime's locale (the same text on the server,
// in the browser and in tests), and only the digits a reader can use.

// One formatter per digit count: toLocaleString with options builds a new Intl.NumberFormat at every
// call, which made the evidence text most of the time of ranking 5,000 statements (measured).
const formatters = new Map<number, Intl.NumberFormat>();
function intlDigits(value: number, maximumFractionDigits: number): string {
  let formatter = formatters.get(maximumFractionDigits);
  if (!formatter) formatters.set(maximumFractionDigits, (formatter = new Intl.NumberFormat("en-US", { maximumFractionDigits })));
  return formatter.format(value);
}

/**
 * value.toLocaleString("en-US", { maximumFractionDigits }), written out for ordinary numbers: even a
 * cached Intl.NumberFormat took ~1 µs a call, 15 ms of a 5,000-statement ranking (profiled). Like
 * Intl, it rounds the shortest decimal form of the value (String(1.005) is "1.005", so 1.01) half
 * away from zero, drops trailing zeros and groups thousands with commas. Values outside 1e-6…1e12
 * and more than 3 digits keep Intl's own text (format.test.ts compares the two on thousands of values).
 */
export function formatDigits(value: number, maximumFractionDigits: number): string {
  const magnitude = Math.abs(value);
  if (!(magnitude >= 1e-6 && magnitude < 1e12) || maximumFractionDigits > 3) return intlDigits(value, maximumFractionDigits);
  const text = String(magnitude);
  const dot = text.indexOf(".");
  let int: string;
  let frac: string;
  if (dot === -1 || text.length - dot - 1 <= maximumFractionDigits) {
    int = dot === -1 ? text : text.slice(0, dot);
    frac = dot === -1 ? "" : text.slice(dot + 1);
  } else {
    // The kept digits as one integer (below 1e15: exact), plus one when the next digit is 5 or more.
    const kept = Number(text.slice(0, dot) + text.slice(dot + 1, dot + 1 + maximumFractionDigits)) + (text.charCodeAt(dot + 1 + maximumFractionDigits) >= 53 ? 1 : 0);
    const digits = String(kept).padStart(maximumFractionDigits + 1, "0");
    int = digits.slice(0, digits.length - maximumFractionDigits);
    frac = digits.slice(digits.length - maximumFractionDigits);
  }
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--; // trailing "0"s
  const sign = value < 0 ? "-" : "";
  const grouped = int.length > 3 ? groupThousands(int) : int;
  return end === 0 ? sign + grouped : `${sign}${grouped}.${frac.slice(0, end)}`;
}

function groupThousands(int: string): string {
  let out = int.slice(0, int.length % 3 || 3);
  for (let i = out.length; i < int.length; i += 3) out += `,${int.slice(i, i + 3)}`;
  return out;
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
