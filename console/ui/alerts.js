// #/alerts — alerts with the API's filters (kept in the URL), live: a new alert that matches
// the filters is inserted at the top without reload, state changes show at once. Triage
// (acknowledge, resolve, assign, expect, each with a note) for analysts and admins.
// #/alerts/ID — one alert: its details, every state change and assignment, and triage.

import { alertTable, KINDS } from './alert-table.js';
import { get, query } from './api.js';
import { badge, endpoint, field, h, hostLink, replace, section, select, table, time } from './dom.js';
import { subscribe } from './live.js';
import { showError } from './notice.js';
import { can } from './session.js';
import { ACTIONS, actionsFor, triage } from './triage.js';

const FILTERS = ['since', 'state', 'severity', 'kind', 'net', 'port', 'limit'];

/** Whether a live alert (always open, just raised) belongs in the list these filters show. */
function matches(a, f) {
  if (f.state && f.state !== 'open') return false;
  if (f.severity && a.severity !== f.severity) return false;
  if (f.kind && a.kind !== f.kind) return false;
  if (f.port && String(a.port) !== f.port) return false;
  return true;
}

function filterForm(f, ctx) {
  const form = h(
    'form',
    { class: 'filters' },
    field(
      'Raised within',
      select(
        'since',
        [
          ['', 'any time'],
          ['1h', '1 hour'],
          ['24h', '24 hours'],
          ['7d', '7 days'],
          ['30d', '30 days'],
        ],
        f.since,
      ),
    ),
    field(
      'State',
      select(
        'state',
        [
          ['', 'any'],
          ['open', 'open'],
          ['acknowledged', 'acknowledged'],
          ['resolved', 'resolved'],
        ],
        f.state,
      ),
    ),
    field(
      'Severity',
      select(
        'severity',
        [
          ['', 'any'],
          ['high', 'high'],
          ['medium', 'medium'],
          ['low', 'low'],
        ],
        f.severity,
      ),
    ),
    field('Kind', select('kind', [['', 'any'], ...Object.entries(KINDS)], f.kind)),
    field('Network', h('input', { name: 'net', type: 'text', value: f.net, placeholder: '10.0.0.0/8' })),
    field('Port', h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: f.port })),
    field(
      'Rows',
      select(
        'limit',
        [
          ['100', '100'],
          ['500', '500'],
          ['2000', '2000'],
        ],
        f.limit || '100',
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
      h('button', { type: 'button', onclick: () => ctx.navigate('alerts') }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    const next = Object.fromEntries(FILTERS.map((k) => [k, String(fd.get(k) ?? '').trim()]));
    if (next.limit === '100') next.limit = '';
    ctx.navigate('alerts', next);
  });
  return form;
}

async function renderList(ctx) {
  const f = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) ?? '']));
  const box = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const missed = h('p', { class: 'note', hidden: true });
  let list = null;
  const queued = [];
  let unseen = 0;
  const live = subscribe({
    alert: (a) => {
      if (!matches(a, f)) return;
      if (f.net) {
        // the network filter is the server's to apply: offer to read the list again
        unseen++;
        replace(
          missed,
          `${unseen} new alert(s) raised. `,
          h('a', { href: location.hash, onclick: () => location.reload() }, 'Reload'),
        );
        missed.hidden = false;
        return;
      }
      if (list) list.insert(a);
      else queued.push(a);
    },
    alert_state: (c) => list?.update(c),
  });
  ctx.onCleanup(live.close);
  replace(
    ctx.main,
    h('div', { class: 'view-head' }, h('h1', {}, 'Alerts'), live.badge),
    h('section', { class: 'panel' }, filterForm(f, ctx)),
    can('analyst')
      ? null
      : h('p', { class: 'note' }, 'Triage (acknowledge, resolve, assign, expect) needs the analyst role.'),
    missed,
    h('section', { class: 'panel' }, box),
  );
  let r;
  try {
    r = await get(`/alerts${query(f)}`);
  } catch (e) {
    replace(box); // the form stays, to correct what the server refused
    throw e;
  }
  if (!ctx.current()) return;
  list = alertTable(r.items, { empty: 'No alert matches.' });
  for (const a of queued.splice(0)) list.insert(a);
  replace(box, list.el);
}

