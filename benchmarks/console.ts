// Console benchmark, bounded, local ClickHouse only. A fresh database gets E endpoints
// (inventory-load.ts), a console runs as its own process (`porthole console`), and:
//   - API latency, p50 and p99 over N requests each, as a browser asks (session cookie) and as
//     a script does (API token): the first inventory page (100 rows) unfiltered and with each
//     filter, and a host page;
//   - live events: 50 clients hold /api/v1/events open while alerts are stored one at a time;
//     the delay from an alert's stored_at to its arrival at each client, p50 and p99;
//   - the console's resident memory at rest and with the 50 clients connected.
// Drops its database at the end. Usage: node dist/benchmarks/console.js [--endpoints 1000000] [--requests 100]

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { insertRows } from '../analyzer/store/writes.js';
import { PACKAGE_ROOT } from '../common/version.js';
import { newToken, putToken, putUser } from '../console/accounts.js';
import { hashPassword } from '../console/passwords.js';
import { inventoryLoader } from './inventory-load.js';

const { values } = parseArgs({
  options: { endpoints: { type: 'string' }, requests: { type: 'string' }, clients: { type: 'string' } },
});
const E = Number(values.endpoints ?? 1_000_000);
const N = Number(values.requests ?? 100);
const CLIENTS = Number(values.clients ?? 50);
const ALERTS = 40;
const CH = process.env.CH_URL ?? 'http://127.0.0.1:8123';
const db = `porthole_bench_console_${process.pid}`;
const PORT = 18_000 + (process.pid % 1000);
const base = `http://127.0.0.1:${PORT}`;
const s = new Store({ url: CH, user: 'default', password: null, database: db });
const PASSWORD = 'benchmark password';

const pct = (xs: number[], p: number): number => {
  const a = [...xs].sort((x, y) => x - y);
  return Math.round(a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] * 10) / 10;
};

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : -1;
}

async function startConsole(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      join(PACKAGE_ROOT, 'bin', 'porthole.js'),
      'console',
      '--clickhouse',
      CH,
      '--database',
      db,
      '--listen',
      `127.0.0.1:${PORT}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PORTHOLE_LOG_LEVEL: 'warn' } },
  );
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${base}/api/v1/login-options`).catch(() => null))?.ok) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the console did not start');
}

async function timed(url: string, headers: Record<string, string>): Promise<number[]> {
  const t: number[] = [];
  for (let i = 0; i < N + 3; i++) {
    const t0 = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    if (i >= 3) t.push(performance.now() - t0);
  }
  return t;
}

