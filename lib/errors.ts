// Error types that cross layers, and the one rule for showing a connection problem:
// name host, port and database, never the password.

/** A user-facing failure whose message is safe to print and to send to a browser. */
export class UserError extends Error {
  override readonly name: string = "UserError";
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends UserError {
  override readonly name = "NotFoundError";
}

/** Someone else changed the thing since the caller looked at it (HTTP 409). */
export class ConflictError extends UserError {
  override readonly name = "ConflictError";
}

/** "host:port/database" for a postgres URL, without user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || "(default database)";
    return `${u.hostname || "localhost"}:${u.port || "5432"}/${database}`;
  } catch {
    return "(unparseable database URL)";
  }
}

/** Removes the URL's password (and the URL itself) from any text that may quote it. */
export function redactSecrets(text: string, url?: string): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@");
  if (url) {
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password.length >= 3) out = out.split(password).join("***");
    } catch {
      /* not a URL: nothing more to hide */
    }
  }
  return out;
}

/** One clear line for a failed connection, e.g. "cannot connect to db1:5432/app: password authentication failed for user \"x\"". */
export function connectionErrorMessage(url: string, err: unknown): string {
  const reason = err instanceof Error ? err.message || (err as NodeJS.ErrnoException).code || err.name : String(err);
  const aggregate = err instanceof AggregateError ? err.errors.map((e: Error) => e.message).join("; ") : "";
  return redactSecrets(`cannot connect to ${describeDatabaseUrl(url)}: ${aggregate || reason}`, url);
}
