import Link from "next/link";

export function NoTargets() {
  return (
    <section className="panel empty-state" aria-labelledby="overview-title">
      <h2 id="overview-title">No monitored databases yet</h2>
      <p>
        PlanWatch has not collected anything yet: there are no targets in the plan repository. Statements ranked by
        regression appear here once a target is registered and collected. Add one on the <Link href="/targets">Targets</Link> page
        or with <code>planwatch target add</code>.
      </p>
    </section>
  );
}
