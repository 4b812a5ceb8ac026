// A line of cleaned plan text and where its characters came from in the pasted input: what the
// cleanup steps (cleanup.ts) and the gluing of cut lines (cleanup-glue.ts) both work on.

/** Where a stretch of a cleaned line starts in the original input. */
export interface Piece {
  /** Column in the cleaned line. */
  at: number;
  /** 1-based line in the original input. */
  line: number;
  /** 0-based offset in the original input. */
  offset: number;
}

export interface CleanLine {
  text: string;
  /** Where the line's first character came from (its first piece). */
  line: number;
  offset: number;
  /**
   * All pieces, when the line was glued from several; null for the usual line that is one stretch
   * of the input (then its only piece is { at: 0, line, offset }), so no arrays are built per line.
   */
  pieces: Piece[] | null;
}

export function piecesOf(l: CleanLine): Piece[] {
  return l.pieces ?? [{ at: 0, line: l.line, offset: l.offset }];
}

export function fromPieces(text: string, pieces: Piece[]): CleanLine {
  const first = pieces[0] ?? { at: 0, line: 1, offset: 0 };
  return pieces.length === 1 && first.at === 0 ? { text, line: first.line, offset: first.offset, pieces: null } : { text, line: first.line, offset: first.offset, pieces };
}

/**
 * `text.trimEnd().length` without building the trimmed string: trailing plain spaces are counted
 * directly; anything else that might be whitespace goes through trimEnd itself.
 */
export function contentEnd(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  if (end === 0) return 0;
  const c = text.charCodeAt(end - 1);
  return c > 0x20 && c < 0x7f ? end : text.trimEnd().length;
}

/** `text.trim() === ""`. */
export const isBlank = (text: string) => contentEnd(text) === 0;

/** `parts` joined by `separator`, pieces and all, in one pass. */
export function joinAll(parts: CleanLine[], separator: string): CleanLine {
  const pieces: Piece[] = [];
  let at = 0;
  for (const part of parts) {
    for (const p of piecesOf(part)) pieces.push(at === 0 ? p : { ...p, at: p.at + at });
    at += part.text.length + separator.length;
  }
  return fromPieces(parts.map((p) => p.text).join(separator), pieces);
}
