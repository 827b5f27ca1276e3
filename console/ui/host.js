// #/host/IP — one host: the exposure timeline per port, its services with their audience
// (internal and internet clients, the newest clients), verification details, its alert history
// and daily history; when several sensors saw it, each one's own figures (the inventory counts a
// window once, with the highest count). Analysts can ask for a verification of a port now.

import { KINDS } from './alert-table.js';
import { ApiError, get, post } from './api.js';
import { badge, h, num, replace, section, table, time } from './dom.js';
import { showError } from './notice.js';
import { can } from './session.js';
import { exposureTimeline } from './timeline.js';

function verifyButton(ip, port) {
  const out = h('span', { class: 'muted', role: 'status' });
  const btn = h(
    'button',
    {
      type: 'button',
      class: 'small',
      onclick: async () => {
        btn.disabled = true;
        try {
          const r = await post('/verifications', { ip, port });
          out.textContent = ` requested (${r.request_id})`;
        } catch (e) {
          showError(e);
          btn.disabled = false;
        }
      },
    },
    'Verify now',
  );
  return h('span', { class: 'nowrap' }, btn, out);
}

function services(v) {
  const cols = [
    { label: 'Port', cell: (r) => `${r.port}/${r.proto}`, class: 'num' },
    {
      label: 'State',
      cell: (r) => [badge(r.state), h('br'), h('small', { class: 'muted' }, 'since ', time(r.state_since, true))],
    },
    {
      label: 'Audience',
      cell: (r) => [
        r.internet_exposed ? badge('internet') : badge('internal'),
        h('br'),
        h('small', { class: 'muted' }, `${num(r.audience.internal)} internal · ${num(r.audience.internet)} internet`),
      ],
    },
    {
      label: 'Recent clients',
      cell: (r) => h('span', { class: 'mono small-text' }, r.audience.recent_clients.slice(0, 6).join(', ') || '–'),
      class: 'wrap',
    },
    { label: 'First seen', cell: (r) => time(r.first_seen, true) },
    { label: 'Last seen', cell: (r) => time(r.last_seen, true) },
    { label: 'Handshakes', cell: (r) => num(r.handshakes), class: 'num' },
    {
      label: 'Fingerprint',
      cell: (r) =>
        h(
          'small',
          { class: 'muted' },
          [r.evidence, r.ttl && `ttl ${r.ttl}`, r.mss && `mss ${r.mss}`].filter(Boolean).join(' · '),
        ),
    },
    { label: 'Tags', cell: (r) => r.tags.map((t) => badge(t, `tag-${t}`)) },
  ];
  if (can('analyst')) cols.push({ label: '', cell: (r) => verifyButton(v.ip, r.port) });
  return table(cols, v.services, { empty: 'No current service.' });
}

const verifications = (v) =>
  table(
    [
      { label: 'When', cell: (x) => time(x.ts) },
      { label: 'Port', cell: (x) => `${x.port}/${x.proto}`, class: 'num' },
      { label: 'Status', cell: (x) => badge(x.status, `v-${x.status}`) },
      {
        label: 'Service',
        cell: (x) => [x.service, x.product, x.version, x.extrainfo].filter(Boolean).join(' ') || '–',
      },
      { label: 'CPE', cell: (x) => x.cpe || '–', class: 'mono' },
      { label: 'Reason', cell: (x) => x.reason || '–', class: 'wrap' },
    ],
    v.verifications,
    { empty: 'Never verified.' },
  );

const alerts = (v) =>
  table(
    [
      { label: 'Raised', cell: (a) => time(a.ts) },
      { label: 'Severity', cell: (a) => badge(a.severity) },
      { label: 'Kind', cell: (a) => KINDS[a.kind] ?? a.kind },
      { label: 'Port', cell: (a) => (a.port ? `${a.port}/${a.proto}` : 'host'), class: 'num' },
      {
        label: 'Message',
        cell: (a) => h('a', { href: `#/alerts/${encodeURIComponent(a.alert_id)}` }, a.message),
        class: 'wrap',
      },
    ],
    [...v.alerts].sort((a, b) => b.ts - a.ts),
    { empty: 'No alert about this host.', rowAttrs: (a) => ({ 'data-alert-id': a.alert_id }) },
  );

const history = (v) =>
  table(
    [
      { label: 'Day (UTC)', cell: (d) => new Date(d.day).toISOString().slice(0, 10) },
      { label: 'Port', cell: (d) => `${d.port}/${d.proto}`, class: 'num' },
      { label: 'Handshakes', cell: (d) => num(d.handshakes), class: 'num' },
      { label: 'Windows', cell: (d) => num(d.windows), class: 'num' },
      { label: 'Clients', cell: (d) => num(d.clients), class: 'num' },
      { label: 'Internet', cell: (d) => (d.internet ? badge('internet') : '–') },
    ],
    [...v.history].sort((a, b) => b.day - a.day || a.port - b.port).slice(0, 60),
    { empty: 'No daily history yet.' },
  );

const bySensor = (v) =>
  table(
    [
      { label: 'Port', cell: (f) => `${f.port}/${f.proto}`, class: 'num' },
      { label: 'Sensor', cell: (f) => f.sensor },
      { label: 'Handshakes', cell: (f) => num(f.handshakes), class: 'num' },
      { label: 'Windows', cell: (f) => num(f.windows), class: 'num' },
      { label: 'Last seen', cell: (f) => time(f.last_seen) },
    ],
    v.by_sensor,
    { empty: 'No sensor figures.' },
  );

export async function render(ctx) {
  const ip = ctx.params[0] ?? '';
  let v;
  try {
    v = await get(`/hosts/${encodeURIComponent(ip)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      replace(
        ctx.main,
        h('h1', {}, ip),
        h('p', { class: 'note' }, e.message),
        h('a', { href: '#/inventory' }, '← Inventory'),
      );
      return;
    }
    throw e;
  }
  if (!ctx.current()) return;
  const owner = v.services.find((s) => s.owner)?.owner;
  const internet = v.services.some((s) => s.internet_exposed);
  replace(
    ctx.main,
    h(
      'div',
      { class: 'view-head' },
      h('h1', {}, v.ip),
      h(
        'p',
        { class: 'facts' },
        internet ? badge('reached from the internet', 'internet') : badge('internal only', 'internal'),
        ' ',
        owner ? ['owner ', h('strong', {}, owner)] : h('span', { class: 'muted' }, 'no owner'),
        ' · ',
        `${v.services.length} service(s)`,
      ),
    ),
    section('Exposure timeline', exposureTimeline(v.intervals)),
    section('Services', services(v)),
    section('Verifications', verifications(v)),
    section('Alerts', alerts(v)),
    section('Daily history', history(v)),
    new Set(v.by_sensor.map((f) => f.sensor)).size > 1 &&
      section('Per sensor, last 30 days (the inventory counts a window once: the highest count)', bySensor(v)),
  );
}
