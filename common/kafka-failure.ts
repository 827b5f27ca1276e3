// Kafka failures that retrying cannot mend, as one line for the user: SASL authentication
// refused (wrong user name or password, or a mechanism the broker does not offer) and TLS
// failures (common/tls.ts: certificate not trusted, not naming the host, expired, no
// TLS on the port). The line names the broker and the key to check, never the password.

import { PortholeError } from './errors.js';
import type { KafkaSecurity } from './kafka-security.js';
import { tlsFailure, tlsFailureText } from './tls.js';

export type KafkaErrorCode = 'KAFKA_AUTH_FAILED' | 'KAFKA_TLS_FAILED';

export class KafkaError extends PortholeError<KafkaErrorCode> {
  constructor(code: KafkaErrorCode, message: string, cause: unknown) {
    super(code, message, { retriable: false, cause });
    this.name = 'KafkaError';
  }
}

interface Target {
  brokers: string[];
  security?: KafkaSecurity;
}

type Chain = { name?: unknown; message?: unknown; cause?: unknown; broker?: unknown } | undefined;

function find(err: unknown, pred: (e: NonNullable<Chain>) => boolean): NonNullable<Chain> | null {
  let e = err as Chain;
  for (let depth = 0; e && depth < 6; depth++) {
    if (pred(e)) return e;
    e = e.cause as Chain;
  }
  return null;
}

const CHECK = {
  untrusted: 'check kafka.tls.ca',
  hostname: 'connect by a name the certificate carries (kafka.brokers)',
  expired: "check the broker's certificate",
  handshake: 'check kafka.brokers and kafka.tls.enabled',
} as const;

/** The security failure behind a kafkajs error as a KafkaError, or null when it is none. */
export function kafkaSecurityFailure(err: unknown, t: Target): KafkaError | null {
  if (err instanceof KafkaError) return err;
  const sasl = t.security?.sasl;
  const who = sasl ? ` as ${JSON.stringify(sasl.username)} (${sasl.mechanism})` : '';
  const unsupported = find(err, (e) => /^SASL .*mechanism is not supported/i.test(String(e.message ?? '')));
  if (unsupported)
    return new KafkaError(
      'KAFKA_AUTH_FAILED',
      `kafka ${t.brokers.join(',')}: ${String(unsupported.message)}; check kafka.sasl.mechanism`,
      err,
    );
  const refused = find(err, (e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (refused)
    return new KafkaError(
      'KAFKA_AUTH_FAILED',
      `kafka ${t.brokers.join(',')}: authentication refused${who}: ${String(refused.message).replace(/^SASL [^:]*failed: /, '')}; check kafka.sasl.username and the password`,
      err,
    );
  const tls = tlsFailure(err);
  if (!tls) return null;
  const broker = find(err, (e) => typeof e.broker === 'string')?.broker ?? t.brokers.join(',');
  return new KafkaError('KAFKA_TLS_FAILED', `kafka ${broker}: ${tlsFailureText(tls)}; ${CHECK[tls.kind]}`, err);
}

/** For `.catch()`: a security failure rethrown as its KafkaError, anything else as it was. */
export function rethrowKafkaFailure(t: Target): (err: unknown) => never {
  return (err) => {
    throw kafkaSecurityFailure(err, t) ?? err;
  };
}
