// Runs once before the tests: compiles the project (tests that run the `porthole` binary run
// the code under test) and starts the local Kafka and ClickHouse the integration tests use,
// stopping each again at the end if this run started it. Under CI it also starts the local
// cluster (deploy/local.sh up --cluster) once for the whole run; elsewhere each cluster test
// starts the parts it needs itself (test/support/*-cluster.ts), so a run of one unit test does
// not start eight servers. A test that stops a part starts it again itself.
import { execFileSync, spawnSync } from 'node:child_process';

const LOCAL = 'deploy/local.sh';
const CLUSTER_PARTS = [
  'zookeeper',
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'clickhouse-1',
  'clickhouse-2',
  'clickhouse-3',
  'clickhouse-4',
];

export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  const started: string[] = [];
  for (const svc of ['kafka', 'clickhouse']) {
    if (spawnSync('bash', [LOCAL, 'status', svc]).status === 0) continue;
    execFileSync('bash', [LOCAL, 'up', svc], { stdio: 'inherit' });
    started.push(svc);
  }
  const down = !process.env.CI
    ? []
    : CLUSTER_PARTS.filter((p) => spawnSync('bash', [LOCAL, 'status', '--cluster', p]).status !== 0);
  // the three Kafka nodes start together when all are down (one alone has no quorum to join)
  const kafkaDown = down.filter((p) => p.startsWith('kafka-'));
  const toStart = kafkaDown.length === 3 ? [...down.filter((p) => !p.startsWith('kafka-')), 'kafka'] : down;
  if (down.length) execFileSync('bash', [LOCAL, 'up', '--cluster', ...toStart], { stdio: 'inherit' });
  return () => {
    if (down.length) spawnSync('bash', [LOCAL, 'down', '--cluster', ...[...toStart].reverse()], { stdio: 'inherit' });
    for (const svc of started) spawnSync('bash', [LOCAL, 'down', svc], { stdio: 'inherit' });
  };
}
