"use client";

// Paste EXPLAIN output (text as psql prints it, framed or not, or JSON) and see it as a plan view,
// or paste two and compare them. Everything happens in the browser with lib/plan: nothing is sent
// to the server or stored. The textareas are uncontrolled: re-rendering a 3 MB value on every
// keystroke would make typing in them sluggish.
import { useEffect, useRef, useState, type MouseEvent, type RefObject } from "react";
import type { Plan } from "@/lib/plan";
import { formatCount } from "@/lib/plan/view/format";
import { MAX_PLAN_SOURCE_CHARS, readPasted } from "@/lib/plan/view/read-pasted";
import { PlanCompare } from "./plan-compare";
import { PlanView } from "./plan-view";
import panels from "./plan-panels.module.css";
import styles from "./plans.module.css";

/** Marks read by the e2e measurement of the compare view's time to interactive. */
export const COMPARE_CLICK_MARK = "planwatch:compare:click";

type Result =
  | { kind: "plan"; plan: Plan; source: string; run: number }
  | { kind: "compare"; left: Plan; right: Plan; run: number };

interface FieldState {
  chars: number;
  error: string | null;
}

const emptyField: FieldState = { chars: 0, error: null };

export function PastePlan() {
  const planRef = useRef<HTMLTextAreaElement>(null);
  const compareRef = useRef<HTMLTextAreaElement>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const [plan, setPlan] = useState<FieldState>(emptyField);
  const [other, setOther] = useState<FieldState>(emptyField);
  const [result, setResult] = useState<Result | null>(null);

  useEffect(() => {
    if (result !== null) resultRef.current?.scrollIntoView({ block: "start" });
  }, [result]);

  const start = () => {
    // A new plan makes the old node selection in the hash meaningless.
    if (window.location.hash !== "") window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  };

  const showPlan = () => {
    const source = planRef.current?.value ?? "";
    const read = readPasted(source);
    setOther((s) => ({ ...s, error: null }));
    if (!read.ok) {
      setPlan((s) => ({ ...s, error: read.message }));
      return;
    }
    start();
    setPlan((s) => ({ ...s, error: null }));
    setResult((r) => ({ kind: "plan", plan: read.plan, source, run: (r?.run ?? 0) + 1 }));
  };

  const compare = (event: MouseEvent<HTMLButtonElement>) => {
    performance.mark(COMPARE_CLICK_MARK, { startTime: event.timeStamp });
    const left = readPasted(planRef.current?.value ?? "");
    const otherSource = compareRef.current?.value ?? "";
    const right = otherSource.trim() === "" ? ({ ok: false, message: "Paste a second plan here to compare with.", line: null } as const) : readPasted(otherSource);
    setPlan((s) => ({ ...s, error: left.ok ? null : left.message }));
    setOther((s) => ({ ...s, error: right.ok ? null : right.message }));
    if (!left.ok || !right.ok) return;
    start();
    setResult((r) => ({ kind: "compare", left: left.plan, right: right.plan, run: (r?.run ?? 0) + 1 }));
  };

  return (
    <>
      <form aria-label="Paste a plan" onSubmit={(e) => e.preventDefault()}>
        <div className={panels.pasteGrid}>
          <PlanField id="plan-source" label="Plan" textareaRef={planRef} state={plan} onChars={(chars) => setPlan((s) => ({ ...s, chars }))} hint="EXPLAIN output as text or JSON; psql frames and + wraps are fine." />
          <PlanField id="compare-source" label="Compare with" textareaRef={compareRef} state={other} onChars={(chars) => setOther((s) => ({ ...s, chars }))} hint="Optional: a second plan of the same query." />
        </div>
        <div className={panels.actions}>
          <button type="button" className={panels.primary} onClick={showPlan}>
            Show plan
          </button>
          <button type="button" onClick={compare}>
            Compare
          </button>
        </div>
      </form>

      {result !== null && (
        <section aria-labelledby="paste-result-title" className={styles.root}>
          <h2 id="paste-result-title" ref={resultRef} style={{ scrollMarginTop: "4rem" }}>
            {result.kind === "plan" ? "Plan" : "Comparison"}
          </h2>
          {result.kind === "plan" ? (
            <PlanView key={result.run} plan={result.plan} source={result.source} />
          ) : (
            <PlanCompare key={result.run} left={result.left} right={result.right} leftTitle="Plan" rightTitle="Compare with" />
          )}
        </section>
      )}
    </>
  );
}

interface PlanFieldProps {
  id: string;
  label: string;
  hint: string;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  state: FieldState;
  onChars: (chars: number) => void;
}

function PlanField({ id, label, hint, textareaRef, state, onChars }: PlanFieldProps) {
  const over = state.chars > MAX_PLAN_SOURCE_CHARS;
  return (
    <div className={panels.field}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        ref={textareaRef}
        rows={10}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={state.error !== null || over}
        aria-describedby={`${id}-hint ${id}-error`}
        onInput={(e) => onChars(e.currentTarget.value.length)}
      />
      <div className={panels.fieldMeta}>
        <span id={`${id}-hint`}>{hint}</span>
        <span style={over ? { color: "var(--bad)" } : undefined}>
          {formatCount(state.chars)} / {formatCount(MAX_PLAN_SOURCE_CHARS)} characters
        </span>
      </div>
      <p id={`${id}-error`} className={panels.error} role="alert">
        {over && state.error === null ? `Too large: the limit is ${formatCount(MAX_PLAN_SOURCE_CHARS)} characters (8 Mi).` : state.error}
      </p>
    </div>
  );
}
