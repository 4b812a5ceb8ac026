import { UserError } from "../lib/errors";

/** Runs a CLI entry point: one clear line on stderr and a non-zero exit on failure. */
export function runMain(main: () => Promise<void>) {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`planwatch: ${message}`);
    if (!(err instanceof UserError) && process.env.PLANWATCH_DEBUG && err instanceof Error) console.error(err.stack);
    process.exit(1);
  });
}
