// One box's Porthole, as `porthole up` and `porthole demo` run it: the local Kafka and
// ClickHouse when the configuration names them and they are down, then the analyzer (it creates
// the schema), then the verifier and the console, each a supervised child; the sensor when there
// is something to capture. The state file follows every change. stop() ends the parts in order
// (sensor first) and then only the local services this system started.

import type { LogLines, LogRecord } from './log-lines.js';
import { LEVELS } from './log-lines.js';
import { answers, localPort, localSh, type ServiceHow, type ServiceName } from './local-services.js';
import { UpError } from './errors.js';
import {
  analyzerPart,
  consolePart,
  type PartsOptions,
  type SensorSource,
  STOP_ORDER,
  sensorPart,
  verifierPart,
} from './parts.js';
import { readState, type UpState, upRunning, writeState } from './state.js';
import { createSupervisor, type Supervisor } from './supervisor.js';

export interface SystemOptions {
  parts: PartsOptions;
  /** where the configuration puts Kafka and ClickHouse: local ones are started when down */
  brokers: string[];
  clickhouseUrl: string;
  /** false: never start local services (--no-local) */
  startLocal: boolean;
  statePath: string;
  log: LogLines;
  verifier: boolean;
  console: boolean;
  /** how long the rest waits for the analyzer's schema before starting anyway */
  schemaWaitMs?: number;
}

export interface System {
  supervisor: Supervisor;
  /** resolves with the name of the first part that exited 2 */
  refused: Promise<string>;
  /** the console's URL once it listens */
  consoleUrl(): string | null;
  startSensor(src: SensorSource, flushTimeoutMs: number): void;
  /** every part in order, then the local services started here; idempotent */
  stop(): Promise<void>;
}

/** Start it; null when `abort` fired meanwhile (what was started is stopped again). */
export async function startSystem(o: SystemOptions, abort: AbortSignal): Promise<System | null> {
  const prior = readState(o.statePath);
  if (prior && upRunning(prior))
    throw new UpError('UP_RUNNING', `porthole up is running already (pid ${prior.pid}, state ${o.statePath})`);
  const state: UpState = {
    v: 1,
    pid: process.pid,
    startedAt: Date.now(),
    updatedAt: Date.now(),
    stoppedAt: null,
    services: {},
    console: null,
    parts: [],
  };
  const metrics = new Map<string, string>();
  let supervisor: Supervisor | null = null;
  let writeTimer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (supervisor) state.parts = supervisor.states().map((p) => ({ ...p, metrics: metrics.get(p.name) ?? null }));
    state.updatedAt = Date.now();
    writeState(o.statePath, state);
  };
  const saveSoon = (): void => {
    writeTimer ??= setTimeout(() => {
      writeTimer = null;
      save();
    }, 200);
  };
  save();

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (supervisor) await supervisor.stop([...STOP_ORDER]);
      for (const name of ['kafka', 'clickhouse'] as const) {
        if (state.services[name] !== 'started') continue;
        o.log.own('info', `stopping the local ${name} (started by up)`);
        await localSh('down', name, (l) => o.log.fromChild(name, 'stdout', l)).catch((err) =>
          o.log.own('error', (err as Error).message),
        );
      }
      if (writeTimer) clearTimeout(writeTimer);
      state.stoppedAt = Date.now();
      save();
    })();
    return stopped;
  };

  // the local services, when the configuration names them
  for (const name of ['kafka', 'clickhouse'] as ServiceName[]) {
    const port = localPort(name, { brokers: o.brokers, clickhouseUrl: o.clickhouseUrl });
    let how: ServiceHow = 'external';
    if (port !== null) how = (await answers(port)) ? 'running' : o.startLocal ? 'started' : 'external';
    if (how === 'started') {
      o.log.own('info', `starting the local ${name} (deploy/local.sh up ${name})`);
      state.services[name] = how; // stopped again by stop() even when its start failed half-way
      try {
        await localSh('up', name, (l) => o.log.fromChild(name, 'stdout', l));
      } catch (err) {
        await stop();
        throw err;
      }
    } else {
      state.services[name] = how;
      o.log.own('info', `${name}: ${how === 'running' ? 'the local one, running already' : 'as configured'}`);
    }
    save();
    if (abort.aborted) return stop().then(() => null);
  }

  let refusedPart: string | null = null;
  let onRefused: (name: string) => void = () => {};
  const refused = new Promise<string>((r) => {
    onRefused = r;
  });
  let schemaReady: () => void = () => {};
  const schema = new Promise<void>((r) => {
    schemaReady = r;
  });
  const onRecord = (r: LogRecord): void => {
    if (r.level >= LEVELS.error) supervisor!.noteError(r.part, errorText(r));
    if (r.msg === 'metrics served' && typeof r.listen === 'string') {
      metrics.set(r.part, r.listen);
      saveSoon();
    }
    if (r.part === 'console' && r.msg === 'console listening' && typeof r.url === 'string') {
      state.console = r.url;
      saveSoon();
    }
    if (r.part === 'analyzer' && r.msg === 'schema ready') schemaReady();
  };
  supervisor = createSupervisor({
    line: (name, stream, text) => {
      const r = o.log.fromChild(name, stream, text);
      if (r) onRecord(r);
    },
    changed: saveSoon,
    event: (level, msg, fields) => o.log.own(level, msg, fields),
    fatal: (name) => {
      refusedPart ??= name;
      onRefused(name);
    },
  });
  const sys: System = {
    supervisor,
    refused,
    consoleUrl: () => state.console,
    startSensor: (src, flushTimeoutMs) => supervisor!.start(sensorPart(o.parts, src, flushTimeoutMs)),
    stop,
  };

  // the analyzer first: it creates the database and the schema the others read
  supervisor.start(analyzerPart(o.parts));
  const gaveUp = new Promise<void>((r) => {
    const t = setTimeout(r, o.schemaWaitMs ?? 60_000);
    abort.addEventListener('abort', () => {
      clearTimeout(t);
      r();
    });
    void schema.then(() => clearTimeout(t));
    void refused.then(() => clearTimeout(t));
  });
  await Promise.race([schema, refused, gaveUp]);
  if (abort.aborted) return stop().then(() => null);
  if (refusedPart) return sys; // the caller stops it, naming the part
  if (o.verifier) supervisor.start(verifierPart(o.parts));
  if (o.console) supervisor.start(consolePart(o.parts));
  return sys;
}

/** A record's error as one line: its message and, when it has one, the error it carries. */
function errorText(r: LogRecord): string {
  const err = r.err as { message?: unknown } | string | undefined;
  const detail = typeof err === 'string' ? err : typeof err?.message === 'string' ? err.message : null;
  return detail ? `${r.msg}: ${detail}` : r.msg;
}
