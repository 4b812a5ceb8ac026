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

/**
 * `text.length - text.trimStart().length` without building the trimmed string: runs of plain spaces
 * are counted directly; anything else that might be whitespace goes through trimStart itself.
 */
export function indentOf(text: string): number {
  let i = 0;
  while (text.charCodeAt(i) === 0x20) i++;
  if (i === text.length) return i;
  const c = text.charCodeAt(i);
  return c > 0x20 && c < 0x7f ? i : text.length - text.trimStart().length;
}
