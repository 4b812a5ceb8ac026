import Link from "next/link";

export default function StatementNotFound() {
  return (
    <section className="panel">
      <h1>Statement not found</h1>
      <p>
        There is no statement with that id: it may have been removed with its target, or the link is wrong.{" "}
        <Link href="/">Back to statements</Link>
      </p>
    </section>
  );
}
