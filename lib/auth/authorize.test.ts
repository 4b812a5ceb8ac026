import { describe, expect, it } from "vitest";
import { AuthError, authorize, can, type Actor } from "./authorize";

const as = (role: Actor["role"]): Actor => ({ kind: "user", userId: "1", email: `${role}@example.com`, role });

describe("authorize", () => {
  it("refuses a missing actor with 401", () => {
    expect(() => authorize(null, "read")).toThrow(AuthError);
    try {
      authorize(null, "plan:decide");
    } catch (err) {
      expect((err as AuthError).status).toBe(401);
    }
  });

  it("gives viewers read only, approvers decisions and EXPLAIN ANALYZE, admins everything", () => {
    expect(can(as("viewer"), "read")).toBe(true);
    expect(can(as("viewer"), "plan:decide")).toBe(false);
    expect(can(as("approver"), "plan:decide")).toBe(true);
    expect(can(as("approver"), "explain:analyze")).toBe(true);
    expect(can(as("approver"), "target:manage")).toBe(false);
    expect(can(as("admin"), "target:manage")).toBe(true);
    expect(can(as("admin"), "baseline:import")).toBe(true);
  });

  it("refuses a role without the permission with 403 and says why", () => {
    try {
      authorize(as("viewer"), "plan:decide");
      expect.unreachable();
    } catch (err) {
      expect((err as AuthError).status).toBe(403);
      expect((err as AuthError).message).toBe("your role (viewer) may not change plan statuses");
    }
  });
});
