// Test helpers for the real local ClickHouse: a random database per test file, dropped after.

import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';

export const CH_URL = `http://127.0.0.1:${process.env.PORTHOLE_CLICKHOUSE_HTTP_PORT ?? '8123'}`;

export function randomDb(): string {
  return `porthole_test_${randomBytes(4).toString('hex')}`;
}

/** An empty database, as an analyzer's first start leaves one before its tables. */
export async function createDb(db: string): Promise<void> {
  const c = createClient({ url: CH_URL });
  try {
    await c.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  } finally {
    await c.close();
  }
}

export async function dropDb(db: string): Promise<void> {
  const c = createClient({ url: CH_URL });
  try {
    await c.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  } finally {
    await c.close();
  }
}

export async function chQuery<T>(query: string): Promise<T[]> {
  const c = createClient({ url: CH_URL });
  try {
    const rs = await c.query({ query, format: 'JSONEachRow' });
    return (await rs.json()) as T[];
  } finally {
    await c.close();
  }
}
