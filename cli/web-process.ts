// One Next.js web server in this process: what `npm start` runs alone (PLANWATCH_WEB_PROCESSES=1),
// and what each web server process of cli/web-cluster.ts runs. The repository is already open:
// DATABASE_URL names it.
import { createServer, type Server } from "node:http";
import next from "next";
import { pinClientAddress } from "../lib/http/client-address";
import { projectRoot } from "./project-root";


export interface WebServer {
  close(): Promise<void>;
}

export interface WebServerOptions {
  dev: boolean;
  hostname: string;
  port: number;
}

/**
 * Listens on hostname:port. In a cluster worker the listening socket is the primary's, shared by
 * every web server process (node:cluster hands each connection to one of them).
 */
export async function startWebServer({ dev, hostname, port }: WebServerOptions): Promise<WebServer> {
  const app = next({ dev, dir: projectRoot, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustProxy = process.env.PLANWATCH_TRUST_PROXY === "1";
  const server: Server = createServer((req, res) => {
    pinClientAddress(req, trustProxy);
    void handle(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, hostname, resolve);
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  return {
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}
