"use client";

export default function AuditError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="panel error-state" role="alert">
      <h1>The audit could not be shown</h1>
      <p>{error.digest ? `The server could not render this page (reference ${error.digest}).` : error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
