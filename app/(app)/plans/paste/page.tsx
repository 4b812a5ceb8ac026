import type { Metadata } from "next";
import { Suspense } from "react";
import { PastePlan } from "@/components/plans/paste-plan";
import { Skeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Paste a plan" };

export default function PastePlanPage() {
  return (
    <>
      <h1>Paste a plan</h1>
      <p style={{ color: "var(--text-muted)", marginTop: "-0.5rem", maxWidth: "80ch" }}>
        Paste the output of EXPLAIN (ANALYZE, BUFFERS) — text or JSON, straight from psql or a log — to see its tree, or paste two
        plans to compare them. Plans are read in your browser; nothing is sent or stored.
      </p>
      {/* The plan view reads ?tab= with useSearchParams, which needs a Suspense boundary on a static page. */}
      <Suspense fallback={<Skeleton lines={4} label="Loading the plan form" />}>
        <PastePlan />
      </Suspense>
    </>
  );
}
