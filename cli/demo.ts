// `porthole demo`: argument parsing only (demo/run.ts tells the story).

import { parseArgs } from 'node:util';
import { runDemo } from '../demo/run.js';

export const DEMO_HELP = `Usage: porthole demo [--keep] [--exit-after-alert] [--verbose]

A one-minute story through the real pipeline. A small network's last ten minutes, as a mirror
port saw them, go through the sensor while the analyzer learns; then, live, the build box starts
serving a new port that a client on the internet reaches, and a workstation sweeps another
server's ports. The console shows the new-service alert (and only it); the verifier's nmap
checks the new port inside network namespaces the demo makes (root only: else it is skipped,
saying so). Everything runs as porthole up runs it, against the local Kafka and ClickHouse
(started when down, stopped again at the end), in a database, topics and consumer groups of
the demo's own. The demo prints the console's URL with a one-time account, and the commands to
try; Ctrl-C ends it and removes everything it made.

Options:
  --keep              keep the demo's database at the end
  --exit-after-alert  end once the alert (and nmap's verdict) is shown, as CI does
  --verbose           the parts' log on stderr (else in the demo's folder only)
  -h, --help          this help
`;

export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      keep: { type: 'boolean' },
      'exit-after-alert': { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  return runDemo({ keep: !!values.keep, exitAfterAlert: !!values['exit-after-alert'], verbose: !!values.verbose });
}
