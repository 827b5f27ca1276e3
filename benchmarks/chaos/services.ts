// The chaos soak's own Kafka and ClickHouse: deploy/local.sh run with a fresh PORTHOLE_HOME under
// /root (its own tls/ and secrets/ too) and free loopback ports for every listener, plain and
// secured, so killing them never touches the shared instances. The Kafka
// jars are hard-linked from the shared cache (no download). kill() is SIGKILL of the pid in the
// pid file; remove() kills both and deletes the home, whatever state they are in.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { sleep } from '../../common/time.js';

const run = promisify(execFile);
export type Service = 'kafka' | 'clickhouse';

export interface OwnServices {
  home: string;
  brokers: string[];
  clickhouseUrl: string;
  up(svc: Service): Promise<void>;
  kill(svc: Service): Promise<void>;
  pid(svc: Service): number | null;
  remove(): Promise<void>;
}

/** A loopback port nobody listens on now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function linkJars(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) {
    try {
      linkSync(`${from}/${f}`, `${to}/${f}`);
    } catch {
      copyFileSync(`${from}/${f}`, `${to}/${f}`);
    }
  }
}

export async function ownServices(root: string, sharedHome = '/root/.porthole'): Promise<OwnServices> {
  const home = mkdtempSync('/root/.porthole-chaos-');
  const ports: number[] = [];
  while (ports.length < 6) {
    const p = await freePort();
    if (!ports.includes(p)) ports.push(p);
  }
  const env = {
    ...process.env,
    PORTHOLE_HOME: home,
    PORTHOLE_KAFKA_PORT: String(ports[0]),
    PORTHOLE_KAFKA_CONTROLLER_PORT: String(ports[1]),
    PORTHOLE_CLICKHOUSE_HTTP_PORT: String(ports[2]),
    PORTHOLE_CLICKHOUSE_TCP_PORT: String(ports[3]),
    PORTHOLE_KAFKA_SSL_PORT: String(ports[4]),
    PORTHOLE_CLICKHOUSE_HTTPS_PORT: String(ports[5]),
  };
  if (existsSync(`${sharedHome}/kafka/libs/.complete`)) linkJars(`${sharedHome}/kafka/libs`, `${home}/kafka/libs`);
  const pidFile = (svc: Service): string => `${home}/${svc}/${svc}.pid`;
  const pid = (svc: Service): number | null => {
    try {
      const p = Number(readFileSync(pidFile(svc), 'utf8').trim());
      process.kill(p, 0);
      return p;
    } catch {
      return null;
    }
  };
  const local = (cmd: string, svc: Service) =>
    run('bash', [`${root}/deploy/local.sh`, cmd, svc], { env, timeout: 180_000 });
  const kill = async (svc: Service): Promise<void> => {
    const p = pid(svc);
    if (p === null) return;
    process.kill(p, 'SIGKILL');
    for (let i = 0; i < 100 && pid(svc) === p; i++) await sleep(100);
  };
  return {
    home,
    brokers: [`127.0.0.1:${ports[0]}`],
    clickhouseUrl: `http://127.0.0.1:${ports[2]}`,
    pid,
    kill,
    async up(svc) {
      await local('up', svc);
    },
    async remove() {
      // its data is thrown away: no clean shutdown needed
      for (const svc of ['kafka', 'clickhouse'] as const) await kill(svc);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
