"use client";

import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import type { ScatterSeries } from "@/lib/statements/series";
import { formatCost, formatDurationMs } from "@/lib/statements/format";
import { AXIS_PROPS, GRID_PROPS, TOOLTIP_PROPS, seriesColor } from "./chart-theme";
import styles from "./charts.module.css";

interface Props {
  series: ScatterSeries[];
  summary: string;
}

/** Every analyzed plan sample: estimated total cost (x) against actual time (y), one color per plan. */
export function CostScatter({ series, summary }: Props) {
  return (
    <figure className={styles.chart} aria-labelledby="scatter-chart-title">
      <figcaption id="scatter-chart-title">
        Estimated cost vs actual time <span>x: estimated total cost · y: actual time · one point per sample</span>
      </figcaption>
      <p className="visually-hidden">{summary}</p>
      {series.length === 0 ? (
        <div className={styles.empty}>No analyzed plan samples (auto_explain with log_analyze, or EXPLAIN ANALYZE) yet.</div>
      ) : (
        <div data-testid="cost-scatter">
          <ResponsiveContainer width="100%" height={300}>
            <ScatterChart margin={{ top: 14, right: 12, bottom: 4, left: 0 }}>
              <CartesianGrid {...GRID_PROPS} vertical />
              <XAxis
                type="number"
                dataKey="estimatedCost"
                name="Estimated total cost"
                tickFormatter={(v: number) => formatCost(v)}
                {...AXIS_PROPS}
              />
              <YAxis type="number" dataKey="actualMs" name="Actual time" width={64} tickFormatter={(v: number) => formatDurationMs(v)} {...AXIS_PROPS} />
              <Tooltip
                {...TOOLTIP_PROPS}
                cursor={{ stroke: "var(--border)" }}
                formatter={(v, name) => [typeof v === "number" ? (name === "Actual time" ? formatDurationMs(v) : formatCost(v)) : "—", String(name)]}
              />
              <Legend wrapperStyle={{ fontSize: 12, color: "var(--text)" }} />
              {series.map((s) => (
                <Scatter key={s.planId} name={s.name} data={s.points} fill={seriesColor(s.colorIndex)} isAnimationActive={false} />
              ))}
            </ScatterChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
