// Comparing statement texts across systems. pg_stat_statements, Aurora's dba_plans and a baseline
// file written on another server may differ in layout (line breaks, indentation, a trailing ';')
// while naming the same statement; they never differ in tokens, so only whitespace is folded.
// Case is kept: folding it would also fold string constants and quoted identifiers.

/** Whitespace runs collapsed to one space, trimmed, trailing semicolons removed. */
export function normalizeQueryText(text: string): string {
  const folded = text.replace(/\s+/g, " ").trim();
  if (!folded.endsWith(";")) return folded;
  // What /(\s*;)+$/ removed, without its retry from every ';' (quadratic on a long run of them that
  // does not end the text): the whole trailing run of ';' and spaces, the only whitespace left.
  let end = folded.length;
  while (end > 0 && (folded[end - 1] === ";" || folded[end - 1] === " ")) end -= 1;
  return folded.slice(0, end);
}

export function sameQueryText(a: string, b: string): boolean {
  return normalizeQueryText(a) === normalizeQueryText(b);
}

/**
 * pg_hint_plan's `norm_query_string` (before 1.7): the normalized text with constants written as
 * `?`. pg_stat_statements writes them as $1, $2…, so the placeholders are swapped; whitespace is
 * significant to pg_hint_plan and kept as captured.
 */
export function toNormQueryString(queryText: string): string {
  return queryText.replace(/\$\d+\b/g, "?");
}
