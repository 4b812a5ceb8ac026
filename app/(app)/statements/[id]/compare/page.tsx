import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { StoredPlanCompare } from "@/components/plans/stored-plan";
import panels from "@/components/plans/plan-panels.module.css";
import { comparePair, parseRouteId, planSources, type StatementPlanChoice } from "@/lib/db/plan-detail";
import { shortFingerprint } from "@/lib/plan";

// Reads the repository at request time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Compare plans" };

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

const querySchema = z.object({ a: z.string().optional(), b: z.string().optional() });

const label = (p: StatementPlanChoice | undefined) => (p === undefined ? "?" : `${shortFingerprint(p.fingerprint)} (#${p.planId}, ${p.status})`);

/** One side's plan choice in the GET form (the form's field name is the URL parameter). */
function PlanPicker({ side, name, selected, plans }: { side: string; name: "a" | "b"; selected: string | null; plans: StatementPlanChoice[] }) {
  return (
    <label>
      {side}{" "}
      <select name={name} defaultValue={selected ?? undefined}>
        {plans.map((p) => (
          <option key={p.planId} value={p.planId}>
            {label(p)}
          </option>
        ))}
      </select>
    </label>
  );
}

export default async function ComparePlansPage({ params, searchParams }: Props) {
  const { id } = await params;
  const statementId = parseRouteId(id);
  const query = querySchema.safeParse(await searchParams);
  if (statementId === null || !query.success) notFound();
  const requestedA = query.data.a === undefined ? null : parseRouteId(query.data.a);
  const requestedB = query.data.b === undefined ? null : parseRouteId(query.data.b);
  // A plan asked for by id that cannot be one is a broken link, not a request for the defaults.
  if ((query.data.a !== undefined && requestedA === null) || (query.data.b !== undefined && requestedB === null)) notFound();

  // Default pair: baseline vs recent plan from lib/db/regressions' statementRegression when the
  // ranking names two different plans, else the two most recently seen plans (see comparePair).
  const pair = await comparePair(statementId, requestedA, requestedB);
  if (pair === null) notFound();
  const known = (req: bigint | null) => req === null || pair.plans.some((p) => p.planId === req.toString());
  if (!known(requestedA) || !known(requestedB)) notFound();

  const byId = (planId: string | null) => pair.plans.find((p) => p.planId === planId);
  const sources = pair.a !== null && pair.b !== null ? await planSources(statementId, [pair.a, pair.b]) : new Map<string, string>();
  const left = pair.a === null ? undefined : sources.get(pair.a);
  const right = pair.b === null ? undefined : sources.get(pair.b);

  return (
    <>
      <h1>Compare plans</h1>
      <section className={panels.summary} aria-label="Statement">
        <div style={{ flex: "1 1 100%" }}>
          <dl className={panels.facts}>
            <div>
              <dt>Target</dt>
              <dd>{pair.targetName}</dd>
            </div>
            <div>
              <dt>Statement</dt>
              <dd>
                <Link href={`/statements/${pair.statementId}`}>#{pair.statementId}</Link>
              </dd>
            </div>
            <div>
              <dt>Plans</dt>
              <dd>{pair.plans.length}</dd>
            </div>
          </dl>
          <pre className={panels.queryText} aria-label="Query text">
            {pair.queryText}
          </pre>
          {pair.plans.length >= 2 && (
            // A plain GET form: the pair is the URL, so it works before (and without) JavaScript.
            <form method="get" className={panels.toolbar} style={{ marginTop: "0.6rem" }} aria-label="Choose the plans to compare">
              <PlanPicker side="Left" name="a" selected={pair.a} plans={pair.plans} />
              <PlanPicker side="Right" name="b" selected={pair.b} plans={pair.plans} />
              <button type="submit">Compare</button>
              <span className={panels.note}>
                {pair.chosenBy === "regression"
                  ? "Default: the baseline window's plan vs the recent window's plan."
                  : pair.chosenBy === "recency"
                    ? "Default: the two most recently seen plans."
                    : null}
              </span>
            </form>
          )}
          {pair.a !== null && pair.b !== null && (
            <p className={panels.note}>
              Open <Link href={`/statements/${pair.statementId}/plans/${pair.a}`}>the left plan</Link> or{" "}
              <Link href={`/statements/${pair.statementId}/plans/${pair.b}`}>the right plan</Link> on its own.
            </p>
          )}
        </div>
      </section>
      {left === undefined || right === undefined ? (
        <section className="panel empty-state">
          <h2>Nothing to compare yet</h2>
          <p>This statement has {pair.plans.length === 0 ? "no captured plan" : "a single captured plan"}; a comparison needs two.</p>
        </section>
      ) : (
        <StoredPlanCompare
          leftSource={left}
          rightSource={right}
          leftTitle={label(byId(pair.a))}
          rightTitle={label(byId(pair.b))}
        />
      )}
    </>
  );
}
