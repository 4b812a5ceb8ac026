import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { StoredPlanHeader } from "@/components/plans/stored-plan-header";
import { StoredPlanView } from "@/components/plans/stored-plan";
import { parseRouteId, planDetail } from "@/lib/db/plan-detail";
import { shortFingerprint } from "@/lib/plan";

// Reads the repository at request time.
export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ id: string; planId: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { planId } = await params;
  return { title: `Plan ${planId}` };
}

export default async function StoredPlanPage({ params }: Props) {
  const { id, planId } = await params;
  const statementId = parseRouteId(id);
  const plan = parseRouteId(planId);
  if (statementId === null || plan === null) notFound();
  // Read here, not in a streamed child: an unknown plan must answer 404, which only works before
  // the response starts. loading.tsx shows the skeleton meanwhile.
  const detail = await planDetail(statementId, plan);
  if (detail === null) notFound();
  return (
    <>
      <h1>
        Plan <span style={{ fontFamily: "var(--mono)" }}>{shortFingerprint(detail.fingerprint)}</span>
      </h1>
      <StoredPlanHeader plan={detail} />
      <StoredPlanView source={detail.planJson} />
    </>
  );
}
