// Building the page from data without ever parsing it as HTML: every text goes in through
// textContent or an attribute (the CSP forbids inline scripts and styles, and this keeps
// addresses, notes and messages from becoming markup). Times are shown in the viewer's time
// zone with the UTC time in the title (hover).

/**
 * An element: h('a', { href: '#/', class: 'x', onclick: fn, 'data-id': id }, 'text', child…).
 * Attributes with null, undefined or false values are left out; true sets an empty attribute.
 * Children: strings and numbers become text, null/false/undefined are skipped, arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, as h(). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'style') throw new Error('inline styles are refused by the CSP: use a class');
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) el.value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** Appends children (as h()) to an element. */
export function append(el, children) {
  for (const c of children.flat(Number.POSITIVE_INFINITY)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const LOCAL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const LOCAL_SHORT = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export const localTime = (ms) => LOCAL.format(new Date(ms));
export const shortTime = (ms) => LOCAL_SHORT.format(new Date(ms));
export const utcTime = (ms) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** A <time> in the viewer's time zone, the UTC time on hover; a dash when there is none. */
export function time(ms, short = false) {
  if (ms === null || ms === undefined || ms <= 0) return h('span', { class: 'muted' }, '–');
  return h('time', { datetime: new Date(ms).toISOString(), title: utcTime(ms) }, short ? shortTime(ms) : localTime(ms));
}

/** A length of time as people say it: 45 s, 12 min, 3 h, 5 d. */
export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

const NUM = new Intl.NumberFormat();
export const num = (n) => (n === null || n === undefined ? '–' : NUM.format(n));

/** A small colored label; `kind` picks the color class (state, severity, health). */
export const badge = (text, kind = text) =>
  h('span', { class: `badge b-${String(kind).replace(/[^a-z0-9_-]/gi, '')}` }, text);

/** host:port for an address (IPv6 in brackets). */
export const endpoint = (ip, port) => (port ? (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`) : ip);

/** A link to a host's page. */
export const hostLink = (ip, text = ip) => h('a', { href: `#/host/${encodeURIComponent(ip)}` }, text);

/** A table: columns [{ label, cell(row) -> node|string, class? }], rows; an empty note when none. */
export function table(columns, rows, opts = {}) {
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)),
    ),
  );
  const body = h(
    'tbody',
    {},
    rows.map((r) => {
      const tr = h(
        'tr',
        opts.rowAttrs ? opts.rowAttrs(r) : {},
        columns.map((c) => h('td', { class: c.class }, c.cell(r))),
      );
      return tr;
    }),
  );
  if (!rows.length)
    body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, opts.empty ?? 'Nothing to show.')));
  return h('div', { class: 'table-wrap' }, h('table', { class: opts.class ?? 'data' }, head, body));
}

/** A labelled form field; `input` is the control (its id ties the label to it). */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('small', { class: 'hint' }, hint) : null,
  );
}

/** A <select> of [value, label] pairs with `current` selected. */
export function select(name, options, current) {
  return h(
    'select',
    { name },
    options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(current ?? '') }, label)),
  );
}

/** A section with a heading. */
export const section = (title, ...children) => h('section', { class: 'panel' }, h('h2', {}, title), children);
