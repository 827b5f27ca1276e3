// A secret value (a password, a private key or its passphrase) that never shows in a log line,
// an error message or printed config: JSON, String() and util.inspect all give "[secret]"; only
// `reveal()`, called where the value is handed to a client library, gives the text. Secrets are
// read from a file or the environment (`readSecret`), never taken from the command line
// (cli/secret-flags.ts), and a problem with one names its key or file, never its value.

import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

const SHOWN = '[secret]';

/** The environment variables that may carry a secret (each also has a file key). */
export const KAFKA_SASL_PASSWORD_ENV = 'PORTHOLE_KAFKA_SASL_PASSWORD';
export const KAFKA_TLS_KEY_PASSPHRASE_ENV = 'PORTHOLE_KAFKA_TLS_KEY_PASSPHRASE';
export const ALERTS_WEBHOOK_SECRET_ENV = 'PORTHOLE_ALERTS_WEBHOOK_SECRET';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return SHOWN;
  }

  toString(): string {
    return SHOWN;
  }

  [inspect.custom](): string {
    return SHOWN;
  }
}

/** A file's text for a config key; a problem is added to `errors` (naming the key and path). */
export function readKeyFile(key: string, path: string, errors: string[]): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    errors.push(`${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
}

/**
 * A one-line secret from the file a `…File` key names or from its environment variable (one of
 * the two; neither: null). The file's trailing line break is not part of it.
 */
export function readSecret(
  o: { fileKey: string; file: string | null; envName: string; env: NodeJS.ProcessEnv },
  errors: string[],
): Secret | null {
  const fromEnv = o.env[o.envName];
  if (o.file !== null && fromEnv) {
    errors.push(`${o.fileKey} and ${o.envName}: give one of the two`);
    return null;
  }
  if (fromEnv) return new Secret(fromEnv);
  if (o.file === null) return null;
  const text = readKeyFile(o.fileKey, o.file, errors);
  if (text === null) return null;
  const value = text.replace(/\r?\n$/, '');
  if (value === '' || /[\r\n]/.test(value)) {
    errors.push(`${o.fileKey}: ${o.file} must hold the secret on one line`);
    return null;
  }
  return new Secret(value);
}

/**
 * The environment for a program Porthole runs (nmap): this process's, without any PORTHOLE_*
 * variable, so that no secret given through the environment reaches a child's environ.
 */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('PORTHOLE_')));
}
