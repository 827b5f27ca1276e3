// What a sink is, and webhooks (for people: a JSON body, or Slack-compatible {"text"}), which
// also take digests under storm control (alert/storm.ts); a team's webhook takes only the alerts
// it owns, a default one only those no team owns. Machine sinks (every alert on its own, in
// batches): kafka-sink.ts, syslog-sink.ts. Delivery guarantees, paging and rate limits are the
// outbox's (alert/outbox.ts); a sink only sends. A JSON webhook with a signing secret signs
// each request (alert/webhook-signature.ts).

import { createHash } from 'node:crypto';
import { errorMessage } from '../../common/errors.js';
import type { Secret } from '../../common/secret.js';
import type { AlertRow } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import type { Digest } from './storm.js';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';

export interface Sink {
  name: string;
  /** takes only the alerts of this owner ('': those with no owner); absent: every alert */
  owner?: string;
  /** people read it: its messages are rate-limited and grouped into digests in a storm */
  forPeople: boolean;
  deliver(a: AlertRow): Promise<void>;
  /** several alerts at once (machine sinks) */
  deliverBatch?(alerts: AlertRow[]): Promise<void>;
  /** one message for many alerts (sinks for people) */
  deliverDigest?(d: Digest<AlertRow>): Promise<void>;
}

export function toPayload(a: AlertRow): Record<string, unknown> {
  let details: unknown = a.details;
  try {
    details = JSON.parse(a.details);
  } catch {
    /* keep the text */
  }
  return {
    alert_id: a.alert_id,
    ts: a.ts,
    kind: a.kind,
    severity: a.severity,
    ip: a.ip,
    proto: a.proto,
    port: a.port,
    message: a.message,
    owner: a.owner,
    details,
  };
}

/** A digest as a webhook body: one object, every alert in it listed. */
export function digestPayload(d: Digest<AlertRow>): Record<string, unknown> {
  return {
    digest_id: d.digest_id,
    kind: 'digest',
    ts: Math.max(...d.alerts.map((a) => a.ts)),
    severity: d.severity,
    scope: d.scope,
    count: d.alerts.length,
    message: d.message,
    alerts: d.alerts.map(toPayload),
  };
}

/** Lines of a digest shown in a chat message; the rest is counted. */
const CHAT_LINES = 20;

function digestText(d: Digest<AlertRow>): string {
  const lines = d.alerts.slice(0, CHAT_LINES).map((a) => `• ${a.message}`);
  if (d.alerts.length > CHAT_LINES) lines.push(`… and ${d.alerts.length - CHAT_LINES} more (porthole services)`);
  return `[porthole ${d.severity}] ${d.message}\n${lines.join('\n')}`;
}

/**
 * A webhook or Slack URL: a default one (`team` absent) takes the alerts no team owns, a team's
 * one that team's. A team sink's name carries a hash of its URL, not the URL (it may hold a token).
 * With `signing`, each request carries a Porthole-Signature header.
 */
export function webhookSink(url: string, slack: boolean, team?: string, signing?: Secret | null): Sink {
  const post = async (body: unknown): Promise<void> => {
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signing) headers[SIGNATURE_HEADER] = signatureHeader(signing, text, Date.now());
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: text,
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      throw new AnalyzerError('SINK_FAILED', errorMessage(err), { retriable: true, cause: err });
    }
    // `retriable`: whether resending as is may succeed (server error, rate limit); the outbox
    // resends every undelivered alert each round whatever it says
    if (!res.ok)
      throw new AnalyzerError('SINK_FAILED', `HTTP ${res.status}`, {
        retriable: res.status >= 500 || res.status === 429,
      });
  };
  return {
    name:
      team === undefined
        ? `${slack ? 'slack' : 'webhook'}:${url}`
        : `team:${team}:${slack ? 'slack' : 'webhook'}:${createHash('sha256').update(url).digest('hex').slice(0, 16)}`,
    owner: team ?? '',
    forPeople: true,
    deliver: (a) => post(slack ? { text: `[porthole ${a.severity}] ${a.message}` } : toPayload(a)),
    deliverDigest: (d) => post(slack ? { text: digestText(d) } : digestPayload(d)),
  };
}
