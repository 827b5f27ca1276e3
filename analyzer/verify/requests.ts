// Verification on demand: a request names an endpoint and is published on the verify-requests
// topic, which every verifier consumes beside the alerts; the verifier takes it (a `pending` row
// carrying the request id), skipping verify.minInterval, or refuses it (out of scope: a `refused`
// row carrying the id). Its verdict is the endpoint's first finished verification after that row.
// The CLI (`porthole verify`) and an HTTP API call these same functions. Limits: only TCP; a
// request no verifier reads within the topic's retention is lost.

import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { errorMessage } from '../../common/errors.js';
import { ensureTopics, type KafkaConnection, kafkaClient, topicSpec } from '../../common/kafka.js';
import type { TopicReplication } from '../../common/kafka-replication.js';
import { kafkaSecurityFailure } from '../../common/kafka-failure.js';
import type { EndpointId } from '../../schemas/endpoint.js';
import { TOPICS } from '../../schemas/topics.js';
import { canonicalIp } from '../../schemas/ip.js';
import { requestAnswers, type VerificationAnswer, verdictSince } from '../store/verification-queries.js';
import type { Store } from '../store/store.js';
import { AnalyzerError } from '../errors.js';

export interface VerifyRequest extends EndpointId {
  v: 1;
  /** unique id: the verifications row that takes or refuses the request carries it */
  request: string;
  /** ms, the requester's clock */
  at: number;
  /** who asked */
  by: string;
}

/** `IP:PORT` or `[IPv6]:PORT` to an endpoint (canonical address), or why it is not one. */
export function parseTarget(text: string): EndpointId | { error: string } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  const ip = m ? canonicalIp(m[1]) : null;
  const port = m ? Number(m[2]) : 0;
  if (!m || !ip || port < 1 || port > 65535)
    return { error: `not IP:PORT (an IPv6 address in brackets: [2001:db8::1]:22): ${JSON.stringify(text)}` };
  return { ip, proto: 'tcp', port };
}

/** A request message from the topic, or null when it is not one (such a message is skipped). */
export function parseRequest(value: string): VerifyRequest | null {
  let m: Partial<VerifyRequest>;
  try {
    m = JSON.parse(value) as Partial<VerifyRequest>;
  } catch {
    return null;
  }
  if (m?.v !== 1 || typeof m.request !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(m.request)) return null;
  if (typeof m.ip !== 'string' || canonicalIp(m.ip) !== m.ip || m.proto !== 'tcp') return null;
  if (!Number.isInteger(m.port) || m.port! < 1 || m.port! > 65535 || typeof m.at !== 'number') return null;
  return { v: 1, request: m.request, ip: m.ip, proto: 'tcp', port: m.port!, at: m.at, by: String(m.by ?? '') };
}

/** Publish one request per endpoint (the producer is connected; the topic exists). */
export async function publishRequests(
  producer: Producer,
  topic: string,
  targets: EndpointId[],
  by: string,
): Promise<VerifyRequest[]> {
  const at = Date.now();
  const reqs = targets.map((t) => ({
    v: 1 as const,
    request: randomUUID(),
    ip: t.ip,
    proto: 'tcp',
    port: t.port,
    at,
    by,
  }));
  await producer.send({ topic, messages: reqs.map((r) => ({ key: r.ip, value: JSON.stringify(r) })) });
  return reqs;
}

/**
 * One-shot: create the topic when missing, publish the requests, disconnect. A refused password
 * or certificate is a KafkaError (common/kafka-failure.ts); a broker that cannot be reached, a
 * retriable KAFKA_UNAVAILABLE naming it: either is one line for the user.
 */
export async function submitRequests(
  conn: KafkaConnection,
  topic: string,
  replication: TopicReplication,
  targets: EndpointId[],
  by: string,
): Promise<VerifyRequest[]> {
  try {
    return await submit(conn, topic, replication, targets, by);
  } catch (err) {
    throw (
      kafkaSecurityFailure(err, conn) ??
      new AnalyzerError(
        'KAFKA_UNAVAILABLE',
        `kafka ${conn.brokers.join(',')}: request not sent: ${errorMessage(err)}; check kafka.brokers (and kafka.tls.enabled)`,
        { retriable: true, cause: err },
      )
    );
  }
}

/**
 * A connected producer for the requests topic (created when missing, with the config's
 * replication), as `porthole verify` and the console use it.
 */
export async function requestProducer(
  conn: KafkaConnection,
  topic: string,
  replication: TopicReplication,
): Promise<Producer> {
  const kafka = kafkaClient(conn, 'quick');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [topicSpec(topic, TOPICS.verifyRequests, replication)]);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

async function submit(
  conn: KafkaConnection,
  topic: string,
  replication: TopicReplication,
  targets: EndpointId[],
  by: string,
): Promise<VerifyRequest[]> {
  const producer = await requestProducer(conn, topic, replication);
  try {
    return await publishRequests(producer, topic, targets, by);
  } finally {
    await producer.disconnect();
  }
}

export type RequestState =
  /** no verifier has read it yet */
  | { state: 'waiting' }
  /** out of scope: never scanned */
  | { state: 'refused'; answer: VerificationAnswer }
  /** taken; no verdict yet */
  | { state: 'queued'; answer: VerificationAnswer }
  | { state: 'verified'; answer: VerificationAnswer; verdict: VerificationAnswer };

/** Where each request stands, in the order given. */
export async function requestStates(store: Store, reqs: VerifyRequest[]): Promise<RequestState[]> {
  const answers = await requestAnswers(
    store,
    reqs.map((r) => r.request),
  );
  return Promise.all(
    reqs.map(async (r): Promise<RequestState> => {
      const answer = answers.get(r.request);
      if (!answer) return { state: 'waiting' };
      if (answer.status === 'refused') return { state: 'refused', answer };
      const verdict = await verdictSince(store, r, answer.ts);
      return verdict ? { state: 'verified', answer, verdict } : { state: 'queued', answer };
    }),
  );
}
