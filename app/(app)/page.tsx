import { Suspense } from "react";
import { NoTargets } from "@/components/statements/no-targets";
import { StatementListSection } from "@/components/statements/statement-list-section";
import { Skeleton } from "@/components/ui/skeleton";
import { targetNames } from "@/lib/db/targets-view";

// Reads the repository at request time; nothing here can be prerendered at build.
export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function HomePage({ searchParams }: Props) {
  const targets = await targetNames();
  return (
    <>
      <h1>Statements</h1>
      {targets.length === 0 ? (
        <NoTargets />
      ) : (
        <Suspense fallback={<Skeleton lines={8} label="Loading statements" />}>
          <StatementListSection targets={targets} searchParams={await searchParams} />
        </Suspense>
      )}
    </>
  );
}
