// Alert routing and SIEM exports with the real analyzer, Kafka and ClickHouse: each team's
// webhook receives only the alerts of the addresses it owns (owners.rules), the default webhook
// only the unowned ones, and alerts.owner records the team; syslog receivers over UDP, TCP and
// TLS on 127.0.0.1 get every alert as RFC 5424 + CEF (octet-counted on TCP and TLS); the Kafka
// alerts topic carries ECS documents; `porthole services --csv` exports the inventory.

import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../common/time.js';
import { type AnalyzerEnv, analyzerEnv } from '../support/analyzer-env.js';
import { analyzerStarter, sendObservations as send, until } from '../support/analyzer-run.js';
import { CH_URL, chQuery } from '../support/clickhouse.js';
import { readTopic } from '../support/kafka.js';
import { observation } from '../support/observations.js';
import { porthole } from '../support/porthole.js';
import type { PortholeProc } from '../support/porthole-process.js';
import { type Receiver, selfSignedCert, streamReceiver, udpReceiver } from '../support/syslog-receivers.js';

let env: AnalyzerEnv | null = null;
const procs: PortholeProc[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  for (const c of closers.splice(0)) await c();
  await env?.cleanup();
  env = null;
});

const analyzer = analyzerStarter(procs);

/** A webhook receiver on 127.0.0.1: the "ip:port" of each alert it is sent. */
async function hook(): Promise<{ url: string; got: string[] }> {
  const got: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const a = JSON.parse(body) as { ip: string; port: number };
      got.push(`${a.ip}:${a.port}`);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, got };
}

type EcsDoc = Record<string, unknown> & {
  '@timestamp': string;
  destination?: { ip: string };
  event: { id: string; severity: number };
  porthole: { alert_id: string; ts: number };
};

/** A CEF event's seven header fields (split at unescaped pipes) and its extensions. */
function cefParts(e: string): string[] {
  const header = /^((?:[^|\\]|\\.)*\|){7}/.exec(e)![0];
  const fields = header.match(/(?:[^|\\]|\\.)*\|/g)!.map((f) => f.slice(0, -1));
  return [...fields, e.slice(header.length)];
}

