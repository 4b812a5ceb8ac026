// Where to go after signing in: only a path on this site. `?next=https://evil.example`,
// `//evil.example` (protocol-relative) and `/\evil.example` (browsers read `\` as `/`) would all
// leave PlanWatch, so anything but a plain same-origin path becomes "/". Pure: used by the sign-in
// page on the server and by its form in the browser.

const BASE = "http://planwatch.invalid";

export function safeNextPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/";
  // Control characters (tabs, newlines) are stripped by URL parsers and can hide a "//".
  if (/[\u0000-\u001f\u007f]/.test(value)) return "/";
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  // Back to the sign-in page would loop.
  if (url.pathname === "/sign-in") return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
