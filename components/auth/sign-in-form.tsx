"use client";

// Email + password sign-in against better-auth's endpoint. One message for a wrong email and a
// wrong password alike (no user enumeration); the limiters' 429s say to wait. On success a full
// navigation to `next`, so every server component renders with the new session.
import { useState, type FormEvent } from "react";
import { z } from "zod";
import { safeNextPath } from "@/lib/auth/safe-next";
import styles from "./auth.module.css";

const errorBody = z.object({ code: z.string().optional(), message: z.string().optional() });

async function failureMessage(response: Response): Promise<string> {
  const parsed = errorBody.safeParse(await response.json().catch(() => ({})));
  const body = parsed.success ? parsed.data : {};
  switch (response.status) {
    case 400:
    case 401:
      return "Wrong email or password.";
    case 429: {
      if (body.code === "ACCOUNT_TEMPORARILY_LOCKED" && body.message) return body.message;
      const seconds = Number(response.headers.get("x-retry-after"));
      return `Too many sign-in attempts. Try again in ${Number.isFinite(seconds) && seconds > 0 ? `${seconds} seconds` : "a minute"}.`;
    }
    case 503:
      return body.message ?? "Sign-in is not available: the server is not configured for it.";
    default:
      return `Sign-in failed (HTTP ${response.status}). Try again.`;
  }
}

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const response = await fetch("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: String(data.get("email") ?? ""), password: String(data.get("password") ?? ""), rememberMe: true }),
      });
      if (response.ok) {
        window.location.assign(safeNextPath(next));
        return;
      }
      setError(await failureMessage(response));
    } catch {
      setError("Could not reach PlanWatch. Check the connection and try again.");
    }
    setPending(false);
  }

  return (
    <form className={styles.form} onSubmit={onSubmit} aria-describedby={error ? "sign-in-error" : undefined}>
      <label className={styles.field}>
        Email
        <input type="email" name="email" autoComplete="username" required autoFocus />
      </label>
      <label className={styles.field}>
        Password
        <input type="password" name="password" autoComplete="current-password" required />
      </label>
      {error ? (
        <p id="sign-in-error" role="alert" className={styles.error}>
          {error}
        </p>
      ) : null}
      <button type="submit" className={styles.submit} disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
