// The login form: name and password (POST /api/v1/session), and "Single sign-on" when the
// console has an identity provider (GET /api/v1/login-options). A failed login shows the API's
// message (wrong name or password, locked, rate limited).

import { ApiError, get, post, setCsrf } from './api.js';
import { field, h, replace } from './dom.js';

/** Shows the form in `main`; `done(me)` is called once logged in. */
export async function renderLogin(main, done) {
  const name = h('input', { name: 'name', type: 'text', autocomplete: 'username', required: true, maxlength: 128 });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const sso = h('div', { class: 'sso', hidden: true });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to Porthole'),
    field('Name', name),
    field('Password', password),
    error,
    h('div', { class: 'actions' }, submit),
    sso,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      const me = await post('/session', { name: name.value.trim(), password: password.value });
      setCsrf(me.csrf);
      done(me);
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : String(e);
      error.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h('div', { class: 'login-wrap' }, form));
  name.focus();
  try {
    const opts = await get('/login-options');
    if (opts?.oidc) {
      replace(
        sso,
        h('p', { class: 'muted' }, 'or'),
        h('a', { class: 'button', href: '/api/v1/oidc/login' }, 'Single sign-on'),
      );
      sso.hidden = false;
    }
  } catch {
    // the password form works without the options
  }
}
