// Runs once before the tests: compiles the project (tests that run the `porthole` binary run
// the code under test) and starts the local Kafka the integration tests use, stopping it again
// at the end if this run started it.
import { execFileSync, spawnSync } from 'node:child_process';

const LOCAL = 'deploy/local.sh';

export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  const wasRunning = spawnSync('bash', [LOCAL, 'status', 'kafka']).status === 0;
  if (!wasRunning) execFileSync('bash', [LOCAL, 'up', 'kafka'], { stdio: 'inherit' });
  return () => {
    if (!wasRunning) spawnSync('bash', [LOCAL, 'down', 'kafka'], { stdio: 'inherit' });
  };
}
