// Targets as the web pages read them (the collector's listTargets, through the app's client).
import "server-only";
import { listTargets, type TargetRow } from "../collector/targets";
import { prisma } from "./client";

export async function targetRows(): Promise<TargetRow[]> {
  return listTargets(prisma());
}

/** Target names in selector order (by name; the first is the default). */
export async function targetNames(): Promise<string[]> {
  const rows = await prisma().target.findMany({ select: { name: true }, orderBy: { name: "asc" } });
  return rows.map((r) => r.name);
}
