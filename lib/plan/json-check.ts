// Checking parsed EXPLAIN JSON: where a value sits (for the error's line) and typed reads that
// fail loudly on a value of the wrong type.
import { PlanParseError } from "./errors";
import { jsonText } from "./json-text";

export type Path = Array<string | number>;
/** Turns a JSON path into a position in the input, when the input text is known. */
export type Locator = (path: Path) => { line: number; offset: number } | null;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function fail(message: string, path: Path, locate: Locator): never {
  const where = locate(path);
  throw new PlanParseError(message, where?.line ?? null, where?.offset ?? null);
}

/**
 * Where a value sits, built only when an error needs it: a node's path is its parent's plus a
 * suffix, so reading a deep or wide tree does not copy a path array per node.
 */
export class Where {
  constructor(
    private readonly parent: Where | null,
    private readonly suffix: Path,
  ) {}
  path(): Path {
    const parts: Path[] = [];
    for (let w: Where | null = this; w !== null; w = w.parent) parts.push(w.suffix);
    const out: Path = [];
    for (let i = parts.length - 1; i >= 0; i--) out.push(...(parts[i] as Path));
    return out;
  }
}

/** Checks values read from one JSON object: a value of the wrong type fails, naming its key and pointing at it. */
export class Check {
  constructor(
    private readonly where: Where,
    private readonly locate: Locator,
  ) {}
  private bad(value: unknown, key: string, expected: string): never {
    fail(`"${key}" should be ${expected}, found ${jsonText(value, 40).slice(0, 40)}`, [...this.where.path(), key], this.locate);
  }
  num(v: unknown, key: string): number | null {
    if (v === undefined || v === null) return null;
    return typeof v === "number" && Number.isFinite(v) ? v : this.bad(v, key, "a number");
  }
  str(v: unknown, key: string): string | null {
    if (v === undefined || v === null) return null;
    return typeof v === "string" ? v : this.bad(v, key, "text");
  }
  bool(v: unknown, key: string): boolean | null {
    if (v === undefined || v === null) return null;
    return typeof v === "boolean" ? v : this.bad(v, key, "true or false");
  }
  strings(v: unknown, key: string): string[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) {
      let ok = true;
      for (const s of v) if (typeof s !== "string") ok = false;
      if (ok) return v as string[];
    }
    return this.bad(v, key, "a list of texts");
  }
}

/** Reads and checks values of one JSON object by key (the few objects read once per plan). */
export class Reader {
  private readonly check: Check;
  constructor(
    private readonly raw: Record<string, unknown>,
    where: Where,
    locate: Locator,
  ) {
    this.check = new Check(where, locate);
  }
  num(key: string): number | null {
    return this.check.num(this.raw[key], key);
  }
  str(key: string): string | null {
    return this.check.str(this.raw[key], key);
  }
}
