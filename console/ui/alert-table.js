// The alert list of the overview and the alerts view: one row per alert (data-alert-id), its
// state kept current by live events, triage buttons only for analysts and admins (the server
// refuses a viewer anyway). Rows that arrive live are inserted at the top and marked fresh.

import { badge, endpoint, h, hostLink, time } from './dom.js';
import { can } from './session.js';
import { ACTIONS, actionsFor, triage } from './triage.js';

export const KINDS = {
  new_service: 'new service',
  reopened_service: 'reopened',
  service_changed: 'service changed',
  syn_proxy_host: 'SYN proxy host',
  dormant_exposure: 'dormant exposure',
};

function stateCell(a) {
  const who =
    a.state !== 'open' && a.actor ? h('small', { class: 'muted', title: a.note || '' }, ` by ${a.actor}`) : null;
  return [badge(a.state), who];
}

/** An alert table; `insert(alert)` adds a live row, `update(change)` applies an alert_state event. */
export function alertTable(items, opts = {}) {
  const triageOk = can('analyst');
  const byId = new Map();
  const rows = new Map();
  const columns = [
    { label: 'Raised', cell: (a) => time(a.ts) },
    { label: 'Severity', cell: (a) => badge(a.severity) },
    { label: 'Kind', cell: (a) => KINDS[a.kind] ?? a.kind },
    { label: 'Endpoint', cell: (a) => (a.ip ? hostLink(a.ip, endpoint(a.ip, a.port)) : '–'), class: 'mono' },
    {
      label: 'Message',
      cell: (a) => h('a', { href: `#/alerts/${encodeURIComponent(a.alert_id)}`, class: 'plain' }, a.message),
      class: 'wrap',
    },
    { label: 'Assignee', cell: (a) => a.assignee || a.owner || h('span', { class: 'muted' }, '–') },
    { label: 'State', cell: stateCell, class: 'nowrap' },
  ];
  if (triageOk) columns.push({ label: 'Triage', cell: (a) => buttons(a), class: 'nowrap' });

  function buttons(a) {
    return h(
      'div',
      { class: 'btn-row' },
      actionsFor(a).map((act) =>
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            'data-action': act,
            'aria-label': `${ACTIONS[act].button} ${endpoint(a.ip, a.port)}`,
            onclick: async () => {
              const updated = await triage(act, byId.get(a.alert_id));
              if (updated) put(updated);
            },
          },
          ACTIONS[act].button,
        ),
      ),
    );
  }

  function rowOf(a, fresh) {
    return h(
      'tr',
      { 'data-alert-id': a.alert_id, 'data-state': a.state, class: fresh ? 'fresh' : null },
      columns.map((c) => h('td', { class: c.class }, c.cell(a))),
    );
  }

  function put(a, fresh = false) {
    const merged = { ...(byId.get(a.alert_id) ?? {}), ...a };
    merged.assignee = merged.assignee || merged.owner || '';
    byId.set(a.alert_id, merged);
    const old = rows.get(a.alert_id);
    const tr = rowOf(merged, fresh || old?.classList.contains('fresh'));
    rows.set(a.alert_id, tr);
    if (old) old.replaceWith(tr);
    return tr;
  }

  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      columns.map((c) => h('th', { scope: 'col' }, c.label)),
    ),
  );
  const body = h('tbody');
  const empty = h(
    'tr',
    { class: 'empty-row' },
    h('td', { colspan: columns.length, class: 'empty' }, opts.empty ?? 'No alerts.'),
  );
  for (const a of items) body.append(put(a));
  if (!items.length) body.append(empty);
  const el = h('div', { class: 'table-wrap' }, h('table', { class: 'data alerts' }, head, body));

  return {
    el,
    /** a new alert (live): inserted at the top unless already shown */
    insert(a) {
      if (byId.has(a.alert_id)) return false;
      empty.remove();
      body.prepend(put({ state: 'open', state_at: a.ts, actor: '', note: '', assignee: a.owner || '', ...a }, true));
      if (opts.max && body.rows.length > opts.max) {
        const last = body.lastElementChild;
        byId.delete(last.dataset.alertId);
        rows.delete(last.dataset.alertId);
        last.remove();
      }
      return true;
    },
    /** an alert_state event: the row shows the new state (when it is shown here) */
    update(change) {
      if (!byId.has(change.alert_id)) return;
      if ((byId.get(change.alert_id).state_at ?? 0) > change.ts) return;
      put({
        alert_id: change.alert_id,
        state: change.state,
        actor: change.actor,
        note: change.note,
        state_at: change.ts,
      });
    },
    has: (id) => byId.has(id),
  };
}
