// The Observation schema's validator and the canonical address text it relies on.

import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../schemas/ip.js';
import {
  captureLoss,
  OBSERVATION_VERSION,
  type Observation,
  type ObservationV1,
  upgradeObservation,
  validateObservation,
} from '../../schemas/observation.js';
import { DEFAULT_HOME_NETWORKS } from '../../schemas/zones.js';

const v1: ObservationV1 = {
  v: 1,
  sensor: 's1',
  ip: '2001:db8::1',
  port: 443,
  proto: 'tcp',
  window_start: 0,
  first_seen: 1,
  last_seen: 2,
  handshakes: 3,
  clients: 2,
  sample_client: '192.0.2.1',
  evidence: 'handshake',
  vlan: null,
  ttl: 64,
  tcp_window: 65535,
  mss: 1460,
};

const sketch = (first: number): number[] => Array.from({ length: 64 }, (_, i) => (i + first) % 28);

const good: Observation = {
  ...v1,
  v: OBSERVATION_VERSION,
  clients_internal: 1,
  clients_internet: 1,
  sample_clients: ['192.0.2.1', '10.1.2.3'],
  hll_internal: sketch(0),
  hll_internet: sketch(5),
  loss_checked: 40,
  loss_missed: 1,
  sampling_rate: null,
};

const isInternal = (ip: string): boolean => DEFAULT_HOME_NETWORKS.internalIp(ip);

