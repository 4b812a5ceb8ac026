// Window lengths as people type them: `recent=1h&baseline=7d`, `--recent 15m`. A whole number and one
// unit (s, m, h, d); nothing else, so "15M" (months?), "1.5h" or "1h30m" fail loudly instead of being
// guessed. tryParseDuration returns the message for zod (`ctx.addIssue`); parseDuration throws it.
import { UserError } from "../errors";

const MS_PER_UNIT = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type DurationUnit = keyof typeof MS_PER_UNIT;

/** Ten years: far beyond any window worth comparing, and well inside Date's range. */
export const MAX_DURATION_MS = 3_650 * MS_PER_UNIT.d;

const DURATION = /^(\d+)([smhd])$/;

export type DurationParse = { ok: true; ms: number } | { ok: false; message: string };

export function tryParseDuration(text: string): DurationParse {
  const match = DURATION.exec(text);
  if (match === null) {
    return {
      ok: false,
      message: `invalid duration ${JSON.stringify(text)}: expected a whole number and a unit s, m, h or d (e.g. 90s, 15m, 1h, 7d)`,
    };
  }
  const amount = Number(match[1]);
  const ms = amount * MS_PER_UNIT[match[2] as DurationUnit];
  if (amount === 0) return { ok: false, message: `invalid duration ${JSON.stringify(text)}: must be longer than zero` };
  if (ms > MAX_DURATION_MS) return { ok: false, message: `invalid duration ${JSON.stringify(text)}: at most 3650d` };
  return { ok: true, ms };
}

/** "90s" → 90000, "15m" → 900000, "1h" → 3600000, "7d" → 604800000; throws a UserError otherwise. */
export function parseDuration(text: string): number {
  const parsed = tryParseDuration(text);
  if (!parsed.ok) throw new UserError(parsed.message);
  return parsed.ms;
}

/** The largest unit that divides the duration exactly: 5400000 → "90m", 604800000 → "7d". */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0 || ms % MS_PER_UNIT.s !== 0) {
    throw new RangeError(`not a whole positive number of seconds: ${ms} ms`);
  }
  const units: DurationUnit[] = ["d", "h", "m", "s"];
  const unit = units.find((u) => ms % MS_PER_UNIT[u] === 0) ?? "s";
  return `${ms / MS_PER_UNIT[unit]}${unit}`;
}