/** The alert's details (JSON): a list of its fields, times as times; as raw text when it does not parse. */
function detailsOf(a) {
  let d = null;
  try {
    d = a.details ? JSON.parse(a.details) : null;
  } catch {
    return h('pre', { class: 'details' }, a.details);
  }
  if (!d || typeof d !== 'object' || !Object.keys(d).length) return null;
  const value = (k, v) => {
    if (typeof v === 'number' && /(^ts$|_seen$|_at$|_ms$)/.test(k) && v > 1e12) return time(v);
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  };
  return h(
    'dl',
    { class: 'facts-grid' },
    Object.entries(d).map(([k, v]) => [h('dt', {}, k.replaceAll('_', ' ')), h('dd', {}, value(k, v))]),
  );
}

async function renderOne(ctx, id) {
  const box = h('div');
  const draw = (a) =>
    replace(
      box,
      h(
        'div',
        { class: 'view-head' },
        h('h1', {}, `${KINDS[a.kind] ?? a.kind}: `, a.ip ? hostLink(a.ip, endpoint(a.ip, a.port)) : 'host'),
        badge(a.severity),
        badge(a.state),
      ),
      h('p', { class: 'lead' }, a.message),
      can('analyst')
        ? h(
            'div',
            { class: 'btn-row triage-row' },
            actionsFor(a).map((act) =>
              h(
                'button',
                {
                  type: 'button',
                  'data-action': act,
                  onclick: async () => {
                    const updated = await triage(act, a);
                    if (updated) draw(updated);
                  },
                },
                ACTIONS[act].button,
              ),
            ),
          )
        : null,
      h(
        'div',
        { class: 'two-col' },
        section(
          'Alert',
          h(
            'dl',
            { class: 'facts-grid' },
            h('dt', {}, 'Raised'),
            h('dd', {}, time(a.ts)),
            h('dt', {}, 'Owner'),
            h('dd', {}, a.owner || '–'),
            h('dt', {}, 'Assignee'),
            h('dd', {}, a.assignee || '–'),
            h('dt', {}, 'State'),
            h('dd', {}, a.state, a.actor && a.state !== 'open' ? ` by ${a.actor}, ` : ', ', time(a.state_at)),
            h('dt', {}, 'Id'),
            h('dd', { class: 'mono' }, a.alert_id),
          ),
        ),
        section('Details', detailsOf(a) ?? h('p', { class: 'muted' }, 'None.')),
      ),
      section(
        'History',
        table(
          [
            { label: 'When', cell: (e) => time(e.ts) },
            { label: 'State', cell: (e) => badge(e.state) },
            { label: 'By', cell: (e) => e.actor },
            { label: 'Note', cell: (e) => e.note, class: 'wrap' },
          ],
          a.events,
        ),
      ),
      section(
        'Assignments',
        table(
          [
            { label: 'When', cell: (e) => time(e.ts) },
            { label: 'Assignee', cell: (e) => e.assignee },
            { label: 'By', cell: (e) => e.actor },
            { label: 'Note', cell: (e) => e.note, class: 'wrap' },
          ],
          a.assignments,
          { empty: 'Never assigned: the owning team handles it.' },
        ),
      ),
    );
  const live = subscribe({
    alert_state: async (c) => {
      if (c.alert_id !== id) return;
      try {
        const a = await get(`/alerts/${encodeURIComponent(id)}`);
        if (ctx.current()) draw(a);
      } catch (e) {
        showError(e);
      }
    },
  });
  ctx.onCleanup(live.close);
  const a = await get(`/alerts/${encodeURIComponent(id)}`);
  if (!ctx.current()) return;
  replace(ctx.main, h('p', {}, h('a', { href: '#/alerts' }, '← Alerts')), box);
  draw(a);
}

export function render(ctx) {
  return ctx.params[0] ? renderOne(ctx, ctx.params[0]) : renderList(ctx);
}
