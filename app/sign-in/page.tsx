import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import styles from "@/components/auth/auth.module.css";
import { currentActor } from "@/lib/auth/current-actor";
import { safeNextPath } from "@/lib/auth/safe-next";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  // Already signed in (a bookmark, the back button): straight on.
  const actor = await currentActor().catch(() => null);
  if (actor?.kind === "user") redirect(next);
  return (
    <section className={styles.card} aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <p className={styles.hint}>Accounts are created by a PlanWatch admin (or `planwatch user add`).</p>
      <SignInForm next={next} />
    </section>
  );
}
