"use client";

import { Bar, BarChart, CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { IntervalPoint, PlanChangeMarker } from "@/lib/statements/series";
import { formatCount, formatDurationMs, formatTick, formatTimestamp } from "@/lib/statements/format";
import { AXIS_PROPS, GRID_PROPS, TOOLTIP_PROPS } from "./chart-theme";
import styles from "./charts.module.css";

interface Props {
  points: IntervalPoint[];
  markers: PlanChangeMarker[];
  spanMs: number;
  summary: string;
}

const HEIGHT_PX = 170;

/** Mean execution time and calls per interval on one time axis, with the plan changes marked on both. */
export function IntervalCharts({ points, markers, spanMs, summary }: Props) {
  const xAxis = (
    <XAxis
      dataKey="endMs"
      type="number"
      scale="time"
      domain={["dataMin", "dataMax"]}
      tickFormatter={(v: number) => formatTick(v, spanMs)}
      minTickGap={40}
      {...AXIS_PROPS}
    />
  );
  const markerLines = () =>
    markers.map((m) => (
      <ReferenceLine
        key={`${m.atMs}-${m.toPlanId}`}
        x={m.atMs}
        stroke="var(--marker)"
        strokeDasharray="4 3"
        strokeWidth={1.5}
        ifOverflow="extendDomain"
      />
    ));
  const labelFormatter = (v: unknown) => (typeof v === "number" ? `interval ending ${formatTimestamp(new Date(v))}` : "");

  return (
    <figure className={styles.chart} aria-labelledby="interval-chart-title">
      <figcaption id="interval-chart-title">
        Mean execution time and calls per interval <span>UTC · dashed: plan changed</span>
      </figcaption>
      <p className="visually-hidden">{summary}</p>
      {points.length === 0 ? (
        <div className={styles.empty}>No collection intervals in the last 7 days.</div>
      ) : (
        <div data-testid="interval-charts">
          <p className={styles.sub}>Mean execution time (ms)</p>
          <ResponsiveContainer width="100%" height={HEIGHT_PX}>
            <LineChart data={points} syncId="statement-intervals" margin={{ top: 14, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid {...GRID_PROPS} />
              {xAxis}
              <YAxis width={64} tickFormatter={(v: number) => formatDurationMs(v)} {...AXIS_PROPS} />
              <Tooltip {...TOOLTIP_PROPS} labelFormatter={labelFormatter} formatter={(v) => [typeof v === "number" ? formatDurationMs(v) : "—", "mean"]} />
              {markerLines()}
              <Line
                type="monotone"
                dataKey="meanExecMs"
                name="Mean execution time (ms)"
                stroke="var(--series-1)"
                strokeWidth={1.75}
                dot={points.length <= 80 ? { r: 2.5, fill: "var(--series-1)", strokeWidth: 0 } : false}
                connectNulls={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
          <p className={styles.sub}>Calls per interval</p>
          <ResponsiveContainer width="100%" height={Math.round(HEIGHT_PX * 0.7)}>
            <BarChart data={points} syncId="statement-intervals" margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid {...GRID_PROPS} />
              {xAxis}
              <YAxis width={64} tickFormatter={(v: number) => formatCount(v)} allowDecimals={false} {...AXIS_PROPS} />
              <Tooltip
                {...TOOLTIP_PROPS}
                cursor={{ fill: "var(--surface-2)" }}
                labelFormatter={labelFormatter}
                formatter={(v) => [typeof v === "number" ? formatCount(v) : "—", "calls"]}
              />
              {markerLines()}
              <Bar dataKey="calls" name="Calls per interval" fill="var(--series-6)" maxBarSize={14} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          {markers.length > 0 ? (
            <ul className={styles.markers} aria-label="Plan changes">
              {markers.map((m) => (
                <li key={`${m.atMs}-${m.toPlanId}`}>
                  <span aria-hidden="true">┆</span> {formatTimestamp(new Date(m.atMs))}: {m.label}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
    </figure>
  );
}
