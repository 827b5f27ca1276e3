// The console's configuration: the analyzer's file and keys (ClickHouse, owners, expected
// services, verify.allowedNetworks, Kafka for verification requests) plus its own console.*
// keys, validated at start-up. Kafka's secrets are read only when asked (`porthole console`,
// not `porthole users`).

import { loadAnalyzerConfig, type AnalyzerConfig } from '../analyzer/config.js';
import { ConfigError } from '../common/errors.js';
import { kafkaSecurityConfig } from '../common/kafka-security.js';
import { readKeyFile, readSecret, type Secret } from '../common/secret.js';
import { type Flat, resolveConfig } from '../schemas/config-spec.js';
import { type ListenAddress, listenAddress } from '../schemas/config-values.js';
import { ANALYZER_SPEC } from '../analyzer/config.js';
import { isRole, type Role } from './roles.js';

export const OIDC_CLIENT_SECRET_ENV = 'PORTHOLE_CONSOLE_OIDC_CLIENT_SECRET';
const LOOPBACK_URL = /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)(:\d+)?(\/|$)/;

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: Secret | null;
  roleClaim: string;
  /** scopes asked for at login (always with openid) */
  scopes: string[];
  /** claim value → role */
  roles: Map<string, Role>;
}

export interface ConsoleConfig {
  host: string;
  port: number;
  /** console.metricsListen (null: no metrics) */
  metricsListen: ListenAddress | null;
  /** PEM texts, read at start-up */
  tls: { cert: string; key: string } | null;
  publicUrl: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginFailures: number;
  lockoutMs: number;
  oidc: OidcConfig | null;
}

export function loadConsoleConfig(opts: {
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  flags?: Flat;
  /** read kafka.tls.* and kafka.sasl.* (the console publishes verification requests) */
  kafkaSecrets?: boolean;
}): {
  console: ConsoleConfig;
  analyzer: AnalyzerConfig;
} {
  const base = loadAnalyzerConfig({ ...opts, secrets: false });
  const c = resolveConfig(ANALYZER_SPEC, opts);
  const g = <T>(k: string): T => c[k] as T;
  const errors: string[] = [];
  const analyzer: AnalyzerConfig = opts.kafkaSecrets
    ? Object.freeze({
        ...base,
        kafka: { ...base.kafka, security: kafkaSecurityConfig(g, opts.env ?? process.env, errors) },
      })
    : base;
  const listen = listenAddress(g('console.listen'))!;
  const certPath = g<string | null>('console.tlsCert');
  const keyPath = g<string | null>('console.tlsKey');
  let tls: ConsoleConfig['tls'] = null;
  if ((certPath === null) !== (keyPath === null))
    errors.push('console.tlsCert and console.tlsKey: give both or neither');
  else if (certPath && keyPath) {
    const cert = readKeyFile('console.tlsCert', certPath, errors);
    const key = readKeyFile('console.tlsKey', keyPath, errors);
    if (cert && key) tls = { cert, key };
  }
  if (g<number>('console.sessionIdle') < 60_000) errors.push('console.sessionIdle: at least 1m');
  if (g<number>('console.sessionMax') < g<number>('console.sessionIdle'))
    errors.push('console.sessionMax: at least console.sessionIdle');
  let oidc: OidcConfig | null = null;
  const issuer = g<string | null>('console.oidc.issuer');
  if (issuer !== null) {
    const clientId = g<string | null>('console.oidc.clientId');
    if (!clientId) errors.push('console.oidc.clientId: required with console.oidc.issuer');
    if (!/^https?:\/\/[^\s]+$/.test(issuer))
      errors.push(`console.oidc.issuer: an http(s) URL, got ${JSON.stringify(issuer)}`);
    // tokens and the client secret cross this connection: plain http only where it cannot leave the machine
    else if (issuer.startsWith('http://') && !LOOPBACK_URL.test(issuer))
      errors.push(`console.oidc.issuer: https:// (plain http only on loopback), got ${JSON.stringify(issuer)}`);
    const scopes = g<string[]>('console.oidc.scopes');
    if (!scopes.includes('openid')) errors.push('console.oidc.scopes: must include openid');
    const roles = new Map<string, Role>();
    for (const entry of g<string[]>('console.oidc.roles')) {
      const i = entry.lastIndexOf('=');
      const role = entry.slice(i + 1);
      if (i <= 0 || !isRole(role))
        errors.push(`console.oidc.roles: "claim value=viewer|analyst|admin", got ${JSON.stringify(entry)}`);
      else roles.set(entry.slice(0, i), role);
    }
    const clientSecret = readSecret(
      {
        fileKey: 'console.oidc.clientSecretFile',
        file: g('console.oidc.clientSecretFile'),
        envName: OIDC_CLIENT_SECRET_ENV,
        env: opts.env ?? process.env,
      },
      errors,
    );
    oidc = { issuer, clientId: clientId ?? '', clientSecret, roleClaim: g('console.oidc.roleClaim'), scopes, roles };
  }
  if (errors.length) throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  return {
    analyzer,
    console: Object.freeze({
      host: listen.host,
      port: listen.port,
      metricsListen: listenAddress(g('console.metricsListen')),
      tls,
      publicUrl: g<string>('console.publicUrl').replace(/\/+$/, ''),
      sessionIdleMs: g<number>('console.sessionIdle'),
      sessionMaxMs: g<number>('console.sessionMax'),
      loginFailures: g<number>('console.loginFailures'),
      lockoutMs: g<number>('console.lockout'),
      oidc,
    }),
  };
}
