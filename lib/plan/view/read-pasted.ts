// What the paste page does with a textarea's content: parse it with lib/plan or say, in one line a
// DBA can act on, why not ("line 12: …"). Pure, runs in the browser.
import { PlanParseError } from "../errors";
import type { Plan } from "../model";
import { MAX_PLAN_SOURCE_CHARS, parsePlan } from "../parse";

export type PastedPlan = { ok: true; plan: Plan } | { ok: false; message: string; line: number | null };

export { MAX_PLAN_SOURCE_CHARS };

/** The size check, before any parsing: a 20 MB paste should be refused at once, not after parsing. */
export function sizeProblem(source: string): string | null {
  if (source.length <= MAX_PLAN_SOURCE_CHARS) return null;
  return `The plan is too large: ${source.length.toLocaleString("en-US")} characters; the limit is ${MAX_PLAN_SOURCE_CHARS.toLocaleString("en-US")} (8 Mi).`;
}

/** PlanParseError appends " (line N)" to its message; the view puts the line first instead. */
export function parseErrorText(err: PlanParseError): string {
  const message = err.line === null ? err.message : err.message.replace(/ \(line \d+\)$/, "");
  return err.line === null ? message : `line ${err.line}: ${message}`;
}

export function readPasted(source: string): PastedPlan {
  const tooBig = sizeProblem(source);
  if (tooBig !== null) return { ok: false, message: tooBig, line: null };
  try {
    return { ok: true, plan: parsePlan(source) };
  } catch (err) {
    if (err instanceof PlanParseError) return { ok: false, message: parseErrorText(err), line: err.line };
    throw err;
  }
}
