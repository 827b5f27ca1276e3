// #/inventory — the service inventory one page at a time (it can hold millions of rows: never
// all of them): the API's filters in a form kept in the URL, a search box that takes an address
// or a network, columns sortable within the page, Next/Previous by cursor, and CSV and
// JSON-lines exports of every matching row (streamed by the server as a download).

import { API, get, query } from './api.js';
import { badge, endpoint, field, h, hostLink, num, replace, select, time } from './dom.js';

const STATES = ['new', 'verifying', 'active', 'stale', 'reopened', 'untracked', 'dormant'];
const FILTERS = ['net', 'port', 'state', 'new_since', 'owner', 'audience', 'limit'];
/** cursors of the pages before the current one, per filter set (Previous) */
const trails = new Map();

/** An address alone becomes its one-address network; a network stays as typed. */
export function netOf(text) {
  const t = text.trim();
  if (!t || t.includes('/')) return t;
  return t.includes(':') ? `${t}/128` : `${t}/32`;
}

const audienceCell = (r) =>
  h(
    'span',
    {
      class: 'nowrap',
      title: `estimated distinct clients: ${r.audience.internal} internal, ${r.audience.internet} internet`,
    },
    r.internet_exposed ? badge('internet') : badge('internal'),
    ' ',
    h('small', { class: 'muted' }, `${num(r.audience.internal)} int · ${num(r.audience.internet)} ext`),
  );

const verificationText = (v) => {
  if (!v) return h('span', { class: 'muted' }, '–');
  const what = [v.service, v.product, v.version].filter(Boolean).join(' ');
  return h('span', { title: v.reason || '' }, what ? `${v.status}: ${what}` : v.status);
};

const COLUMNS = [
  { key: 'ip', label: 'Address', cell: (r) => hostLink(r.ip), sort: (r) => r.cursor, class: 'mono' },
  { key: 'port', label: 'Port', cell: (r) => `${r.port}/${r.proto}`, sort: (r) => r.port, class: 'num' },
  { key: 'state', label: 'State', cell: (r) => badge(r.state), sort: (r) => r.state },
  {
    key: 'audience',
    label: 'Audience',
    cell: audienceCell,
    sort: (r) => r.audience.internet * 1e6 + r.audience.internal,
  },
  { key: 'clients', label: 'Clients', cell: (r) => num(r.clients), sort: (r) => r.clients, class: 'num' },
  { key: 'handshakes', label: 'Handshakes', cell: (r) => num(r.handshakes), sort: (r) => r.handshakes, class: 'num' },
  { key: 'first_seen', label: 'First seen', cell: (r) => time(r.first_seen, true), sort: (r) => r.first_seen },
  { key: 'last_seen', label: 'Last seen', cell: (r) => time(r.last_seen, true), sort: (r) => r.last_seen },
  { key: 'owner', label: 'Owner', cell: (r) => r.owner || h('span', { class: 'muted' }, '–'), sort: (r) => r.owner },
  { key: 'tags', label: 'Tags', cell: (r) => r.tags.map((t) => badge(t, `tag-${t}`)), sort: (r) => r.tags.join(',') },
  {
    key: 'verification',
    label: 'Verified',
    cell: (r) => verificationText(r.verification),
    sort: (r) => r.verification?.status ?? '',
  },
];

function sortedTable(items) {
  let key = null;
  let dir = 1;
  const body = h('tbody');
  const heads = COLUMNS.map((c) => {
    const btn = h('button', { type: 'button', class: 'sort' }, c.label);
    const th = h('th', { scope: 'col', class: c.class, 'aria-sort': 'none' }, btn);
    btn.addEventListener('click', () => {
      dir = key === c.key ? -dir : 1;
      key = c.key;
      for (const other of heads) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      draw();
    });
    return th;
  });
  const draw = () => {
    const col = COLUMNS.find((c) => c.key === key);
    const rows = col
      ? [...items].sort((a, b) => {
          const x = col.sort(a);
          const y = col.sort(b);
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        })
      : items;
    replace(
      body,
      rows.map((r) =>
        h(
          'tr',
          { 'data-endpoint': endpoint(r.ip, r.port) },
          COLUMNS.map((c) => h('td', { class: c.class }, c.cell(r))),
        ),
      ),
    );
    if (!items.length)
      body.append(h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty' }, 'No service matches.')));
  };
  draw();
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'data inventory' }, h('thead', {}, h('tr', {}, heads)), body),
  );
}

