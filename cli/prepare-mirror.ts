// `porthole prepare-mirror IF[,IF...]`: makes interfaces capture-only mirror ports — up,
// promiscuous, no addresses, IPv6 off (no autoconfiguration traffic of its own), and
// segmentation/receive offloads off so libpcap sees wire-sized frames (with them on, each
// ring slot takes ~64 KiB and a small buffer overflows; see docs/operations.md).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usage } from './args.js';

export const PREPARE_HELP = `Usage: porthole prepare-mirror [--dry-run] IF[,IF...]

Prepare each interface for capture (several: a TAP's ports, as --iface lists them): link up,
promiscuous, addresses flushed, IPv6 disabled, offloads (gro gso tso lro) off. Needs root.
--dry-run prints the commands only.
`;

export function mirrorCommands(iface: string): string[][] {
  return [
    ['ip', 'link', 'set', 'dev', iface, 'up', 'promisc', 'on'],
    ['ip', 'addr', 'flush', 'dev', iface],
    ['sysctl', '-q', '-w', `net.ipv6.conf.${iface}.disable_ipv6=1`],
    ['ethtool', '-K', iface, 'gro', 'off', 'gso', 'off', 'tso', 'off', 'lro', 'off'],
  ];
}

export async function prepareMirrorCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(PREPARE_HELP);
    return 0;
  }
  const ifaces = positionals.flatMap((p) => p.split(',')).filter((i) => i !== '');
  if (ifaces.length === 0) throw usage('prepare-mirror: give an interface (or several, comma-separated)');
  for (const iface of ifaces) {
    if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(iface))
      throw usage(`prepare-mirror: not an interface name: ${JSON.stringify(iface)}`);
    if (!values['dry-run'] && !existsSync(`/sys/class/net/${iface}`))
      throw usage(`prepare-mirror: no interface ${JSON.stringify(iface)} on this host (ip link lists them)`);
  }
  let failed = 0;
  for (const cmd of ifaces.flatMap(mirrorCommands)) {
    process.stdout.write(`${cmd.join(' ')}\n`);
    if (values['dry-run']) continue;
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) {
      // ethtool reports features a driver cannot change; the rest still applies
      const msg = (r.stderr || r.error?.message || '').trim().split('\n')[0];
      process.stderr.write(`  ${cmd[0] === 'ethtool' ? 'warning' : 'error'}: ${msg}\n`);
      if (cmd[0] !== 'ethtool') failed++;
    }
  }
  return failed ? 1 : 0;
}
