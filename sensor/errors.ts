// Every error the sensor raises on purpose: a stable `code`, whether retrying can help, and the
// underlying cause (common/errors.ts). Callers branch on `code`, never on message text.

import { PortholeError } from '../common/errors.js';

export type SensorErrorCode =
  | 'NOT_A_CAPTURE'
  | 'CAPTURE_CORRUPT'
  | 'CAPTURE_UNREADABLE'
  | 'CAPTURE_OPEN_FAILED'
  | 'CAPTURE_LOST'
  | 'PRIVILEGE_DROP_FAILED'
  | 'SFLOW_LISTEN_FAILED'
  | 'SFLOW_RECEIVE_FAILED';

export class SensorError extends PortholeError<SensorErrorCode> {
  constructor(code: SensorErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'SensorError';
  }
}
