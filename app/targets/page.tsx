import type { Metadata } from "next";
import { Suspense } from "react";
import { AddTargetForm } from "@/components/targets/add-target-form";
import { TargetTable } from "@/components/targets/target-table";
import { Skeleton } from "@/components/ui/skeleton";
import { targetRows } from "@/lib/db/targets-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Targets" };

async function TargetsSection() {
  const targets = await targetRows();
  if (targets.length === 0) {
    return (
      <section className="panel empty-state">
        <h2>No targets yet</h2>
        <p>Add the first database to monitor below, or with <code>planwatch target add --name NAME --url postgresql://…</code>.</p>
      </section>
    );
  }
  return <TargetTable targets={targets} now={new Date()} />;
}

export default function TargetsPage() {
  return (
    <>
      <h1>Targets</h1>
      <Suspense fallback={<Skeleton lines={4} label="Loading targets" />}>
        <TargetsSection />
      </Suspense>
      <div style={{ height: "1rem" }} />
      <AddTargetForm />
    </>
  );
}
