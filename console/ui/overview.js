// #/ — the overview: what is new in 24 h, open alerts, services by state and audience, each
// sensor's health at a glance, and the latest alerts. Live: a new alert is inserted at the top
// of the list as it is raised (no reload) and the counts are read again shortly after.

import { alertTable } from './alert-table.js';
import { get, getOptional } from './api.js';
import { badge, h, num, replace, section, svg, table, time } from './dom.js';
import { subscribe } from './live.js';
import { showError } from './notice.js';

const STATES = ['new', 'verifying', 'active', 'reopened', 'stale', 'untracked', 'dormant'];
const RECENT = 15;

const card = (label, value, href, cls = '') =>
  h(
    'a',
    { class: `card ${cls}`, href },
    h('span', { class: 'card-value' }, num(value)),
    h('span', { class: 'card-label' }, label),
  );

/** One bar of the services by state, its parts proportional (SVG: sizes are attributes, not styles). */
function stateBar(by) {
  const total = STATES.reduce((n, s) => n + (by[s] ?? 0), 0);
  const bar = svg('svg', {
    class: 'state-bar',
    viewBox: '0 0 1000 14',
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
  });
  let x = 0;
  for (const s of STATES) {
    const w = total ? ((by[s] ?? 0) / total) * 1000 : 0;
    if (w > 0) bar.append(svg('rect', { x, y: 0, width: w, height: 14, class: `fill-${s}` }));
    x += w;
  }
  return bar;
}

function summary(ov) {
  if (!ov)
    return h(
      'p',
      { class: 'note' },
      'This console does not serve the summary yet (GET /api/v1/overview): the latest alerts are below.',
    );
  const by = ov.by_state ?? {};
  const aud = ov.by_audience ?? {};
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'cards' },
      card('first seen in the last 24 h', ov.new_24h, '#/inventory?new_since=24h', 'accent'),
      card('open alerts', ov.open_alerts, '#/alerts?state=open', ov.open_alerts ? 'warn' : ''),
      card('reached from the internet', aud.internet, '#/inventory?audience=internet'),
      card('internal only', aud.internal_only, '#/inventory?audience=internal'),
    ),
    h('h3', {}, 'Services by state'),
    stateBar(by),
    h(
      'ul',
      { class: 'state-list' },
      STATES.map((s) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/inventory?state=${s}` },
            h('span', { class: `dot fill-${s}` }),
            s,
            ' ',
            h('strong', {}, num(by[s] ?? 0)),
          ),
        ),
      ),
    ),
  );
}

function sensors(ov) {
  if (!ov) return null;
  const items = ov.sensors ?? [];
  return section(
    'Sensors',
    table(
      [
        {
          label: 'Sensor',
          cell: (s) => h('a', { href: `#/sensors?sensor=${encodeURIComponent(s.sensor)}` }, s.sensor),
        },
        { label: 'Last report', cell: (s) => time(s.ts) },
        { label: 'Capture', cell: (s) => badge(s.capture_state || 'unknown') },
        { label: 'Health', cell: (s) => (s.healthy ? badge('healthy', 'ok') : badge('unhealthy', 'bad')) },
      ],
      items,
      { empty: 'No sensor has reported yet.' },
    ),
  );
}

export async function render(ctx) {
  const top = h('section', { class: 'panel' });
  const side = h('div');
  const grid = h('div', { class: 'overview-grid' }, top, side);
  const alertsBox = h('div');
  let alerts = null;
  const queued = [];
  let timer = null;
  // without the summary (an older console), one line says so in place of the grid
  const draw = (ov) => {
    if (ov) {
      replace(top, summary(ov));
      replace(side, sensors(ov));
    } else replace(grid, summary(ov));
    grid.className = ov ? 'overview-grid' : '';
  };
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        draw(await getOptional('/overview'));
      } catch (e) {
        showError(e);
      }
    }, 1000);
  };
  ctx.onCleanup(() => clearTimeout(timer));
  // subscribe before reading the list: an alert raised in between is in one or the other (or both: insert drops repeats)
  const live = subscribe({
    alert: (a) => {
      if (alerts) alerts.insert(a);
      else queued.push(a);
      refresh();
    },
    alert_state: (c) => {
      alerts?.update(c);
      refresh();
    },
  });
  ctx.onCleanup(live.close);
  replace(
    ctx.main,
    h('div', { class: 'view-head' }, h('h1', {}, 'Overview'), live.badge),
    grid,
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Latest alerts'), h('a', { href: '#/alerts' }, 'All alerts →')),
      alertsBox,
    ),
  );
  const [ov, list] = await Promise.all([getOptional('/overview'), get(`/alerts?limit=${RECENT}`)]);
  draw(ov);
  alerts = alertTable(list.items, {
    max: RECENT,
    empty: 'No alerts yet: new services will show here as they are seen.',
  });
  for (const a of queued.splice(0)) alerts.insert(a);
  replace(alertsBox, alerts.el);
}
