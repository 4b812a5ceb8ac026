import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next";

describe("safeNextPath", () => {
  it("keeps same-origin paths with their query and hash", () => {
    expect(safeNextPath("/statements/12?tab=plans#p3")).toBe("/statements/12?tab=plans#p3");
    expect(safeNextPath("/")).toBe("/");
  });

  it.each([
    ["absolute URL", "https://evil.example/x"],
    ["protocol-relative", "//evil.example/x"],
    ["backslash", "/\\evil.example"],
    ["tab hiding //", "/\t/evil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["relative", "statements/1"],
    ["empty", ""],
    ["not a string", ["/a"]],
    ["the sign-in page itself", "/sign-in?next=/x"],
  ])("sends %s home", (_label, value) => {
    expect(safeNextPath(value)).toBe("/");
  });
});
