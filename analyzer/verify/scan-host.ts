// One host's verification: nmap -sV of its new ports in one run (from verify.sourceAddresses
// when set), each port retried apart with the slow-host timeout when that run times out, then
// the results stored: a verifications row per port, the end of exposure and the resolution of
// open alerts for ports found closed, a service_changed alert for a changed product/version.
// A run cut short because the verifier stops stores nothing: its ports stay pending and are
// resumed at the next start.

import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors.js';
import { endpointKey } from '../../schemas/endpoint.js';
import type { VerificationRow } from '../../schemas/tables.js';
import { resolveEndpointAlerts } from '../alert/lifecycle.js';
import type { AnalyzerConfig } from '../config.js';
import { AnalyzerError } from '../errors.js';
import { owned, serviceChangedAlert } from '../rules.js';
import type { Store } from '../store/store.js';
import { insertRows } from '../store/writes.js';
import { nmapArgs } from './nmap-args.js';
import { runNmap } from './nmap-run.js';
import { type NmapResult, parseNmapXml, type PortResult } from './nmap-xml.js';
import { statusOf, verificationRow } from './results.js';
import { requireInScope } from './scope.js';

export interface HostScanContext {
  cfg: AnalyzerConfig;
  store: Store;
  logger: Logger;
  scan: 'syn' | 'connect';
  /** last finished scan per endpoint key, ms (updated here) */
  lastVerified: Map<string, number>;
  /** `product version` last seen open per endpoint key (updated here) */
  lastProduct: Map<string, string>;
  /** aborted when the verifier stops: running nmap processes are killed */
  signal: AbortSignal;
  /** stores verification rows (and counts their verdicts) */
  record(rows: VerificationRow[]): Promise<void>;
  /** each nmap run that ended (not one cut short by the stop), its duration */
  nmapRan(seconds: number): void;
}

export function hostScanner(c: HostScanContext): (ip: string, ports: number[]) => Promise<void> {
  const v = c.cfg.verify;
  const { store, logger } = c;

  async function nmapOnce(ip: string, ports: number[], timeout: number, attempt: number) {
    const source = v.sourceAddresses.find((a) => a.includes(':') === ip.includes(':'));
    const args = nmapArgs({
      ip,
      ports,
      scan: c.scan,
      hostTimeoutMs: timeout,
      versionIntensity: v.versionIntensity,
      maxRetries: v.maxRetries,
      source,
    });
    logger.info({ ip, ports, attempt, cmd: [...v.nmapCommand, ...args].join(' ') }, 'verifying');
    const t0 = performance.now();
    try {
      const xml = await runNmap(v.nmapCommand, args, timeout + 30_000, c.signal);
      c.nmapRan((performance.now() - t0) / 1000);
      const result = parseNmapXml(xml);
      return { result, error: result.timedOut ? `host timeout (${timeout} ms)` : '' };
    } catch (err) {
      if (err instanceof AnalyzerError && err.code === 'ABORTED') throw err;
      if (err instanceof AnalyzerError && err.code === 'NMAP_FAILED') c.nmapRan((performance.now() - t0) / 1000);
      return { result: null as NmapResult | null, error: errorMessage(err) };
    }
  }

  return async function scanHost(ip: string, ports: number[]): Promise<void> {
    // the scheduler refuses these before they get here; nmap is never pointed outside the scope
    requireInScope(ip, v.allowed);
    // probes from the scanner's usual address would count as a client's: with source addresses
    // set, a family without one is not scanned
    if (v.sourceAddresses.length && !v.sourceAddresses.some((a) => a.includes(':') === ip.includes(':'))) {
      const why = `no verify.sourceAddresses address for ${ip.includes(':') ? 'IPv6' : 'IPv4'}`;
      const now = Date.now();
      await c.record(ports.map((port) => verificationRow({ ip, proto: 'tcp', port }, now, 'unverifiable', why)));
      logger.warn({ ip, ports, why }, 'not verified');
      return;
    }
    const started = Date.now();
    // one run for all of the host's new ports; when the host times out (a port that accepts and
    // stays silent holds -sV), each port is retried apart with the longer slow-host timeout
    const first = await nmapOnce(ip, ports, v.hostTimeoutMs, 1);
    const outcome = new Map<number, { p: PortResult | undefined; ok: boolean; error: string; attempt: number }>();
    if (first.result && !first.result.timedOut) {
      for (const port of ports)
        outcome.set(port, { p: first.result.ports.find((x) => x.port === port), ok: true, error: '', attempt: 1 });
    } else {
      for (const port of ports) {
        const again = await nmapOnce(ip, [port], v.slowHostTimeoutMs, 2);
        const ok = !!again.result && !again.result.timedOut;
        outcome.set(port, {
          p: again.result?.ports.find((x) => x.port === port),
          ok,
          error: again.error || first.error,
          attempt: 2,
        });
      }
    }
    const now = Date.now();
    const rows = ports.map((port) => {
      const { p, ok, error, attempt } = outcome.get(port)!;
      return verificationRow({ ip, proto: 'tcp', port }, now, ok ? statusOf(p) : 'unverifiable', p?.reason || error, {
        p,
        durationMs: now - started,
        attempt,
      });
    });
    await c.record(rows);
    await closeExposures(rows, now);
    const changes = [];
    for (const r of rows) {
      const k = endpointKey(r);
      c.lastVerified.set(k, now);
      if (r.status !== 'verified_open') continue;
      const pv = `${r.product} ${r.version}`.trim();
      const before = c.lastProduct.get(k);
      if (before !== undefined && pv && before !== pv)
        changes.push(owned(serviceChangedAlert(r, { before, after: pv, cpe: r.cpe }, now), c.cfg.policy.owners));
      if (pv) c.lastProduct.set(k, pv);
    }
    await insertRows(store, 'alerts', changes);
    logger.info(
      {
        ip,
        results: rows.map((r) => `${r.port}:${r.status}${r.product ? ` ${r.product} ${r.version}`.trimEnd() : ''}`),
      },
      'verified',
    );
  };

  /** Ports found closed: their exposure ended, their open alerts are resolved. */
  async function closeExposures(rows: VerificationRow[], now: number): Promise<void> {
    const closed = rows.filter((r) => r.status === 'closed_now');
    if (!closed.length) return;
    const ip = closed[0].ip;
    await insertRows(
      store,
      'exposure_events',
      closed.map((r) => ({ ip: r.ip, proto: r.proto, port: r.port, ts: r.ts, event: 'close', reason: 'closed_now' })),
    ).catch((err) => logger.warn({ ip, err: errorMessage(err) }, 'end of exposure not stored'));
    await resolveEndpointAlerts(store, closed, 'closed_now (nmap)', now).catch((err) =>
      logger.warn({ ip, err: errorMessage(err) }, 'alerts of closed ports not resolved'),
    );
  }
}
