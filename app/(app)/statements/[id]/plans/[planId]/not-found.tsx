import Link from "next/link";

export default function PlanNotFound() {
  return (
    <section className="panel">
      <h1>Plan not found</h1>
      <p>
        This statement has no plan with that id: it may have been removed with its target, or the link is wrong.{" "}
        <Link href="/">Back to statements</Link>
      </p>
    </section>
  );
}
