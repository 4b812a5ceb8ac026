// Roles as stored (auth_user.role, api_token.role): parsed at every read, so a damaged or unknown
// value grants nothing instead of being trusted.
import { z } from "zod";
import type { Role } from "./authorize";

export const ROLES = ["viewer", "approver", "admin"] as const satisfies readonly Role[];
export const roleSchema = z.enum(ROLES);

export function parseRole(value: unknown): Role | null {
  const parsed = roleSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
