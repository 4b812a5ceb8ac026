import Link from "next/link";
import { APP_NAME } from "@/lib/version";
import { AccountMenu } from "./account-menu";
import { HealthIndicator } from "./health-indicator";

export function AppHeader() {
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span> {APP_NAME}
      </Link>
      <nav aria-label="Main">
        <Link href="/">Statements</Link>
        <Link href="/targets">Targets</Link>
        <Link href="/audit">Audit</Link>
        <Link href="/plans/paste">Paste a plan</Link>
      </nav>
      <HealthIndicator />
      <AccountMenu />
    </header>
  );
}
