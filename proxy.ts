// Content-Security-Policy with a fresh nonce per request (Next 16's proxy, formerly middleware).
//
// Next.js writes its bootstrap and RSC payload as inline <script> tags; with a nonce in the
// request's Content-Security-Policy header, Next puts that nonce on every script it renders, and
// 'strict-dynamic' lets those scripts load the app's chunks. Nothing else may run: an injected
// <script> or onerror= attribute carries no nonce. The same directives as next.config.ts's static
// policy otherwise (see cspDirectives there).
//
// A nonce only reaches pages rendered per request. Pages prerendered at build time (today only the
// not-found page shown for an unknown address; every app page renders per request behind the
// session layout) are the same bytes for everyone, without a nonce: for them the policy allows the
// inline scripts instead ('unsafe-inline'), which is safe because such a page contains nothing from a
// request or the repository. Which answers those are is read from the build's manifests (prerendered
// pages, and addresses matching no route), so a page that becomes static later needs no change here.
import { readFileSync } from "node:fs";
import path from "node:path";
import { NextResponse, type NextRequest } from "next/server";
import { cspDirectives } from "./csp";

interface BuildRoutes {
  /** Pages prerendered at build time (prerender-manifest.json). */
  prerendered: Set<string>;
  /** Every route of the build (routes-manifest.json): an address matching none is answered by the
   * prerendered not-found page. */
  routes: RegExp[];
}

let build: BuildRoutes | null = null;

function buildRoutes(): BuildRoutes {
  if (build) return build;
  const read = (file: string) => JSON.parse(readFileSync(path.join(process.cwd(), ".next", file), "utf8")) as Record<string, unknown>;
  try {
    const prerender = read("prerender-manifest.json") as { routes?: Record<string, unknown> };
    const manifest = read("routes-manifest.json") as { staticRoutes?: Array<{ regex: string }>; dynamicRoutes?: Array<{ regex: string }> };
    build = {
      prerendered: new Set(Object.keys(prerender.routes ?? {})),
      routes: [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((r) => new RegExp(r.regex)),
    };
  } catch {
    // `next dev` writes no such manifests: every page renders per request there.
    build = { prerendered: new Set(), routes: [/^/] };
  }
  return build;
}

/** True when the answer will be HTML made at build time (no nonce can be in it). */
function servedPrerendered(pathname: string): boolean {
  const { prerendered, routes } = buildRoutes();
  const normalized = pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname;
  return prerendered.has(normalized) || !routes.some((r) => r.test(normalized));
}

export function proxy(request: NextRequest): NextResponse {
  const scripts = servedPrerendered(request.nextUrl.pathname) ? "prerendered-page" : { nonce: Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64") };
  const policy = cspDirectives({ scripts, dev: process.env.NODE_ENV !== "production" });
  const requestHeaders = new Headers(request.headers);
  // Next reads the nonce from the request's CSP header and sets it on the scripts it renders.
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Pages only: /api answers JSON (next.config.ts gives it the static policy), and /_next assets
  // are not documents. Prefetches are skipped: their RSC answers are not documents either.
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
