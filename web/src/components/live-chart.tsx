// A uPlot time chart: one x axis (seconds), one line per series; data changes update the plot in place.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly unit?: string | null;
}

/** Colours with at least 3:1 contrast against the page background (WCAG 1.4.11, graphical objects). */
const COLOURS = ['#0b5cad', '#b3261e', '#1b7f3b', '#8a4fbf', '#a15c00', '#00707a', '#6b6b00', '#c2185b'];

export interface LiveChartProps {
  readonly title: string;
  /** x: epoch seconds, then one array per series, aligned to x (null where a series has no value). */
  readonly data: [number[], ...(number | null)[][]];
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  readonly testId?: string;
}

export function LiveChart({ title, data, series, height = 240, testId }: LiveChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((s) => `${s.label}|${s.unit ?? ''}`).join(',');
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const width = (): number => Math.max(280, element.clientWidth);
    const options: uPlot.Options = {
      width: width(),
      height,
      title,
      series: [{ label: 'time' }, ...series.map((s, i) => ({ label: s.unit ? `${s.label} (${s.unit})` : s.label, stroke: COLOURS[i % COLOURS.length] ?? '#0b5cad', width: 2, spanGaps: true }))],
      axes: [{}, { size: 80 }],
      scales: { x: { time: true } },
    };
    plot.current = new uPlot(options, data as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: width(), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // Rebuilt only when the set of series changes; new points go through setData below.
  }, [shape, title, height]);
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);
  const points = data[0].length;
  return (
    <figure class="chart" data-testid={testId} data-points={points}>
      <div ref={holder} role="img" aria-label={`${title}: ${series.map((s) => s.label).join(', ')}, ${points} points`} />
      <figcaption class="visually-hidden">{title}</figcaption>
    </figure>
  );
}

/** Align several {timestamp ms, value} lists on one x axis (seconds), for uPlot. */
export function alignSeries(lists: readonly (readonly { t: number; v: number | null }[])[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(lists.flatMap((list) => list.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = lists.map((list) => {
    const column: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const point of list) column[index.get(point.t) ?? 0] = point.v;
    return column;
  });
  return [xs.map((x) => x / 1000), ...ys];
}
