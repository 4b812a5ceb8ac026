// Recharts props that make axes, grid and tooltips follow the app's light/dark variables.
export const AXIS_PROPS = {
  stroke: "var(--border)",
  tick: { fill: "var(--text-muted)", fontSize: 11 },
  tickLine: { stroke: "var(--border)" },
} as const;

export const GRID_PROPS = { stroke: "var(--border)", strokeDasharray: "3 3", vertical: false } as const;

export const TOOLTIP_PROPS = {
  contentStyle: {
    background: "var(--surface)",
    border: "1px solid var(--border)",
    borderRadius: 6,
    color: "var(--text)",
    fontSize: 12,
  },
  labelStyle: { color: "var(--text-muted)" },
  itemStyle: { color: "var(--text)" },
  isAnimationActive: false,
} as const;

export const seriesColor = (index: number) => `var(--series-${(index % 8) + 1})`;
