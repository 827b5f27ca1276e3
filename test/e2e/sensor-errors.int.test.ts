// Bad input at start: each problem is one `porthole:` line naming it and a non-zero exit; an
// unreachable broker is not fatal: the sensor says so and keeps retrying.

import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { porthole } from '../support/porthole.js';
import { BROKERS, deleteTopics } from '../support/kafka.js';
import { startSensor } from '../support/porthole-process.js';
import { type Forwarder, forwarder } from '../support/secure.js';
import { BIN } from '../support/porthole.js';

const tag = randomBytes(3).toString('hex');
const veth = `ph${tag}e0`;
const offVeth = `ph${tag}o0`;
afterAll(() => {
  for (const v of [veth, offVeth]) {
    try {
      execFileSync('ip', ['link', 'del', v]);
    } catch {
      /* not there */
    }
  }
});

const ownLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('porthole:'));

describe('sensor start-up errors', () => {
  it('an interface that does not exist', () => {
    const r = porthole(['sensor', '--iface', 'nosuch0']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('porthole: interface nosuch0 does not exist');
  });

  it('no permission to capture', () => {
    execFileSync('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', `ph${tag}e1`]);
    const out = (() => {
      try {
        execFileSync('su', ['nobody', '-s', '/bin/sh', '-c', `${process.execPath} ${BIN} sensor --iface ${veth}`], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
        return { status: 0, stderr: '' };
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    expect(out.status).toBe(1);
    expect(ownLines(out.stderr)).toEqual([
      `porthole: no permission to capture on ${veth}: run as root or grant CAP_NET_RAW and CAP_NET_ADMIN`,
    ]);
  });

  it('malformed config values, all reported at once', () => {
    const r = porthole(['sensor', '--iface', 'lo', '--window', 'soon', '--buffer-mb', 'lots']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/track\.window \(flag\).*soon/);
    expect(lines[0]).toMatch(/capture\.bufferMb \(flag\).*lots/);
  });

  it('an interface with segmentation offloads on: a warning naming them, gone after prepare-mirror', async () => {
    // a new veth has TSO and GSO on
    execFileSync('ip', ['link', 'add', offVeth, 'type', 'veth', 'peer', 'name', `ph${tag}o1`]);
    execFileSync('ip', ['link', 'set', offVeth, 'up']);
    const warned = (l: Record<string, unknown>): boolean =>
      typeof l.msg === 'string' && /^offloads on/.test(l.msg as string);
    const args = ['--iface', offVeth, '--brokers', '127.0.0.1:1'];
    const env = { PORTHOLE_PUBLISH_FLUSH_TIMEOUT: '1s' };
    const s = startSensor(args, env);
    const w = await s.waitFor(warned, 20_000);
    await s.stop();
    expect(w.offloads).toEqual(expect.arrayContaining(['tcp-segmentation-offload', 'generic-segmentation-offload']));
    expect(w.bufferFrames).toBeLessThan(5000); // the default 256 MiB in 64 KiB slots
    expect(w.msg).toMatch(new RegExp(`porthole prepare-mirror ${offVeth}$`));

    expect(porthole(['prepare-mirror', offVeth]).status).toBe(0);
    const s2 = startSensor(args, env);
    await s2.waitFor((l) => l.msg === 'dropped privileges', 20_000); // logged after the check
    await s2.stop();
    expect(s2.logs.filter(warned)).toEqual([]);
    expect(s2.logs.some((l) => l.msg === 'capturing')).toBe(true);
  });

  it('a broker that comes back during the flush gets everything (publish.flushTimeout is waited for)', async () => {
    // a port nobody listens on yet; the forwarder opened on it later leads to the real broker
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as { port: number }).port;
    await new Promise<void>((r) => free.close(() => r()));
    const s = startSensor(['--pcap', 'test/golden/netns-tshark.pcapng', '--brokers', `127.0.0.1:${port}`], {
      PORTHOLE_PUBLISH_FLUSH_TIMEOUT: '30s',
      PORTHOLE_KAFKA_OBSERVATIONS_TOPIC: `porthole-test-flush-${tag}`,
      PORTHOLE_KAFKA_STATUS_TOPIC: `porthole-test-flush-status-${tag}`,
    });
    let fwd: Forwarder | null = null;
    try {
      await s.waitFor((l) => typeof l.msg === 'string' && /kafka unreachable/.test(l.msg as string), 20_000);
      fwd = await forwarder('127.0.0.1', Number(BROKERS[0].split(':')[1]), port);
      const code = await new Promise<number | null>((r) => s.child.once('exit', (c) => r(c)));
      const stopped = s.logs.find((l) => l.msg === 'sensor stopped') as { published?: number } | undefined;
      expect(s.logs.filter((l) => /flush timeout/.test(String(l.msg)))).toEqual([]);
      expect(code).toBe(0);
      expect(stopped?.published).toBeGreaterThan(0);
    } finally {
      await s.stop();
      await fwd?.close();
      await deleteTopics([`porthole-test-flush-${tag}`, `porthole-test-flush-status-${tag}`]);
    }
  });

  it('an unreachable broker: keeps running and says it is retrying', async () => {
    const s = startSensor(['--iface', 'lo', '--brokers', '127.0.0.1:1', '--status-interval', '1s'], {
      PORTHOLE_PUBLISH_FLUSH_TIMEOUT: '1s',
    });
    const warn = await s.waitFor((l) => typeof l.msg === 'string' && /kafka unreachable/.test(l.msg as string), 20_000);
    expect(JSON.stringify(warn)).toMatch(/127\.0\.0\.1:1/);
    await s.waitFor((l) => l.msg === 'sensor status' && (l.status as { uptime_s: number }).uptime_s >= 3, 20_000);
    expect(s.child.exitCode).toBeNull();
    expect(await s.stop()).toBe(1); // queued health messages could not be delivered: said so, non-zero
  });
});
