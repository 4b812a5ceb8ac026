import Link from "next/link";
import { APP_NAME } from "@/lib/version";

/** The header of pages shown signed out (/sign-in, not found): the app's name, nothing else. */
export function MinimalHeader() {
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span> {APP_NAME}
      </Link>
    </header>
  );
}
