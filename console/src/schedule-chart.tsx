import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ScheduleRow } from "./types.ts";

const num = (s: string | undefined) => (s === undefined ? 0 : Number(s));

/** A series drawn as points only, no line: the marks on the balance line and the penalty points. */
const points = (label: string, scale: string, color: string, size: number): uPlot.Series => ({
  label,
  scale,
  stroke: color,
  paths: () => null,
  points: { show: true, size, fill: color },
});

/** The chart's axes and series; the data of each series is at the same index in `chartData`. */
function chartOptions(width: number): uPlot.Options {
  const bars = (align: -1 | 1) => uPlot.paths.bars?.({ size: [0.35, 40], align });
  return {
    width,
    height: 260,
    // Half a period of room each side, so the first and last periods' bars are not cut by the axes.
    scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, balance: {}, amount: {} },
    legend: { live: false },
    axes: [
      { label: "period" },
      { scale: "balance", label: "balance", size: 70 },
      { scale: "amount", side: 1, label: "per period", size: 60, grid: { show: false } },
    ],
    series: [
      { label: "period" },
      { label: "balance", scale: "balance", stroke: "#2b59c3", width: 2 },
      { label: "principal", scale: "amount", fill: "rgba(60,140,90,0.55)", stroke: "#3c8c5a", paths: bars(-1) },
      { label: "interest", scale: "amount", fill: "rgba(200,150,40,0.55)", stroke: "#c89628", paths: bars(1) },
      points("paid", "balance", "#1f9d55", 10),
      points("partly paid", "balance", "#d69e00", 11),
      points("overdue", "balance", "#d64545", 12),
      { ...points("penalty", "amount", "#e8710a", 11), fill: "#e8710a" },
    ],
  };
}

/** The schedule's columns in the order of `chartOptions`' series. */
function chartData(rows: ScheduleRow[]): uPlot.AlignedData {
  const mark = (status: string) => rows.map((r) => (r.status === status ? num(r.balance) : null));
  // Drawn on the top of the period's principal bar (clear of the balance line's marks): at its own height (tens against thousands) it would hide
  // behind the bars' baseline. The table beside the chart gives the amount.
  const penalty = rows.map((r) => (num(r.penalty) > 0 ? num(r.principal) : null));
  return [
    rows.map((r) => r.period),
    rows.map((r) => num(r.balance)),
    rows.map((r) => num(r.principal)),
    rows.map((r) => num(r.interest)),
    mark("PAID"),
    mark("PARTIALLY_PAID"),
    mark("OVERDUE"),
    penalty,
  ];
}

/**
 * The schedule as a chart (uPlot, bundled): the balance after each period as a line (left axis), principal
 * and interest per period as bars (right axis); paid periods marked green on the line, partly paid ones
 * amber, overdue ones red, and a period with a penalty as an orange point on the top of its principal bar. The
 * legend names the series only: with no cursor over the chart uPlot's live legend would show "--".
 */
export function ScheduleChart({ rows, width }: { rows: ScheduleRow[]; width: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || rows.length === 0) return;
    const plot = new uPlot(chartOptions(width), chartData(rows), el.current);
    return () => plot.destroy();
  }, [rows, width]);
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  return (
    <figure class="chart">
      <div
        ref={el}
        role="img"
        aria-label={`Balance over ${rows.length} periods; ${count("PAID")} paid, ${count("PARTIALLY_PAID")} partly paid, ${count("OVERDUE")} overdue`}
        data-paid={count("PAID")}
        data-partly-paid={count("PARTIALLY_PAID")}
        data-overdue={count("OVERDUE")}
        data-first-due={rows[0]?.dueDate}
      />
    </figure>
  );
}
