"use client";

import Link from "next/link";

export interface RouteErrorProps {
  error: Error & { digest?: string };
  reset: () => void;
}

/** What every route's error boundary shows: what failed, why (or the server's reference), and a way on. */
export function RouteError({ error, reset, title, back }: RouteErrorProps & { title: string; back?: { href: string; label: string } }) {
  return (
    <section className="panel error-state" role="alert">
      <h1>{title}</h1>
      <p>{error.digest ? `The server could not render this page (reference ${error.digest}).` : error.message}</p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>
        {back ? (
          <>
            {" "}
            <Link href={back.href}>{back.label}</Link>
          </>
        ) : null}
      </p>
    </section>
  );
}
