// The $n parameters of a normalized statement, for the EXPLAIN ANALYZE form: one input per
// position from $1 to the highest one used (EXPLAIN needs every position, used or not).
// Placeholders inside string literals, quoted identifiers and comments are not parameters.
const LITERALS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g;

export function parameterCount(query: string): number {
  const code = query.replace(LITERALS, " ");
  let max = 0;
  for (const m of code.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** "$1", "$2", … for a statement with that many parameters. */
export function parameterLabels(query: string): string[] {
  return Array.from({ length: parameterCount(query) }, (_, i) => `$${i + 1}`);
}
