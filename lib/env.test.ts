import os from "node:os";
import { describe, expect, it } from "vitest";
import { readEnv } from "./env";

describe("readEnv: PLANWATCH_WEB_PROCESSES", () => {
  it("is one process unless set", () => {
    expect(readEnv({}).webProcesses).toBe(1);
    expect(readEnv({ PLANWATCH_WEB_PROCESSES: "" }).webProcesses).toBe(1);
  });

  it("takes a whole number, or auto for one per available core", () => {
    expect(readEnv({ PLANWATCH_WEB_PROCESSES: "3" }).webProcesses).toBe(3);
    expect(readEnv({ PLANWATCH_WEB_PROCESSES: "auto" }).webProcesses).toBe(os.availableParallelism());
  });

  it.each(["0", "-1", "1.5", "65", "two", "AUTO "])("refuses %j with the variable's name and the rule", (value) => {
    expect(() => readEnv({ PLANWATCH_WEB_PROCESSES: value })).toThrow(/PLANWATCH_WEB_PROCESSES must be "auto" or a whole number from 1 to 64/);
  });
});
