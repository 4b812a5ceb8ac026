import { repositoryOverview } from "@/lib/db/statements";

export async function RepositoryOverviewPanel() {
  const overview = await repositoryOverview();
  if (overview.targetCount === 0) {
    return (
      <section className="panel empty-state" aria-labelledby="overview-title">
        <h2 id="overview-title">No monitored databases yet</h2>
        <p>
          PlanWatch has not collected anything yet: there are no targets in the plan repository. Statements ranked by
          regression appear here once a target is registered and collected.
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="overview-title">
      <h2 id="overview-title">Plan repository</h2>
      <dl className="stats">
        <div><dt>Targets</dt><dd>{overview.targetCount}</dd></div>
        <div><dt>Statements</dt><dd>{overview.statementCount}</dd></div>
        <div><dt>Plans</dt><dd>{overview.planCount}</dd></div>
      </dl>
    </section>
  );
}
