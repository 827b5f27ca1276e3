// A flat config schema shared by every Porthole process: each key has a type, a default, an
// environment variable (PORTHOLE_ + key in upper snake case) and may come from a JSON config
// file (nested objects) or a command-line flag. Values are validated once, every problem is
// reported together, and the result is frozen. An empty environment variable counts as unset
// (env files and shells leave empty ones behind); an empty flag or file value is a value, checked.

import { readFileSync } from 'node:fs';
import { ConfigError, systemErrorText } from '../common/errors.js';
import { parseDuration } from '../common/time.js';
import { brokerProblem, httpUrlProblem, parseListen, serverUrlProblem } from './config-values.js';

export { ConfigError };

export type Kind =
  | { t: 'string'; nullable?: boolean }
  | { t: 'int'; min: number; max: number }
  | { t: 'number'; min: number; max: number } // a decimal number
  | { t: 'duration' } // text with a unit ("250ms", "5s", "2m", "1h", "7d"), or a JSON number of ms
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[] } // one of the values
  | { t: 'url' } // a server's http(s) URL, without credentials or query string
  | { t: 'listen'; nullable?: boolean } // address:port to listen on (config-values.ts parseListen)
  /** values: allowed entries; item: each entry an http(s) URL or a Kafka broker (host:port); min: entries at least */
  | { t: 'list'; values?: readonly string[]; item?: 'url' | 'broker'; min?: number };

export interface KeySpec {
  key: string;
  kind: Kind;
  def: unknown;
  doc: string;
}

export type Flat = Record<string, unknown>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The logging keys every long-running process has (common/logger.ts applies them). */
export const LOG_SPEC: KeySpec[] = [
  { key: 'log.level', kind: { t: 'enum', values: LOG_LEVELS }, def: 'info', doc: 'log level (pino)' },
  {
    key: 'log.format',
    kind: { t: 'enum', values: LOG_FORMATS },
    def: 'auto',
    doc: 'auto: readable lines on a terminal, JSON lines otherwise; json or pretty: always that',
  },
];

export function envName(key: string): string {
  return (
    'PORTHOLE_' +
    key
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .replace(/\./g, '_')
      .toUpperCase()
  );
}

/** The keys of a spec for --help: key, environment variable and meaning, aligned. */
export function specHelp(specs: KeySpec[]): string {
  const kw = Math.max(...specs.map((s) => s.key.length));
  const ew = Math.max(...specs.map((s) => envName(s.key).length));
  return specs.map((s) => `  ${s.key.padEnd(kw)}  ${envName(s.key).padEnd(ew)}  ${s.doc}`).join('\n');
}

