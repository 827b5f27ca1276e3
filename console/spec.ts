// The console's configuration keys (`porthole console`). They live in the analyzer's config file
// beside the keys it shares with the analyzer (ClickHouse, owners, expected services), so one file
// configures the server side; the analyzer and verifier accept and ignore them.

import type { KeySpec } from '../schemas/config-spec.js';

export const CONSOLE_SPEC: KeySpec[] = [
  {
    key: 'console.listen',
    kind: { t: 'listen' },
    def: '127.0.0.1:8080',
    doc: 'address:port the console listens on (loopback unless you expose it; then give console.tlsCert)',
  },
  {
    key: 'console.metricsListen',
    kind: { t: 'listen', nullable: true },
    def: '127.0.0.1:9467',
    doc: "address:port serving the console's Prometheus metrics at /metrics (off or empty: none); a port in use is warned about, not fatal",
  },
  {
    key: 'console.tlsCert',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'PEM certificate file: the console serves HTTPS (with console.tlsKey)',
  },
  { key: 'console.tlsKey', kind: { t: 'string', nullable: true }, def: null, doc: 'PEM private key file' },
  {
    key: 'console.publicUrl',
    kind: { t: 'url' },
    def: 'http://127.0.0.1:8080',
    doc: 'the URL people open (single sign-on redirects back to it)',
  },
  {
    key: 'console.sessionIdle',
    kind: { t: 'duration' },
    def: 30 * 60_000,
    doc: 'a session ends after this long without a request',
  },
  {
    key: 'console.sessionMax',
    kind: { t: 'duration' },
    def: 12 * 3_600_000,
    doc: 'a session ends this long after login',
  },
  {
    key: 'console.loginFailures',
    kind: { t: 'int', min: 1, max: 1000 },
    def: 5,
    doc: 'failed logins in a row that lock an account for console.lockout',
  },
  { key: 'console.lockout', kind: { t: 'duration' }, def: 15 * 60_000, doc: 'how long a locked account stays locked' },
  {
    key: 'console.oidc.issuer',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'OpenID Connect issuer URL: enables single sign-on',
  },
  { key: 'console.oidc.clientId', kind: { t: 'string', nullable: true }, def: null, doc: 'OpenID Connect client id' },
  {
    key: 'console.oidc.clientSecretFile',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'file holding the client secret (or PORTHOLE_CONSOLE_OIDC_CLIENT_SECRET)',
  },
  {
    key: 'console.oidc.roleClaim',
    kind: { t: 'string' },
    def: 'roles',
    doc: 'ID token claim (a string or a list) that carries the role; a dotted path reaches into an object (realm_access.roles)',
  },
  {
    key: 'console.oidc.scopes',
    kind: { t: 'list' },
    def: ['openid', 'profile', 'email'],
    doc: 'scopes asked for at login (add the one that releases the role claim, e.g. groups)',
  },
  {
    key: 'console.oidc.roles',
    kind: { t: 'list' },
    def: [],
    doc: 'claim value=role pairs, e.g. "soc-admins=admin" (a value equal to a role name maps to it)',
  },
];