/** Opens an event stream; calls `on` with the arrival time and data of each alert event. */
async function listen(
  headers: Record<string, string>,
  on: (at: number, data: { ts: number; alert_id: string }) => void,
  signal: AbortSignal,
) {
  const r = await fetch(`${base}/api/v1/events`, { headers, signal });
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = Date.now();
        buf += dec.decode(value, { stream: true });
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (block.includes('event: alert\n')) on(at, JSON.parse(block.slice(block.indexOf('data: ') + 6)));
          i = buf.indexOf('\n\n');
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

async function main(): Promise<void> {
  console.log(
    JSON.stringify({
      machine: `${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      endpoints: E,
      requests: N,
    }),
  );
  let child: ChildProcess | null = null;
  try {
    await migrate(s);
    const load = inventoryLoader(s, E);
    const t0 = performance.now();
    await load.loadStates();
    await load.loadRaw(0, 2 * E);
    console.log(JSON.stringify({ loaded_s: Math.round((performance.now() - t0) / 1000) }));
    await putUser(s, {
      name: 'bench',
      role: 'admin',
      source: 'local',
      disabled: false,
      password_hash: await hashPassword(PASSWORD),
    });
    const t = newToken();
    await putToken(
      s,
      {
        token_id: t.token_id,
        user: 'bench',
        label: 'bench',
        role: 'viewer',
        created_at: Date.now(),
        expires_at: 0,
        revoked_at: 0,
      },
      t.secret_hash,
    );
    child = await startConsole();
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', password: PASSWORD }),
    });
    const cookie = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] };
    const bearer = { authorization: `Bearer ${t.token}` };
    // a host in the middle of the loaded ones (host h is 10.(h >> 16).(h >> 8 & 255).(h & 255))
    const h = Math.floor(E / 8);
    const hostIp = `10.${h >> 16}.${(h >> 8) & 255}.${h & 255}`;
    const newSince = new Date(load.start + (E - 5000) * 1000).toISOString();
    const reads: Array<[string, string]> = [
      ['first page', '/api/v1/services?limit=100'],
      ['net /16', '/api/v1/services?limit=100&net=10.1.0.0/16'],
      ['net /24', '/api/v1/services?limit=100&net=10.1.7.0/24'],
      ['port', '/api/v1/services?limit=100&port=8080'],
      ['state stale', '/api/v1/services?limit=100&state=stale'],
      ['new since', `/api/v1/services?limit=100&new_since=${encodeURIComponent(newSince)}`],
      ['audience internet', '/api/v1/services?limit=100&audience=internet'],
      ['page after a cursor', '/api/v1/services?limit=100&after=00000000000000000000FFFF0A010709.80.tcp'],
      ['host', `/api/v1/hosts/${hostIp}`],
      ['alerts', '/api/v1/alerts?limit=100'],
    ];
    const rows: Array<Record<string, unknown>> = [];
    for (const [name, path] of reads) {
      const a = await timed(`${base}${path}`, cookie);
      const b = await timed(`${base}${path}`, bearer);
      rows.push({
        read: name,
        session_p50: pct(a, 50),
        session_p99: pct(a, 99),
        token_p50: pct(b, 50),
        token_p99: pct(b, 99),
      });
    }
    for (const r of rows) console.log(JSON.stringify(r));

    await new Promise((r) => setTimeout(r, 5000));
    const restMb = rssMb(child.pid!);
    const ac = new AbortController();
    const delays: number[] = [];
    const received = new Map<string, number>();
    for (let i = 0; i < CLIENTS; i++)
      await listen(
        cookie,
        (at, d) => {
          const stored = Number(d.alert_id.split('|').at(-1));
          delays.push(at - stored);
          received.set(d.alert_id, (received.get(d.alert_id) ?? 0) + 1);
        },
        ac.signal,
      );
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < ALERTS; i++) {
      const now = Date.now();
      await insertRows(s, 'alerts', [
        {
          day: new Date(now).toISOString().slice(0, 10),
          alert_id: `new_service|10.250.0.${i}|tcp|443|${now}`,
          ts: now,
          kind: 'new_service',
          severity: 'medium',
          ip: `10.250.0.${i}`,
          proto: 'tcp',
          port: 443,
          message: 'benchmark',
          details: '{}',
          stored_at: now,
          net: '',
          owner: '',
        },
      ]);
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const sseMb = rssMb(child.pid!);
    ac.abort();
    const complete = [...received.values()].filter((n) => n === CLIENTS).length;
    console.log(
      JSON.stringify({
        sse_clients: CLIENTS,
        alerts: ALERTS,
        alerts_every_client_got: complete,
        deliveries: delays.length,
        store_to_client_p50_ms: pct(delays, 50),
        store_to_client_p99_ms: pct(delays, 99),
        store_to_client_max_ms: pct(delays, 100),
      }),
    );
    console.log(JSON.stringify({ console_rss_mb_at_rest: restMb, console_rss_mb_with_clients: sseMb }));
  } finally {
    child?.kill('SIGTERM');
    await s
      .command('drop', `DROP DATABASE IF EXISTS ${db}`)
      .catch((err) => console.error(`drop it yourself: DROP DATABASE ${db} (${String(err)})`));
    await s.close();
  }
}

await main();
