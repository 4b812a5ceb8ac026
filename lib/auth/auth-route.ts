// What the /api/auth route adds around better-auth's handler.
//
// Same origin: better-auth checks Origin only when cookies are present (or browser fetch-metadata
// headers say cross-site), so a cookie-less cross-site POST to /sign-in/email would be served —
// a login CSRF (the victim's browser signed in to someone else's account). Every state-changing
// auth request must come from our own origin, as every other write does (lib/http/route.ts).
//
// Secure cookies: better-auth decides `Secure` once, at configuration time; PlanWatch is served
// over plain http (the demo, a LAN) or https (behind a proxy) by the same build, so `Secure` is added
// to every cookie set in answer to a request that came over https. Trusting x-forwarded-proto here is
// safe: a forged value can only make a cookie stricter.

export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  if (!origin) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function requestIsHttps(request: Request): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  return request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

export function withSecureCookiesOverHttps(request: Request, response: Response): Response {
  const cookies = response.headers.getSetCookie();
  if (cookies.length === 0 || !requestIsHttps(request)) return response;
  const headers = new Headers(response.headers);
  headers.delete("set-cookie");
  for (const cookie of cookies) headers.append("set-cookie", /;\s*secure\s*(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
