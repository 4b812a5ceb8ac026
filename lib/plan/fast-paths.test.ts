// Fast paths give what the plain code they replace gives: same values, same errors, same lines.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { indexOfQuotedKey, parsePlan } from "./parse";

const read = (file: string) => readFileSync(path.join(import.meta.dirname, "__fixtures__", file), "utf8");

describe("indexOfQuotedKey", () => {
  it("finds what indexOf of the quoted key finds", () => {
    const key = "Query Identifier";
    const texts = [
      "",
      '"Query Identifier"',
      'Query Identifier"',
      'x"Query Identifier"',
      'Query Identifier" "Query Identifier"',
      '{"a": "Query Identifier", "Query Identifier": 1}',
      '\\"Query Identifier": 2',
      '""Query Identifier""',
      'Query IdentifierQuery Identifier"',
      read("pg18/hash-join.verbose.json"),
      read("pg18/big-union.analyze.json"),
    ];
    for (const text of texts) expect(indexOfQuotedKey(text, key)).toBe(text.indexOf(`"${key}"`));
  });

  it("keeps all 64 bits of a query identifier, wherever the key is", () => {
    const source = read("pg18/hash-join.verbose.json");
    expect(parsePlan(source).queryId).toBe("-7504941405478933545");
    // The key preceded by a value that ends in the key's letters: the search must not stop there.
    const decoy = source.replace('"Plan": {', '"Plan": {\n      "Note": "Query Identifier",');
    expect(parsePlan(decoy).queryId).toBe("-7504941405478933545");
    expect(parsePlan(source.replace(`"Query Identifier"`, `"Query Id"`)).queryId).toBeNull();
  });
});

