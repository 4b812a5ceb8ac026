import { CostScatter } from "@/components/charts/cost-scatter";
import { IntervalCharts } from "@/components/charts/interval-charts";
import chartStyles from "@/components/charts/charts.module.css";
import { statementTimeline } from "@/lib/db/statement-detail";
import { costScatter, intervalSeries, intervalSummary, planChangeMarkers, scatterSummary, seriesSpanMs } from "@/lib/statements/series";

/** Server side of the charts: reads the last 7 days and hands the chart components ready series. */
export async function StatementChartsSection({ statementId }: { statementId: bigint }) {
  const timeline = await statementTimeline(statementId);
  const points = intervalSeries(timeline.intervals);
  const markers = planChangeMarkers(points, timeline.samples, timeline.plans);
  const scatter = costScatter(timeline.samples, timeline.plans);
  return (
    <div className={chartStyles.grid}>
      <IntervalCharts points={points} markers={markers} spanMs={seriesSpanMs(points)} summary={intervalSummary(points, markers)} />
      <CostScatter series={scatter} summary={scatterSummary(scatter)} />
    </div>
  );
}
