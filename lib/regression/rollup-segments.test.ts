import { describe, expect, it } from "vitest";
import { windowSegments, type Segment } from "./rollup-segments";

const at = (iso: string) => new Date(`2026-11-${iso}Z`);
const show = (segments: Segment[]) => segments.map((s) => `${s.source} ${s.start.toISOString().slice(8, 16)}→${s.end.toISOString().slice(8, 16)}`);
const none = { hourUntil: null, dayUntil: null };

describe("windowSegments", () => {
  it("reads raw intervals only while nothing is rolled up", () => {
    expect(show(windowSegments(at("20T10:07:00"), at("22T10:07:00"), none))).toEqual(["raw 20T10:07→22T10:07"]);
  });

  it("uses whole hours from hourly rollups and raw intervals for the ragged edges", () => {
    const covered = { hourUntil: at("22T09:00:00"), dayUntil: null };
    expect(show(windowSegments(at("22T06:07:00"), at("22T10:07:00"), covered))).toEqual([
      "raw 22T06:07→22T07:00", // up to the first hour mark
      "hour 22T07:00→22T09:00", // rolled up until 09:00
      "raw 22T09:00→22T10:07", // not rolled up yet, then the ragged end
    ]);
  });

  it("uses whole days from daily rollups, hours around them", () => {
    const covered = { hourUntil: at("22T09:00:00"), dayUntil: at("22T00:00:00") };
    expect(show(windowSegments(at("14T10:07:00"), at("22T10:07:00"), covered))).toEqual([
      "raw 14T10:07→14T11:00",
      "hour 14T11:00→15T00:00",
      "day 15T00:00→22T00:00", // 7 whole days
      "hour 22T00:00→22T09:00",
      "raw 22T09:00→22T10:07",
    ]);
  });

  it("falls back to hours when no whole rolled-up day fits", () => {
    const covered = { hourUntil: at("22T09:00:00"), dayUntil: at("22T00:00:00") };
    expect(show(windowSegments(at("21T10:00:00"), at("22T08:00:00"), covered))).toEqual(["hour 21T10:00→22T08:00"]);
  });

  it("stays raw when the window holds no whole rolled-up hour", () => {
    const covered = { hourUntil: at("22T09:00:00"), dayUntil: null };
    expect(show(windowSegments(at("22T08:10:00"), at("22T08:55:00"), covered))).toEqual(["raw 22T08:10→22T08:55"]);
    expect(show(windowSegments(at("22T09:10:00"), at("22T11:55:00"), covered))).toEqual(["raw 22T09:10→22T11:55"]);
  });

  it("tiles the window exactly: pieces meet end to start", () => {
    const covered = { hourUntil: at("22T09:00:00"), dayUntil: at("21T00:00:00") };
    for (const [s, e] of [["10T00:00:01", "22T10:00:00"], ["20T23:59:59", "21T00:00:01"], ["01T00:00:00", "22T09:00:00"]] as const) {
      const segments = windowSegments(at(s), at(e), covered);
      expect(segments[0]!.start).toEqual(at(s));
      expect(segments.at(-1)!.end).toEqual(at(e));
      for (let i = 1; i < segments.length; i++) expect(segments[i]!.start).toEqual(segments[i - 1]!.end);
    }
  });

  it("is empty for an empty window", () => {
    expect(windowSegments(at("22T10:00:00"), at("22T10:00:00"), none)).toEqual([]);
  });
});
