// The verifier's reads (store/verification-queries.ts) on ClickHouse 18.16 over HTTP and a
// current ClickHouse in-process (chdb), with the same assertions: what the verifier remembers at
// start (a refusal is no scan; the last product seen open survives a later refusal) and what a
// `porthole verify` request became.

import { describe, expect, it } from 'vitest';
import { migrate } from '../../analyzer/store/migrate.js';
import { Store } from '../../analyzer/store/store.js';
import { requestAnswers, verdictSince, verifierMemory } from '../../analyzer/store/verification-queries.js';
import { insertRows } from '../../analyzer/store/writes.js';
import { verificationRow, type VerifyStatus } from '../../analyzer/verify/results.js';
import { randomDb } from '../support/clickhouse.js';
import { bothEngines } from '../support/engines.js';

const { engines, cleanups } = bothEngines();

describe.each(engines)('verification queries on %s', (_name, make) => {
  it('remember scans, not refusals; find what became of a request', async () => {
    const engine = make();
    const db = randomDb();
    const store = new Store({ database: db, engine });
    cleanups.push(async () => {
      await engine.command(`DROP DATABASE IF EXISTS ${db}`).catch(() => {});
      await store.close();
    });
    await migrate(store);
    const e = (port: number) => ({ ip: '192.0.2.1', proto: 'tcp', port });
    const row = (port: number, ts: number, status: VerifyStatus, product = '', request = '') =>
      verificationRow(
        e(port),
        ts,
        status,
        '',
        {
          p: product
            ? {
                port,
                proto: 'tcp',
                state: 'open',
                reason: '',
                service: 'ssh',
                product,
                version: '9.2',
                extrainfo: '',
                cpe: [],
              }
            : undefined,
          durationMs: 1,
          attempt: 1,
        },
        request,
      );
    await insertRows(store, 'verifications', [
      row(22, 1000, 'pending'),
      row(22, 2000, 'verified_open', 'OpenSSH'),
      row(22, 3000, 'refused'), // the scope shrank: no scan
      row(80, 1000, 'refused'),
      row(443, 1000, 'refused'),
      row(443, 5000, 'pending', '', 'req-1'),
      row(8080, 1000, 'closed_now'),
      row(8080, 6000, 'refused', '', 'req-2'),
    ]);
    const m = await verifierMemory(store);
    expect(m.get('192.0.2.1|tcp|22')).toEqual({
      latest: 'refused',
      lastStatus: 'refused',
      lastScan: 2000,
      product: 'OpenSSH 9.2',
    });
    expect(m.get('192.0.2.1|tcp|80')).toEqual({ latest: 'refused', lastStatus: 'refused', lastScan: 0, product: '' });
    expect(m.get('192.0.2.1|tcp|443')).toEqual({ latest: 'pending', lastStatus: 'refused', lastScan: 0, product: '' });
    expect(m.get('192.0.2.1|tcp|8080')).toMatchObject({ lastStatus: 'refused', lastScan: 1000 });

    const answers = await requestAnswers(store, ['req-1', 'req-2', 'req-3']);
    expect([...answers.keys()].sort()).toEqual(['req-1', 'req-2']);
    expect(answers.get('req-1')).toMatchObject({ port: 443, status: 'pending', ts: 5000 });
    expect(answers.get('req-2')).toMatchObject({ port: 8080, status: 'refused', ts: 6000 });
    expect(await verdictSince(store, e(443), 5000)).toBeNull();
    await insertRows(store, 'verifications', [row(443, 7000, 'verified_open', 'nginx'), row(443, 9000, 'closed_now')]);
    expect(await verdictSince(store, e(443), 5000)).toMatchObject({
      status: 'verified_open',
      product: 'nginx',
      ts: 7000,
    });
    expect(await requestAnswers(store, [])).toEqual(new Map());
  });
});
