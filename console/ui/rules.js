// #/rules — the policy in force: expected services (the config file's and those added here or
// with `porthole expect`; admins add and remove stored ones, each with a note), who owns which
// addresses and where their alerts go, the home networks, high-risk ports, and whether the
// learning period (no alerts while the baseline is built) is still on.

import { getOptional, post } from './api.js';
import { formDialog, noteInput } from './dialog.js';
import { badge, duration, field, h, replace, section, table, time } from './dom.js';
import { showError } from './notice.js';
import { can } from './session.js';

const portText = (p) => (p === null || p === undefined || p === 0 ? 'any' : String(p));
const count = (v) => (Array.isArray(v) ? v.length : Number(v ?? 0));

function learning(l) {
  if (!l) return h('p', { class: 'muted' }, '–');
  if (!l.period_ms)
    return h('p', {}, 'No learning period: new services alert from the first start (', time(l.first_start), ').');
  return h(
    'p',
    {},
    l.active ? badge('learning', 'warn') : badge('done', 'ok'),
    ` A learning period of ${duration(l.period_ms)} from the first start (`,
    time(l.first_start),
    l.active ? ') is on: no alerts until ' : ') ended ',
    time(l.until),
    '.',
  );
}

function removeRule(rule, ctx) {
  const note = noteInput();
  return formDialog({
    title: 'Remove expected service',
    subtitle: `${rule.net} port ${portText(rule.port)}: new services there will alert again`,
    fields: [{ label: 'Note', input: note, hint: 'required: why it is no longer expected' }],
    button: 'Remove',
    submit: () => post('/rules/expected/remove', { rule: rule.rule_id, note: note.value.trim() }).then(() => true),
  }).then((done) => done && ctx.reload());
}

function addForm(ctx) {
  const net = h('input', { name: 'net', type: 'text', required: true, placeholder: '10.1.2.0/24 or 10.1.2.3' });
  const port = h('input', { name: 'port', type: 'number', required: true, min: 1, max: 65535 });
  const note = noteInput();
  const form = h(
    'form',
    { class: 'filters' },
    field('Address or network', net),
    field('Port', port),
    field('Note', note),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add expected service')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post('/rules/expected', { net: net.value.trim(), port: Number(port.value), note: note.value.trim() });
      ctx.reload();
    } catch (e) {
      showError(e);
    }
  });
  return form;
}

export async function render(ctx) {
  const [rules, owners] = await Promise.all([getOptional('/rules'), getOptional('/owners')]);
  if (!ctx.current()) return;
  const admin = can('admin');
  const missing = (what) => h('p', { class: 'note' }, `This console does not serve ${what} yet.`);
  const expectedCols = [
    { label: 'Network', cell: (r) => r.net, class: 'mono' },
    { label: 'Port', cell: (r) => portText(r.port), class: 'num' },
    { label: 'From', cell: (r) => badge(r.source || 'stored', 'neutral') },
    { label: 'By', cell: (r) => r.actor || '–' },
    { label: 'Note', cell: (r) => r.note || '–', class: 'wrap' },
    { label: 'Since', cell: (r) => time(r.version, true) },
  ];
  if (admin)
    expectedCols.push({
      label: '',
      cell: (r) =>
        r.source === 'config'
          ? h('small', { class: 'muted' }, 'config file')
          : h('button', { type: 'button', class: 'small', onclick: () => removeRule(r, ctx) }, 'Remove'),
    });
  replace(
    ctx.main,
    h('div', { class: 'view-head' }, h('h1', {}, 'Rules')),
    rules
      ? [
          section('Learning period', learning(rules.learning)),
          section(
            'Expected services',
            h('p', { class: 'muted' }, 'Services matching these rules never alert.'),
            table(expectedCols, rules.expected ?? [], { empty: 'No expected service.' }),
            admin ? h('h3', {}, 'Add an expected service') : null,
            admin ? addForm(ctx) : null,
          ),
          h(
            'div',
            { class: 'two-col' },
            section(
              'Home networks',
              h('p', { class: 'muted' }, 'Services in these networks are tracked and alert.'),
              h(
                'ul',
                { class: 'plain-list mono' },
                (rules.home_networks ?? []).map((n) => h('li', {}, n)),
              ),
            ),
            section(
              'High-risk ports',
              h('p', { class: 'muted' }, 'A new service on these ports is a high-severity alert.'),
              h('p', { class: 'mono' }, (rules.high_risk_ports ?? []).join(', ') || '–'),
            ),
          ),
        ]
      : missing('the rules (GET /api/v1/rules)'),
    owners
      ? h(
          'div',
          { class: 'two-col' },
          section(
            'Owners',
            table(
              [
                { label: 'Team', cell: (r) => r.team },
                { label: 'Network', cell: (r) => r.net, class: 'mono' },
                { label: 'Port', cell: (r) => portText(r.port), class: 'num' },
              ],
              owners.rules ?? [],
              { empty: 'No owner rule: alerts go to the default sinks.' },
            ),
          ),
          section(
            'Teams and their alert sinks',
            table(
              [
                { label: 'Team', cell: (t) => t.team },
                { label: 'Webhooks', cell: (t) => String(count(t.webhooks)), class: 'num' },
                { label: 'Slack webhooks', cell: (t) => String(count(t.slack_webhooks)), class: 'num' },
              ],
              owners.teams ?? [],
              { empty: 'No team.' },
            ),
          ),
        )
      : missing('owners (GET /api/v1/owners)'),
  );
}
