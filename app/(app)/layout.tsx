import type { ReactNode } from "react";
import { SignInRedirect } from "@/components/auth/sign-in-redirect";
import { AppHeader } from "@/components/ui/app-header";
import { DemoBanner } from "@/components/ui/demo-banner";
import { sessionActor } from "@/lib/auth/session-actor";

// Every page of the app needs a session (/sign-in and /api/* live outside this group; the API
// routes answer 401/403 themselves). Signed out, nothing of the page is rendered: the browser is
// sent to /sign-in?next=<this address>. A layout does not know the address it renders (no pathname
// on the server), so the redirect is made in the browser, which also keeps ?query and #hash.
export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await sessionActor();
  if (!actor) return <SignInRedirect />;
  return (
    <>
      <AppHeader />
      <DemoBanner />
      <main className="app-main">{children}</main>
    </>
  );
}
