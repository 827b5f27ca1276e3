// Secrets are never taken from the command line: every local user sees argv (ps, /proc) and
// shells keep it in their history. An option whose name says it carries one (password,
// passphrase, secret, token), or a URL with a password in it, is refused before any command
// runs, in one line saying where the secret goes instead; the value itself is never repeated.

import { UsageError } from '../common/errors.js';
import { KAFKA_SASL_PASSWORD_ENV, KAFKA_TLS_KEY_PASSPHRASE_ENV } from '../common/secret.js';

const SECRET_OPTION = /^--?([A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token)[A-Za-z0-9_.-]*)(?:=|$)/i;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;

function instead(option: string): string {
  if (/passphrase/i.test(option)) return `kafka.tls.keyPassphraseFile or ${KAFKA_TLS_KEY_PASSPHRASE_ENV}`;
  if (/clickhouse/i.test(option)) return 'clickhouse.password in the config file or PORTHOLE_CLICKHOUSE_PASSWORD';
  if (/webhook|hmac|signing/i.test(option)) return 'the webhook secret file or environment variable (docs/alerts.md)';
  return `kafka.sasl.passwordFile or ${KAFKA_SASL_PASSWORD_ENV}`;
}

/** Throws a UsageError when `argv` (a command's arguments) carries a secret. */
export function refuseSecretArgs(argv: readonly string[]): void {
  for (const [i, a] of argv.entries()) {
    if (a === '--') return;
    const m = SECRET_OPTION.exec(a);
    if (m)
      throw new UsageError(
        `--${m[1]}: secrets are not taken from the command line (other users can read it); use ${instead(m[1])}`,
      );
    const eq = a.indexOf('=');
    const value = a.startsWith('-') && eq > 0 ? a.slice(eq + 1) : a;
    if (URL_WITH_PASSWORD.test(value)) {
      const option = value === a ? argv[i - 1] : a.slice(0, eq);
      const isCh = option?.startsWith('-') && option.includes('clickhouse');
      const named = isCh ? 'clickhouse.url: ' : option?.startsWith('-') ? `${option}: ` : '';
      throw new UsageError(
        `${named}a URL with a password on the command line (other users can read it): ${isCh ? `use ${instead('clickhouse')}` : 'give the password in the config file or the environment'}`,
      );
    }
  }
}
