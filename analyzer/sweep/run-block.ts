// One work item: a block of addresses swept with one nmap run (the block's group sets the host
// timeout), its results stored, then the block recorded as done; only then may its offset be
// committed (the caller's consumer does so once this resolves). A block already recorded is not
// swept again (taken over after a crash after its results were stored). Everything stored is
// keyed by (sweep_id, block) or by a deterministic alert id, so a block done twice adds nothing.
// Every address is checked against verify.allowedNetworks again here (scope.ts), whatever the
// work item says. A run cut short because the sweeper stops stores nothing (ABORTED is thrown:
// the block is delivered again). nmap failing is stored as the block's error: it is done, failed.

import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors.js';
import { isoDay } from '../../common/time.js';
import { endpointKey } from '../../schemas/endpoint.js';
import type { AlertRow, SweepHostRow, SweepResultRow } from '../../schemas/tables.js';
import type { AnalyzerConfig } from '../config.js';
import { AnalyzerError } from '../errors.js';
import { type Expected, isExpected, isTracked, severity } from '../policy.js';
import { dormantExposureAlert, owned } from '../rules.js';
import type { Store } from '../store/store.js';
import { blockDone, seenOnMirror, storedAlertIds } from '../store/sweep-queries.js';
import { insertRows } from '../store/writes.js';
import { sweepArgs } from '../verify/nmap-args.js';
import { runNmap } from '../verify/nmap-run.js';
import { type HostResult, parseNmapHosts } from '../verify/nmap-xml.js';
import { outOfScope } from '../verify/scope.js';
import { portArgs } from './ports.js';
import type { WorkItem } from './work.js';

export interface BlockContext {
  cfg: AnalyzerConfig;
  store: Store;
  logger: Logger;
  scan: 'syn' | 'connect';
  /** this sweeper's name (sweep_blocks.sweeper) */
  sweeper: string;
  /** aborted when the sweeper stops: nmap is killed */
  signal: AbortSignal;
  /** the expected services in force (config and porthole expect): never alerted as dormant */
  expected(): Promise<readonly Expected[]>;
}

export interface BlockOutcome {
  skipped: boolean;
  hostsUp: number;
  timedOut: number;
  open: number;
  dormant: number;
  error: string;
}

