// porthole sweeper refuses, before touching Kafka or ClickHouse, a scope it may not or cannot
// sweep (one line, exit 2); porthole sweeps refuses arguments it does not take.

import { describe, expect, it } from 'vitest';
import { porthole } from '../support/porthole.js';

const run = (args: string[], env: Record<string, string> = {}) => {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return porthole(args);
  } finally {
    process.env = saved;
  }
};

describe('porthole sweeper and sweeps: arguments and scope', () => {
  it('nothing allowed: nothing swept, said once', () => {
    const r = run(['sweeper'], { PORTHOLE_VERIFY_ALLOWED_NETWORKS: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/verify.allowedNetworks is empty: nothing may be swept/);
  });

  it('a scope larger than sweep.maxAddresses is refused, not cut', () => {
    const r = run(['sweeper'], {
      PORTHOLE_VERIFY_ALLOWED_NETWORKS: '192.0.2.0/24',
      PORTHOLE_SWEEP_MAX_ADDRESSES: '100',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/256 addresses, more than sweep.maxAddresses \(100\)/);
  });

  it('bad sweep keys: every problem at once', () => {
    const r = run(['sweeper'], { PORTHOLE_SWEEP_PORTS: 'top-0', PORTHOLE_SWEEP_PERIOD: '5s' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sweep.ports: .*sweep.period: at least 1m/);
  });

  it('sweeps: the list or show ID, nothing else', () => {
    expect(run(['sweeps', 'show']).status).toBe(2);
    expect(run(['sweeps', 'delete', 'x']).status).toBe(2);
    expect(run(['sweeps', '--help']).stdout).toMatch(/dormant/);
    expect(run(['sweeper', '--help']).stdout).toMatch(/sweep.hostTimeout/);
  });
});
