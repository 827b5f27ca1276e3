// The exposure timeline of one host, in plain SVG: one lane per port, a bar per exposure
// interval from its start to its end (or to now while it is open), a time axis in the viewer's
// time zone. Each bar's tooltip (<title>) gives its times in local time and UTC and why it
// opened and ended. Sizes are SVG attributes; colors come from style.css classes.

import { h, localTime, shortTime, svg, utcTime } from './dom.js';

const LANE = 24;
const LABEL_W = 96;
const AXIS_H = 24;
const WIDTH = 1000;
/** the shortest time shown: an exposure of seconds is still a visible bar */
const MIN_SPAN = 10 * 60_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  365 * DAY,
];
const TIME_ONLY = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DATE_ONLY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Round tick times inside [from, to] (at most about 7), on the viewer's clock, and their label format. */
function ticks(from, to) {
  const step = STEPS.find((s) => (to - from) / s <= 7) ?? STEPS.at(-1);
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const out = [];
  for (let t = Math.ceil((from - offset) / step) * step + offset; t <= to; t += step) out.push(t);
  const midnight = (t) => new Date(t).getHours() === 0 && new Date(t).getMinutes() === 0;
  // within a day: the time, with the date on the first tick and at midnight
  const label = (t, i) =>
    step >= DAY ? DATE_ONLY.format(t) : i === 0 || midnight(t) ? shortTime(t) : TIME_ONLY.format(t);
  return { at: out, label };
}

/** The chart for `intervals` ([{port, proto, start, end|null, opened_by, ended_by}]) as of `now`. */
export function exposureTimeline(intervals, now = Date.now()) {
  if (!intervals.length) return h('p', { class: 'muted' }, 'No exposure interval recorded for this host.');
  const lanes = [...new Set(intervals.map((i) => `${i.port}/${i.proto}`))].sort(
    (a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b),
  );
  const last = Math.max(now, ...intervals.map((i) => i.end ?? now));
  const first = Math.min(last - MIN_SPAN, ...intervals.map((i) => i.start));
  const pad = (last - first) * 0.02;
  const from = first - pad;
  const to = last + pad;
  const plotW = WIDTH - LABEL_W - 10;
  const x = (t) => LABEL_W + ((t - from) / (to - from)) * plotW;
  const height = lanes.length * LANE + AXIS_H;
  const chart = svg('svg', {
    class: 'timeline',
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-label': `Exposure of ${lanes.length} port(s) over time`,
  });
  lanes.forEach((lane, i) => {
    const y = i * LANE;
    chart.append(
      svg('rect', { x: 0, y, width: WIDTH, height: LANE, class: i % 2 ? 'lane odd' : 'lane' }),
      svg('text', { x: LABEL_W - 10, y: y + LANE / 2 + 4, class: 'lane-label', 'text-anchor': 'end' }, lane),
    );
  });
  const tk = ticks(from, to);
  let labelled = 0;
  for (const t of tk.at) {
    chart.append(svg('line', { x1: x(t), x2: x(t), y1: 0, y2: lanes.length * LANE, class: 'grid' }));
    // a label that would be cut at either edge is left out (its grid line stays)
    if (x(t) > LABEL_W + 30 && x(t) < WIDTH - 45)
      chart.append(
        svg('text', { x: x(t), y: height - 7, class: 'axis', 'text-anchor': 'middle' }, tk.label(t, labelled++)),
      );
  }
  chart.append(svg('line', { x1: x(now), x2: x(now), y1: 0, y2: lanes.length * LANE, class: 'now' }));
  for (const iv of intervals) {
    const lane = lanes.indexOf(`${iv.port}/${iv.proto}`);
    const end = iv.end ?? now;
    const x0 = x(iv.start);
    const w = Math.max(x(end) - x0, 3);
    const tip = [
      `${iv.port}/${iv.proto}`,
      `from ${localTime(iv.start)} (${utcTime(iv.start)}), ${iv.opened_by}`,
      iv.end === null ? 'still open' : `to ${localTime(iv.end)} (${utcTime(iv.end)}), ${iv.ended_by ?? ''}`,
    ].join('\n');
    chart.append(
      svg(
        'rect',
        {
          x: x0,
          y: lane * LANE + 5,
          width: w,
          height: LANE - 10,
          rx: 3,
          class: iv.end === null ? 'bar open' : 'bar closed',
          'data-port': iv.port,
          'data-open': iv.end === null ? 'true' : 'false',
        },
        svg('title', {}, tip),
      ),
    );
  }
  return h(
    'figure',
    { class: 'timeline-wrap' },
    chart,
    h(
      'figcaption',
      { class: 'legend' },
      h('span', { class: 'key open' }),
      ' open (to now) ',
      h('span', { class: 'key closed' }),
      ' ended ',
      h('span', { class: 'key now' }),
      ' now',
    ),
  );
}
