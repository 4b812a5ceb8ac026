"use client";

// What app/(app)/layout.tsx renders for a request without a session: straight to the sign-in page,
// with this address (path, query and hash) as ?next= so signing in comes back here.
import { useEffect } from "react";
import { MinimalHeader } from "@/components/ui/minimal-header";

export function SignInRedirect() {
  useEffect(() => {
    const here = `${window.location.pathname}${window.location.search}${window.location.hash}`;
    window.location.replace(`/sign-in?next=${encodeURIComponent(here)}`);
  }, []);
  return (
    <>
      <MinimalHeader />
      <main className="app-main">
        <p>
          Sign in to see this page. <a href="/sign-in">Sign in</a>
        </p>
        <noscript>
          <meta httpEquiv="refresh" content="0;url=/sign-in" />
        </noscript>
      </main>
    </>
  );
}
