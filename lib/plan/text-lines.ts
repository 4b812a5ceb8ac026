// Which lines can start a line of text EXPLAIN output. Cleanup uses this to glue back lines that a
// terminal cut; the text parser uses the same rules to classify lines.
import { parseNodeHeader, parseSubplanHeader } from "./text-node-line";

/** Lines printed at the root's own indentation after the tree (or before it, by auto_explain). */
const TOP_LEVEL = /^(?:Planning Time|Execution Time|Planning|Settings|Query Identifier|JIT|Serialization|Query Text|Query Parameters|Memory|Trigger [^:]*):(?:\s|$)/;
/** "Key: value", "Key:" as EXPLAIN prints them: a capitalised label of a few words. */
const PROPERTY = /^[A-Z][A-Za-z0-9 /&()-]{0,40}:(?:\s|$)/;

export function isTopLevelLine(content: string): boolean {
  return TOP_LEVEL.test(content);
}

export function isTextPlanLine(content: string, allowRoot: boolean): boolean {
  if (content.startsWith("->")) return true;
  if (PROPERTY.test(content) || /^Worker \d+:/.test(content) || TOP_LEVEL.test(content)) return true;
  if (parseSubplanHeader(content)) return true;
  return allowRoot && parseNodeHeader(content) !== null;
}

const NON_SPACE = /\S/;

/** `text.length - text.trimStart().length` (trimStart drops exactly what regex \s matches), without the copy. */
export function indentOf(text: string): number {
  // Plan lines are indented with plain spaces: count those; any other character that might be
  // whitespace (tab, non-ASCII) goes to the regex.
  let at = 0;
  while (text.charCodeAt(at) === 0x20) at++;
  const c = text.charCodeAt(at);
  if (at === text.length || (c > 0x20 && c < 0x7f)) return at;
  const found = text.search(NON_SPACE);
  return found < 0 ? text.length : found;
}
