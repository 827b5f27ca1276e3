// The console's API from the browser: JSON in and out, the session cookie (same origin), and
// the session's CSRF token on every request that changes something. A failed request throws
// ApiError carrying the API's error code and message ({error:{code,message,field}}); a request
// that finds the session gone (401) also tells the app, which shows the login form.

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const API = '/api/v1';

let csrf = null;
let onLoggedOut = () => {};

export function setCsrf(token) {
  csrf = token ?? null;
}

/** Called when a request answers 401 (the session ended or expired). */
export function whenLoggedOut(fn) {
  onLoggedOut = fn;
}

/** A query string of the given parameters, leaving out empty ones ('' when none). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the console cannot be reached: check the connection and retry');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = data?.error;
    const err = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.field,
    );
    if (res.status === 401 && path !== '/session') onLoggedOut(err);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);

/**
 * A GET of a collection that answers null when this server does not have the route (404): a
 * console older than the UI shows what it can. Only for paths that are never 404 otherwise.
 */
export async function getOptional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
