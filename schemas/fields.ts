// A tiny schema language: a message is a record of typed fields. From one definition come the
// TypeScript type (Row<S>), a runtime validator reporting every problem at once, and the
// ClickHouse column types (tables.ts). Unknown fields are ignored, so newer producers stay readable.

import { canonicalIp } from './ip.js';

export type Field =
  | { kind: 'uint'; bits: 8 | 16 | 32 | 53; nullable?: boolean; doc: string }
  | { kind: 'string'; max: number; nullable?: boolean; doc: string }
  | { kind: 'ip'; nullable?: boolean; doc: string }
  | { kind: 'enum'; values: readonly string[]; nullable?: boolean; doc: string }
  | { kind: 'const'; value: number; doc: string }
  // distinct canonical addresses, at most `max`
  | { kind: 'ipList'; max: number; doc: string }
  // integers 0..max, as many as one of `lengths`
  | { kind: 'uint8List'; lengths: readonly number[]; max: number; doc: string };

export type Schema = Record<string, Field>;

type TsOf<F> = F extends { kind: 'enum'; values: readonly (infer V)[] }
  ? V
  : F extends { kind: 'uint' | 'const' }
    ? number
    : F extends { kind: 'ipList' }
      ? string[]
      : F extends { kind: 'uint8List' }
        ? number[]
        : string;

export type Row<S extends Schema> = {
  -readonly [K in keyof S]: S[K] extends { nullable: true } ? TsOf<S[K]> | null : TsOf<S[K]>;
};

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const MAX: Record<number, number> = { 8: 0xff, 16: 0xffff, 32: 0xffffffff, 53: Number.MAX_SAFE_INTEGER };

function checkField(name: string, f: Field, v: unknown): string | null {
  if (v === null || v === undefined) {
    if ('nullable' in f && f.nullable) return null;
    return `${name}: required`;
  }
  switch (f.kind) {
    case 'const':
      return v === f.value ? null : `${name}: must be ${f.value}, got ${JSON.stringify(v)}`;
    case 'uint':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX[f.bits]) {
        return `${name}: must be an integer 0..${MAX[f.bits]}, got ${JSON.stringify(v)}`;
      }
      return null;
    case 'string':
      if (typeof v !== 'string') return `${name}: must be a string, got ${typeof v}`;
      return v.length <= f.max ? null : `${name}: longer than ${f.max} characters`;
    case 'ip':
      return checkIp(name, v);
    case 'ipList': {
      if (!Array.isArray(v)) return `${name}: must be a list of IP address strings, got ${typeof v}`;
      if (v.length > f.max) return `${name}: more than ${f.max} addresses (${v.length})`;
      for (let i = 0; i < v.length; i++) {
        const err = checkIp(`${name}[${i}]`, v[i]);
        if (err) return err;
        if (v.indexOf(v[i]) !== i) return `${name}[${i}]: repeats ${v[i]}`;
      }
      return null;
    }
    case 'uint8List': {
      if (!Array.isArray(v)) return `${name}: must be a list of integers, got ${typeof v}`;
      if (!f.lengths.includes(v.length)) {
        return `${name}: must hold ${f.lengths.join(' or ')} values, got ${v.length}`;
      }
      const i = v.findIndex((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > f.max);
      return i < 0 ? null : `${name}[${i}]: must be an integer 0..${f.max}, got ${JSON.stringify(v[i])}`;
    }
    case 'enum':
      return typeof v === 'string' && f.values.includes(v)
        ? null
        : `${name}: must be one of ${f.values.join('|')}, got ${JSON.stringify(v)}`;
  }
}

function checkIp(name: string, v: unknown): string | null {
  if (typeof v !== 'string') return `${name}: must be an IP address string, got ${typeof v}`;
  const c = canonicalIp(v);
  if (c === null) return `${name}: not an IP address: ${JSON.stringify(v.slice(0, 64))}`;
  return c === v ? null : `${name}: not canonical (${JSON.stringify(v)}; canonical is ${c})`;
}

const entriesOf = new WeakMap<Schema, Array<[string, Field]>>();

export function validate<S extends Schema>(schema: S, input: unknown): Validation<Row<S>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['message: must be a JSON object'] };
  }
  let entries = entriesOf.get(schema);
  if (!entries) {
    entries = Object.entries(schema);
    entriesOf.set(schema, entries);
  }
  const src = input as Record<string, unknown>;
  const errors: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, f] of entries) {
    const err = checkField(name, f, src[name]);
    if (err) errors.push(err);
    else out[name] = src[name] ?? null;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: out as Row<S> };
}
