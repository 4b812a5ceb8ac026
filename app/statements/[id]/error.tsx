"use client";

import Link from "next/link";

export default function StatementError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="panel error-state" role="alert">
      <h1>This statement could not be shown</h1>
      <p>{error.digest ? `The server could not render this page (reference ${error.digest}).` : error.message}</p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>{" "}
        <Link href="/">Back to statements</Link>
      </p>
    </section>
  );
}
