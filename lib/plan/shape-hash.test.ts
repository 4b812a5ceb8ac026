// The fingerprint hashes the canonical shape as it walks it: the same value as hashing the string.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffPlans } from "./diff";
import { canonicalShape, fingerprint, fnv1a64, shapeHash, subtreeShape } from "./fingerprint";
import { parsePlan } from "./parse";
import { bigJoinPlan, node, plan, seqScan } from "./test-helpers";

/** FNV-1a 64 by the book: BigInt over TextEncoder's bytes. */
function reference(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}

const odd = ["é", "日本", "😀", "\ud83d", "\ude00", "\ude00\ud83d", "a\ud83d(", "\u0080", "\u07ff", "\u0800", "\uffff"];

describe("fnv1a64", () => {
  it("hashes UTF-8 bytes as TextEncoder encodes them, lone surrogates included", () => {
    for (const s of ["", "a", "foobar", ...odd, odd.join("x"), `Seq Scan[on=${odd.join("")}]`]) expect([s, fnv1a64(s)]).toEqual([s, reference(s)]);
  });
});

describe("shapeHash", () => {
  it("is fnv1a64 of the canonical shape, whatever the node names hold", () => {
    const plans = [
      bigJoinPlan(40),
      parsePlan(readFileSync(path.join(import.meta.dirname, "__fixtures__", "pg18", "big-union.analyze.txt"), "utf8")),
      ...odd.map((s) => plan(node(`${s}Append`, {}, [seqScan(s), node(s, {}, [seqScan(`x${s}`)]), node(`Sort${s}`)]))),
    ];
    for (const p of plans) {
      expect(shapeHash(p.root)).toBe(fnv1a64(canonicalShape(p)));
      expect(fingerprint(p)).toBe(fnv1a64(canonicalShape(p)));
      const shapeOf = () => "\ud83d";
      expect(shapeHash(p.root, shapeOf)).toBe(fnv1a64(subtreeShape(p.root, shapeOf)));
    }
  });

  it("gives the diff the fingerprints fingerprint() gives", () => {
    const a = bigJoinPlan(30);
    const b = plan(node("Gather", {}, [bigJoinPlan(31).root]));
    const d = diffPlans(a, b);
    expect([d.leftFingerprint, d.rightFingerprint]).toEqual([fingerprint(a), fingerprint(b)]);
  });
});