export async function runBlock(c: BlockContext, w: WorkItem): Promise<BlockOutcome> {
  const { cfg, store, logger } = c;
  const sw = cfg.sweep;
  if (await blockDone(store, w.sweep_id, w.block))
    return { skipped: true, hostsUp: 0, timedOut: 0, open: 0, dormant: 0, error: '' };
  const started = Date.now();
  const refused = w.addresses.filter((ip) => outOfScope(ip, cfg.verify.allowed));
  if (refused.length)
    logger.warn({ sweep: w.sweep_id, block: w.block, refused }, 'outside verify.allowedNetworks: not swept');
  const ips = w.addresses.filter((ip) => !outOfScope(ip, cfg.verify.allowed));
  const timeout = w.group === 'slow' ? sw.slowHostTimeoutMs : sw.hostTimeoutMs;
  let hosts: HostResult[] = [];
  let error = '';
  if (ips.length) {
    const v6 = ips[0].includes(':');
    const source = cfg.verify.sourceAddresses.find((a) => a.includes(':') === v6);
    logger.info({ sweep: w.sweep_id, block: w.block, group: w.group, addresses: ips.length }, 'sweeping block');
    try {
      // probes from the scanner's usual address would count as a client's (as for the verifier)
      if (cfg.verify.sourceAddresses.length && !source)
        throw new AnalyzerError('BAD_ADDRESS', `no verify.sourceAddresses address for ${v6 ? 'IPv6' : 'IPv4'}`);
      // refuses (BAD_ADDRESS, OUT_OF_SCOPE) a block it cannot run as it is: its error, not a retry
      const args = sweepArgs({
        ips,
        allowed: cfg.verify.allowed,
        ports: portArgs(sw.ports),
        scan: c.scan,
        hostDiscovery: sw.hostDiscovery,
        hostTimeoutMs: timeout,
        maxRetries: sw.maxRetries,
        minHostGroup: sw.minHostGroup,
        maxHostGroup: sw.maxHostGroup,
        minRate: sw.minRate,
        maxRate: sw.maxRate,
        source,
      });
      // nmap's own host timeouts bound the run: host groups one after another, each at most `timeout`
      const budget = Math.ceil(ips.length / sw.minHostGroup) * timeout + 60_000;
      logger.debug({ cmd: [...cfg.verify.nmapCommand, ...args].join(' ') }, 'nmap');
      hosts = parseNmapHosts(await runNmap(cfg.verify.nmapCommand, args, budget, c.signal));
    } catch (err) {
      if (err instanceof AnalyzerError && err.code === 'ABORTED') throw err;
      error = errorMessage(err);
      logger.error({ sweep: w.sweep_id, block: w.block, err: error }, 'sweep block failed');
    }
  }
  const now = Date.now();
  // nmap reports only addresses it was given; anything else in its output is dropped
  const given = new Set(ips);
  hosts = hosts.filter((h) => given.has(h.ip) && h.state === 'up');
  const hostRows: SweepHostRow[] = hosts.map((h) => ({
    sweep_id: w.sweep_id,
    block: w.block,
    ip: h.ip,
    ts: now,
    state: h.timedOut ? 'timeout' : 'up',
    rtt_us: Math.min(h.rttUs, 0xffffffff),
  }));
  const results: SweepResultRow[] = hosts.flatMap((h) =>
    h.ports
      .filter((p) => p.state === 'open')
      .map((p) => ({
        day: isoDay(now),
        ip: h.ip,
        proto: p.proto,
        port: p.port,
        sweep_id: w.sweep_id,
        block: w.block,
        ts: now,
        nmap_state: p.state,
        service: p.service,
        reason: p.reason,
      })),
  );
  await insertRows(store, 'sweep_results', results);
  await insertRows(store, 'sweep_hosts', hostRows);
  const dormant = await dormantAlerts(c, w.sweep_id, results, now);
  await insertRows(store, 'sweep_blocks', [
    {
      sweep_id: w.sweep_id,
      block: w.block,
      grp: w.group,
      targets: ips,
      hosts_up: hosts.length,
      hosts_timed_out: hostRows.filter((h) => h.state === 'timeout').length,
      ports_open: results.length,
      sweeper: c.sweeper,
      started_at: started,
      done_at: now,
      error,
    },
  ]);
  const outcome = {
    skipped: false,
    hostsUp: hosts.length,
    timedOut: hostRows.filter((h) => h.state === 'timeout').length,
    open: results.length,
    dormant,
    error,
  };
  logger.info({ sweep: w.sweep_id, block: w.block, ...outcome, ms: now - started }, 'block done');
  return outcome;
}

/**
 * Open ports the mirror never saw serving, on tracked addresses (policy.homeNetworks: others are
 * stored, never alerted, as for the mirror), not expected: one alert each, raised once.
 */
async function dormantAlerts(c: BlockContext, sweepId: string, open: SweepResultRow[], now: number): Promise<number> {
  if (open.length === 0) return 0;
  const seen = await seenOnMirror(c.store, [...new Set(open.map((r) => r.ip))]);
  const expected = await c.expected();
  const p = c.cfg.policy;
  const alerts: AlertRow[] = open
    .filter(
      (r) => !seen.has(endpointKey(r)) && isTracked(r.ip, p.homeNetworks) && !isExpected(r.ip, r.port, [...expected]),
    )
    .map((r) =>
      owned(
        dormantExposureAlert(r, { sweepId, service: r.service }, severity(r.port, p.highRiskPorts, false), now),
        p.owners,
      ),
    );
  const known = await storedAlertIds(
    c.store,
    alerts.map((a) => a.alert_id),
  );
  const fresh = alerts.filter((a) => !known.has(a.alert_id));
  await insertRows(c.store, 'alerts', fresh);
  return fresh.length;
}
