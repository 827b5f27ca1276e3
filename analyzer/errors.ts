// Errors the analyzer raises on purpose: stable `code`, `retriable`, `cause`. The consumer
// retries what is retriable (ClickHouse or Kafka away) and dead-letters what is not.

export type AnalyzerErrorCode = 'STORE_UNAVAILABLE' | 'STORE_REJECTED' | 'SINK_FAILED' | 'BAD_ADDRESS' | 'NOT_FOUND';

export class AnalyzerError extends Error {
  readonly code: AnalyzerErrorCode;
  readonly retriable: boolean;
  override readonly cause?: unknown;
  /** The ClickHouse error code behind a store failure, when there is one. */
  readonly clickhouseCode: number | null;

  constructor(code: AnalyzerErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown; clickhouseCode?: number | null } = {}) {
    super(message);
    this.name = 'AnalyzerError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.cause = opts.cause;
    this.clickhouseCode = opts.clickhouseCode ?? null;
  }
}
