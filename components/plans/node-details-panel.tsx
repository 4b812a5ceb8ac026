"use client";

import { useEffect, useRef } from "react";
import type { NodeDetails } from "@/lib/plan/view/node-details";
import panels from "./plan-panels.module.css";

/** The side panel for the selected node; Escape or the close button returns focus to the tree. */
export function NodeDetailsPanel({ details, onClose }: { details: NodeDetails; onClose: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Screen readers announce the newly opened panel without moving focus out of the tree.
    headingRef.current?.scrollIntoView({ block: "nearest" });
  }, [details]);
  return (
    <aside
      className={panels.details}
      aria-label="Node details"
      onKeyDown={(e) => {
        if (e.key === "Escape") onClose();
      }}
    >
      <div className={panels.detailsHead}>
        <h2 ref={headingRef} aria-live="polite">
          {details.title}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close node details">
          ✕
        </button>
      </div>
      {details.sections.map((section) => (
        <section key={section.title} aria-label={section.title}>
          <h3>{section.title}</h3>
          <dl className={panels.kv}>
            {section.items.map((item, i) => (
              <div key={`${item.label}-${i}`} style={{ display: "contents" }}>
                <dt>{item.label}</dt>
                <dd className={item.code === true ? panels.code : undefined}>{item.value}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </aside>
  );
}
