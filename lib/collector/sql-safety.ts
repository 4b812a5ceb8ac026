// A conservative look at one SQL statement before PlanWatch explains it on a target: how many
// statements it holds, whether it may write, how many $n parameters it takes. It tokenizes (so a
// keyword inside a string, a quoted identifier, a comment or a dollar-quoted body does not count)
// but does not parse: when in doubt it says "writes". It is the first guard only: the EXPLAIN also
// runs inside a READ ONLY transaction that is always rolled back.

export interface SqlScan {
  /** Non-empty statements separated by top-level ';'. */
  statements: number;
  /** Keywords and unquoted identifiers, lower-cased, in order (strings, comments, quoted names left out). */
  words: string[];
  /** The highest $n placeholder (0 when none). */
  parameterCount: number;
}

export function scanSql(sql: string): SqlScan {
  const words: string[] = [];
  let parameterCount = 0;
  let statements = 0;
  let statementHasTokens = false;
  const token = () => {
    statementHasTokens = true;
  };
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] ?? "";
    const next = sql[i + 1] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.startsWith("/*", i)) (depth++, (i += 2));
        else if (sql.startsWith("*/", i)) (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      // E'…' strings may escape a quote with a backslash.
      const escapes = /[eE]$/.test(sql.slice(Math.max(0, i - 1), i)) && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? "");
      i = skipQuoted(sql, i, "'", escapes);
      token();
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', false);
      token();
    } else if (c === "$" && /\d/.test(next)) {
      const m = /^\$(\d+)/.exec(sql.slice(i));
      parameterCount = Math.max(parameterCount, Number(m?.[1] ?? 0));
      i += m?.[0].length ?? 1;
      token();
    } else if (c === "$") {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
      } else i++;
      token();
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i));
      const word = m?.[0] ?? c;
      // E'…' and U&'…' prefixes belong to the string that follows.
      if (!(sql[i + word.length] === "'" && /^(e|u&?|b|x|n)$/i.test(word))) words.push(word.toLowerCase());
      i += word.length;
      token();
    } else if (c === ";") {
      if (statementHasTokens) statements++;
      statementHasTokens = false;
      i++;
    } else {
      i++;
      token();
    }
  }
  if (statementHasTokens) statements++;
  return { statements, words, parameterCount };
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === "\\") i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

const EXPLAINABLE = new Set(["select", "with", "values", "table", "insert", "update", "delete", "merge"]);
const MODIFYING = new Set(["insert", "update", "delete", "merge"]);

export interface SqlVerdict {
  /** Why PlanWatch will not explain it at all (null: it may). */
  refused: string | null;
  /** Why it may write (null: read-only as far as the text shows). */
  writes: string | null;
  parameterCount: number;
}

/**
 * The rule: exactly one statement, starting with SELECT, WITH, VALUES or TABLE (or INSERT, UPDATE,
 * DELETE, MERGE, which write). It writes when any of INSERT/UPDATE/DELETE/MERGE appears as a word
 * (data-modifying CTEs, FOR UPDATE / FOR NO KEY UPDATE), FOR SHARE / FOR KEY SHARE (row locks), or
 * INTO (SELECT INTO creates a table). A column named "update" makes a read-only query look like a
 * write: that errs on the safe side. Function calls are allowed: READ ONLY makes their writes fail.
 */
export function classifySql(sql: string): SqlVerdict {
  const { statements, words, parameterCount } = scanSql(sql);
  const verdict = (refused: string | null, writes: string | null): SqlVerdict => ({ refused, writes, parameterCount });
  if (statements === 0) return verdict("the statement is empty", null);
  if (statements > 1) return verdict("more than one statement (separated by ';'): explain one statement at a time", null);
  const first = words[0] ?? "";
  if (!EXPLAINABLE.has(first)) {
    return verdict(`${first ? first.toUpperCase() : "this"} statements cannot be explained: only SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE and MERGE`, null);
  }
  if (MODIFYING.has(first)) return verdict(null, `it is an ${first.toUpperCase()}`);
  for (let k = 0; k < words.length; k++) {
    const w = words[k] ?? "";
    if (MODIFYING.has(w)) return verdict(null, first === "with" ? `it has a data-modifying part (${w.toUpperCase()})` : `it contains ${w.toUpperCase()}`);
    if (w === "for" && (words[k + 1] === "share" || (words[k + 1] === "key" && words[k + 2] === "share"))) return verdict(null, "it locks rows (FOR SHARE)");
    if (w === "into") return verdict(null, "it writes a new table (SELECT INTO)");
  }
  return verdict(null, null);
}
