import type { Repository } from "../../lib/db/repository";

export interface CommandContext {
  /** Opens the repository by the app's rules (reusing a running embedded one); closed after the command. */
  repository(): Promise<Repository>;
  out(line: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], ctx: CommandContext): Promise<void>;
}
