import type { Metadata } from "next";
import { Suspense } from "react";
import { AddTargetForm } from "@/components/targets/add-target-form";
import { TargetTable } from "@/components/targets/target-table";
import { Skeleton } from "@/components/ui/skeleton";
import { can } from "@/lib/auth/authorize";
import { sessionActor } from "@/lib/auth/session-actor";
import { targetRows } from "@/lib/db/targets-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Targets" };

async function TargetsSection({ canManage }: { canManage: boolean }) {
  const targets = await targetRows();
  if (targets.length === 0) {
    return (
      <section className="panel empty-state">
        <h2>No targets yet</h2>
        <p>{canManage ? "Add the first database to monitor below, or with" : "An administrator adds databases to monitor, here or with"} <code>planwatch target add --name NAME --url postgresql://…</code>.</p>
      </section>
    );
  }
  return <TargetTable targets={targets} now={new Date()} canManage={canManage} />;
}

export default async function TargetsPage() {
  // Adding and removing targets is for admins: other roles see the list only.
  const actor = await sessionActor();
  const canManage = actor !== null && can(actor, "target:manage");
  return (
    <>
      <h1>Targets</h1>
      <Suspense fallback={<Skeleton lines={4} label="Loading targets" />}>
        <TargetsSection canManage={canManage} />
      </Suspense>
      {canManage ? (
        <>
          <div style={{ height: "1rem" }} />
          <AddTargetForm />
        </>
      ) : null}
    </>
  );
}
