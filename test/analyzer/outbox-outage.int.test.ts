// The alert outbox through a ClickHouse outage, against the real ClickHouse behind a proxy this
// test closes and reopens (the shared server itself is never stopped): one warning per outage
// whatever the number of sinks and rounds, one line when ClickHouse answers again, and no sink
// reported failing for the store's outage.

import { createServer as httpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from '../../analyzer/alert/outbox.js';
import { webhookSink } from '../../analyzer/alert/sinks.js';
import { migrate } from '../../analyzer/store/migrate.js';
import { Store } from '../../analyzer/store/store.js';
import { CH_URL, dropDb, randomDb } from '../support/clickhouse.js';

/** A TCP proxy to ClickHouse on a fixed loopback port that can be cut (every connection reset) and restored. */
function proxy(port: number) {
  const target = new URL(CH_URL);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  return {
    async up(): Promise<void> {
      server = createServer((c) => {
        const u = connect(Number(target.port), target.hostname);
        for (const s of [c, u]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {
            c.destroy();
            u.destroy();
          });
        }
        c.pipe(u).pipe(c);
      });
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    },
    async down(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = null;
    },
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const db = randomDb();
let port = 0;
let link: ReturnType<typeof proxy>;
let store: Store;
let hooks: HttpServer;
let hookCalls = 0;

beforeAll(async () => {
  port = await freePort();
  link = proxy(port);
  await link.up();
  store = new Store({ url: `http://127.0.0.1:${port}`, user: 'default', password: null, database: db });
  await migrate(store);
  hooks = httpServer((_req, res) => {
    hookCalls++;
    res.end('ok');
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await link?.down();
  await store?.close();
  hooks?.close();
  await dropDb(db);
});

describe('alert outbox through a ClickHouse outage', () => {
  it('logs once per outage and once when ClickHouse answers again, whatever the sinks and rounds', async () => {
    const lines: Array<{ level: number; msg: string; sink?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const hook = `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hook`;
    const sinks = [webhookSink(hook, false), webhookSink(`${hook}/2`, false), webhookSink(`${hook}/3`, true)];
    const outbox = createOutbox(store, sinks, { ratePerMinute: 30, digestAbove: 10, pageSize: 100 }, logger);

    await outbox.round();
    expect(lines).toEqual([]);

    const outage = async (): Promise<void> => {
      await link.down();
      for (let i = 0; i < 4; i++) await outbox.round();
      await link.up();
      await outbox.round();
      await outbox.round();
    };
    await outage();
    await outage();

    const said = lines.map((l) => `${l.level} ${l.msg}`);
    expect(said).toEqual([
      '40 alert outbox: ClickHouse unreachable; will retry',
      '30 alert outbox: ClickHouse reachable again',
      '40 alert outbox: ClickHouse unreachable; will retry',
      '30 alert outbox: ClickHouse reachable again',
    ]);
    expect(Object.values(outbox.stats()).map((s) => s.failing)).toEqual([false, false, false]);
    expect(hookCalls).toBe(0); // no alert waited: nothing was sent
  });
});
