// Runs the project's TypeScript entry points the way a user does (tsx as a child process). Never
// throws on a non-zero exit: tests look at the code and the output.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const projectRoot = path.resolve(import.meta.dirname, "../..");

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runTsx(args: string[], env: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  try {
    const { stdout, stderr } = await run(path.join(projectRoot, "node_modules/.bin/tsx"), args, { cwd: projectRoot, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `planwatch …` as `npm run -s planwatch -- …` runs it. */
export function planwatch(args: string[], env: Record<string, string | undefined> = {}): Promise<ProcessResult> {
  return runTsx(["--conditions=react-server", "cli/planwatch.ts", ...args], env);
}
