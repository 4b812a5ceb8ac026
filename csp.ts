// The one Content-Security-Policy, shared by next.config.ts (static, for everything proxy.ts does
// not answer: /api, assets) and proxy.ts (pages, with a per-request nonce).
//
// script-src: a nonce with 'strict-dynamic' for pages rendered per request; 'unsafe-inline' only
// for pages prerendered at build time (they carry no request or repository data, and Next's inline
// bootstrap scripts in them have no nonce); none inline at all for /api answers and assets; 'unsafe-eval' only under `next dev` (React's dev tools
// use eval). style-src needs 'unsafe-inline' for React style={{…}} attributes. Nothing from another
// origin, no framing, no plugins, forms and <base> only to ourselves.
export function cspDirectives({ scripts, dev = false }: { scripts: { nonce: string } | "prerendered-page" | "no-inline"; dev?: boolean }): string {
  const scriptSrc = typeof scripts === "object" ? `'self' 'nonce-${scripts.nonce}' 'strict-dynamic'` : scripts === "prerendered-page" ? "'self' 'unsafe-inline'" : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scriptSrc}${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}
