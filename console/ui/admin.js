// #/admin (admins) — accounts (add; change role; disable or enable; set a password), API tokens
// (make one: its secret is shown once, here, and never again; revoke), and the audit log,
// newest first, older pages on demand. Every change is audited by the server.

import { api, get, post } from './api.js';
import { formDialog } from './dialog.js';
import { badge, field, h, replace, section, select, table, time } from './dom.js';
import { showError } from './notice.js';
import { session } from './session.js';

const ROLES = [
  ['viewer', 'viewer'],
  ['analyst', 'analyst'],
  ['admin', 'admin'],
];
const AUDIT_PAGE = 100;

const act = (fn, ctx) => async () => {
  try {
    if ((await fn()) !== null) ctx.reload();
  } catch (e) {
    showError(e);
  }
};

function passwordDialog(u) {
  const pw = h('input', { type: 'password', required: true, minlength: 10, autocomplete: 'new-password' });
  return formDialog({
    title: `Set the password of ${u.name}`,
    subtitle: 'Their sessions end.',
    fields: [{ label: 'New password', input: pw, hint: 'at least 10 characters' }],
    button: 'Set password',
    submit: () => api('PATCH', `/users/${encodeURIComponent(u.name)}`, { password: pw.value }),
  });
}

function users(items, ctx) {
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: 128, autocomplete: 'off' });
  const role = select('role', ROLES, 'viewer');
  const pw = h('input', {
    name: 'password',
    type: 'password',
    required: true,
    minlength: 10,
    autocomplete: 'new-password',
    placeholder: 'at least 10 characters',
  });
  const form = h(
    'form',
    { class: 'filters' },
    field('Name', name),
    field('Role', role),
    field('Password', pw),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add account')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post('/users', { name: name.value.trim(), role: role.value, password: pw.value });
      ctx.reload();
    } catch (e) {
      showError(e);
    }
  });
  const roleCell = (u) => {
    if (u.name === session.me.name) return badge(u.role, 'role');
    const s = select('role', ROLES, u.role);
    s.setAttribute('aria-label', `Role of ${u.name}`);
    s.addEventListener(
      'change',
      act(() => api('PATCH', `/users/${encodeURIComponent(u.name)}`, { role: s.value }), ctx),
    );
    return s;
  };
  return section(
    'Accounts',
    table(
      [
        { label: 'Name', cell: (u) => u.name },
        { label: 'Role', cell: roleCell },
        { label: 'Source', cell: (u) => (u.source === 'oidc' ? 'single sign-on' : 'password') },
        { label: 'Status', cell: (u) => (u.disabled ? badge('disabled', 'bad') : badge('enabled', 'ok')) },
        { label: 'Changed', cell: (u) => time(u.changed_at, true) },
        {
          label: '',
          cell: (u) =>
            u.name === session.me.name
              ? h('small', { class: 'muted' }, 'you')
              : h(
                  'div',
                  { class: 'btn-row' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'small',
                      onclick: act(
                        () => api('PATCH', `/users/${encodeURIComponent(u.name)}`, { disabled: !u.disabled }),
                        ctx,
                      ),
                    },
                    u.disabled ? 'Enable' : 'Disable',
                  ),
                  u.source === 'local'
                    ? h(
                        'button',
                        { type: 'button', class: 'small', onclick: act(() => passwordDialog(u), ctx) },
                        'Set password',
                      )
                    : null,
                ),
        },
      ],
      items,
    ),
    h('h3', {}, 'Add an account'),
    form,
  );
}

