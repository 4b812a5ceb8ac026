import "server-only";
import { prisma } from "./client";

export interface RepositoryOverview {
  targetCount: number;
  statementCount: number;
  planCount: number;
}

export async function repositoryOverview(): Promise<RepositoryOverview> {
  const db = prisma();
  const [targetCount, statementCount, planCount] = await Promise.all([db.target.count(), db.statement.count(), db.plan.count()]);
  return { targetCount, statementCount, planCount };
}
