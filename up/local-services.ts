// Kafka and ClickHouse for one box. When the configuration names the local ones (loopback, at
// the ports deploy/local.sh serves) and they do not answer, `porthole up` starts them with
// deploy/local.sh and stops them when it stops; ones that already answer (started by hand, by
// the tests, by another up) and ones configured elsewhere are left as they are, running.

import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../common/version.js';
import { UpError } from './errors.js';

export type ServiceName = 'kafka' | 'clickhouse';

/** external: configured elsewhere; running: answered already; started: started by up */
export type ServiceHow = 'external' | 'running' | 'started';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function port(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const v = Number(env[name]);
  return Number.isInteger(v) && v > 0 ? v : def;
}

/** The loopback port deploy/local.sh would serve `name` on, when the configuration points there; else null. */
export function localPort(
  name: ServiceName,
  cfg: { brokers: string[]; clickhouseUrl: string },
  env: NodeJS.ProcessEnv = process.env,
): number | null {
  if (name === 'kafka') {
    const ports = [port(env, 'PORTHOLE_KAFKA_PORT', 9092), port(env, 'PORTHOLE_KAFKA_SSL_PORT', 9094)];
    const parsed = cfg.brokers.map((b) => /^\[?([^\]]+?)\]?:(\d+)$/.exec(b));
    const local = parsed.every((m) => m && LOOPBACK.has(m[1]) && ports.includes(Number(m[2])));
    return local && parsed.length > 0 ? ports[0] : null;
  }
  let u: URL;
  try {
    u = new URL(cfg.clickhouseUrl);
  } catch {
    return null;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const http = port(env, 'PORTHOLE_CLICKHOUSE_HTTP_PORT', 8123);
  const https = port(env, 'PORTHOLE_CLICKHOUSE_HTTPS_PORT', 8443);
  const p = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  return LOOPBACK.has(host) && (p === http || p === https) ? http : null;
}

/** Whether something accepts TCP connections on 127.0.0.1:`p` (within a second). */
export function answers(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: p });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Run `deploy/local.sh ACTION NAME`, each output line to `line`; rejects with its last line on failure. */
export function localSh(action: 'up' | 'down', name: ServiceName, line: (text: string) => void): Promise<void> {
  const script = join(PACKAGE_ROOT, 'deploy', 'local.sh');
  return new Promise((resolve, reject) => {
    const c = spawn('bash', [script, action, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (l.trim()) {
          last = l;
          line(l);
        }
      }
    };
    c.stdout.on('data', onData);
    c.stderr.on('data', onData);
    c.on('error', reject);
    c.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new UpError('LOCAL_SERVICE_FAILED', `deploy/local.sh ${action} ${name} failed (exit ${code}): ${last}`),
          ),
    );
  });
}
