// Every error the sensor raises on purpose: a stable `code`, whether retrying can help, and the
// underlying cause. Callers branch on `code`, never on message text.

export type SensorErrorCode =
  | 'NOT_A_CAPTURE'
  | 'CAPTURE_CORRUPT'
  | 'CAPTURE_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'CAPTURE_OPEN_FAILED'
  | 'PRIVILEGE_DROP_FAILED'
  | 'KAFKA_UNAVAILABLE'
  | 'USAGE';

export class SensorError extends Error {
  readonly code: SensorErrorCode;
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(code: SensorErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = 'SensorError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.cause = opts.cause;
  }
}
