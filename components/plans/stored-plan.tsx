"use client";

// Stored plans arrive as the captured JSON text (one string is the cheapest thing to send to the
// browser, and the Raw tab needs it anyway); lib/plan reads it here, in the browser.
import { useMemo } from "react";
import { readPasted } from "@/lib/plan/view/read-pasted";
import { PlanCompare } from "./plan-compare";
import { PlanView } from "./plan-view";

function Unreadable({ what, message }: { what: string; message: string }) {
  return (
    <section className="panel error-state" role="alert">
      <h2>PlanWatch cannot read {what}</h2>
      <p>{message}</p>
    </section>
  );
}

export function StoredPlanView({ source }: { source: string }) {
  const read = useMemo(() => readPasted(source), [source]);
  if (!read.ok) return <Unreadable what="this stored plan" message={read.message} />;
  return <PlanView plan={read.plan} source={source} />;
}

export interface StoredPlanCompareProps {
  leftSource: string;
  rightSource: string;
  leftTitle: string;
  rightTitle: string;
}

export function StoredPlanCompare({ leftSource, rightSource, leftTitle, rightTitle }: StoredPlanCompareProps) {
  const left = useMemo(() => readPasted(leftSource), [leftSource]);
  const right = useMemo(() => readPasted(rightSource), [rightSource]);
  if (!left.ok) return <Unreadable what={`the left plan (${leftTitle})`} message={left.message} />;
  if (!right.ok) return <Unreadable what={`the right plan (${rightTitle})`} message={right.message} />;
  return <PlanCompare left={left.plan} right={right.plan} leftTitle={leftTitle} rightTitle={rightTitle} />;
}
