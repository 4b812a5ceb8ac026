import { describe, expect, it } from "vitest";
import { node, plan, seqScan } from "../plan/test-helpers";
import { isGenericPlan } from "./generic-plan";

function filtered(expression: string) {
  return plan(seqScan("test", { conditions: [{ kind: "filter", expression }] }));
}

describe("isGenericPlan", () => {
  it("sees $n parameters where a custom plan has constants", () => {
    expect(isGenericPlan(filtered("(y = $1)"))).toBe(true);
    expect(isGenericPlan(filtered("(start_date > ($12 - '7 days'::interval))"))).toBe(true);
    expect(isGenericPlan(filtered("(y = 127)"))).toBe(false);
    expect(isGenericPlan(plan(seqScan("test")))).toBe(false);
  });

  it("is not fooled by identifiers containing $ or by InitPlan outputs", () => {
    expect(isGenericPlan(filtered("(price$1 > 10)"))).toBe(false);
    expect(isGenericPlan(filtered("(x > $0)"))).toBe(false); // $0 is always internal (PostgreSQL ≤ 16 InitPlan)
    const withInitPlan = plan(
      node("Seq Scan", { relationName: "t", conditions: [{ kind: "filter", expression: "(x > $1)" }] }, [
        node("Result", { parentRelationship: "InitPlan", subplanName: "InitPlan 2 (returns $1)" }),
      ]),
    );
    expect(isGenericPlan(withInitPlan)).toBe(false);
  });

  it("looks at every node", () => {
    const inner = seqScan("b", { conditions: [{ kind: "filter", expression: "(b.k = $2)" }] });
    const deep = plan(node("Hash Join", {}, [seqScan("a"), node("Hash", {}, [inner])]));
    expect(isGenericPlan(deep)).toBe(true);
  });
});
