// Runs nmap once: the configured command (e.g. `ip netns exec scan nmap`) with an argument
// array (nmap-args.ts), never a shell; XML on stdout. nmap runs in a process group of its own,
// so a timeout or an abort (the verifier stopping) kills it and anything it started (a sudo or
// netns wrapper's child). A failure to run, a non-zero exit or a kill becomes an NMAP_FAILED
// AnalyzerError, retriable when killed; an abort is reported as the `ABORTED` code. nmap gets
// no PORTHOLE_* variable (a password given through the environment stays in this process).

import { spawn } from 'node:child_process';
import { childEnvironment } from '../../common/secret.js';
import { AnalyzerError } from '../errors.js';

const MAX_OUTPUT = 16 << 20;

export function runNmap(cmd: string[], args: string[], timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AnalyzerError('ABORTED', 'nmap not started: stopping'));
    const child = spawn(cmd[0], [...cmd.slice(1), ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnvironment(),
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let killed: 'timeout' | 'abort' | 'output' | null = null;
    const kill = (why: typeof killed): void => {
      if (killed || child.pid === undefined || child.exitCode !== null) return;
      killed = why;
      try {
        process.kill(-child.pid, 'SIGKILL'); // the whole group
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill('timeout'), timeoutMs);
    const onAbort = (): void => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > MAX_OUTPUT) kill('output');
      else out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString();
    });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      done();
      reject(new AnalyzerError('NMAP_FAILED', `nmap failed: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, sig) => {
      done();
      if (killed === 'abort') reject(new AnalyzerError('ABORTED', 'nmap killed: stopping'));
      else if (killed)
        reject(
          new AnalyzerError(
            'NMAP_FAILED',
            `nmap failed: killed (${killed === 'timeout' ? `no answer in ${timeoutMs} ms` : 'output too large'})`,
            { retriable: true },
          ),
        );
      else if (code !== 0)
        reject(
          new AnalyzerError(
            'NMAP_FAILED',
            `nmap failed: exit ${code ?? sig} ${
              err
                .trim()
                .split('\n')
                .filter((l) => !l.startsWith('WARNING'))[0] ?? ''
            }`.trim(),
          ),
        );
      else resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
