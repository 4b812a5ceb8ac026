// Finds where a value sits in JSON text, given its path (["0", "Plan", "Plans", 1]): JSON.parse
// forgets positions, but an error about a node should still point at the user's line.

/** Offset of the value at `path` in `text` (already known to be valid JSON), or null. */
export function findJsonPath(text: string, path: ReadonlyArray<string | number>): number | null {
  // Each open container: its kind, and the key or index of the value being read inside it.
  const stack: Array<{ array: boolean; key: string | number; matched: boolean }> = [];
  let expectKey = false;
  let i = 0;
  // Only the top's key changes while it is open, and `matched` says every key below it matched
  // the path when the top was pushed: checking the top alone is checking the whole stack, without
  // a pass over it for every value at the path's depth (depth × siblings).
  const atTarget = () => {
    const top = stack.at(-1);
    return stack.length === path.length && top !== undefined && top.matched && String(top.key) === String(path[stack.length - 1]);
  };
  const skipString = (from: number): number => {
    let j = from + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    return j + 1;
  };
  if (path.length === 0) return text.search(/\S/);
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\n" || c === "\r" || c === "\t" || c === ":") {
      i++;
      continue;
    }
    if (expectKey && c === '"') {
      const end = skipString(i);
      const top = stack.at(-1);
      if (top) top.key = JSON.parse(text.slice(i, end)) as string;
      expectKey = false;
      i = end;
      continue;
    }
    if (c === ",") {
      const top = stack.at(-1);
      if (top?.array && typeof top.key === "number") top.key++;
      expectKey = top ? !top.array : false;
      i++;
      continue;
    }
    if (c === "}" || c === "]") {
      stack.pop();
      i++;
      continue;
    }
    // A value starts here.
    if (stack.length === path.length && atTarget()) return i;
    if (c === "{" || c === "[") {
      const depth = stack.length;
      const parentMatches = depth === 0 || (stack.at(-1)?.matched ?? false) && String(stack.at(-1)?.key) === String(path[depth - 1]);
      stack.push({ array: c === "[", key: 0, matched: parentMatches && depth < path.length });
      expectKey = c === "{";
      i++;
      continue;
    }
    i = c === '"' ? skipString(i) : i + (/^[^,\]}\s]+/.exec(text.slice(i, i + 64))?.[0].length ?? 1);
  }
  return null;
}
