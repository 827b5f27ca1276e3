// Runs nmap once: the configured command (e.g. `ip netns exec scan nmap`) with an argument
// array (nmap-args.ts), never a shell; XML on stdout. A failure to run, a non-zero exit or the
// run's own timeout (killed) becomes an NMAP_FAILED AnalyzerError, retriable when killed.

import { execFile } from 'node:child_process';
import { AnalyzerError } from '../errors.js';

export function runNmap(cmd: string[], args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd[0],
      [...cmd.slice(1), ...args],
      { timeout: timeoutMs, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new AnalyzerError(
              'NMAP_FAILED',
              `nmap failed: ${err.message.split('\n')[0]} ${String(stderr).trim().split('\n')[0] ?? ''}`,
              { retriable: err.killed === true, cause: err },
            ),
          );
        else resolve(stdout);
      },
    );
  });
}
