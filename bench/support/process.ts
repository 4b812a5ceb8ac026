// Runs a child process to completion, capturing its output (pgbench, psql, next build).
import { spawn } from "node:child_process";

export interface ProcessOutput {
  code: number;
  stdout: string;
  stderr: string;
}

export function runProcess(cmd: string, args: string[], input: string | null, env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    // No input: no stdin pipe at all, or a child that exits at once makes writing to it fail (EPIPE).
    const child = spawn(cmd, args, { env, cwd, stdio: [input === null ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (input !== null) child.stdin?.end(input);
  });
}
