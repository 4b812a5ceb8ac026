"use client";

// The plan views run lib/plan in the browser: a plan it chokes on must not take the page down silently.
export default function PlanRouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="panel error-state" role="alert">
      <h1>This plan view failed</h1>
      <p>{error.digest ? `The server could not render this page (reference ${error.digest}).` : error.message}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
