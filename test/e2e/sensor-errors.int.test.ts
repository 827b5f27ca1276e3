// Bad input at start: each problem is one `porthole:` line naming it and a non-zero exit; an
// unreachable broker is not fatal: the sensor says so and keeps retrying.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { porthole } from '../support/porthole.js';
import { startSensor } from '../support/porthole-process.js';
import { BIN } from '../support/porthole.js';

const tag = randomBytes(3).toString('hex');
const veth = `ph${tag}e0`;
afterAll(() => {
  try { execFileSync('ip', ['link', 'del', veth]); } catch { /* not there */ }
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
        execFileSync('su', ['nobody', '-s', '/bin/sh', '-c', `${process.execPath} ${BIN} sensor --iface ${veth}`], { encoding: 'utf8', stdio: 'pipe' });
        return { status: 0, stderr: '' };
      } catch (e) {
        return e as { status: number; stderr: string };
      }
    })();
    expect(out.status).toBe(1);
    expect(ownLines(out.stderr)).toEqual([`porthole: no permission to capture on ${veth}: run as root or grant CAP_NET_RAW and CAP_NET_ADMIN`]);
  });

  it('malformed config values, all reported at once', () => {
    const r = porthole(['sensor', '--iface', 'lo', '--window', 'soon', '--buffer-mb', 'lots']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/track\.window \(flag\).*soon/);
    expect(lines[0]).toMatch(/capture\.bufferMb \(flag\).*lots/);
  });

  it('an unreachable broker: keeps running and says it is retrying', async () => {
    const s = startSensor(['--iface', 'lo', '--brokers', '127.0.0.1:1', '--status-interval', '1s'], { PORTHOLE_PUBLISH_FLUSH_TIMEOUT: '1s' });
    const warn = await s.waitFor((l) => typeof l.msg === 'string' && /kafka unreachable/.test(l.msg as string), 20_000);
    expect(JSON.stringify(warn)).toMatch(/127\.0\.0\.1:1/);
    await s.waitFor((l) => l.msg === 'sensor status' && (l.status as { uptime_s: number }).uptime_s >= 3, 20_000);
    expect(s.child.exitCode).toBeNull();
    expect(await s.stop()).toBe(1); // queued health messages could not be delivered: said so, non-zero
  });
});
