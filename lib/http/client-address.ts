import type { IncomingMessage } from "node:http";

/**
 * Who the client is, for per-address limits (sign-in rate limiting). Next.js only fills
 * X-Forwarded-For when it is absent, so a client talking to us directly could name any address.
 * Unless a trusted proxy in front sets it (PLANWATCH_TRUST_PROXY=1), the socket's address wins.
 */
export function pinClientAddress(req: IncomingMessage, trustProxy: boolean): void {
  if (trustProxy) return;
  const address = req.socket.remoteAddress;
  if (address) req.headers["x-forwarded-for"] = address;
  else delete req.headers["x-forwarded-for"];
  delete req.headers["x-real-ip"];
}
