// Turns what people paste (psql tables, terminal-wrapped lines, log lines, quoted cells) back into
// the text EXPLAIN printed, like PEV2's cleanupSource, but line by line and keeping where each
// character came from, so parse errors can point at the user's own line and offset.
import { contentEnd, fromPieces, isBlank, joinAll, piecesOf, type CleanLine } from "./clean-line";
import { joinWrapped } from "./cleanup-glue";

export type { CleanLine, Piece } from "./clean-line";
export { MAX_GLUED_NODE_CHARS, MAX_GLUED_ROOT_CHARS } from "./cleanup-glue";

export interface CleanSource {
  kind: "json" | "text";
  lines: CleanLine[];
  /** auto_explain's "duration: X ms" when the input was a log entry. */
  durationMs: number | null;
}

const BORDER = "|│║┃";
const FRAME_ONLY = /^[\s\-+=─━═┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬╒╕╘╛╞╡╤╧╪╓╖╙╜╟╢╥╨╫|│║┃]+$/;
const ROW_COUNT = /^\s*\(\d+ [\p{L}]+\)\s*$/u;
/** Three dashes in a row: what a frame rule has and a frame-only line of another kind has not. */
const RULE = /[-─━═]{3}/;
const LOG_PLAN = /^(?:.*?\b(?:LOG|INFO|NOTICE|DEBUG\d?|WARNING):\s+)?duration: (\d+(?:\.\d+)?) ms\s+plan:\s?(.*)$/;
const LOG_PREFIX = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/;
const FRAME_LEAD = new RegExp(`^\\s*[${BORDER}] ?`);
const FRAME_TAIL = new RegExp(` ?[${BORDER}]\\s*$`);
const QUERY_PLAN = /^\s*QUERY PLAN\s*$/;
/** The one character before a trailing "+" (after trimEnd, which drops exactly what regex \s matches). */
const SPACE = /\s/;

/**
 * `/\(\d+ /.test(text)`: what ROW_COUNT must contain, as a cheap test on the whole source for whether
 * any line can match. By indexOf, as the regex tries every "(" of a 500 kB plan 5× slower.
 */
export function mayHoldRowCount(text: string): boolean {
  for (let at = text.indexOf("("); at >= 0; at = text.indexOf("(", at + 1)) {
    let end = at + 1;
    for (let c = text.charCodeAt(end); c >= 0x30 && c <= 0x39; c = text.charCodeAt(end)) end++;
    if (end > at + 1 && text.charCodeAt(end) === 0x20) return true;
  }
  return false;
}

/** `/[|│║┃]/.test(text)`, by includes: a character-class regex walks a 500 kB plan 50× slower. */
function hasBorder(text: string): boolean {
  for (const c of BORDER) if (text.includes(c)) return true;
  return false;
}

/** `/\s\+\s*$/.test(text)`, without trying every position of the line. */
function endsWithPlusMark(text: string): boolean {
  const end = contentEnd(text);
  return end >= 2 && text.charCodeAt(end - 1) === 0x2b && SPACE.test(text.charAt(end - 2));
}

/**
 * Where `/\s*\+\s*$/` would match: the spaces before a last "+" that only spaces follow, or -1.
 * From the end, as the regex tries every start in a long run of spaces and scans it from each.
 */
function plusMarkStart(text: string): number {
  const end = contentEnd(text);
  if (end === 0 || text.charCodeAt(end - 1) !== 0x2b) return -1;
  let start = end - 1;
  while (start > 0 && SPACE.test(text.charAt(start - 1))) start--;
  return start;
}

export function splitLines(source: string): CleanLine[] {
  const lines: CleanLine[] = [];
  let start = 0;
  let n = 1;
  if (!source.includes("\r")) {
    // Only "\n" ends lines: indexOf instead of a regex.
    for (let end = source.indexOf("\n"); end >= 0; end = source.indexOf("\n", start)) {
      lines.push({ text: source.slice(start, end), line: n++, offset: start, pieces: null });
      start = end + 1;
    }
  } else {
    const re = /\r\n|\r|\n/g;
    for (let m = re.exec(source); m; m = re.exec(source)) {
      lines.push({ text: source.slice(start, m.index), line: n++, offset: start, pieces: null });
      start = m.index + m[0].length;
    }
  }
  lines.push({ text: source.slice(start), line: n, offset: start, pieces: null });
  return lines;
}

