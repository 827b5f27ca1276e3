// Owner routing configuration: the most specific owners.rules entry names an alert's team, and
// start-up refuses bad entries (each naming its key) all at once.

import { describe, expect, it } from 'vitest';
import { loadAnalyzerConfig } from '../../analyzer/config.js';
import { ownerOf, parseOwnerRules } from '../../analyzer/owners.js';
import { owned, synProxyHostAlert } from '../../analyzer/rules.js';
import { ConfigError } from '../../common/errors.js';
import { observation } from '../support/observations.js';

const rules = (list: string[]) => {
  const errors: string[] = [];
  const r = parseOwnerRules(list, 'owners.rules', errors);
  expect(errors).toEqual([]);
  return r;
};

describe('ownerOf', () => {
  const r = rules([
    'platform=10.0.0.0/8',
    'dba=10.0.0.0/8:5432',
    'web=10.1.2.0/24',
    'host=10.1.2.3:22',
    'v6=2001:db8::/32',
    'v6ssh=2001:db8::/48:22',
    'one6=[2001:db8:1::1]:443',
  ]);
  it.each([
    ['10.9.9.9', 80, 'platform'],
    ['10.9.9.9', 5432, 'dba'],
    ['10.1.2.9', 5432, 'web'], // a longer prefix beats a port
    ['10.1.2.3', 22, 'host'],
    ['10.1.2.3', 23, 'web'],
    ['2001:db8:5::1', 80, 'v6'],
    ['2001:db8::7', 22, 'v6ssh'],
    ['2001:db8:1::1', 443, 'one6'],
    ['192.0.2.1', 80, ''],
    ['', 0, ''],
  ])('%s port %i is owned by "%s"', (ip, port, team) => {
    expect(ownerOf(ip, port, r)).toBe(team);
  });
  it('at equal specificity the first rule given wins', () => {
    expect(ownerOf('10.0.0.1', 80, rules(['a=10.0.0.0/8', 'b=10.0.0.0/8']))).toBe('a');
  });
  it('a host-level alert (port 0) takes a portless rule', () => {
    const a = synProxyHostAlert(observation({ ip: '10.1.2.3', port: 22, window_start: 0 }), 200, 100, 1000);
    expect(owned(a, r).owner).toBe('web');
  });
});

describe('owners configuration', () => {
  const load = (env: Record<string, string>) => loadAnalyzerConfig({ env });
  it('parses teams and their sinks', () => {
    const c = load({
      PORTHOLE_OWNERS_RULES: 'web=10.1.0.0/16,dba=10.0.0.0/8:5432',
      PORTHOLE_OWNERS_WEBHOOKS: 'web=http://127.0.0.1:1/web',
      PORTHOLE_OWNERS_SLACK_WEBHOOKS: 'dba=https://127.0.0.1:1/dba',
      PORTHOLE_ALERTS_SYSLOG: 'udp://127.0.0.1:514,tls://[::1]:6514',
    });
    expect(c.alerts.ownerWebhooks).toEqual([{ team: 'web', url: 'http://127.0.0.1:1/web' }]);
    expect(c.alerts.ownerSlackWebhooks).toEqual([{ team: 'dba', url: 'https://127.0.0.1:1/dba' }]);
    expect(c.alerts.syslog.map((t) => [t.transport, t.host, t.port])).toEqual([
      ['udp', '127.0.0.1', 514],
      ['tls', '::1', 6514],
    ]);
    expect(c.policy.owners.map((r) => r.team)).toEqual(['web', 'dba']); // the /16 before the /8
  });
  it('reports every bad entry at once, naming its key, never a webhook URL', () => {
    let err: unknown;
    try {
      load({
        PORTHOLE_OWNERS_RULES:
          'web=10.1.0.0/33,db a=10.0.0.0/8,ops=10.2.0.0/16:70000,web=10.3.0.0/16,lonely=10.4.0.0/16',
        PORTHOLE_OWNERS_WEBHOOKS: 'nobody=http://127.0.0.1:1/secret-token,web=ftp://x/secret-token',
        PORTHOLE_ALERTS_SYSLOG: 'udp://127.0.0.1,http://127.0.0.1:514',
        PORTHOLE_ALERTS_SYSLOG_CA: '/nonexistent/ca.pem',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const m = (err as Error).message;
    for (const part of [
      'owners.rules: not TEAM=CIDR[:PORT]: "web=10.1.0.0/33"',
      'owners.rules: not TEAM=CIDR[:PORT]: "db a=10.0.0.0/8"',
      'owners.rules: not TEAM=CIDR[:PORT]: "ops=10.2.0.0/16:70000"',
      'owners.webhooks: team nobody has no rule in owners.rules',
      'owners.webhooks: an entry is not TEAM=http(s)://… (team web)',
      'owners.rules: team lonely has no sink',
      'alerts.syslog: not udp://, tcp:// or tls://host:port: "udp://127.0.0.1"',
      'alerts.syslog: not udp://, tcp:// or tls://host:port: "http://127.0.0.1:514"',
      'alerts.syslogCa: cannot read /nonexistent/ca.pem',
    ])
      expect(m).toContain(part);
    expect(m).not.toContain('secret-token');
  });
});
