import Link from "next/link";

export default function CompareNotFound() {
  return (
    <section className="panel">
      <h1>Statement or plan not found</h1>
      <p>
        There is no statement with that id, or the plan asked for is not one of its plans. <Link href="/">Back to statements</Link>
      </p>
    </section>
  );
}
