// `porthole verify IP:PORT…`: asks the verifier to verify endpoints now (analyzer/verify/
// requests.ts), then says what became of each request: taken, refused (outside
// verify.allowedNetworks), or not taken yet because no verifier runs; with --wait, each verdict.
// Argument parsing and printing only.

import { parseArgs } from 'node:util';
import { loadAnalyzerConfig } from '../analyzer/config.js';
import { migrate, requireDatabase } from '../analyzer/store/migrate.js';
import { Store } from '../analyzer/store/store.js';
import { parseTarget, type RequestState, requestStates, submitRequests } from '../analyzer/verify/requests.js';
import { sleep } from '../common/time.js';
import type { EndpointId } from '../schemas/endpoint.js';
import { durationFlag, usage } from './args.js';
import { actor } from './store-args.js';

export const VERIFY_HELP = `Usage: porthole verify IP:PORT [IP:PORT…] [--wait] [options]

Ask for an nmap -sV verification of each endpoint now, whatever verify.minInterval says. The
request goes to the verify-requests topic; a running porthole verifier takes it within seconds
(one started later takes it then). Only addresses inside the verifier's verify.allowedNetworks
are scanned: any other is refused, and said so. An IPv6 address goes in brackets:
[2001:db8::1]:22. Exit status 1 when a request is refused or (with --wait) has no verdict in time.
  --wait            wait for each verdict and print it
  --timeout DUR     how long --wait waits (default 5m)
  --by NAME         who asks (default $USER)
  --json            one JSON object per endpoint
  --config FILE     JSON config file (keys as for porthole analyzer)
  --brokers LIST    Kafka brokers (default 127.0.0.1:9092)
  --clickhouse URL  ClickHouse HTTP URL (default http://127.0.0.1:8123)
  --database NAME   database (default porthole)
  -h, --help        this help
`;

const OPTS = {
  config: { type: 'string' },
  clickhouse: { type: 'string' },
  database: { type: 'string' },
  brokers: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  by: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How long a request may wait for a verifier to take it before the command says none did. */
const TAKE_WAIT_MS = 10_000;

const where = (e: EndpointId): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

function line(e: EndpointId, s: RequestState): string {
  switch (s.state) {
    case 'waiting':
      return `${where(e)} requested; no verifier has taken it yet (is porthole verifier running?): one takes it when it runs`;
    case 'refused':
      return `${where(e)} refused: ${s.answer.reason} (not scanned)`;
    case 'queued':
      return `${where(e)} queued for verification`;
    case 'verified': {
      const d = s.verdict;
      const what = [d.status, d.service, d.product, d.version].filter(Boolean).join(' ');
      return `${where(e)} ${what}${d.status === 'unverifiable' && d.reason ? ` (${d.reason})` : ''}`;
    }
  }
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTS, allowPositionals: true });
  if (v.help) {
    process.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (positionals.length === 0) throw usage('verify: give at least one IP:PORT');
  const targets = positionals.map((t) => {
    const e = parseTarget(t);
    if ('error' in e) throw usage(`verify: ${e.error}`);
    return e;
  });
  if (v.timeout !== undefined && !v.wait) throw usage('--timeout is for --wait');
  const waitMs = v.timeout === undefined ? 300_000 : durationFlag('--timeout', v.timeout);
  const by = actor(v.by);
  const cfg = loadAnalyzerConfig({
    file: v.config,
    flags: { 'clickhouse.url': v.clickhouse, 'clickhouse.database': v.database, 'kafka.brokers': v.brokers },
  });
  const store = new Store(cfg.clickhouse);
  try {
    await requireDatabase(store); // a mistyped --database is refused, not created
    await migrate(store); // the request column exists even before a verifier of this version has started
    const reqs = await submitRequests(
      { brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-verify`, security: cfg.kafka.security },
      cfg.kafka.verifyRequestsTopic,
      cfg.kafka.replication,
      targets,
      by,
    );
    // without --wait: until each request is taken (or TAKE_WAIT_MS); with --wait: until each has
    // its verdict (or --timeout), saying so as each is taken and as each verdict comes
    const done = (x: RequestState) =>
      x.state === 'refused' || x.state === 'verified' || (!v.wait && x.state === 'queued');
    const said = reqs.map(() => '');
    const say = (i: number, s: RequestState, text = line(reqs[i], s)): void => {
      if (v.json || said[i] === s.state) return;
      said[i] = s.state;
      process.stdout.write(`${text}\n`);
    };
    const deadline = Date.now() + (v.wait ? waitMs : TAKE_WAIT_MS);
    let states = await requestStates(store, reqs);
    while (!states.every(done) && Date.now() < deadline) {
      if (v.wait) for (const [i, s] of states.entries()) if (s.state !== 'waiting') say(i, s);
      await sleep(500);
      states = await requestStates(store, reqs);
    }
    states.forEach((s, i) => {
      if (v.wait && s.state === 'queued')
        say(i, { state: 'waiting' }, `${where(reqs[i])} no verdict within ${v.timeout ?? '5m'}: still queued`);
      else say(i, s);
    });
    if (v.json)
      for (const [i, s] of states.entries()) {
        const d = s.state === 'verified' ? s.verdict : s.state === 'waiting' ? null : s.answer;
        const out = { ip: reqs[i].ip, port: reqs[i].port, request: reqs[i].request, state: s.state };
        const found = d && {
          status: d.status,
          service: d.service,
          product: d.product,
          version: d.version,
          reason: d.reason,
        };
        process.stdout.write(`${JSON.stringify({ ...out, ...found })}\n`);
      }
    const failed = states.some((s) => s.state === 'refused' || (v.wait && s.state !== 'verified'));
    return failed ? 1 : 0;
  } finally {
    await store.close();
  }
}
