// Number formatting for plan views. One place, so the tree, the compare view and the details panel
// print the same figure the same way. Pure; "—" stands for "EXPLAIN did not say".

export const NONE = "—";

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Milliseconds with precision that follows the magnitude: "0.012 ms", "4.81 ms", "12.3 ms", "1,234 ms", "12.3 s". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NONE;
  const abs = Math.abs(ms);
  if (abs >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs >= 100) return `${int.format(ms)} ms`;
  if (abs >= 10) return `${ms.toFixed(1)} ms`;
  if (abs >= 1) return `${ms.toFixed(2)} ms`;
  if (abs === 0) return "0 ms";
  return `${ms.toFixed(3)} ms`;
}

/** Row and block counts: exact below a million (DBAs compare digits), compact above ("12.4M"). */
export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return NONE;
  if (Math.abs(n) >= 1_000_000) return compact.format(n);
  // PostgreSQL 18 prints fractional per-loop rows; totals are whole in practice.
  return Number.isInteger(n) ? int.format(n) : n < 10 ? n.toFixed(2) : int.format(n);
}

export function formatCost(cost: number | null): string {
  if (cost === null || !Number.isFinite(cost)) return NONE;
  if (cost >= 100_000) return compact.format(cost);
  return cost >= 100 ? int.format(cost) : cost.toFixed(2);
}

/** 0..1 → "45%", "<1%" for small non-zero shares, so a hot node is never shown as "0%". */
export function formatShare(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return NONE;
  if (share > 0 && share < 0.01) return "<1%";
  return `${Math.round(share * 100)}%`;
}

/** A ratio ≥ 1 as "12×", "3.4×". */
export function formatFactor(factor: number): string {
  return factor >= 9.95 ? `${int.format(factor)}×` : `${factor.toFixed(1)}×`;
}

/** 8 kB blocks as a size: "1,234 blocks (9.6 MB)" is too long for a row; the row shows blocks, the panel both. */
export function formatBlocksAsBytes(blocks: number): string {
  const bytes = blocks * 8192;
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${int.format(bytes / 1024)} kB`;
}

/** A signed difference: "+12.3 ms", "−4 rows" (a real minus sign, not a hyphen). */
export function formatSigned(value: number, format: (v: number) => string): string {
  if (value === 0) return format(0);
  return `${value > 0 ? "+" : "−"}${format(Math.abs(value))}`;
}
