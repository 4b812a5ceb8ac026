"use client";

// Who is signed in (email and role) with "Sign out" and "Sign out everywhere" (ends every session of
// the account, on every device), or a "Sign in" link. Asks better-auth's get-session endpoint; it
// shows identity only — what a role may do is decided on the server (lib/auth/authorize.ts).
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { z } from "zod";
import styles from "@/components/auth/auth.module.css";

const sessionBody = z.object({ user: z.object({ email: z.string(), role: z.string() }) }).nullable();
type SessionUser = { email: string; role: string };
type State = { status: "loading" } | { status: "signed-out" } | { status: "signed-in"; user: SessionUser };

export function AccountMenu() {
  const pathname = usePathname();
  const [state, setState] = useState<State>({ status: "loading" });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    fetch("/api/auth/get-session", { cache: "no-store" })
      .then(async (response) => (response.ok ? sessionBody.safeParse(await response.json()) : null))
      .then((parsed) => {
        if (cancelled) return;
        setState(parsed?.success && parsed.data ? { status: "signed-in", user: parsed.data.user } : { status: "signed-out" });
      })
      .catch(() => !cancelled && setState({ status: "signed-out" }));
    return () => {
      cancelled = true;
    };
  }, []);

  async function signOut(everywhere: boolean) {
    setBusy(true);
    const post = (path: string) => fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    // Revoking every session also ends this one; sign-out then only clears the cookie.
    if (everywhere) await post("/api/auth/revoke-sessions").catch(() => undefined);
    await post("/api/auth/sign-out").catch(() => undefined);
    window.location.assign("/sign-in");
  }

  if (state.status === "loading") return <span className={styles.menu} aria-hidden="true" />;
  if (state.status === "signed-out") {
    if (pathname === "/sign-in") return null;
    return (
      <span className={styles.menu}>
        <Link href={`/sign-in?next=${encodeURIComponent(pathname || "/")}`}>Sign in</Link>
      </span>
    );
  }
  return (
    <span className={styles.menu} role="group" aria-label="Account">
      <span className={styles.who}>{state.user.email}</span>
      <span className={styles.role}>{state.user.role}</span>
      <button type="button" onClick={() => void signOut(false)} disabled={busy}>
        Sign out
      </button>
      <button type="button" onClick={() => void signOut(true)} disabled={busy} title="End every session of this account, on every device">
        Sign out everywhere
      </button>
    </span>
  );
}
