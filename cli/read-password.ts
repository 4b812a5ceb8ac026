// Passwords for the CLI: typed at a prompt that does not echo (a TTY), or read from stdin with
// --password-stdin (scripts, `pass show … |`). Never from an argument: it would land in the shell
// history and in `ps` output.
import { UserError } from "../lib/errors";

/** All of stdin, without one trailing newline (as `echo`/`printf '%s\n'` add). */
export async function readPasswordFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Prompts on stderr and reads one line with echo off. Ctrl-C aborts. */
export async function promptPassword(prompt: string, stdin: NodeJS.ReadStream = process.stdin, out: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!stdin.isTTY) throw new UserError("no terminal to ask for the password: pipe it in with --password-stdin");
  out.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = "";
      const onData = (data: string) => {
        for (const ch of data) {
          if (ch === "\r" || ch === "\n" || ch === "\u0004") {
            stdin.off("data", onData);
            out.write("\n");
            resolve(value);
            return;
          }
          if (ch === "\u0003") {
            stdin.off("data", onData);
            out.write("\n");
            reject(new UserError("cancelled"));
            return;
          }
          if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
          else if (ch >= " ") value += ch;
        }
      };
      stdin.on("data", onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** A new password: prompted twice on a TTY, or read from stdin. */
export async function readNewPassword({ fromStdin }: { fromStdin: boolean }): Promise<string> {
  if (fromStdin) return readPasswordFromStdin();
  const first = await promptPassword("Password (at least 12 characters): ");
  const second = await promptPassword("Repeat the password: ");
  if (first !== second) throw new UserError("the two passwords differ");
  return first;
}
