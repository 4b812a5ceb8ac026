import type { NextConfig } from "next";
import { cspDirectives } from "./csp";

// Content-Security-Policy: pages get theirs from proxy.ts, with a per-request nonce for Next's
// inline scripts (csp.ts has every directive and why). /api answers and /_next assets, which
// proxy.ts does not see, get the same policy here with no inline script allowed at all. (Not on
// pages: two policies are both enforced, and this one would block the nonced scripts.)
const noInlinePolicy = { key: "Content-Security-Policy", value: cspDirectives({ scripts: "no-inline" }) };

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // pg and the Prisma adapter are plain Node modules; bundling them gains nothing.
  serverExternalPackages: ["pg", "@prisma/adapter-pg"],
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: [noInlinePolicy] },
      { source: "/_next/:path*", headers: [noInlinePolicy] },
    ];
  },
};

export default config;
