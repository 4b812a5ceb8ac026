import { describe, expect, it } from "vitest";
import { APP_PID_ENV, appPid } from "./app-process";

describe("appPid", () => {
  it("is this process unless the primary named itself", () => {
    expect(appPid({})).toBe(process.pid);
    expect(appPid({ [APP_PID_ENV]: "4242" })).toBe(4242);
  });

  it.each(["", "0", "-3", "12abc", "1.5"])("ignores a malformed value %j", (value) => {
    expect(appPid({ [APP_PID_ENV]: value })).toBe(process.pid);
  });
});
