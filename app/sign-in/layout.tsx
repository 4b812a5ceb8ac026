import type { ReactNode } from "react";
import { MinimalHeader } from "@/components/ui/minimal-header";

// Signed out: the app's name only (no navigation to pages that would send you back here).
export default function SignInLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <MinimalHeader />
      <main className="app-main">{children}</main>
    </>
  );
}
