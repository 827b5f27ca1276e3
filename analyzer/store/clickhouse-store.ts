// All ClickHouse I/O of the analyzer and the query commands: schema creation and migration
// (from schemas/tables.ts), batched JSONEachRow inserts, state and outbox reads, retention,
// and the inventory queries. Literals are escaped by compat.lit(); no query_params (18.16).

import { createTableSql } from '../../schemas/ddl.js';
import { TABLES } from '../../schemas/tables.js';
import { AnalyzerError } from '../errors.js';
import { errorCode, ident, isUnavailable, lit, u64 } from './compat.js';
import { type Engine, httpEngine } from './engine.js';

export interface StoreOptions {
  url: string;
  user: string;
  password: string | null;
  database: string;
}

export interface StateRow {
  ip: string;
  proto: string;
  port: number;
  state: string;
  since: number;
  first_seen: number;
  last_seen: number;
  reason: string;
  version: number;
}

export interface AlertRow {
  day: string;
  alert_id: string;
  ts: number;
  kind: string;
  severity: string;
  ip: string;
  proto: string;
  port: number;
  message: string;
  details: string;
}

export interface ServiceRow {
  ip: string;
  proto: string;
  port: number;
  first_seen: number;
  last_seen: number;
  handshakes: number;
  clients: number;
  sensors: string[];
  vlans: number[];
  internet_exposed: boolean;
  evidence: string;
  ttl: number | null;
  tcp_window: number | null;
  mss: number | null;
}

export interface ServiceFilter {
  net?: [string, string];
  port?: number;
  ip?: string;
}

export interface Verification {
  ts: number;
  status: string;
  service: string;
  product: string;
  version: string;
  extrainfo: string;
  cpe: string;
  reason: string;
}

export class Store {
  readonly engine: Engine;
  readonly db: string;

  /** A store on a ClickHouse server (options) or on any engine (tests use an in-process one). */
  constructor(o: StoreOptions | { database: string; engine: Engine }) {
    this.db = ident(o.database);
    this.engine = 'engine' in o ? o.engine : httpEngine(o);
  }

