// Errors the analyzer and verifier raise on purpose: stable `code`, `retriable`, `cause`
// (common/errors.ts). The consumer retries what is retriable (ClickHouse or Kafka away) and
// dead-letters what is not.

import { PortholeError } from '../common/errors.js';

export type AnalyzerErrorCode =
  | 'STORE_UNAVAILABLE'
  | 'STORE_REJECTED'
  /** the server's TLS certificate refused (untrusted, wrong name, expired) or no TLS on the port */
  | 'STORE_TLS'
  /** the server refused the user or password (clickhouse.user, clickhouse.password) */
  | 'STORE_AUTH'
  | 'SINK_FAILED'
  | 'KAFKA_UNAVAILABLE'
  | 'BAD_ADDRESS'
  | 'OUT_OF_SCOPE'
  | 'NMAP_FAILED'
  /** a run cut short because the verifier is stopping (its endpoints stay pending) */
  | 'ABORTED'
  /** a `porthole verify` request that is not IP:PORT, or a request message that is not one */
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  /** the database lacks tables of this release: an analyzer of this release has not started on it */
  | 'NOT_MIGRATED'
  /** a change refused by the state it would apply to (an alert already resolved, an overlapping rule) */
  | 'CONFLICT'
  /** a value refused by compat.lit()/ident(): a bug or bad input, never sent to ClickHouse */
  | 'BAD_SQL_VALUE';

export class AnalyzerError extends PortholeError<AnalyzerErrorCode> {
  /** The ClickHouse error code behind a store failure, when there is one. */
  readonly clickhouseCode: number | null;

  constructor(
    code: AnalyzerErrorCode,
    message: string,
    opts: { retriable?: boolean; cause?: unknown; clickhouseCode?: number | null } = {},
  ) {
    super(code, message, opts);
    this.name = 'AnalyzerError';
    this.clickhouseCode = opts.clickhouseCode ?? null;
  }
}