function tokens(items, ctx) {
  const shown = h('div', { class: 'token-once', hidden: true, role: 'status' });
  const label = h('input', {
    name: 'label',
    type: 'text',
    required: true,
    maxlength: 200,
    placeholder: 'what it is for',
  });
  const role = select('role', ROLES, 'viewer');
  const expires = h('input', { name: 'expires_in', type: 'text', maxlength: 20, placeholder: '90d (empty: never)' });
  const form = h(
    'form',
    { class: 'filters' },
    field('Label', label),
    field('Role', role),
    field('Expires in', expires),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Make token')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const body = { label: label.value.trim(), role: role.value };
      if (expires.value.trim()) body.expires_in = expires.value.trim();
      const t = await post('/tokens', body);
      const value = h('input', {
        type: 'text',
        readonly: true,
        value: t.token,
        class: 'mono token-value',
        'aria-label': 'The new token',
      });
      replace(
        shown,
        h('strong', {}, 'Copy this token now: it is shown only once.'),
        value,
        h('small', { class: 'muted' }, `Send it as "Authorization: Bearer …". Token id ${t.token_id}, role ${t.role}.`),
      );
      shown.hidden = false;
      value.focus();
      value.select();
      form.reset();
      draw((await get('/tokens')).items);
    } catch (e) {
      showError(e);
    }
  });
  const revoke = (t) =>
    formDialog({
      title: `Revoke token ${t.label}`,
      subtitle: `${t.token_id}, made by ${t.user}: requests with it are refused at once.`,
      fields: [],
      button: 'Revoke',
      submit: () => api('DELETE', `/tokens/${encodeURIComponent(t.token_id)}`).then(() => true),
    }).then((done) => done && ctx.reload());
  const list = h('div');
  const draw = (rows) =>
    replace(
      list,
      table(
        [
          { label: 'Id', cell: (t) => t.token_id, class: 'mono' },
          { label: 'Label', cell: (t) => t.label },
          { label: 'Account', cell: (t) => t.user },
          { label: 'Role', cell: (t) => t.role },
          { label: 'Made', cell: (t) => time(t.created_at, true) },
          { label: 'Expires', cell: (t) => (t.expires_at ? time(t.expires_at, true) : 'never') },
          {
            label: 'Status',
            cell: (t) =>
              t.revoked_at
                ? [badge('revoked', 'bad'), ' ', time(t.revoked_at, true)]
                : t.expires_at && t.expires_at < Date.now()
                  ? badge('expired', 'warn')
                  : badge('valid', 'ok'),
          },
          {
            label: '',
            cell: (t) =>
              t.revoked_at ? null : h('button', { type: 'button', class: 'small', onclick: () => revoke(t) }, 'Revoke'),
          },
        ],
        rows,
        { empty: 'No API token.' },
      ),
    );
  draw(items);
  return section('API tokens', shown, list, h('h3', {}, 'Make a token'), form);
}

function auditLog(first) {
  const body = h('tbody');
  const more = h('button', { type: 'button' }, 'Older entries');
  const add = (items) => {
    for (const e of items)
      body.append(
        h(
          'tr',
          {},
          h('td', {}, time(e.ts)),
          h('td', {}, e.actor),
          h('td', {}, e.action),
          h('td', { class: 'mono' }, e.target),
          h('td', { class: 'wrap small-text' }, e.detail && e.detail !== '{}' ? e.detail : ''),
          h('td', { class: 'mono' }, e.remote),
        ),
      );
    more.hidden = items.length < AUDIT_PAGE;
  };
  let last = first.at(-1)?.ts;
  add(first);
  more.addEventListener('click', async () => {
    try {
      const r = await get(`/audit?limit=${AUDIT_PAGE}&before=${last}`);
      add(r.items);
      last = r.items.at(-1)?.ts ?? last;
    } catch (e) {
      showError(e);
    }
  });
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      ['When', 'Who', 'Action', 'Target', 'Detail', 'From'].map((l) => h('th', { scope: 'col' }, l)),
    ),
  );
  return section('Audit log', h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, head, body)), more);
}

export async function render(ctx) {
  const [u, t, a] = await Promise.all([get('/users'), get('/tokens'), get(`/audit?limit=${AUDIT_PAGE}`)]);
  if (!ctx.current()) return;
  replace(
    ctx.main,
    h('div', { class: 'view-head' }, h('h1', {}, 'Administration')),
    users(u.items, ctx),
    tokens(t.items, ctx),
    auditLog(a.items),
  );
}