function filterForm(q, ctx) {
  const search = h('input', {
    name: 'net',
    type: 'search',
    value: q.get('net') ?? '',
    placeholder: '192.0.2.7 or 10.0.0.0/8',
  });
  const port = h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: q.get('port') ?? '' });
  const chosen = new Set((q.get('state') ?? '').split(',').filter(Boolean));
  const states = h(
    'fieldset',
    { class: 'checks' },
    h('legend', {}, 'State'),
    STATES.map((s) =>
      h('label', {}, h('input', { type: 'checkbox', name: 'state', value: s, checked: chosen.has(s) }), ' ', s),
    ),
  );
  const since = select(
    'new_since',
    [
      ['', 'any time'],
      ['1h', '1 hour'],
      ['24h', '24 hours'],
      ['7d', '7 days'],
      ['30d', '30 days'],
    ],
    q.get('new_since'),
  );
  const owner = h('input', {
    name: 'owner',
    type: 'text',
    value: q.get('owner') ?? '',
    placeholder: 'team, or - for none',
  });
  const audience = select(
    'audience',
    [
      ['', 'any'],
      ['internet', 'internet'],
      ['internal', 'internal only'],
    ],
    q.get('audience'),
  );
  const limit = select(
    'limit',
    [
      ['50', '50'],
      ['100', '100'],
      ['500', '500'],
    ],
    q.get('limit') ?? '100',
  );
  const form = h(
    'form',
    { class: 'filters', role: 'search' },
    field('Address or network', search),
    field('Port', port),
    field('New within', since),
    field('Audience', audience),
    field('Owner', owner),
    field('Rows', limit),
    states,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
      h('button', { type: 'button', onclick: () => ctx.navigate('inventory') }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    ctx.navigate('inventory', {
      net: netOf(String(fd.get('net') ?? '')),
      port: fd.get('port'),
      state: fd.getAll('state').join(','),
      new_since: fd.get('new_since'),
      owner: String(fd.get('owner') ?? '').trim(),
      audience: fd.get('audience'),
      limit: fd.get('limit') === '100' ? '' : fd.get('limit'),
    });
  });
  return form;
}

export async function render(ctx) {
  const q = ctx.query;
  const filters = Object.fromEntries(FILTERS.map((k) => [k, q.get(k) ?? '']));
  const key = JSON.stringify(filters);
  const after = q.get('after') ?? '';
  const trail = trails.get(key) ?? [];
  trails.clear();
  trails.set(key, trail);
  // the trail holds the cursors that led here; a page reached another way starts a new one
  const at = trail.indexOf(after);
  if (after && at < 0) trail.splice(0, trail.length, '', after);
  else if (!after) trail.splice(0, trail.length, '');
  else trail.splice(at + 1);

  const exportQ = (format) => `${API}/services${query({ ...filters, limit: '', format })}`;
  const list = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  replace(
    ctx.main,
    h(
      'div',
      { class: 'view-head' },
      h('h1', {}, 'Inventory'),
      h(
        'div',
        { class: 'exports' },
        h('a', { class: 'button', href: exportQ('csv'), download: 'porthole-services.csv' }, 'Export CSV'),
        h('a', { class: 'button', href: exportQ('jsonl'), download: 'porthole-services.jsonl' }, 'Export JSON lines'),
      ),
    ),
    h('section', { class: 'panel' }, filterForm(q, ctx)),
    h('section', { class: 'panel' }, list, pager),
  );
  let page;
  try {
    page = await get(`/services${query({ ...filters, after })}`);
  } catch (e) {
    replace(list); // the form stays, to correct what the server refused
    throw e;
  }
  if (!ctx.current()) return;
  replace(list, sortedTable(page.items));
  const prev = trail.length > 1 ? trail[trail.length - 2] : null;
  const pageNo = trail.length;
  replace(
    pager,
    h(
      'button',
      {
        type: 'button',
        disabled: prev === null,
        onclick: () => ctx.navigate('inventory', { ...filters, after: prev }),
      },
      '← Previous',
    ),
    h('span', { class: 'muted' }, `page ${pageNo} · ${page.items.length} rows`),
    h(
      'button',
      {
        type: 'button',
        disabled: !page.next,
        onclick: () => {
          trail.push(page.next);
          ctx.navigate('inventory', { ...filters, after: page.next });
        },
      },
      'Next →',
    ),
  );
}
