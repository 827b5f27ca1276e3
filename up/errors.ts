// Errors `porthole up`, `status` and `demo` raise on purpose: a stable code (common/errors.ts);
// main() prints the message as one line and exits 1 (2 for the configuration codes there).

import { PortholeError } from '../common/errors.js';

export type UpErrorCode =
  /** deploy/local.sh could not start Kafka or ClickHouse */
  | 'LOCAL_SERVICE_FAILED'
  /** another `porthole up` holds the state file */
  | 'UP_RUNNING'
  /** no state file, or `porthole up` is not running */
  | 'UP_NOT_RUNNING'
  /** the demo could not reach a stage of its story in time */
  | 'DEMO_TIMEOUT'
  /** a part of the demo failed (the sensor could not read its capture) */
  | 'DEMO_FAILED';

export class UpError extends PortholeError<UpErrorCode> {
  constructor(code: UpErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'UpError';
  }
}