describe('alert routing and SIEM exports', () => {
  it("each team's webhook gets its own alerts, the default webhook the unowned ones", async () => {
    const [a, b, def] = [await hook(), await hook(), await hook()];
    env = analyzerEnv({
      PORTHOLE_OWNERS_RULES: 'teamA=192.0.2.0/26,teamB=192.0.2.64/26,teamB=192.0.2.128/26:8443',
      PORTHOLE_OWNERS_WEBHOOKS: `teamA=${a.url},teamB=${b.url}`,
      PORTHOLE_ALERTS_WEBHOOKS: def.url,
    });
    await analyzer(env);
    const now = Date.now() - 60_000;
    const endpoints: Array<[string, number, string]> = [
      ['192.0.2.10', 80, 'teamA'],
      ['192.0.2.11', 22, 'teamA'],
      ['192.0.2.70', 443, 'teamB'],
      ['192.0.2.130', 8443, 'teamB'], // the port rule
      ['192.0.2.130', 80, ''], // same host, another port: no rule
      ['192.0.2.200', 22, ''],
    ];
    await send(
      env,
      endpoints.map(([ip, port]) => observation({ ip, port, window_start: now })),
    );
    await until(() => a.got.length + b.got.length + def.got.length >= endpoints.length, 30_000);
    await sleep(3000); // nothing more may come
    const want = (team: string) =>
      endpoints
        .filter(([, , t]) => t === team)
        .map(([ip, port]) => `${ip}:${port}`)
        .sort();
    expect(a.got.sort()).toEqual(want('teamA'));
    expect(b.got.sort()).toEqual(want('teamB'));
    expect(def.got.sort()).toEqual(want(''));
    const rows = await chQuery<{ ip: string; port: number; owner: string }>(
      `SELECT ip, port, owner FROM ${env.db}.alerts FINAL ORDER BY ip, port`,
    );
    expect(rows.map((r) => [r.ip, Number(r.port), r.owner])).toEqual(
      [...endpoints].sort((x, y) => x[0].localeCompare(y[0]) || x[1] - y[1]),
    );
    // the same inventory exported as CSV
    const csv = porthole(['services', '--csv', '--clickhouse', CH_URL, '--database', env.db]);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(
      'ip,port,proto,state,exposed_since,first_seen,last_seen,handshakes,clients,clients_internal,clients_internet,evidence,internet_exposed,owner,tags,sensors,verification,service,product,version',
    );
    expect(
      lines
        .slice(1, -1)
        .map((l) => l.split(',').slice(0, 4).join(','))
        .sort(),
    ).toEqual(endpoints.map(([ip, port]) => `${ip},${port},tcp,new`).sort());
    expect(lines.at(-1)).toBe('');
  });

  it('syslog over UDP, TCP and TLS gets every alert as RFC 5424 + CEF; Kafka gets ECS documents', async () => {
    const cert = selfSignedCert();
    closers.push(async () => cert.remove());
    const receivers: Receiver[] = [await udpReceiver(), await streamReceiver(), await streamReceiver(cert)];
    for (const r of receivers) closers.push(() => r.close());
    const [udp, tcp, tls] = receivers;
    env = analyzerEnv({
      PORTHOLE_ALERTS_SYSLOG: `udp://127.0.0.1:${udp.port},tcp://127.0.0.1:${tcp.port},tls://127.0.0.1:${tls.port}`,
      PORTHOLE_ALERTS_SYSLOG_CA: cert.certPath,
      PORTHOLE_OWNERS_RULES: 'web=2001:db8::/32',
      PORTHOLE_OWNERS_WEBHOOKS: 'web=http://127.0.0.1:1/unused',
    });
    await analyzer(env);
    const now = Date.now() - 60_000;
    await send(env, [
      observation({ ip: '192.0.2.1', port: 3306, window_start: now, sample_client: '203.0.113.5' }),
      observation({ ip: '2001:db8::1', port: 443, window_start: now, sample_client: '2001:db8::9' }),
    ]);
    await until(() => receivers.every((r) => r.messages.length >= 2), 30_000);
    await sleep(2000);
    for (const r of receivers) {
      expect(r.errors).toEqual([]);
      expect(r.messages.length).toBe(2);
      const [v4, v6] = [...r.messages].sort((x, y) => Number(x.includes('2001:db8')) - Number(y.includes('2001:db8')));
      // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
      const m = /^<(\d+)>1 (\S+) (\S+) porthole (\d+) (\S+) - (CEF:0\|.*)$/s.exec(v4)!;
      expect(m).not.toBeNull();
      expect(Number(m[1])).toBe(4 * 8 + 2); // security/authorization, critical (a high-risk port)
      expect(new Date(m[2]).toISOString()).toBe(m[2]);
      expect(m[5]).toBe('new_service');
      const [, vendor, product, , sig, name, sev, ext] = cefParts(m[6]);
      expect([vendor, product, sig, sev]).toEqual(['Porthole', 'Porthole', 'new_service', '8']);
      expect(name).toMatch(/^new service 192\.0\.2\.1:3306\/tcp/);
      expect(ext).toContain('dst=192.0.2.1 dpt=3306 proto=TCP src=203.0.113.5');
      expect(ext).not.toContain('cs1=');
      expect(v6).toContain('c6a3=2001:db8::1 c6a3Label=Destination IPv6 Address dpt=443');
      expect(v6).toContain('cs1=web cs1Label=owner');
      expect(v6).toMatch(/^<37>1 /); // notice: internal clients, not a high-risk port
    }
    expect(tcp.connections).toBe(1);

    const docs = (await readTopic(env.alertsTopic, (m) => m.length >= 2, 15_000)) as EcsDoc[];
    const v6 = docs.find((d) => d.destination?.ip === '2001:db8::1')!;
    expect(Object.keys(v6).sort()).toEqual(
      [
        '@timestamp',
        'destination',
        'ecs',
        'event',
        'labels',
        'message',
        'network',
        'observer',
        'organization',
        'porthole',
        'rule',
        'source',
      ].sort(),
    );
    expect(v6).toMatchObject({
      event: { kind: 'alert', category: ['network'], type: ['start'], action: 'new_service', severity: 3 },
      destination: { ip: '2001:db8::1', port: 443 },
      source: { ip: '2001:db8::9' },
      network: { transport: 'tcp', type: 'ipv6' },
      rule: { name: 'new_service' },
      observer: { vendor: 'Porthole', product: 'Porthole', name: 'test-sensor' },
      organization: { name: 'web' },
      labels: { owner: 'web', severity: 'low' },
      porthole: { kind: 'new_service', ip: '2001:db8::1', port: 443, owner: 'web' },
    });
    expect(v6.event.id).toBe(v6.porthole.alert_id);
    expect(new Date(v6['@timestamp']).getTime()).toBe(v6.porthole.ts);
    const v4 = docs.find((d) => d.destination?.ip === '192.0.2.1')!;
    expect(v4.event.severity).toBe(8);
    expect(v4).not.toHaveProperty('organization');
  });
});
