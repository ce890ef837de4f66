import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { relative } from '../lib/clock';
import { Est } from './time';

// No red in the palette: red is the threshold's colour alone (a qubit line must not read as a limit).
const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#a16207'];

export interface LineSeries {
  label: string;
  samples: Array<{ l: number; v: number }>;
}

/** The plot's height: its box is this tall before the chart library has loaded, so nothing moves. */
const HEIGHT = 200;

/**
 * A metric over logical time L (x is L, never wall-clock), with an optional threshold line.
 * No animation: the frame is a pure function of the samples. uPlot is loaded when a chart is
 * first drawn, after the page has painted: it builds Intl formatters as it loads, which loads the
 * locale data (tens of milliseconds). The legend is the page's own, so the box's size is known
 * without it.
 */
export function LChart({
  title,
  series,
  threshold,
  thresholdLabel,
  unit,
  now,
  live,
  tickMs,
}: {
  title: string;
  series: LineSeries[];
  threshold?: number | undefined;
  thresholdLabel?: string;
  unit: string;
  /** The L the chart is drawn up to (a replay L); undefined when live. */
  now?: number | undefined;
  /** The live L and the clock's pace, for wall-clock estimates of the Ls written out. */
  live?: number | undefined;
  tickMs?: number | undefined;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = [...new Set(series.flatMap((s) => s.samples.map((x) => x.l)))].sort((a, b) => a - b);
    const idx = new Map(xs.map((x, i) => [x, i]));
    const ys = series.map((s) => {
      const arr: Array<number | null> = xs.map(() => null);
      for (const p of s.samples) arr[idx.get(p.l)!] = p.v;
      return arr;
    });
    const data: uPlot.AlignedData = [xs, ...ys];
    const sers: uPlot.Series[] = [
      { label: 'L' },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length]!,
        width: 1.5,
        spanGaps: true,
      })),
    ];
    if (threshold !== undefined) {
      data.push(xs.map(() => threshold));
      sers.push({
        label: thresholdLabel ?? 'threshold',
        stroke: '#dc2626',
        dash: [6, 4],
        width: 1.5,
        points: { show: false },
      });
    }
    const css = getComputedStyle(document.documentElement);
    const fg = css.getPropertyValue('--muted').trim() || '#555';
    const grid = css.getPropertyValue('--line').trim() || '#ddd';
    // Axis labels at 12 px (uPlot's default is 10 px, below the console's 11 px floor).
    const font = '12px system-ui, sans-serif';
    const axis = {
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid },
      font,
      labelFont: `bold ${font}`,
    };
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth || 560),
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 'logical time L' },
        { ...axis, label: unit },
      ],
      series: sers,
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
    };
    let live = true;
    let u: uPlot | undefined;
    void import('uplot').then(({ default: UPlot }) => {
      if (live) u = new UPlot(opts, data, el);
    });
    return () => {
      live = false;
      u?.destroy();
    };
  }, [series, threshold, thresholdLabel, unit]);
  return (
    <figure className="chart">
      <figcaption>
        {title}
        {now !== undefined ? (
          <span className="muted small">
            {' '}
            · up to L {now}
            <Est text={relative(now, live, tickMs)} />
          </span>
        ) : null}
      </figcaption>
      <div
        ref={ref}
        className="chart-plot"
        style={{ minHeight: HEIGHT }}
        role="img"
        aria-label={`${title} over logical time; ${series.length} series${threshold !== undefined ? `; threshold ${threshold} ${unit}` : ''}`}
      />
      <ul className="chart-legend" aria-hidden="true">
        {series.map((s, i) => (
          <li key={s.label}>
            <span className="swatch" style={{ borderColor: PALETTE[i % PALETTE.length] }} />
            {s.label}
          </li>
        ))}
        {threshold !== undefined ? (
          <li>
            <span className="swatch threshold" />
            {thresholdLabel ?? 'threshold'}
          </li>
        ) : null}
      </ul>
      {series.length > 0 ? (
        <table className="sr-only">
          <caption>{title}: latest values</caption>
          <tbody>
            {series.map((s) => {
              const last = s.samples.at(-1);
              return (
                <tr key={s.label}>
                  <th scope="row">{s.label}</th>
                  <td>
                    {last
                      ? `${last.v} ${unit} at L ${last.l}${relative(last.l, live ?? now, tickMs) ? ` (${relative(last.l, live ?? now, tickMs)})` : ''}`
                      : 'no samples'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </figure>
  );
}
