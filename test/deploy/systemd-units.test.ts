// The systemd units of the long-running commands (deploy/systemd/): each one passes
// `systemd-analyze verify` without a warning, runs as the unprivileged `porthole` user with no
// new privileges, holds only the capabilities its job needs (the analyzer none, the verifier and
// the sweeper CAP_NET_RAW for nmap's SYN scan, the sensor its capture's two, porthole-up the union of its
// parts'), and reads the example config deploy/config/ ships for it; porthole-up lets its main
// process stop the parts in order (KillMode=mixed). Skipped, saying why, where systemd-analyze is not installed.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, exitStatusOf } from '../../common/errors.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const DIR = join(ROOT, 'deploy/systemd');
const HAS_ANALYZE = spawnSync('systemd-analyze', ['--version']).status === 0;

/** Each unit's [Service] settings, a key given several times joined by spaces. */
function service(unit: string): Record<string, string> {
  const out: Record<string, string> = {};
  let inService = false;
  for (const line of readFileSync(join(DIR, unit), 'utf8').split('\n')) {
    if (/^\[/.test(line)) inService = line.trim() === '[Service]';
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (inService && m) out[m[1]] = out[m[1]] === undefined ? m[2] : `${out[m[1]]} ${m[2]}`;
  }
  return out;
}

const CAPABILITIES: Record<string, string> = {
  'porthole-analyzer.service': '',
  'porthole-console.service': '',
  'porthole-verifier.service': 'CAP_NET_RAW',
  'porthole-sweeper.service': 'CAP_NET_RAW',
  'porthole-sensor.service': 'CAP_NET_RAW CAP_NET_ADMIN',
  // one unit for every part: the union of theirs
  'porthole-up.service': 'CAP_NET_RAW CAP_NET_ADMIN',
};

describe('systemd units', () => {
  it('one unit per long-running command', () => {
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(CAPABILITIES).sort());
  });

  it.each(Object.keys(CAPABILITIES))('%s: least privilege, and its example config exists', (unit) => {
    const s = service(unit);
    expect(s.User).toBe('porthole');
    expect(s.NoNewPrivileges).toBe('yes');
    expect(s.ProtectSystem).toBe('strict');
    expect(s.ProtectHome).toBe('yes');
    expect(s.CapabilityBoundingSet).toBe(CAPABILITIES[unit]);
    expect(s.AmbientCapabilities).toBe(CAPABILITIES[unit]);
    // a configuration the servers refuse exits 2 (cli/main.ts): restarting would only repeat it
    expect(s.RestartPreventExitStatus).toBe(String(exitStatusOf(new ConfigError('x'))));
    const config = /--config \/etc\/porthole\/([a-z]+\.json)$/.exec(s.ExecStart)?.[1];
    expect(config && existsSync(join(ROOT, 'deploy/config', config)), `${unit} reads ${config}`).toBe(true);
  });

  it('porthole-up.service: systemd signals up alone, which stops its parts in order, and gives it time', () => {
    const s = service('porthole-up.service');
    expect(s.KillMode).toBe('mixed');
    expect(Number.parseInt(s.TimeoutStopSec, 10)).toBeGreaterThanOrEqual(120);
    expect(s.ExecStart).toMatch(
      / up --sensor-config \/etc\/porthole\/sensor\.json --verifier-config \/etc\/porthole\/verifier\.json /,
    );
  });

  it.each(Object.keys(CAPABILITIES))('%s: systemd-analyze verify finds nothing', (unit, ctx) => {
    if (!HAS_ANALYZE) ctx.skip('systemd-analyze is not installed on this machine');
    const r = spawnSync('systemd-analyze', ['verify', join(DIR, unit)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    'porthole-analyzer.service',
    'porthole-console.service',
    'porthole-verifier.service',
    'porthole-sweeper.service',
  ])("%s: systemd's exposure rating is OK (below 3 of 10)", (unit, ctx) => {
    if (!HAS_ANALYZE) ctx.skip('systemd-analyze is not installed on this machine');
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', join(DIR, unit)], { encoding: 'utf8' });
    const level = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout)?.[1]);
    expect(level).toBeLessThan(3);
  });
});
