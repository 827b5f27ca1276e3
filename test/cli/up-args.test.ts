// `porthole up`, `status` and `demo` refuse what cannot work before starting anything: one
// line and exit 2 for a bad option, configuration or capture file; status says when there is
// no state to show (exit 3, as a stopped service).

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { porthole } from '../support/porthole.js';

const state = '/nonexistent-porthole-dir/up.json';

describe('porthole up / status / demo arguments', () => {
  it('up refuses a capture file it cannot read, a bad interface name and an unknown option', () => {
    const file = porthole(['up', '--pcap', '/nonexistent.pcap', '--state', state]);
    expect(file.status).toBe(2);
    expect(file.stderr).toBe('porthole: --pcap /nonexistent.pcap: no such file\n');
    const iface = porthole(['up', '--iface', 'eth/1', '--state', state]);
    expect(iface.status).toBe(2);
    expect(iface.stderr).toMatch(
      /^porthole: invalid configuration: capture\.iface: not an interface name: "eth\/1"\n$/,
    );
    expect(porthole(['up', '--bogus']).stderr).toBe('porthole: unknown option --bogus (see porthole up --help)\n');
    expect(existsSync(state)).toBe(false);
  });

  it('status without a state file exits 3 and says where it looked', () => {
    const r = porthole(['status', '--state', state]);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(
      `porthole: no state of porthole up in ${state} (is it running? --state names another file)\n`,
    );
  });

  it('each has its help', () => {
    for (const cmd of ['up', 'status', 'demo']) {
      const r = porthole([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: porthole ${cmd}`));
    }
    expect(porthole(['--help']).stdout).toMatch(/\n {2}up +run the whole system on one box/);
  });
});
