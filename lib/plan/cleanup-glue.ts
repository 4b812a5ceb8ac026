// Gluing back the lines of a text plan that a terminal or an editor cut: each glue must stay cheap,
// as a hostile paste can hold millions of short lines after a line that never reads whole.
import { contentEnd, isBlank, joinAll, type CleanLine } from "./clean-line";
import { indentOf, isTextPlanLine, isTopLevelLine } from "./text-lines";
import { parseNodeHeader } from "./text-node-line";

/**
 * Longest root line gluing builds: a node line (label, cost, actual) is a few hundred characters
 * (identifiers are at most 63 bytes). Each glue re-reads the whole candidate, so without a bound a
 * paste of short junk lines that never reads as a plan would cost quadratic time.
 */
export const MAX_GLUED_ROOT_CHARS = 1024;
/** Longest "->" node line gluing builds, for the same reason: past it the line counts as whole. */
export const MAX_GLUED_NODE_CHARS = 4096;
/**
 * How many times its own length a "->" line may be re-read, over all its glues, to see whether it
 * reads whole yet: a paste of 1-character lines after a "->" line that never reads whole re-read up
 * to 4,096 characters per character (106 s per MB). A line cut into pieces of w characters is
 * re-read after each, k pieces cost w·k²/2: all within the bound up to k = 64 pieces, more than a
 * real node line (a few hundred characters) cut at any terminal width has, and with costs on only
 * pieces ending in ")" are re-read at all. Past the bound a line is re-read only as often as its
 * growth pays for, so one that reads whole after more pieces than that may take on a few junk
 * lines that follow it before gluing stops. The root line, which gluing reads after every piece
 * until it reads as a plan line, keeps to the same bound.
 */
export const NODE_REREAD_FACTOR = 32;

/**
 * The last line of the output, still open to gluing. A glued line keeps its parts and is joined
 * once when done: joining at every step copies the growing text and its pieces, quadratic in the
 * number of parts. Property lines ("Filter: …", "Output: …") can be long and are glued whole,
 * however many parts they have. One instance serves the whole input: most lines are never glued.
 */
class OpenLine {
  private first: CleanLine | null = null;
  private parts: CleanLine[] | null = null;
  private separator = "";
  private length = 0;
  private joined: CleanLine | null = null;
  /** The parts' texts joined, kept up to date per part (the pieces are joined only once, at the end). */
  private joinedText = "";
  /** Characters re-read so far by isCompleteNode, against NODE_REREAD_FACTOR. */
  private rereadChars = 0;
  /** Starts a new last line; returns the one it replaces, finished (null at the first line). */
  start(line: CleanLine, separator = ""): CleanLine | null {
    const done = this.first === null ? null : this.line();
    this.first = line;
    this.parts = null;
    this.separator = separator;
    this.length = line.text.length;
    this.joined = line;
    this.joinedText = line.text;
    this.rereadChars = 0;
    return done;
  }
  get isOpen(): boolean {
    return this.first !== null;
  }
  add(part: CleanLine): void {
    const first = this.first as CleanLine;
    this.parts ??= [first];
    this.parts.push(part);
    this.length += this.separator.length + part.text.length;
    this.joined = null;
    this.joinedText += this.separator + part.text;
  }
  get text(): string {
    return this.joinedText;
  }
  /** Whether one more re-reading of the whole line keeps within NODE_REREAD_FACTOR; counts it if so. */
  mayReread(): boolean {
    if (this.rereadChars + this.length > NODE_REREAD_FACTOR * this.length) return false;
    this.rereadChars += this.length;
    return true;
  }
  get chars(): number {
    return this.length;
  }
  /** The first part: where the line's indentation and its first word are. */
  get head(): string {
    return (this.first as CleanLine).text;
  }
  /** `contentEnd(line.text)`, from the last part when it is not blank. */
  contentEnd(): number {
    if (this.parts === null) return contentEnd((this.first as CleanLine).text);
    const last = (this.parts[this.parts.length - 1] as CleanLine).text;
    const end = contentEnd(last);
    return end > 0 ? this.length - last.length + end : contentEnd(this.line().text);
  }
  line(): CleanLine {
    this.joined ??= joinAll(this.parts ?? [this.first as CleanLine], this.separator);
    return this.joined;
  }
}

