// The configuration keys of alert routing: owners (owners.rules, owners.webhooks,
// owners.slackWebhooks), syslog receivers (alerts.syslog, alerts.syslogCa) and the webhooks'
// signing secrets (alerts.webhookSecretFile, owners.webhookSecretFiles), and their validation;
// every problem is added to the caller's list, naming its key (never a webhook URL or a secret).

import { readFileSync } from 'node:fs';
import { ALERTS_WEBHOOK_SECRET_ENV, readSecret, type Secret } from '../common/secret.js';
import type { KeySpec } from '../schemas/config-spec.js';
import { parseSyslogTarget, type SyslogTarget } from './alert/syslog.js';
import { type OwnerRule, type OwnerSink, parseOwnerRules, parseOwnerSinks, teamEntry } from './owners.js';

/** Shorter signing secrets are refused: HMAC-SHA256 is only as strong as its key. */
const MIN_SECRET_LENGTH = 16;

export const ROUTING_SPEC: KeySpec[] = [
  {
    key: 'alerts.syslog',
    kind: { t: 'list' },
    def: [],
    doc: 'syslog receivers (RFC 5424, CEF payload) that get every alert: udp://host:port, tcp://host:port, tls://host:port',
  },
  {
    key: 'alerts.syslogCa',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: 'CA bundle (PEM file) trusted for tls:// syslog receivers (default: the system CAs); certificates are always verified',
  },
  {
    key: 'owners.rules',
    kind: { t: 'list' },
    def: [],
    doc: 'TEAM=CIDR[:PORT] (e.g. web=10.1.0.0/16, dba=10.0.0.0/8:5432): the most specific rule names the team owning an alert',
  },
  {
    key: 'owners.webhooks',
    kind: { t: 'list' },
    def: [],
    doc: "TEAM=URL: receives that team's alerts as JSON POSTs (the team's alerts then skip alerts.webhooks)",
  },
  {
    key: 'owners.slackWebhooks',
    kind: { t: 'list' },
    def: [],
    doc: 'TEAM=URL: receives that team\'s alerts as {"text": …} (the team\'s alerts then skip alerts.slackWebhooks)',
  },
  {
    key: 'alerts.webhookSecretFile',
    kind: { t: 'string', nullable: true },
    def: null,
    doc: `file holding the secret that signs every JSON webhook POST (Porthole-Signature header; or ${ALERTS_WEBHOOK_SECRET_ENV}); a team's own: owners.webhookSecretFiles`,
  },
  {
    key: 'owners.webhookSecretFiles',
    kind: { t: 'list' },
    def: [],
    doc: "TEAM=FILE: the file holding the secret that signs that team's webhook POSTs",
  },
];

export interface RoutingConfig {
  /** most specific first */
  owners: OwnerRule[];
  ownerWebhooks: OwnerSink[];
  ownerSlackWebhooks: OwnerSink[];
  syslog: SyslogTarget[];
  /** the PEM text of alerts.syslogCa, read at start-up */
  syslogCa: string | null;
  /** signs the default webhooks' requests, and a team's without its own */
  webhookSecret: Secret | null;
  /** a team's own signing secret */
  ownerWebhookSecrets: Map<string, Secret>;
}

/** `secrets` false: the signing secrets are not read (commands that send no webhook). */
export function routingConfig(
  g: <T>(key: string) => T,
  env: NodeJS.ProcessEnv,
  secrets: boolean,
  errors: string[],
): RoutingConfig {
  const owners = parseOwnerRules(g('owners.rules'), 'owners.rules', errors);
  const teams = new Set(owners.map((r) => r.team));
  const ownerWebhooks = parseOwnerSinks(g('owners.webhooks'), 'owners.webhooks', teams, errors);
  const ownerSlackWebhooks = parseOwnerSinks(g('owners.slackWebhooks'), 'owners.slackWebhooks', teams, errors);
  const withSinks = new Set([...ownerWebhooks, ...ownerSlackWebhooks].map((s) => s.team));
  for (const t of teams)
    if (!withSinks.has(t))
      errors.push(
        `owners.rules: team ${t} has no sink in owners.webhooks or owners.slackWebhooks (its alerts would reach only Kafka and syslog)`,
      );
  const syslog = g<string[]>('alerts.syslog').flatMap((s) => {
    const t = parseSyslogTarget(s);
    if (!t) errors.push(`alerts.syslog: not udp://, tcp:// or tls://host:port: ${JSON.stringify(s)}`);
    return t ? [t] : [];
  });
  const caPath = g<string | null>('alerts.syslogCa');
  let syslogCa: string | null = null;
  if (caPath !== null) {
    try {
      syslogCa = readFileSync(caPath, 'utf8');
    } catch (e) {
      errors.push(`alerts.syslogCa: cannot read ${caPath}: ${(e as Error).message}`);
    }
  }
  const webhookSecret = secrets
    ? signingSecret('alerts.webhookSecretFile', g('alerts.webhookSecretFile'), env, errors)
    : null;
  const ownerWebhookSecrets = new Map<string, Secret>();
  for (const s of secrets ? g<string[]>('owners.webhookSecretFiles') : []) {
    const e = teamEntry(s);
    if (!e?.rest) errors.push(`owners.webhookSecretFiles: an entry is not TEAM=FILE: ${JSON.stringify(s)}`);
    else if (!ownerWebhooks.some((w) => w.team === e.team))
      errors.push(`owners.webhookSecretFiles: team ${e.team} has no webhook in owners.webhooks`);
    else {
      const secret = signingSecret(`owners.webhookSecretFiles (team ${e.team})`, e.rest, {}, errors);
      if (secret) ownerWebhookSecrets.set(e.team, secret);
    }
  }
  return { owners, ownerWebhooks, ownerSlackWebhooks, syslog, syslogCa, webhookSecret, ownerWebhookSecrets };
}

function signingSecret(key: string, file: string | null, env: NodeJS.ProcessEnv, errors: string[]): Secret | null {
  const s = readSecret({ fileKey: key, file, envName: ALERTS_WEBHOOK_SECRET_ENV, env }, errors);
  if (s && s.reveal().length < MIN_SECRET_LENGTH) {
    errors.push(`${key}: the signing secret is shorter than ${MIN_SECRET_LENGTH} characters`);
    return null;
  }
  return s;
}
