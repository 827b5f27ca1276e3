// Live events (GET /api/v1/events, Server-Sent Events): `alert` when an alert is raised,
// `alert_state` when one is acknowledged or resolved. The browser reconnects by itself and the
// server replays what was missed (Last-Event-ID); ids already seen are dropped here, so a
// replayed event is handled once. A badge tells whether updates are flowing.

import { API } from './api.js';
import { h } from './dom.js';

/**
 * Subscribe; `on.alert(data)` and `on.alert_state(data)` are called per event. Returns the badge
 * element (live / reconnecting / stopped) and a close function.
 */
export function subscribe(on) {
  const seen = new Set();
  const badge = h('span', { class: 'live live-wait', title: 'live updates' }, 'connecting…');
  const set = (cls, text) => {
    badge.className = `live ${cls}`;
    badge.textContent = text;
  };
  const es = new EventSource(`${API}/events`);
  const handle = (type) => (ev) => {
    if (ev.lastEventId && seen.has(ev.lastEventId)) return;
    if (ev.lastEventId) seen.add(ev.lastEventId);
    if (seen.size > 5000) seen.delete(seen.values().next().value);
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;
    }
    on[type]?.(data);
  };
  es.addEventListener('alert', handle('alert'));
  es.addEventListener('alert_state', handle('alert_state'));
  es.addEventListener('open', () => set('live-on', 'live'));
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) set('live-off', 'live updates stopped: reload the page');
    else set('live-wait', 'reconnecting…');
  });
  return { badge, close: () => es.close() };
}