describe('Observation', () => {
  it('accepts a valid version 2 message', () => {
    expect(validateObservation(good)).toEqual({ ok: true, value: good });
  });

  it('accepts a version 1 message and upgrades it', () => {
    expect(validateObservation(v1)).toEqual({
      ok: true,
      value: {
        ...v1,
        v: 2,
        clients_internal: 0,
        clients_internet: 2,
        sample_clients: ['192.0.2.1'],
        hll_internal: [],
        hll_internet: [],
        loss_checked: null,
        loss_missed: null,
        sampling_rate: null,
      },
    });
  });

  it('accepts a version 2 message of a sensor made before the loss counts: both null', () => {
    const { loss_checked, loss_missed, ...older } = good;
    expect(validateObservation(older)).toEqual({
      ok: true,
      value: { ...older, loss_checked: null, loss_missed: null },
    });
  });

  it('accepts a version 2 message of a sensor made before sampling: sampling_rate null', () => {
    const { sampling_rate, ...older } = good;
    expect(validateObservation(older)).toEqual({ ok: true, value: { ...older, sampling_rate: null } });
  });

  it('evidence sampled comes with its sampling rate, and only it does', () => {
    const sampled = { ...good, evidence: 'sampled', sampling_rate: 512, handshakes: 1536 };
    expect(validateObservation(sampled)).toEqual({ ok: true, value: sampled });
    const without = validateObservation({ ...good, evidence: 'sampled' });
    expect(without).toEqual({ ok: false, errors: ['sampling_rate: set exactly when evidence is sampled'] });
    const mirrored = validateObservation({ ...good, sampling_rate: 512 });
    expect(mirrored).toEqual({ ok: false, errors: ['sampling_rate: set exactly when evidence is sampled'] });
    expect(validateObservation({ ...sampled, sampling_rate: 0 })).toEqual({
      ok: false,
      errors: ['sampling_rate: at least 1'],
    });
  });

  it('version 1 knows no sampled evidence', () => {
    const r = validateObservation({ ...v1, evidence: 'sampled' });
    expect(r).toEqual({ ok: false, errors: ['evidence: must be one of handshake|synack, got "sampled"'] });
  });

  it('capture loss: missed of the 2 packets per checked handshake, unknown when none was checked', () => {
    expect(captureLoss(40, 1)).toBe(1 / 80);
    expect(captureLoss(40, 0)).toBe(0);
    expect(captureLoss(0, 0)).toBe(null);
    expect(captureLoss(null, null)).toBe(null);
  });

  it('validates a version 1 message against the version 1 fields only', () => {
    const r = validateObservation({ ...v1, sample_clients: 'ignored', port: -1 });
    expect(r).toEqual({ ok: false, errors: ['port: must be an integer 0..65535, got -1'] });
  });

  it('upgrades version 1: every client in the zone of its sample client, sketches unknown', () => {
    const o = upgradeObservation({ ...v1, sample_client: '10.0.0.7', clients: 5 }, isInternal);
    expect(o).toMatchObject({
      v: 2,
      clients: 5,
      clients_internal: 5,
      clients_internet: 0,
      sample_client: '10.0.0.7',
      sample_clients: ['10.0.0.7'],
      hll_internal: [],
      hll_internet: [],
      loss_checked: null,
      loss_missed: null,
    });
    expect(validateObservation(o).ok).toBe(true);
  });

  it('refuses any other version', () => {
    const r = validateObservation({ ...good, v: 3 });
    expect(r).toEqual({ ok: false, errors: ['v: must be 2, got 3'] });
  });

  it('reports every problem at once, naming fields', () => {
    const r = validateObservation({
      ...good,
      port: 70000,
      ip: '2001:DB8::1',
      evidence: 'maybe',
      sensor: undefined,
      sample_clients: ['192.0.2.1', '192.0.2.1'],
      hll_internal: [1, 2, 3],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(6);
      expect(r.errors.join('\n')).toMatch(/ip: not canonical .*2001:db8::1/);
      expect(r.errors.join('\n')).toMatch(/port: must be an integer 0..65535/);
      expect(r.errors).toContain('sample_clients[1]: repeats 192.0.2.1');
      expect(r.errors).toContain('hll_internal: must hold 0 or 64 values, got 3');
    }
  });

  it.each([
    [
      { sample_clients: Array.from({ length: 9 }, (_, i) => `192.0.2.${i}`) },
      'sample_clients: more than 8 addresses (9)',
    ],
    [
      { sample_clients: ['192.0.2.1', '2001:DB8::2'] },
      'sample_clients[1]: not canonical ("2001:DB8::2"; canonical is 2001:db8::2)',
    ],
    [{ sample_clients: '192.0.2.1' }, 'sample_clients: must be a list of IP address strings, got string'],
    [
      { hll_internet: sketch(0).map((x, i) => (i === 9 ? 28 : x)) },
      'hll_internet[9]: must be an integer 0..27, got 28',
    ],
    [{ hll_internet: null }, 'hll_internet: required'],
    [{ clients_internal: 2 }, 'clients_internal + clients_internet: must equal clients (2), got 2 + 1'],
    [{ loss_missed: 41 }, 'loss_missed: at most loss_checked (40), got 41'],
    [{ loss_missed: null }, 'loss_checked, loss_missed: both or neither'],
    [{ loss_checked: -1 }, 'loss_checked: must be an integer 0..4294967295, got -1'],
  ])('refuses %j', (change, error) => {
    expect(validateObservation({ ...good, ...change })).toEqual({ ok: false, errors: [error] });
  });

  it('accepts empty sketches (no clients in the zone, or unknown after an upgrade)', () => {
    const o = { ...good, clients: 1, clients_internal: 0, clients_internet: 1, hll_internal: [] };
    expect(validateObservation(o)).toEqual({ ok: true, value: o });
  });

  it('rejects non-objects', () => {
    expect(validateObservation('x').ok).toBe(false);
    expect(validateObservation([good]).ok).toBe(false);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['10.0.100.9', '10.0.100.9'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['fe80::1:2', 'fe80::1:2'],
  ])('%s -> %s', (a, b) => expect(canonicalIp(a)).toBe(b));

  it.each([
    '',
    '1.2.3',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4.',
    '.1.2.3',
    '1..2.3',
    '1.2.3.4 ',
    '1.2.3.1000',
    '1.2.3.00',
    '1.2.3.-1',
    '1.2.3.4.5',
    '1::2::3',
    'fe80::1%eth0',
    'gggg::',
    '1:2:3:4:5:6:7:8:9',
  ])('%s is refused', (a) => expect(canonicalIp(a)).toBeNull());
});