/** Drops `count` characters from the start of a line, moving its origin along. */
function dropStart(line: CleanLine, count: number): CleanLine {
  if (count <= 0) return line;
  if (line.pieces === null) return { text: line.text.slice(count), line: line.line, offset: line.offset + count, pieces: null };
  const pieces = line.pieces
    .map((p) => (p.at >= count ? { ...p, at: p.at - count } : { ...p, at: 0, offset: p.offset + (count - p.at) }))
    .filter((p, i, all) => !(p.at === 0 && all[i + 1]?.at === 0));
  return fromPieces(line.text.slice(count), pieces);
}

function dropEnd(line: CleanLine, count: number): CleanLine {
  if (count <= 0) return line;
  const text = line.text.slice(0, line.text.length - count);
  if (line.pieces === null) return { text, line: line.line, offset: line.offset, pieces: null };
  return fromPieces(text, line.pieces.filter((p, i) => i === 0 || p.at < text.length));
}

const nonEmpty = (lines: CleanLine[]) => lines.filter((l) => !isBlank(l.text));

/** Copy of a cell from a GUI or CSV export: every line quoted, or the whole cell quoted, with "" for ". */
function unquote(lines: CleanLine[]): CleanLine[] {
  // Both forms start with a quote: without one on the first filled line, nothing to do (and no copy).
  const firstFilled = lines.find((l) => !isBlank(l.text));
  if (!firstFilled || !/^\s*"/.test(firstFilled.text)) return lines;
  const filled = nonEmpty(lines);
  const unescape = (l: CleanLine) => ({ ...l, text: l.text.replaceAll('""', '"') });
  if (filled.length > 1 && filled.every((l) => /^\s*".*"\s*$/.test(l.text))) {
    return filled.map((l) => {
      const lead = l.text.indexOf('"') + 1;
      return unescape(dropEnd(dropStart(l, lead), l.text.length - l.text.lastIndexOf('"')));
    });
  }
  const first = filled[0];
  const last = filled.at(-1);
  if (!first || !last || !/^\s*"/.test(first.text) || !/"\s*$/.test(last.text)) return lines;
  if (filled.length === 1 && !/^\s*"\s*[[{]/.test(first.text)) return lines;
  return filled.map((l) => {
    let out = l;
    if (l === first) out = dropStart(out, out.text.indexOf('"') + 1);
    if (l === last) out = dropEnd(out, out.text.length - out.text.lastIndexOf('"'));
    return unescape(out);
  });
}

/** The plan part of an auto_explain log entry ("… LOG:  duration: 12.3 ms  plan:" + tab-indented lines). */
function fromLogEntry(lines: CleanLine[], source: string): { lines: CleanLine[]; durationMs: number | null } {
  // "duration: " is a literal part of LOG_PLAN: without it (checked once, in the whole source, of
  // which every line is a part) no line can match.
  if (!source.includes("duration: ")) return { lines, durationMs: null };
  const index = lines.findIndex((l) => l.text.includes("duration: ") && LOG_PLAN.test(l.text));
  const header = lines[index];
  if (!header) return { lines, durationMs: null };
  const m = LOG_PLAN.exec(header.text);
  const out: CleanLine[] = [];
  const rest = m?.[2] ?? "";
  if (rest.trim() !== "") out.push(dropStart(header, header.text.length - rest.length));
  for (const line of lines.slice(index + 1)) {
    if (LOG_PREFIX.test(line.text)) break; // the next log entry
    out.push(line.text.startsWith("\t") ? dropStart(line, 1) : line);
  }
  return { lines: out, durationMs: Number(m?.[1]) };
}

/**
 * psql's `\pset format wrapped` cuts a long cell into lines that end and start with ".". The
 * parts of one cell are collected and joined once: joining at every step copies the growing text
 * and its pieces, quadratic in the number of cut lines (a 1.4 MB paste took 58 s).
 */
function joinWrappedCells(lines: CleanLine[]): CleanLine[] {
  const out: CleanLine[] = [];
  let parts: CleanLine[] = [];
  const flush = () => {
    if (parts.length > 0) out.push(parts.length === 1 ? (parts[0] as CleanLine) : joinAll(parts, ""));
  };
  for (const line of lines) {
    if (line.text.startsWith(".") && dropWrapMark(parts)) parts.push(dropStart(line, 1));
    else flush(), (parts = [line]);
  }
  flush();
  return out;
}

/**
 * Drops the "." that ends the cell so far, if it ends with one, as dropEnd would on the joined
 * parts: parts left empty after it go, with their pieces, except the first. At most one empty
 * part trails (a continuation that was only "."), so this is constant work per line.
 */
function dropWrapMark(parts: CleanLine[]): boolean {
  let last = parts.length - 1;
  while (last > 0 && (parts[last] as CleanLine).text === "") last--;
  const part = parts[last];
  if (part === undefined || !part.text.endsWith(".")) return false;
  parts.length = last + 1;
  if (part.text.length === 1 && last > 0) parts.pop();
  else parts[last] = dropEnd(part, 1);
  return true;
}

/** psql's aligned output: frames, "QUERY PLAN" header, "(N rows)" footer, wrap marks and "+" marks. */
function fromPsql(lines: CleanLine[], source: string): CleanLine[] {
  // Lines are parts of `source`: literal pre-checks on it once rule out whole steps.
  const framed = !hasBorder(source) ? lines : lines.map((l) => {
    const lead = FRAME_LEAD.exec(l.text);
    if (!lead) return l;
    const tail = FRAME_TAIL.exec(l.text);
    if (!tail || tail.index < lead[0].length) return l;
    return dropStart(dropEnd(l, l.text.length - tail.index), lead[0].length);
  });
  const anyHeader = source.includes("QUERY PLAN");
  const isHeader = (l: CleanLine) => anyHeader && l.text.includes("QUERY PLAN") && QUERY_PLAN.test(l.text);
  const hasHeader = framed.some(isHeader);
  // Every line is a substring of the source: without "(7 " or "---" in it, no line can be a
  // "(7 rows)" footer or a frame rule, and the two regexes need not run on every line.
  const anyRowCount = mayHoldRowCount(source);
  let kept = anyHeader || anyRowCount ? framed.filter((l) => !isHeader(l) && !(anyRowCount && ROW_COUNT.test(l.text))) : framed;
  if (RULE.test(source)) kept = kept.filter((l) => !(FRAME_ONLY.test(l.text) && RULE.test(l.text)));

  // \pset format wrapped: a cut line ends with "." and its continuation starts with ".".
  if (hasHeader) kept = joinWrappedCells(kept);
  // A multi-line cell (JSON, or a whole plan in one value) marks each line but the last with "+".
  // Counted over the filled lines but the last, without building their list.
  let filled = 0;
  let plus = 0;
  let lastIsPlus = false;
  for (const l of kept) {
    if (isBlank(l.text)) continue;
    filled++;
    lastIsPlus = l.text.includes("+") && (endsWithPlusMark(l.text) || /^\s*\+$/.test(l.text));
    if (lastIsPlus) plus++;
  }
  if (lastIsPlus) plus--;
  if (filled > 1 && plus >= (filled - 1) / 2) {
    kept = kept.map((l) => {
      const mark = plusMarkStart(l.text);
      return mark < 0 ? l : dropEnd(l, l.text.length - mark);
    });
  }
  return kept;
}

const trimEnd = (l: CleanLine) => dropEnd(l, l.text.length - contentEnd(l.text));

export function cleanupSource(source: string): CleanSource {
  const log = fromLogEntry(splitLines(source), source);
  let lines = unquote(fromPsql(log.lines, source));
  let first = 0;
  while (first < lines.length && isBlank((lines[first] as CleanLine).text)) first++;
  let end = lines.length;
  while (end > first && isBlank((lines[end - 1] as CleanLine).text)) end--;
  if (first > 0 || end < lines.length) lines = lines.slice(first, end);
  const head = lines[0]?.text.trimStart() ?? "";
  const kind = head.startsWith("[") || head.startsWith("{") ? "json" : "text";
  if (kind === "text") {
    lines = joinWrapped(lines);
    for (let i = 0; i < lines.length; i++) lines[i] = trimEnd(lines[i] as CleanLine);
  }
  return { kind, lines, durationMs: log.durationMs };
}

/** Maps a column in a cleaned line back to the original input. */
export function locate(line: CleanLine | undefined, column: number): { line: number; offset: number } | null {
  if (!line) return null;
  const pieces = piecesOf(line);
  let piece = pieces[0];
  for (const p of pieces) if (p.at <= column) piece = p;
  if (!piece) return null;
  return { line: piece.line, offset: piece.offset + Math.max(0, column - piece.at) };
}

/** The cleaned lines as one string, and a way back from its offsets to the original input. */
export function joinClean(lines: CleanLine[]): { text: string; locateOffset(offset: number): { line: number; offset: number } | null } {
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) starts.push(at), (at += l.text.length + 1);
  return {
    text: lines.map((l) => l.text).join("\n"),
    locateOffset(offset) {
      let i = 0;
      while (i + 1 < starts.length && (starts[i + 1] ?? Infinity) <= offset) i++;
      return locate(lines[i], offset - (starts[i] ?? 0));
    },
  };
}
