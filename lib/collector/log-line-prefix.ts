// Reads the fields of a stderr log line back out of its log_line_prefix. The prefix is the target's
// own setting (any mix of %-escapes and literal text), so it is compiled into one anchored regular
// expression: each escape becomes a pattern for what PostgreSQL prints there, literal text matches
// itself, and the severity ("LOG:  ") right after the prefix anchors the lazy parts.

export interface PrefixFields {
  /** %m, %t or %n as printed ("2026-11-22 02:39:58.044 UTC", or epoch seconds for %n). */
  timestamp: string | null;
  user: string | null;
  database: string | null;
  /** %Q as printed (decimal, may be negative; "0" when the backend had no query id). */
  queryId: string | null;
}

export interface PrefixedLine {
  fields: PrefixFields;
  severity: string;
  /** The message text after "SEVERITY:  ". */
  text: string;
}

export type LinePrefixParser = (line: string) => PrefixedLine | null;

type Field = keyof PrefixFields;

const TIMESTAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? ?\S*`;
// Role and database names are at most NAMEDATALEN-1 = 63 bytes (the server truncates longer ones),
// hence at most 63 UTF-16 units. Bounded, a line that fails the prefix no longer retries every
// split of "%u@%d" against the rest of the line (quadratic in its length).
const NAME = ".{0,63}?";

/** What PostgreSQL prints for each escape (log_line_prefix docs), and which field it fills. */
const ESCAPES: Record<string, { pattern: string; field?: Field }> = {
  a: { pattern: ".*?" },
  u: { pattern: NAME, field: "user" },
  d: { pattern: NAME, field: "database" },
  r: { pattern: ".*?" },
  h: { pattern: ".*?" },
  b: { pattern: ".*?" },
  p: { pattern: String.raw`\d+` },
  P: { pattern: String.raw`\d*` },
  t: { pattern: TIMESTAMP, field: "timestamp" },
  m: { pattern: TIMESTAMP, field: "timestamp" },
  n: { pattern: String.raw`\d+(?:\.\d+)?`, field: "timestamp" },
  i: { pattern: ".*?" },
  e: { pattern: "[0-9A-Z]{5}" },
  c: { pattern: String.raw`[0-9a-f]+\.[0-9a-f]+` },
  l: { pattern: String.raw`\d+` },
  s: { pattern: TIMESTAMP },
  v: { pattern: String.raw`[\d/]*` },
  x: { pattern: String.raw`\d+` },
  Q: { pattern: String.raw`-?\d+`, field: "queryId" },
};

// English severities only: a server with translated lc_messages prints other words here.
const SEVERITY = "DEBUG[1-5]|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** True when the prefix makes stderr lines carry the query id. */
export function prefixHasQueryId(prefix: string): boolean {
  return compilePrefix(prefix).fields.includes("queryId");
}

function compilePrefix(prefix: string): { source: string; fields: Field[] } {
  const fields: Field[] = [];
  let source = "";
  let optionalFrom: number | null = null;
  const escape = /%(-?\d+)?(.)/g;
  let last = 0;
  for (let m = escape.exec(prefix); m !== null; m = escape.exec(prefix)) {
    source += escapeRegExp(prefix.slice(last, m.index));
    last = m.index + m[0].length;
    const padded = m[1] !== undefined;
    const letter = m[2] ?? "";
    if (letter === "%") {
      source += "%";
      continue;
    }
    if (letter === "q") {
      // Non-session processes (checkpointer, postmaster) stop printing the prefix here.
      optionalFrom ??= source.length;
      continue;
    }
    const known = ESCAPES[letter];
    // An unknown escape prints nothing in PostgreSQL.
    if (!known) continue;
    // Only the first occurrence of a field is captured (a field may be repeated in the prefix).
    const capture = known.field && !fields.includes(known.field);
    if (capture && known.field) fields.push(known.field);
    const pattern = capture ? `(${known.pattern})` : `(?:${known.pattern})`;
    source += padded ? ` *${pattern} *` : pattern;
  }
  source += escapeRegExp(prefix.slice(last));
  if (optionalFrom !== null) source = `${source.slice(0, optionalFrom)}(?:${source.slice(optionalFrom)})?`;
  return { source, fields };
}

export function compileLinePrefix(prefix: string): LinePrefixParser {
  const { source, fields } = compilePrefix(prefix);
  const re = new RegExp(`^${source}(${SEVERITY}):  (.*)$`, "s");
  return (line) => {
    const m = re.exec(line);
    if (!m) return null;
    const out: PrefixFields = { timestamp: null, user: null, database: null, queryId: null };
    fields.forEach((field, i) => {
      const value = m[i + 1];
      out[field] = value === undefined || value === "" ? null : value.trim();
    });
    return { fields: out, severity: m[fields.length + 1] ?? "", text: m[fields.length + 2] ?? "" };
  };
}
