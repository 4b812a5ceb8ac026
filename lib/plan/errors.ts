/** The input is not an EXPLAIN plan PlanWatch can read. Never comes with a partial plan. */
export class PlanParseError extends Error {
  override readonly name = "PlanParseError";

  constructor(
    message: string,
    /** 1-based line of the original input where parsing failed, when known. */
    readonly line: number | null = null,
    /** 0-based character offset into the original input, when known. */
    readonly offset: number | null = null,
  ) {
    super(line === null ? message : `${message} (line ${line})`);
  }
}