  private t(name: string): string {
    return `${this.db}.${ident(name)}`;
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUnavailable(err))
        throw new AnalyzerError('STORE_UNAVAILABLE', `clickhouse unavailable (${what}): ${(err as Error).message}`, {
          retriable: true,
          cause: err,
        });
      // 18.16's errors reach the client as text: the code is read from it (compat.errorCode)
      throw new AnalyzerError(
        'STORE_REJECTED',
        `clickhouse refused ${what}: ${(err as Error).message.split('\n')[0]}`,
        {
          cause: err,
          clickhouseCode: errorCode(err),
        },
      );
    }
  }

  async version(): Promise<string> {
    const rows = await this.select<{ v: string }>('version', 'SELECT version() AS v');
    return rows[0].v;
  }

  /** Create the database and tables when missing, add columns that newer definitions have. */
  async migrate(): Promise<string[]> {
    const changes: string[] = [];
    await this.run('create database', () => this.engine.command(`CREATE DATABASE IF NOT EXISTS ${this.db}`));
    for (const t of TABLES) {
      await this.run(`create ${t.name}`, () => this.engine.command(createTableSql(this.db, t)));
      const cols = await this.select<{ name: string }>(
        'columns',
        `SELECT name FROM system.columns WHERE database = ${lit(this.db)} AND table = ${lit(t.name)}`,
      );
      const have = new Set(cols.map((c) => c.name));
      for (const c of t.columns) {
        if (have.has(c.name)) continue;
        // no AFTER clause: 18.16 cannot place a column after a MATERIALIZED one (see compat.ts)
        const def = `${c.name} ${c.type}${c.materialized ? ` MATERIALIZED ${c.materialized}` : ''}`;
        await this.run(`alter ${t.name}`, () => this.engine.command(`ALTER TABLE ${this.t(t.name)} ADD COLUMN ${def}`));
        changes.push(`${t.name}.${c.name}`);
      }
    }
    return changes;
  }

  async insert(table: string, rows: object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.run(`insert into ${table}`, () => this.engine.insertJsonEachRow(this.t(table), rows));
  }

  async select<T>(what: string, query: string): Promise<T[]> {
    return this.run(what, () => this.engine.selectJsonEachRow<T>(query));
  }

  async loadStates(): Promise<StateRow[]> {
    const rows = await this.select<Record<string, unknown>>(
      'states',
      `SELECT ip, proto, port, state, since, first_seen, last_seen, reason, version FROM ${this.t('endpoint_states')} FINAL`,
    );
    return rows.map((r) => ({
      ip: r.ip as string,
      proto: r.proto as string,
      port: Number(r.port),
      state: r.state as string,
      since: u64(r.since),
      first_seen: u64(r.first_seen),
      last_seen: u64(r.last_seen),
      reason: r.reason as string,
      version: u64(r.version),
    }));
  }

  async alertIds(): Promise<Set<string>> {
    const rows = await this.select<{ alert_id: string }>(
      'alert ids',
      `SELECT DISTINCT alert_id FROM ${this.t('alerts')}`,
    );
    return new Set(rows.map((r) => r.alert_id));
  }

  async undelivered(sink: string, limit = 1000): Promise<AlertRow[]> {
    const rows = await this.select<Record<string, unknown>>(
      'undelivered alerts',
      `SELECT day, alert_id, ts, kind, severity, ip, proto, port, message, details FROM ${this.t('alerts')} FINAL
       WHERE alert_id NOT IN (SELECT alert_id FROM ${this.t('alert_deliveries')} WHERE sink = ${lit(sink)})
       ORDER BY ts LIMIT ${lit(limit)}`,
    );
    return rows.map((r) => ({ ...(r as unknown as AlertRow), ts: u64(r.ts), port: Number(r.port) }));
  }

  async alerts(filter: { ip?: string; sinceMs?: number } = {}): Promise<AlertRow[]> {
    const where = [
      filter.ip ? `ip = ${lit(filter.ip)}` : '',
      filter.sinceMs !== undefined ? `ts >= ${lit(filter.sinceMs)}` : '',
    ].filter(Boolean);
    const rows = await this.select<Record<string, unknown>>(
      'alerts',
      `SELECT day, alert_id, ts, kind, severity, ip, proto, port, message, details FROM ${this.t('alerts')} FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts`,
    );
    return rows.map((r) => ({ ...(r as unknown as AlertRow), ts: u64(r.ts), port: Number(r.port) }));
  }

  async getMeta(key: string): Promise<string | null> {
    const rows = await this.select<{ value: string }>(
      'meta',
      `SELECT value FROM ${this.t('meta')} FINAL WHERE key = ${lit(key)}`,
    );
    return rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.insert('meta', [{ key, value, version: Date.now() }]);
  }

  /** Drop day partitions of raw Observations older than `days`. */
  async dropOldPartitions(days: number): Promise<string[]> {
    const cutoff = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
    const parts = await this.select<{ p: string }>(
      'partitions',
      `SELECT DISTINCT toString(min_date) AS p FROM system.parts WHERE database = ${lit(this.db)} AND table = 'observations' AND active AND max_date < ${lit(cutoff)}`,
    );
    for (const { p } of parts) {
      await this.run('drop partition', () =>
        this.engine.command(`ALTER TABLE ${this.t('observations')} DROP PARTITION ${lit(p)}`),
      );
    }
    return parts.map((x) => x.p);
  }

  /** The inventory: one row per (ip, proto, port), duplicates removed (FINAL). */
  async services(f: ServiceFilter = {}): Promise<ServiceRow[]> {
    const where: string[] = [];
    if (f.ip) where.push(`ip = ${lit(f.ip)}`);
    if (f.port !== undefined) where.push(`port = ${lit(f.port)}`);
    if (f.net)
      where.push(
        `ip_num BETWEEN toFixedString(unhex(${lit(f.net[0])}), 16) AND toFixedString(unhex(${lit(f.net[1])}), 16)`,
      );
    const rows = await this.select<Record<string, unknown>>(
      'services',
      `
      SELECT ip, proto, port, min(first_seen) AS fs, max(last_seen) AS ls, sum(handshakes) AS hs, max(clients) AS cl,
             groupUniqArray(sensor) AS sensors, groupUniqArray(ifNull(vlan, 0)) AS vlans, max(client_outside) AS outside,
             max(evidence = 'handshake') AS has_full, argMax(ttl, last_seen) AS ttl, argMax(tcp_window, last_seen) AS win,
             argMax(mss, last_seen) AS mss
      FROM ${this.t('observations')} FINAL
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      GROUP BY ip, proto, port
      ORDER BY ip, port`,
    );
    return rows.map((r) => ({
      ip: r.ip as string,
      proto: r.proto as string,
      port: Number(r.port),
      first_seen: u64(r.fs),
      last_seen: u64(r.ls),
      handshakes: u64(r.hs),
      clients: u64(r.cl),
      sensors: (r.sensors as string[]).sort(),
      vlans: (r.vlans as Array<number | string>)
        .map(Number)
        .filter((v) => v > 0)
        .sort((a, b) => a - b),
      internet_exposed: Number(r.outside) === 1,
      evidence: Number(r.has_full) === 1 ? 'handshake' : 'synack',
      ttl: r.ttl === null ? null : Number(r.ttl),
      tcp_window: r.win === null ? null : Number(r.win),
      mss: r.mss === null ? null : Number(r.mss),
    }));
  }

  /** The newest verification of each endpoint (status, product, version…). */
  async latestVerifications(ip?: string, finishedOnly = false): Promise<Map<string, Verification>> {
    const where = [ip ? `ip = ${lit(ip)}` : '', finishedOnly ? "status != 'pending'" : ''].filter(Boolean);
    const rows = await this.select<Record<string, unknown>>(
      'verifications',
      `
      SELECT ip, proto, port, max(ts) AS last_ts, argMax(status, ts) AS v_status, argMax(service, ts) AS v_service,
             argMax(product, ts) AS v_product, argMax(version, ts) AS v_version, argMax(extrainfo, ts) AS v_extrainfo,
             argMax(cpe, ts) AS v_cpe, argMax(reason, ts) AS v_reason
      FROM ${this.t('verifications')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY ip, proto, port`,
    );
    return new Map(
      rows.map((r) => [
        `${r.ip}|${r.proto}|${r.port}`,
        {
          ts: u64(r.last_ts),
          status: r.v_status as string,
          service: r.v_service as string,
          product: r.v_product as string,
          version: r.v_version as string,
          extrainfo: r.v_extrainfo as string,
          cpe: r.v_cpe as string,
          reason: r.v_reason as string,
        },
      ]),
    );
  }

  async verificationHistory(ip: string): Promise<Array<Verification & { port: number; proto: string }>> {
    const rows = await this.select<Record<string, unknown>>(
      'verification history',
      `
      SELECT port, proto, ts, status, service, product, version, extrainfo, cpe, reason FROM ${this.t('verifications')} FINAL
      WHERE ip = ${lit(ip)} ORDER BY port, ts`,
    );
    return rows.map((r) => ({
      port: Number(r.port),
      proto: r.proto as string,
      ts: u64(r.ts),
      status: r.status as string,
      service: r.service as string,
      product: r.product as string,
      version: r.version as string,
      extrainfo: r.extrainfo as string,
      cpe: r.cpe as string,
      reason: r.reason as string,
    }));
  }

  /** Per-window history of one host's endpoints. */
  async history(ip: string): Promise<
    Array<{
      port: number;
      proto: string;
      sensor: string;
      window_start: number;
      first_seen: number;
      last_seen: number;
      handshakes: number;
      evidence: string;
    }>
  > {
    const rows = await this.select<Record<string, unknown>>(
      'history',
      `
      SELECT port, proto, sensor, window_start, first_seen, last_seen, handshakes, evidence
      FROM ${this.t('observations')} FINAL WHERE ip = ${lit(ip)} ORDER BY port, window_start`,
    );
    return rows.map((r) => ({
      port: Number(r.port),
      proto: r.proto as string,
      sensor: r.sensor as string,
      window_start: u64(r.window_start),
      first_seen: u64(r.first_seen),
      last_seen: u64(r.last_seen),
      handshakes: Number(r.handshakes),
      evidence: r.evidence as string,
    }));
  }

  /** Endpoints whose newest verification row is still `pending` (resumed at verifier start). */
  async pendingVerifications(): Promise<Array<{ ip: string; proto: string; port: number }>> {
    const rows = await this.select<Record<string, unknown>>(
      'pending',
      `
      SELECT ip, proto, port FROM ${this.t('verifications')} GROUP BY ip, proto, port HAVING argMax(status, ts) = ${lit('pending')}`,
    );
    return rows.map((r) => ({ ip: r.ip as string, proto: r.proto as string, port: Number(r.port) }));
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
