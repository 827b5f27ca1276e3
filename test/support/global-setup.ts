// Runs once before the tests: compiles the project (tests that run the `porthole` binary run
// the code under test) and starts the local Kafka and ClickHouse the integration tests use,
// stopping each again at the end if this run started it.
import { execFileSync, spawnSync } from 'node:child_process';

const LOCAL = 'deploy/local.sh';

export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  const started: string[] = [];
  for (const svc of ['kafka', 'clickhouse']) {
    if (spawnSync('bash', [LOCAL, 'status', svc]).status === 0) continue;
    execFileSync('bash', [LOCAL, 'up', svc], { stdio: 'inherit' });
    started.push(svc);
  }
  return () => {
    for (const svc of started) spawnSync('bash', [LOCAL, 'down', svc], { stdio: 'inherit' });
  };
}
