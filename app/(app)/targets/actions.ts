"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { AuthError, authorize } from "@/lib/auth/authorize";
import { currentActor } from "@/lib/auth/current-actor";
import { addTarget, removeTarget, targetNameSchema } from "@/lib/collector/targets";
import { prisma } from "@/lib/db/client";
import { UserError, redactSecrets } from "@/lib/errors";

export type TargetFormState = { error: string; field?: string } | { ok: string; warnings: string[] } | null;

const addInput = z.object({
  name: targetNameSchema,
  host: z.string().trim().min(1, "required").max(255, "at most 255 characters").regex(/^[A-Za-z0-9_.:[\]-]+$/, "a host name or address"),
  port: z
    .string()
    .trim()
    .default("5432")
    .transform((v) => (v === "" ? 5432 : Number(v)))
    .refine((n) => Number.isInteger(n) && n >= 1 && n <= 65_535, "a port from 1 to 65535"),
  database: z.string().trim().min(1, "required").max(63, "at most 63 characters"),
  username: z.string().trim().min(1, "required").max(63, "at most 63 characters"),
  password: z.string().max(1_000, "at most 1,000 characters").default(""),
});

function refusal(err: unknown): TargetFormState {
  if (err instanceof AuthError) return { error: err.status === 401 ? "Sign in as an administrator to add or remove targets." : `Not allowed: ${err.message}` };
  if (err instanceof UserError) return { error: err.message };
  throw err;
}

/** Registers a target (admins): connects, checks it can be monitored, stores the password encrypted. */
export async function addTargetAction(_previous: TargetFormState, form: FormData): Promise<TargetFormState> {
  try {
    // First: nothing is read or connected for someone who may not manage targets.
    const actor = authorize(await currentActor(), "target:manage");
    const parsed = addInput.safeParse(Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || undefined;
      return { error: `${field ? `${field}: ` : ""}${issue?.message ?? "invalid"}`, field };
    }
    const { name, host, port, database, username, password } = parsed.data;
    const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    const auth = encodeURIComponent(username) + (password ? `:${encodeURIComponent(password)}` : "");
    const url = `postgresql://${auth}@${hostPart}:${port}/${encodeURIComponent(database)}`;
    try {
      const added = await addTarget(prisma(), { name, url, actor });
      revalidatePath("/targets");
      revalidatePath("/");
      return { ok: `Target ${added.row.name} added (${added.row.serverVersion ?? "unknown version"}).`, warnings: added.row.warnings };
    } catch (err) {
      if (err instanceof UserError) return { error: redactSecrets(err.message, url) };
      throw err;
    }
  } catch (err) {
    return refusal(err);
  }
}

/** Removes a target and everything collected from it (admins). */
export async function removeTargetAction(_previous: TargetFormState, form: FormData): Promise<TargetFormState> {
  try {
    authorize(await currentActor(), "target:manage");
    const parsed = targetNameSchema.safeParse(form.get("name"));
    if (!parsed.success) return { error: `name: ${parsed.error.issues[0]?.message ?? "invalid"}`, field: "name" };
    await removeTarget(prisma(), parsed.data);
    revalidatePath("/targets");
    revalidatePath("/");
    return { ok: `Target ${parsed.data} removed with everything collected from it.`, warnings: [] };
  } catch (err) {
    return refusal(err);
  }
}
