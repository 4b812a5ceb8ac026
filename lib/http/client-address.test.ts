import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { pinClientAddress } from "./client-address";

const request = (headers: Record<string, string>, remoteAddress: string | undefined) =>
  ({ headers: { ...headers }, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("pinClientAddress", () => {
  it("replaces a client-supplied X-Forwarded-For with the socket's address", () => {
    const req = request({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" }, "127.0.0.1");
    pinClientAddress(req, false);
    expect(req.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(req.headers["x-real-ip"]).toBeUndefined();
  });

  it("keeps the header a trusted proxy set", () => {
    const req = request({ "x-forwarded-for": "198.51.100.7" }, "10.0.0.2");
    pinClientAddress(req, true);
    expect(req.headers["x-forwarded-for"]).toBe("198.51.100.7");
  });
});
