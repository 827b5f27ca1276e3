// The console's configuration is checked at start-up: every problem in one error.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConsoleConfig } from '../../console/config.js';

const dir = mkdtempSync(join(tmpdir(), 'porthole-console-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('console configuration', () => {
  it('defaults to loopback port 8080 without TLS or single sign-on', () => {
    const { console: c } = loadConsoleConfig({ env: {} });
    expect([c.host, c.port, c.tls, c.oidc]).toEqual(['127.0.0.1', 8080, null, null]);
    expect(c.sessionIdleMs).toBe(30 * 60_000);
  });

  it('takes listen addresses with IPv6 in brackets', () => {
    const { console: c } = loadConsoleConfig({
      env: {},
      flags: { 'console.listen': '[::1]:9000', 'console.metricsListen': 'off' },
    });
    expect([c.host, c.port, c.metricsListen]).toEqual(['::1', 9000, null]);
    expect(loadConsoleConfig({ env: {} }).console.metricsListen).toEqual({ host: '127.0.0.1', port: 9467 });
  });

  it('lists every problem in one error', () => {
    expect(() =>
      loadConsoleConfig({
        env: {},
        flags: {
          'console.tlsCert': join(dir, 'cert.pem'),
          'console.sessionIdle': '10s',
          'console.oidc.issuer': 'http://127.0.0.1:9/',
          'console.oidc.roles': ['admins=root'],
        },
      }),
    ).toThrow(
      /console\.tlsCert and console\.tlsKey: give both.*console\.sessionIdle: at least 1m.*console\.oidc\.clientId: required.*console\.oidc\.roles/,
    );
  });

  it('refuses a listen address that is not address:port', () => {
    expect(() => loadConsoleConfig({ env: {}, flags: { 'console.listen': 'nowhere' } })).toThrow(
      /console\.listen \(flag\): must be address:port/,
    );
  });

  it('reads the TLS files and the client secret at start-up, and never shows the secret', () => {
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    writeFileSync(join(dir, 'k.pem'), 'KEY');
    writeFileSync(join(dir, 'secret'), 's3cr3t-value\n');
    const { console: c } = loadConsoleConfig({
      env: {},
      flags: {
        'console.tlsCert': join(dir, 'c.pem'),
        'console.tlsKey': join(dir, 'k.pem'),
        'console.oidc.issuer': 'http://127.0.0.1:9/',
        'console.oidc.clientId': 'porthole',
        'console.oidc.clientSecretFile': join(dir, 'secret'),
        'console.oidc.roles': ['soc=analyst', 'cn=ops,dc=example=admin'],
      },
    });
    expect(c.tls).toEqual({ cert: 'CERT', key: 'KEY' });
    expect([...(c.oidc?.roles ?? [])]).toEqual([
      ['soc', 'analyst'],
      ['cn=ops,dc=example', 'admin'],
    ]);
    expect(c.oidc?.clientSecret?.reveal()).toBe('s3cr3t-value');
    expect(JSON.stringify(c)).not.toContain('s3cr3t');
    expect(() =>
      loadConsoleConfig({
        env: {},
        flags: { 'console.tlsCert': join(dir, 'none.pem'), 'console.tlsKey': join(dir, 'k.pem') },
      }),
    ).toThrow(/console\.tlsCert: cannot read/);
  });
});
