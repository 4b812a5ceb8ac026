// A web server process of cli/web-cluster.ts (PLANWATCH_WEB_PROCESSES > 1): serves requests on the
// primary's shared socket until the primary stops it.
import cluster from "node:cluster";
import { readEnv } from "../lib/env";
import { UserError } from "../lib/errors";
import { runMain } from "./run-main";
import { startWebServer } from "./web-process";

runMain(async () => {
  if (cluster.isPrimary) throw new UserError("cli/web-worker.ts is started by `npm start` with PLANWATCH_WEB_PROCESSES > 1, not alone");
  const env = readEnv();
  const server = await startWebServer({ dev: false, hostname: env.hostname, port: env.port });
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`planwatch: web server process ${process.pid}: error while stopping: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  // Ctrl-C in a terminal reaches every process of the group: the primary stops its web server
  // processes itself, after which it stops the collector and the repository.
  process.on("SIGINT", () => undefined);
  // The primary is gone without stopping us (killed): serving on alone would outlive the repository.
  process.on("disconnect", stop);
});
