// The `planwatch` command: `npm run planwatch -- <command>` (`npm run -s` for clean stdout).
// It uses the app's repository rules: DATABASE_URL, else the embedded repository in the data
// folder (reusing it when the demo is running).
import { readEnv } from "../lib/env";
import { UserError } from "../lib/errors";
import { openRepository, type Repository } from "../lib/db/repository";
import { runMain } from "./run-main";
import { migrateCommand } from "./commands/migrate";
import { statusCommand } from "./commands/status";
import { targetCommand } from "./commands/target";
import { collectCommand } from "./commands/collect";
import { explainCommand } from "./commands/explain";
import { planCommand } from "./commands/plan";
import { plansCommand } from "./commands/plans";
import { regressionsCommand } from "./commands/regressions";
import { purgeCommand } from "./commands/purge";
import { checkpointsCommand } from "./commands/checkpoints";
import { alertsCommand } from "./commands/alerts";
import { userCommand } from "./commands/user";
import { tokenCommand } from "./commands/token";
import type { Command, CommandContext } from "./commands/types";

const commands: Command[] = [statusCommand, migrateCommand, targetCommand, collectCommand, explainCommand, planCommand, plansCommand, regressionsCommand, alertsCommand, userCommand, tokenCommand, purgeCommand, checkpointsCommand];

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "planwatch: keeps PostgreSQL query plans from silently getting worse",
    "",
    "Usage: npm run -s planwatch -- <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `planwatch <command> --help` for a command's options.",
    "Repository: DATABASE_URL, or the embedded one in PLANWATCH_DATA_DIR (default .planwatch/).",
  ].join("\n");
}

runMain(async () => {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(helpText());
    return;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UserError(`unknown command "${name}"\n\n${helpText()}`);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}`);
    return;
  }
  let repository: Repository | undefined;
  const ctx: CommandContext = {
    repository: async () => (repository ??= await openRepository(readEnv(), { reuseRunningEmbedded: true, log: (l) => console.error(`planwatch: ${l}`) })),
    out: (line) => console.log(line),
  };
  try {
    await command.run(args, ctx);
  } catch (err) {
    if (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS")) {
      throw new UserError(`${err.message}\nUsage: ${command.usage}`);
    }
    throw err;
  } finally {
    await repository?.close();
  }
});