/**
 * Text plans only: a line that cannot start a plan line was cut by a terminal or editor; glue it
 * back. Lines of a multi-line "Query Text" (auto_explain) are glued with their newline.
 */
export function joinWrapped(lines: CleanLine[]): CleanLine[] {
  // A fresh array: the caller trims its lines in place.
  const out: CleanLine[] = [];
  // A terminal cuts lines at its width: only a line about as long as the longest can be cut, so
  // junk after a short line stays a line of its own (and fails to parse) instead of being glued.
  let width = 0;
  for (const l of lines) width = Math.max(width, contentEnd(l.text));
  const costs = lines.some((l) => l.text.includes("(cost="));
  const prev = new OpenLine();
  const wasCut = () => prev.isOpen && prev.contentEnd() >= width - 10;
  const open = (line: CleanLine, separator = "") => {
    const done = prev.start(line, separator);
    if (done !== null) out.push(done);
  };
  let rootIndent: number | null = null;
  let inQueryText = false;
  // The root line so far and whether it reads as a plan line: each step asks twice, and reading a
  // line glued from many short pieces costs its whole length (up to MAX_GLUED_ROOT_CHARS), so it
  // is read once per step and within the bound of NODE_REREAD_FACTOR, as "->" lines are.
  let readText: string | null = null;
  let reads = false;
  const readsAsPlanLine = (text: string) => {
    if (text === readText) return reads;
    if (!prev.mayReread()) return false;
    readText = text;
    reads = isTextPlanLine(text.trim(), true);
    return reads;
  };
  for (const line of lines) {
    if (isBlank(line.text)) continue;
    // Past the root line, a line is only ever glued onto a cut one (the classification below is pure):
    // after the many short lines, skip the trim and the regexes.
    if (rootIndent !== null && !inQueryText && !wasCut()) {
      open(line);
      continue;
    }
    const indent = indentOf(line.text);
    const content = line.text.trim();
    if (content.startsWith("Query Text:") && rootIndent === null) {
      inQueryText = true;
      open(line, "\n");
      continue;
    }
    if (inQueryText && prev.isOpen && !isTextPlanLine(content, true)) {
      prev.add(line);
      continue;
    }
    inQueryText = false;
    if (rootIndent === null) {
      // The root line itself may be cut: glue pieces until they read as a plan line. Whether the
      // line so far reads as one was found at the end of the last step, unless Query Text took it.
      const glue =
        prev.chars + line.text.length <= MAX_GLUED_ROOT_CHARS && wasCut() && !isTextPlanLine(content, true) && !readsAsPlanLine(prev.text);
      if (glue) prev.add(line);
      else open(line);
      const current = prev.text;
      const text = current.trim();
      if (readsAsPlanLine(current) && !isTopLevelLine(text)) rootIndent = current.length - current.trimStart().length;
      continue;
    }
    const startsLine = indent <= rootIndent ? isTopLevelLine(content) : isTextPlanLine(content, false);
    if (!startsLine && wasCut() && !isCompleteNode(prev, content, costs)) prev.add(line);
    else open(line);
  }
  if (prev.isOpen) out.push(prev.line());
  return out;
}

/**
 * A node line that reads whole needs no continuation, unless what follows is its "(actual …)".
 * With costs on, a node line without its "(cost=…)" was cut ("Bitmap Index Scan on orders_cu").
 */
function isCompleteNode(line: OpenLine, next: string, costs: boolean): boolean {
  const head = line.head;
  if (!head.startsWith("->", indentOf(head)) || /^\((?:actual|never)/.test(next)) return false;
  if (line.chars > MAX_GLUED_NODE_CHARS) return true;
  // With costs on, a whole line ends with the ")" of its "(cost=…)" or of the "(actual …)" after it.
  const end = line.contentEnd();
  if (costs && (end === 0 || line.text.charCodeAt(end - 1) !== 0x29)) return false;
  if (!line.mayReread()) return false;
  const header = parseNodeHeader(line.text.trim().slice(2));
  return header !== null && (!costs || header.estimate !== null);
}
