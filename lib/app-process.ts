// Which process "the app" is. With PLANWATCH_WEB_PROCESSES > 1 the web server runs in processes the
// app's primary process starts (cli/web-cluster.ts); what the primary writes for its own lifetime
// (the demo's timeline) must still count as "this app's" in them.

/** Set by the primary in each web server process it starts: the primary's pid. */
export const APP_PID_ENV = "PLANWATCH_APP_PID";

/** The pid of the process that started this app: the primary's, or this process's own. */
export function appPid(processEnv: Record<string, string | undefined> = process.env): number {
  const pid = Number(processEnv[APP_PID_ENV]);
  return Number.isInteger(pid) && pid > 0 ? pid : process.pid;
}
