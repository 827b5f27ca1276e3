// The one error shape of every Porthole process: a stable `code` callers branch on (never the
// message text), whether retrying the same operation can succeed, and the underlying cause.
// Each package narrows `code` to its own set (sensor/errors.ts, analyzer/errors.ts); the two
// kinds every command shares, bad configuration and bad command-line usage, are defined here.

export class PortholeError<C extends string = string> extends Error {
  readonly code: C;
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(code: C, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = 'PortholeError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.cause = opts.cause;
  }
}

/** Configuration refused at start-up; the message lists every problem found. */
export class ConfigError extends PortholeError<'CONFIG_INVALID'> {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
    this.name = 'ConfigError';
  }
}

/** A command line that cannot be run as given (exit status 2). */
export class UsageError extends PortholeError<'USAGE'> {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/**
 * Codes whose cure is a change of configuration, not time: the command exits 2 for them, and
 * the systemd units do not restart a process that did (RestartPreventExitStatus=2).
 */
const CONFIGURATION_CODES: ReadonlySet<string> = new Set([
  'USAGE',
  'CONFIG_INVALID',
  'KAFKA_AUTH_FAILED',
  'KAFKA_TLS_FAILED',
  'STORE_TLS',
  'STORE_AUTH',
]);

/** The exit status for an error Porthole raised on purpose: 2 to fix the configuration, else 1. */
export function exitStatusOf(err: PortholeError): 1 | 2 {
  return CONFIGURATION_CODES.has(err.code) ? 2 : 1;
}

/** Whether retrying the operation that failed with `err` may succeed (only errors that say so). */
export function isRetriable(err: unknown): boolean {
  return (err as { retriable?: unknown } | null)?.retriable === true;
}

/** The message of anything thrown, for a log line. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// What a system call's failure means, in a few plain words (Node's own text names the call).
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  ECONNREFUSED: 'connection refused (is it running?)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** A system error (code ENOENT, ECONNREFUSED, …) in plain words; any other error's message. */
export function systemErrorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && SYSTEM_ERRORS[code]) || errorMessage(err);
}
