// Upgrade in place: rows a database held before the aggregate tables existed (raw windows,
// states, verifications) are folded into them once, so the inventory, the rollups and the
// exposure history start complete. Runs at analyzer start before anything is consumed; with
// several analyzers starting at once, one folds (the earliest claim in meta) and the others wait.
// Each day of raw windows is one statement, recorded when done, so a restart resumes with the
// next day. Limits: a crash inside a day's statement can leave that day partly folded (counted
// again on resume); exposure history before the upgrade is one interval per endpoint, from its
// first sighting (closed at its last sighting when it was stale). In cluster mode it reads and
// writes the Distributed tables: each row goes to its endpoint's shard.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { sleep } from '../../common/time.js';
import { INVENTORY, ROLLUP_DAILY, ROLLUP_HOURLY } from '../../schemas/aggregates.js';
import { aggSelectSql } from '../../schemas/ddl.js';
import { lit, u64 } from './compat.js';
import type { Store } from './store.js';
import { FOLD_DONE, VIEWS_CREATED_AT } from './migrate.js';
import { getMeta, setMeta } from './writes.js';

const CLAIM_SETTLE_MS = 2000;

const source = (t: typeof INVENTORY | typeof ROLLUP_HOURLY | typeof ROLLUP_DAILY, table: string) => {
  const src = t.sources.find((x) => x.table === table);
  if (!src) throw new Error(`${t.name} has no source ${table}`);
  return src;
};

async function count(s: Store, table: 'observations' | 'endpoint_states' | 'verifications'): Promise<number> {
  const [r] = await s.select<{ c: unknown }>('count', `SELECT count() AS c FROM ${s.table(table)}`);
  return u64(r.c);
}

/** Whether this process should fold: the earliest claim wins; false once another has folded. */
async function claim(s: Store, logger: Logger): Promise<boolean> {
  const me = `fold_claim|${Date.now()}|${randomBytes(4).toString('hex')}`;
  await setMeta(s, me, '1');
  await sleep(CLAIM_SETTLE_MS);
  const [first] = await s.select<{ key: string }>(
    'fold claims',
    `SELECT key FROM ${s.table('meta')} WHERE key LIKE 'fold_claim|%' ORDER BY key LIMIT 1`,
  );
  if (first?.key === me) return true;
  logger.info('another analyzer is folding the stored rows into the inventory; waiting for it');
  while ((await getMeta(s, FOLD_DONE)) === null) await sleep(CLAIM_SETTLE_MS);
  return false;
}

/** Fold stored rows into the aggregate tables once (no-op on a fresh or already folded database). */
export async function foldExisting(s: Store, logger: Logger): Promise<void> {
  if ((await getMeta(s, FOLD_DONE)) !== null) return;
  const [obs, states, ver] = [
    await count(s, 'observations'),
    await count(s, 'endpoint_states'),
    await count(s, 'verifications'),
  ];
  if (obs + states + ver === 0) {
    await setMeta(s, FOLD_DONE, String(Date.now()));
    return;
  }
  if (!(await claim(s, logger))) return;
  const t0 = Date.now();
  logger.info({ observations: obs, states, verifications: ver }, 'upgrade: folding stored rows into the inventory');
  const days = await s.select<{ d: string }>(
    'days',
    `SELECT DISTINCT toString(day) AS d FROM ${s.table('observations')} ORDER BY d`,
  );
  // rows stored once the views existed were counted by them (an older analyzer still running, or
  // one started after a newer command created the views): only those stored before are folded
  const viewsSince = Number(await getMeta(s, VIEWS_CREATED_AT));
  const before = viewsSince > 0 ? ` AND ingested_at < toDateTime(${lit(Math.floor(viewsSince / 1000))})` : '';
  for (const [i, { d }] of days.entries()) {
    if ((await getMeta(s, `fold_day|${d}`)) !== null) continue;
    const where = `day = ${lit(d)}${before}`;
    for (const t of [INVENTORY, ROLLUP_HOURLY, ROLLUP_DAILY])
      await s.command(
        `fold ${d} into ${t.name}`,
        `INSERT INTO ${s.db}.${t.name} ${aggSelectSql(s.db, t, source(t, 'observations'), { where, final: true })}`,
      );
    await setMeta(s, `fold_day|${d}`, '1');
    logger.info({ day: d, done: i + 1, of: days.length }, 'upgrade: day folded');
  }
  if ((await getMeta(s, 'fold_states')) === null) {
    for (const table of ['endpoint_states', 'verifications'])
      await s.command(
        `fold ${table}`,
        `INSERT INTO ${s.table(INVENTORY.name)} ${aggSelectSql(s.db, INVENTORY, source(INVENTORY, table))}`,
      );
    // one interval per tracked endpoint: from its first sighting, closed when it was stale
    await s.command(
      'fold exposures',
      `INSERT INTO ${s.table('exposure_events')} (ip, proto, port, ts, event, reason)
       SELECT ip, proto, port, first_seen, 'open', 'migrated' FROM ${s.table('endpoint_states')} FINAL`,
    );
    await s.command(
      'fold exposures',
      `INSERT INTO ${s.table('exposure_events')} (ip, proto, port, ts, event, reason)
       SELECT ip, proto, port, last_seen, 'close', 'stale' FROM ${s.table('endpoint_states')} FINAL WHERE state = 'stale'`,
    );
    await setMeta(s, 'fold_states', '1');
  }
  await setMeta(s, FOLD_DONE, String(Date.now()));
  logger.info({ ms: Date.now() - t0, days: days.length }, 'upgrade: stored rows folded into the inventory');
}
