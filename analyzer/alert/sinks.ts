// Where alerts go: the Kafka alerts topic (for machines: the verifier, SIEMs; every alert on its
// own, sent in batches) and webhooks (for people: a JSON body, or Slack-compatible {"text"}),
// which also take digests under storm control (alert/storm.ts). Delivery guarantees, paging and
// rate limits are the outbox's (alert/outbox.ts); a sink only sends.

import type { Producer } from 'kafkajs';
import { errorMessage } from '../../common/errors.js';
import type { AlertRow } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import type { Digest } from './storm.js';

export interface Sink {
  name: string;
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

export function kafkaSink(producer: Producer, topic: string): Sink {
  const send = (alerts: AlertRow[]) =>
    producer.send({
      topic,
      acks: -1,
      messages: alerts.map((a) => ({ key: a.alert_id, value: JSON.stringify(toPayload(a)) })),
    });
  return {
    name: 'kafka',
    forPeople: false,
    async deliver(a) {
      await send([a]);
    },
    async deliverBatch(alerts) {
      await send(alerts);
    },
  };
}

export function webhookSink(url: string, slack: boolean): Sink {
  const post = async (body: unknown): Promise<void> => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
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
    name: `${slack ? 'slack' : 'webhook'}:${url}`,
    forPeople: true,
    deliver: (a) => post(slack ? { text: `[porthole ${a.severity}] ${a.message}` } : toPayload(a)),
    deliverDigest: (d) => post(slack ? { text: digestText(d) } : digestPayload(d)),
  };
}
