import { Suspense } from "react";
import { RepositoryOverviewPanel } from "@/components/statements/repository-overview";
import { Skeleton } from "@/components/ui/skeleton";

// Reads the repository at request time; nothing here can be prerendered at build.
export const dynamic = "force-dynamic";

export default function HomePage() {
  return (
    <>
      <h1>Statements</h1>
      <Suspense fallback={<Skeleton label="Loading the plan repository" />}>
        <RepositoryOverviewPanel />
      </Suspense>
    </>
  );
}