function coerce(spec: KeySpec, raw: unknown, where: string): { value?: unknown; error?: string } {
  const bad = (what: string): { error: string } => ({
    error: `${spec.key} (${where}): ${what}, got ${JSON.stringify(raw)}`,
  });
  const k = spec.kind;
  switch (k.t) {
    case 'string':
      if ((raw === null || raw === '') && k.nullable) return { value: null }; // '' or null: no value
      return typeof raw === 'string' && raw.length > 0 ? { value: raw } : bad('must be a non-empty string');
    case 'int': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      return typeof n === 'number' && Number.isInteger(n) && n >= k.min && n <= k.max
        ? { value: n }
        : bad(`must be an integer ${k.min}..${k.max}`);
    }
    case 'number': {
      const n = typeof raw === 'string' && /^-?(\d+\.?\d*|\.\d+)$/.test(raw) ? Number(raw) : raw;
      return typeof n === 'number' && Number.isFinite(n) && n >= k.min && n <= k.max
        ? { value: n }
        : bad(`must be a number ${k.min}..${k.max}`);
    }
    case 'duration': {
      if (typeof raw === 'number' && raw >= 0) return { value: raw };
      if (typeof raw !== 'string') return bad('must be a duration like 500ms, 5s, 2m, 1h, 7d');
      const d = parseDuration(raw);
      return 'ms' in d ? { value: d.ms } : bad(d.error);
    }
    case 'bool':
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '1' || raw === 'yes') return { value: true };
      if (raw === 'false' || raw === '0' || raw === 'no') return { value: false };
      return bad('must be true or false');
    case 'enum':
      return typeof raw === 'string' && k.values.includes(raw)
        ? { value: raw }
        : bad(`must be one of ${k.values.join(', ')}`);
    case 'url': {
      const problem = typeof raw === 'string' ? serverUrlProblem(raw) : 'must be a URL';
      if (!problem) return { value: raw };
      // a URL with user information may hold a password: never repeated
      return typeof raw === 'string' && raw.includes('@')
        ? { error: `${spec.key} (${where}): ${problem}` }
        : bad(problem);
    }
    case 'listen': {
      // '', null or "off" (an empty environment variable counts as unset): nothing listens
      if ((raw === null || raw === '' || raw === 'off') && k.nullable) return { value: null };
      if (typeof raw !== 'string') return bad('must be address:port');
      const l = parseListen(raw);
      return 'error' in l ? bad(l.error) : { value: raw };
    }
    case 'list': {
      const arr =
        typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : raw;
      if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) return bad('must be a list of strings');
      const unknown = k.values ? arr.filter((x) => !k.values!.includes(x)) : [];
      if (unknown.length) return bad(`unknown value(s) ${unknown.join(', ')}; allowed: ${k.values!.join(', ')}`);
      if (arr.length < (k.min ?? 0))
        return bad(`must list at least ${k.min === 1 ? `one ${k.item === 'broker' ? 'host:port' : 'entry'}` : k.min}`);
      const problems = arr.flatMap((x, i) => {
        if (k.item === 'broker') {
          const p = brokerProblem(x);
          return p ? [`${JSON.stringify(x)}: ${p}`] : [];
        }
        // a webhook URL may carry a token: named by its place in the list, never repeated
        const p = k.item === 'url' ? httpUrlProblem(x) : null;
        return p ? [`entry ${i + 1}: ${p}`] : [];
      });
      return problems.length ? { error: `${spec.key} (${where}): ${problems.join(', ')}` } : { value: arr };
    }
  }
}

function flatten(obj: Record<string, unknown>, prefix = '', out: Flat = {}): Flat {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

/**
 * Resolve every key from (lowest to highest precedence) defaults, the JSON config file, the
 * environment and flags. Throws one CONFIG_INVALID error listing every problem.
 */
export function resolveConfig(
  specs: KeySpec[],
  opts: { file?: string | null; env?: NodeJS.ProcessEnv; flags?: Flat },
): Readonly<Flat> {
  const errors: string[] = [];
  const out: Flat = {};
  let fileValues: Flat = {};
  if (opts.file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(opts.file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fileValues = flatten(parsed as Flat);
      else errors.push(`config file ${opts.file}: must hold one JSON object`);
    } catch (e) {
      errors.push(`config file ${opts.file}: ${systemErrorText(e)}`);
    }
    for (const k of Object.keys(fileValues)) {
      if (!specs.some((s) => s.key === k)) errors.push(`${k} (config file): unknown key`);
    }
  }
  const env = opts.env ?? process.env;
  for (const s of specs) {
    let value = s.def;
    const fromEnv = env[envName(s.key)];
    const sources: Array<[string, unknown]> = [
      ['config file', fileValues[s.key]],
      [envName(s.key), fromEnv === '' ? undefined : fromEnv],
      ['flag', opts.flags?.[s.key]],
    ];
    for (const [where, raw] of sources) {
      if (raw === undefined) continue;
      const r = coerce(s, raw, where);
      if (r.error) errors.push(r.error);
      else value = r.value;
    }
    out[s.key] = value;
  }
  if (errors.length) {
    throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  }
  return Object.freeze(out);
}
