// A secret on the command line is refused before any command runs: one line naming where it
// goes instead, exit 2, and the value itself never repeated.

import { describe, expect, it } from 'vitest';
import { porthole } from '../support/porthole.js';

const SECRET = 'hunter2-do-not-echo';

describe('secrets are not taken from the command line', () => {
  it.each([
    [
      ['sensor', '--pcap', 'x.pcap', '--kafka-sasl-password', SECRET],
      /^porthole: --kafka-sasl-password: .*kafka\.sasl\.passwordFile or PORTHOLE_KAFKA_SASL_PASSWORD$/,
    ],
    [['analyzer', `--password=${SECRET}`], /^porthole: --password: .*PORTHOLE_KAFKA_SASL_PASSWORD$/],
    [['verifier', '--key-passphrase', SECRET], /^porthole: --key-passphrase: .*PORTHOLE_KAFKA_TLS_KEY_PASSPHRASE$/],
    [
      ['services', '--clickhouse-password', SECRET],
      /^porthole: --clickhouse-password: .*PORTHOLE_CLICKHOUSE_PASSWORD$/,
    ],
    [
      ['services', '--clickhouse', `https://admin:${SECRET}@127.0.0.1:8443`],
      /^porthole: clickhouse\.url: a URL with a password on the command line/,
    ],
  ])('%j', (args, line) => {
    const r = porthole(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(line);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('the help says where secrets go', () => {
    const help = porthole(['sensor', '--help']).stdout;
    expect(help).toMatch(
      /kafka\.sasl\.passwordFile .* file holding the SASL password \(or PORTHOLE_KAFKA_SASL_PASSWORD; never a flag\)/,
    );
  });
});
