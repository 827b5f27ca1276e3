// Rates over time from cumulative counters, drawn with uPlot (loaded as a classic script from
// /vendor/uplot/). A rate is the difference of two consecutive points over their time apart; a
// counter that went down (the sensor restarted) leaves a gap rather than a negative rate.

import { h, localTime, utcTime } from './dom.js';

/** Per-second rates of `key` between consecutive points (null where a counter reset). */
export function rates(points, key) {
  const out = [null];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i].ts - points[i - 1].ts) / 1000;
    const dv = Number(points[i][key]) - Number(points[i - 1][key]);
    out.push(dt > 0 && dv >= 0 ? dv / dt : null);
  }
  return out;
}

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed'];

/**
 * A line chart of rates: `series` [{ label, key }] of `points` ({ts, …cumulative}). Returns the
 * element and a destroy function; the chart follows its container's width.
 */
export function rateChart(title, points, series) {
  const wrap = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  const uPlot = globalThis.uPlot;
  if (!uPlot) {
    wrap.append(h('p', { class: 'note' }, 'Charts need /vendor/uplot/uPlot.iife.min.js, which did not load.'));
    return { el: wrap, destroy: () => {} };
  }
  if (points.length < 2) {
    wrap.append(h('p', { class: 'muted' }, 'Not enough reports yet to draw rates (two are needed).'));
    return { el: wrap, destroy: () => {} };
  }
  const xs = points.map((p) => p.ts / 1000);
  const data = [xs, ...series.map((s) => rates(points, s.key))];
  const opts = {
    width: 600,
    height: 220,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [{}, { label: 'per second', size: 60 }],
    series: [
      { label: 'time', value: (_u, v) => (v === null ? '–' : localTime(v * 1000)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: false,
        value: (_u, v) => (v === null ? '–' : v.toFixed(v < 10 ? 2 : 0)),
      })),
    ],
  };
  const plot = new uPlot(opts, data, wrap);
  plot.root.title = `${utcTime(points[0].ts)} to ${utcTime(points.at(-1).ts)}`;
  const fit = () => {
    const w = Math.max(300, Math.floor(wrap.clientWidth) - 4);
    if (w !== plot.width) plot.setSize({ width: w, height: 220 });
  };
  const ro = new ResizeObserver(fit);
  ro.observe(wrap);
  return {
    el: wrap,
    destroy: () => {
      ro.disconnect();
      plot.destroy();
    },
  };
}
