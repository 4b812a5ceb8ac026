// A baseline file is untrusted admin input of up to 64 MiB, and one statement may carry every plan
// in it: checking it must stay linear in plans. Merging once searched the statement's plans per plan
// (60,000 plans, 7.7 MB: about 20 s); the unit timeout (5 s) is what fails it now.
import { describe, expect, it } from "vitest";
import { fingerprint, parsePlan } from "../plan";
import { BaselineFileError, checkBaselineFile } from "./baselines";

const file = (plans: unknown[]) => ({
  format: "planwatch-baselines",
  version: 1,
  exportedAt: "2026-01-01T00:00:00Z",
  source: { target: "dev", serverVersion: null },
  statements: [{ queryText: "select 1", queryId: "1", plans }],
});
const seqScan = (i: number, status = "Approved") => {
  const plan = { "Node Type": "Seq Scan", "Relation Name": `t${i}` };
  return { fingerprint: fingerprint(parsePlan(plan)), status, enabled: true, plan };
};

describe("checking a baseline file is linear in plans", () => {
  it("merges one statement with 60,000 distinct plans", () => {
    const plans = Array.from({ length: 60_000 }, (_, i) => seqScan(i));
    const { statements } = checkBaselineFile(JSON.stringify(file(plans)));
    expect(statements).toHaveLength(1);
    expect(statements[0]?.plans).toHaveLength(60_000);
  });

  it("keeps the first of repeated plans and refuses one repeated with another decision", () => {
    expect(checkBaselineFile(file([seqScan(1), seqScan(2), seqScan(1)])).statements[0]?.plans.map((p) => p.plan)).toEqual([seqScan(1).plan, seqScan(2).plan]);
    expect(() => checkBaselineFile(file([seqScan(1), seqScan(2), seqScan(1, "Rejected")]))).toThrow(BaselineFileError);
  });
});
