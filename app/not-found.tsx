import Link from "next/link";
import { MinimalHeader } from "@/components/ui/minimal-header";

// Addresses no route matches (outside the signed-in pages, so with the minimal header).
export default function NotFound() {
  return (
    <>
      <MinimalHeader />
      <main className="app-main">
        <section className="panel">
          <h1>Not found</h1>
          <p>There is nothing at this address. <Link href="/">Back to statements</Link></p>
        </section>
      </main>
    </>
  );
}
