// `porthole up` end to end, all real, against the shared local Kafka and ClickHouse (which it must
// find running and leave running): with a capture file as input it starts the analyzer, the
// verifier, the console and the sensor, whose Observations reach the inventory; a part killed
// with SIGKILL is started again and `porthole status` counts the restart; SIGTERM stops every
// part in order and leaves no process behind. On a mirror port (a tc mirror in network
// namespaces) it prepares the port, captures into the inventory, and stops the sensor (which
// flushes) before the analyzer. Its own database, topics, groups and ports; removed afterwards.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapFile } from '../../demo/pcap-writer.js';
import { BASELINE, history } from '../../demo/story.js';
import type { UpState } from '../../up/state.js';
import { answers } from '../../up/local-services.js';
import { chQuery, dropDb, randomDb } from '../support/clickhouse.js';
import { deleteTopics, randomTopic } from '../support/kafka.js';
import { freePort } from '../support/metrics.js';
import { CONNECT_CLIENT, createMirrorLab, type MirrorLab, MULTI_PORT_SERVER, SERVER_V4 } from '../support/netns.js';
import { porthole } from '../support/porthole.js';
import { type PortholeProc, startPorthole } from '../support/porthole-process.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-up-'));
const db = randomDb();
const topics = {
  obs: randomTopic('obs'),
  status: randomTopic('status'),
  dlq: randomTopic('dlq'),
  alerts: randomTopic('alerts'),
  verify: randomTopic('verify'),
};
const statePath = join(dir, 'up.json');
let up: PortholeProc | null = null;

const state = (): UpState => JSON.parse(readFileSync(statePath, 'utf8')) as UpState;
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const seenPids = new Set<number>();
const note = (s: UpState): UpState => {
  for (const p of s.parts) if (p.pid) seenPids.add(p.pid);
  return s;
};

