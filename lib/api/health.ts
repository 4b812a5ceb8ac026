// The /api/health contract, shared by the route handler, the UI and tests.
import { z } from "zod";

export const healthSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("ok"), repository: z.literal("ok"), version: z.string() }),
  z.object({ status: z.literal("error"), repository: z.string(), version: z.string() }),
]);
export type Health = z.infer<typeof healthSchema>;
