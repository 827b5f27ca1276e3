// Verification requests from the console: published on the verify-requests topic like
// `porthole verify` does (analyzer/verify/requests.ts), through one producer made on the first
// request (a console nobody asks to verify never connects to Kafka) and kept. A request that
// cannot be published is UNAVAILABLE (503) and the next one connects again; a refused password
// or certificate is logged with the key to check.

import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { AnalyzerConfig } from '../analyzer/config.js';
import { publishRequests, requestProducer } from '../analyzer/verify/requests.js';
import { errorMessage } from '../common/errors.js';
import { KAFKA_STOP_WAIT_MS, type KafkaConnection } from '../common/kafka.js';
import { kafkaSecurityFailure } from '../common/kafka-failure.js';
import { within } from '../common/time.js';
import { ApiError } from './errors.js';

export interface VerificationRequester {
  /** publishes one request; its id */
  request(ip: string, port: number, actor: string): Promise<string>;
  close(): Promise<void>;
}

export function verificationRequester(a: AnalyzerConfig, log: Logger | false): VerificationRequester {
  const conn: KafkaConnection = {
    brokers: a.kafka.brokers,
    clientId: `${a.kafka.clientId}-console`,
    security: a.kafka.security,
  };
  const topic = a.kafka.verifyRequestsTopic;
  let producer: Promise<Producer> | null = null;

  const connect = (): Promise<Producer> => requestProducer(conn, topic, a.kafka.replication);

  async function drop(p: Promise<Producer> | null): Promise<void> {
    if (producer === p) producer = null;
    const ready = await p?.catch(() => null);
    if (ready) await within(ready.disconnect(), KAFKA_STOP_WAIT_MS).catch(() => {});
  }

  return {
    async request(ip, port, actor) {
      producer ??= connect();
      const current = producer;
      try {
        const [r] = await publishRequests(await current, topic, [{ ip, proto: 'tcp', port }], actor);
        return r.request;
      } catch (err) {
        void drop(current);
        const security = kafkaSecurityFailure(err, conn);
        if (log)
          log.error({ err: security?.message ?? errorMessage(err) }, 'verification request not published to Kafka');
        throw new ApiError('UNAVAILABLE', 'Kafka is unavailable: the verification was not requested; retry later', {
          cause: err,
        });
      }
    },
    close: () => drop(producer),
  };
}