async function until<T>(
  what: string,
  f: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; up's last lines: ${JSON.stringify(up?.logs.slice(-8))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let lab: MirrorLab | null = null;

afterAll(async () => {
  if (up && up.child.exitCode === null) await up.stop('SIGKILL');
  lab?.cleanup();
  for (const pid of seenPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await dropDb(db);
  await deleteTopics(Object.values(topics));
  rmSync(dir, { recursive: true, force: true });
});

/** The analyzer's and the sensor's config files: the run's own names and free ports. */
async function writeConfigs(): Promise<{ analyzer: string; sensor: string; consolePort: number }> {
  const [ma, mv, mc, ms, consolePort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const analyzer = join(dir, 'analyzer.json');
  const sensor = join(dir, 'sensor.json');
  writeFileSync(
    analyzer,
    JSON.stringify({
      clickhouse: { database: db },
      kafka: {
        groupId: `${db}-a`,
        verifierGroupId: `${db}-v`,
        observationsTopic: topics.obs,
        deadLetterTopic: topics.dlq,
        alertsTopic: topics.alerts,
        verifyRequestsTopic: topics.verify,
      },
      metrics: { listen: `127.0.0.1:${ma}` },
      verify: { metricsListen: `127.0.0.1:${mv}` },
      console: { listen: `127.0.0.1:${consolePort}`, metricsListen: `127.0.0.1:${mc}` },
    }),
  );
  writeFileSync(
    sensor,
    JSON.stringify({
      sensor: { id: 'up-test' },
      track: { window: '1s' },
      kafka: { observationsTopic: topics.obs, statusTopic: topics.status },
      metrics: { listen: `127.0.0.1:${ms}` },
    }),
  );
  return { analyzer, sensor, consolePort };
}

describe('porthole up', () => {
  it('runs every part on a capture file, restarts a killed part, and stops them all in order', async () => {
    const { analyzer, sensor, consolePort } = await writeConfigs();
    const capture = join(dir, 'history.pcap');
    const t = Date.now();
    writeFileSync(capture, pcapFile(history(t - 10 * 60_000, t, t - 6 * 60_000)));

    up = startPorthole(
      ['up', '--config', analyzer, '--sensor-config', sensor, '--pcap', capture, '--state', statePath],
      {},
    );
    await up.waitFor((l) => l.part === 'up' && l.msg === 'kafka: the local one, running already', 30_000);
    await up.waitFor((l) => l.part === 'console' && l.msg === 'console listening', 60_000);
    await up.waitFor((l) => l.part === 'up' && l.msg === 'sensor done', 60_000);
    // the capture's services reached the inventory through Kafka and the analyzer
    await until(
      'the inventory',
      async () => {
        const [r] = await chQuery<{ n: string }>(
          `SELECT count() AS n FROM (SELECT ip, port FROM ${db}.endpoint_states GROUP BY ip, port)`,
        );
        return Number(r.n) === BASELINE.services;
      },
      60_000,
    );
    const running = note(
      await until(
        'every part running',
        () => {
          const s = state();
          const by = Object.fromEntries(s.parts.map((p) => [p.name, p.state]));
          return by.analyzer === 'running' && by.verifier === 'running' && by.sensor === 'done' && s.console && s;
        },
        30_000,
      ),
    );
    expect(running.services).toEqual({ kafka: 'running', clickhouse: 'running' });
    expect(running.console).toBe(`http://127.0.0.1:${consolePort}`);

    // a part killed is started again, the restart counted
    const killed = running.parts.find((p) => p.name === 'verifier')!.pid!;
    process.kill(killed, 'SIGKILL');
    const after = note(
      await until(
        'the verifier restarted',
        () => {
          const v = state().parts.find((p) => p.name === 'verifier')!;
          return v.state === 'running' && v.pid !== killed && state();
        },
        30_000,
      ),
    );
    await until(
      'the restarted verifier consuming',
      () => up!.logs.filter((l) => l.msg === 'verifier running').length === 2,
      30_000,
    );
    const status = porthole(['status', '--state', statePath]);
    expect(status.status).toBe(0);
    const row = status.stdout.split('\n').find((l) => l.startsWith('verifier'))!;
    expect(row).toMatch(/^verifier\s+running\s+\d+\s+\S+\s+1\s+.*killed by SIGKILL$/);
    expect(status.stdout).toMatch(/^analyzer\s+running\s+\d+\s+\S+\s+0\s+\d+\.\d observations\/s \(\d+\)/m);
    expect(status.stdout).toContain('kafka: local, running already');

    // SIGTERM: every part stopped, in order, nothing left; the shared services still run
    const code = await up.stop('SIGTERM');
    expect(code).toBe(0);
    const end = state();
    const exitAt = (part: string): number => end.parts.find((p) => p.name === part)!.lastExit!.at;
    expect(exitAt('analyzer')).toBeLessThanOrEqual(exitAt('verifier'));
    expect(exitAt('verifier')).toBeLessThanOrEqual(exitAt('console'));
    for (const pid of [...seenPids, ...after.parts.map((p) => p.pid ?? 0).filter(Boolean)])
      expect(alive(pid)).toBe(false);
    expect(end.stoppedAt).not.toBeNull();
    expect(end.parts.map((p) => p.state).sort()).toEqual(['done', 'stopped', 'stopped', 'stopped']);
    expect(porthole(['status', '--state', statePath]).status).toBe(3);
    expect(await answers(9092)).toBe(true);
    expect(await answers(8123)).toBe(true);
  });

  it('on a mirror port: prepares it, captures, and on SIGTERM stops the sensor before the rest', async () => {
    const { analyzer, sensor } = await writeConfigs();
    lab = createMirrorLab();
    lab.spawnIn(lab.srv, ['python3', '-c', MULTI_PORT_SERVER, '8080']);
    up = startPorthole(
      [
        'up',
        '--config',
        analyzer,
        '--sensor-config',
        sensor,
        '--iface',
        lab.monitor,
        '--prepare-mirror',
        '--state',
        statePath,
      ],
      {},
    );
    await up.waitFor((l) => l.part === 'sensor' && l.msg === 'capturing', 60_000);
    expect(execFileSync('ip', ['-o', 'link', 'show', lab.monitor], { encoding: 'utf8' })).toMatch(/PROMISC/);
    lab.run(lab.cli, ['python3', '-c', CONNECT_CLIENT, SERVER_V4, '8080', '8080']);
    await until(
      'the endpoint in the inventory',
      async () =>
        (await chQuery(`SELECT port FROM ${db}.observations WHERE ip = '${SERVER_V4}' AND port = 8080`)).length > 0,
      60_000,
    );
    note(state());
    expect(await up.stop('SIGTERM')).toBe(0);
    const at = (part: string, msg: string): number =>
      Number(up!.logs.find((l) => l.part === part && l.msg === msg)?.time ?? Number.NaN);
    // the sensor flushed and stopped while the analyzer still ran
    expect(at('sensor', 'sensor stopped')).toBeLessThan(at('analyzer', 'stopping'));
    const end = state();
    expect(end.parts.map((p) => p.state).sort()).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    for (const pid of seenPids) expect(alive(pid)).toBe(false);
  });
});
