import { Suspense } from "react";
import { NoTargets } from "@/components/statements/no-targets";
import { StatementListSection } from "@/components/statements/statement-list-section";
import { Skeleton } from "@/components/ui/skeleton";
import { prisma } from "@/lib/db/client";
import { rankingTargets } from "@/lib/db/regressions";

// Reads the repository at request time; nothing here can be prerendered at build.
export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function HomePage({ searchParams }: Props) {
  // Names for the selector and each target's data version for the shared ranking, in one query.
  const targets = await rankingTargets(prisma());
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
