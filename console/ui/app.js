// The console's single-page app: hash routes (#/, #/inventory, #/host/IP, #/alerts, #/sensors,
// #/rules, #/admin), the session (GET /api/v1/session; the login form when there is none), the
// navigation, and each view's clean-up (live streams, charts) when another one is shown. Views
// render into <main> and throw ApiError; its message goes on the page's error line.

import { api, get, setCsrf, whenLoggedOut } from './api.js';
import { h, replace } from './dom.js';
import { renderLogin } from './login.js';
import { clearError, showError } from './notice.js';
import { can, session } from './session.js';

const VIEWS = [
  { path: '', label: 'Overview', role: 'viewer', load: () => import('./overview.js') },
  { path: 'inventory', label: 'Inventory', role: 'viewer', load: () => import('./inventory.js') },
  { path: 'alerts', label: 'Alerts', role: 'viewer', load: () => import('./alerts.js') },
  { path: 'sensors', label: 'Sensors', role: 'viewer', load: () => import('./sensors.js') },
  { path: 'rules', label: 'Rules', role: 'viewer', load: () => import('./rules.js') },
  { path: 'admin', label: 'Admin', role: 'admin', load: () => import('./admin.js') },
  { path: 'host', role: 'viewer', load: () => import('./host.js') },
];

const main = () => document.getElementById('view');
const cleanups = [];
let generation = 0;

/** The route of the hash: #/host/192.0.2.1?x=1 → { view: 'host', params: ['192.0.2.1'], query } */
function route(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { view: parts[0] ?? '', params: parts.slice(1), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** Goes to a route with these query parameters (empty ones left out). */
function navigate(view, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  location.hash = `#/${view}${s ? `?${s}` : ''}`;
}

function stop() {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // a view's clean-up never stops the next view
    }
  }
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  replace(
    nav,
    VIEWS.filter((v) => v.label && can(v.role)).map((v) =>
      h('a', { href: `#/${v.path}`, 'aria-current': v.path === current ? 'page' : null }, v.label),
    ),
  );
  nav.hidden = false;
  replace(
    document.getElementById('who'),
    h('span', { class: 'who-name', title: `logged in as ${session.me.name}` }, session.me.name),
    h('span', { class: 'badge b-role' }, session.me.role),
    h('button', { type: 'button', class: 'small', onclick: logout }, 'Log out'),
  );
}

async function logout() {
  try {
    await api('DELETE', '/session');
  } catch {
    // logged out already
  }
  showLogin();
}

function showLogin() {
  stop();
  generation++;
  session.me = null;
  setCsrf(null);
  document.getElementById('nav').hidden = true;
  replace(document.getElementById('who'));
  clearError();
  void renderLogin(main(), (me) => {
    session.me = me;
    void show();
  });
}

async function show() {
  stop();
  clearError();
  const gen = ++generation;
  const r = route();
  const view = VIEWS.find((v) => v.path === r.view);
  renderNav(view?.label ? view.path : r.view === 'host' ? 'inventory' : null);
  const el = main();
  if (!view) {
    replace(el, h('h1', {}, 'Not found'), h('p', {}, 'No such page. '), h('a', { href: '#/' }, 'Go to the overview'));
    return;
  }
  if (!can(view.role)) {
    replace(el, h('h1', {}, 'Not allowed'), h('p', {}, `This page needs the ${view.role} role.`));
    return;
  }
  replace(el, h('p', { class: 'loading' }, 'Loading…'));
  const ctx = {
    main: el,
    params: r.params,
    query: r.query,
    navigate,
    /** shows this view again (after a change) */
    reload: () => void show(),
    /** whether this view is still the one shown (async work checks before writing) */
    current: () => gen === generation,
    onCleanup: (fn) => {
      if (gen === generation) cleanups.push(fn);
      else fn();
    },
  };
  try {
    const mod = await view.load();
    if (gen !== generation) return;
    await mod.render(ctx);
  } catch (e) {
    if (gen !== generation) return;
    // a view that failed before drawing anything leaves no "Loading…" behind
    if (el.children.length === 1 && el.firstElementChild.classList.contains('loading')) replace(el);
    showError(e);
  }
  if (gen === generation) document.title = `${view.label ?? 'Host'} · Porthole`;
}

async function start() {
  whenLoggedOut(() => showLogin());
  window.addEventListener('hashchange', () => {
    if (session.me) void show();
  });
  try {
    session.me = await get('/session');
    setCsrf(session.me.csrf);
  } catch {
    showLogin();
    return;
  }
  await show();
}

void start();
