// Live events over SSE against the real ClickHouse: a stored alert reaches a connected client
// once; an acknowledgement made through the API follows as an alert_state event; a client that
// reconnects with Last-Event-ID gets what came after that id and not the id itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRows } from '../../analyzer/store/writes.js';
import { dropDb, randomDb } from '../support/clickhouse.js';
import { startTestConsole, type TestConsole } from '../support/console.js';

interface Received {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE stream until `until` says stop (or the time runs out); returns the events. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (got: Received[]) => boolean,
  ms = 10_000,
): Promise<Received[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const got: Received[] = [];
  try {
    const r = await fetch(url, { headers, signal: ac.signal });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (!until(got)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        );
        if (f.id) got.push({ id: f.id, event: f.event, data: JSON.parse(f.data) });
        i = buf.indexOf('\n\n');
      }
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return got;
}

const db = randomDb();
let c: TestConsole;

beforeAll(async () => {
  c = await startTestConsole(db);
  await c.addUser('vic', 'viewer');
  await c.addUser('ann', 'analyst');
});

afterAll(async () => {
  await c?.close();
  await dropDb(db);
});

function alertRow(id: string, ip: string, port: number) {
  const now = Date.now();
  return {
    day: new Date(now).toISOString().slice(0, 10),
    alert_id: id,
    ts: now,
    kind: 'new_service',
    severity: 'medium',
    ip,
    proto: 'tcp',
    port,
    message: `new service ${ip}:${port}`,
    details: '{}',
    stored_at: now,
    net: '',
    owner: '',
  };
}

describe('GET /api/v1/events', () => {
  it('refuses a client without credentials', async () => {
    const r = await fetch(`${c.url}/api/v1/events`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('AUTH_REQUIRED');
  });

  it('sends a stored alert and its acknowledgement live, and resumes after Last-Event-ID', async () => {
    const viewer = await c.login('vic');
    const analyst = await c.login('ann');
    const id = `new_service|10.9.8.7|tcp|8443|${Date.now()}`;
    const live = readEvents(`${c.url}/api/v1/events`, { cookie: viewer.cookie }, (got) =>
      got.some((e) => e.event === 'alert_state' && e.data.alert_id === id),
    );
    // the stream is open before the alert is stored
    await new Promise((r) => setTimeout(r, 700));
    await insertRows(c.store, 'alerts', [alertRow(id, '10.9.8.7', 8443)]);
    await new Promise((r) => setTimeout(r, 1500));
    const ack = await fetch(`${c.url}/api/v1/alerts/${encodeURIComponent(id)}/acknowledge`, {
      method: 'POST',
      headers: { cookie: analyst.cookie, 'x-csrf-token': analyst.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'looking' }),
    });
    expect(ack.status).toBe(200);
    const got = (await live).filter((e) => e.data.alert_id === id);
    expect(got.map((e) => e.event)).toEqual(['alert', 'alert_state']);
    expect(got[0].data).toMatchObject({ ip: '10.9.8.7', port: 8443, kind: 'new_service', state: 'open' });
    expect(got[1].data).toMatchObject({ state: 'acknowledged', actor: 'ann', note: 'looking' });

    // reconnect after the first event: the acknowledgement again, not the alert itself
    const resumed = await readEvents(
      `${c.url}/api/v1/events`,
      { cookie: viewer.cookie, 'last-event-id': got[0].id },
      (g) => g.some((e) => e.id === got[1].id),
    );
    const mine = resumed.filter((e) => e.data.alert_id === id);
    expect(mine.map((e) => e.id)).toEqual([got[1].id]);
  });

  it('refuses a Last-Event-ID that is not one of its ids', async () => {
    const viewer = await c.login('vic');
    const r = await fetch(`${c.url}/api/v1/events`, { headers: { cookie: viewer.cookie, 'last-event-id': 'bogus' } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { field: string } }).error.field).toBe('last-event-id');
  });
});
