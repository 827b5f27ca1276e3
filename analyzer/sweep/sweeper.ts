// `porthole sweeper`: sweeps verify.allowedNetworks once per sweep.period with nmap (tuned by
// sweep.*), the work spread over every sweeper of one consumer group through the sweep topic.
// Each sweeper plans the period's sweep when no sweeper has (plan.ts), takes blocks from the
// partitions it is given, and lets a block's offset be committed only once its results are
// stored (run-block.ts): a sweeper that dies mid-block loses nothing, its partitions and the
// block go to another after the group's session timeout. Progress is published on the status
// topic and logged every STATUS_MS. On SIGTERM/SIGINT the running nmap is killed (its block is
// delivered again) and the consumer leaves the group.

import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ConfigError, errorMessage } from '../../common/errors.js';
import { ensureTopics, KAFKA_STOP_WAIT_MS, kafkaClient, topicSpec } from '../../common/kafka.js';
import { rethrowKafkaFailure } from '../../common/kafka-failure.js';
import { within } from '../../common/time.js';
import { TOPICS } from '../../schemas/topics.js';
import type { AnalyzerConfig } from '../config.js';
import { AnalyzerError } from '../errors.js';
import { loadStoredRules } from '../expected.js';
import { migrate } from '../store/migrate.js';
import { Store } from '../store/store.js';
import { sweepTotals } from '../store/sweep-queries.js';
import { scanFor, thisProcessMayRawScan } from '../verify/privilege.js';
import { planSweep } from './plan.js';
import { sweepProgress } from './progress.js';
import { runBlock } from './run-block.js';
import { sweepTargets } from './targets.js';
import { parseWorkItem } from './work.js';

const STATUS_MS = 10_000;
/** A sweeper silent this long leaves the group: its partitions (and block) go to another. */
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 3000;

export async function runSweeper(cfg: AnalyzerConfig, logger: Logger): Promise<number> {
  const v = cfg.verify;
  const sw = cfg.sweep;
  if (v.allowed.length === 0) throw new ConfigError('verify.allowedNetworks is empty: nothing may be swept');
  const targets = sweepTargets(v.allowed, sw.maxAddresses).length; // refuses too large a scope now
  const raw = thisProcessMayRawScan();
  if (sw.scanType === 'syn' && !v.sourceAddresses.length && !raw)
    throw new ConfigError(
      'sweep.scanType syn: nmap may not send raw packets from this process (not root, or CAP_NET_RAW without NMAP_PRIVILEGED=1); use auto or connect, or give it the privilege',
    );
  const scan = scanFor(sw.scanType, v.sourceAddresses.length > 0, raw);
  const name = `${hostname()}-${process.pid}`;
  const store = new Store(cfg.clickhouse);
  await migrate(store);

  const conn = { brokers: cfg.kafka.brokers, clientId: `${cfg.kafka.clientId}-sweeper`, security: cfg.kafka.security };
  const kafka = kafkaClient(conn, 'default');
  const admin = kafka.admin();
  await admin.connect().catch(rethrowKafkaFailure(conn));
  await ensureTopics(admin, [
    topicSpec(sw.topic, TOPICS.sweepBlocks, cfg.kafka.replication),
    topicSpec(sw.statusTopic, TOPICS.sweepStatus, cfg.kafka.replication),
  ]);
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();

  const stopping = new AbortController();
  let blocksDone = 0;
  const ctx = {
    cfg,
    store,
    logger,
    scan,
    sweeper: name,
    signal: stopping.signal,
    expected: async () => [...cfg.policy.expected, ...(await loadStoredRules(store))],
  };

  const consumer = kafka.consumer({
    groupId: sw.groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_MS,
    maxWaitTimeInMs: 500,
    // a block is one message: fetch few, so blocks wait on the partition, not in this process
    maxBytesPerPartition: 64 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: sw.topic, fromBeginning: true });
  await consumer.run({
    autoCommitThreshold: 1, // each block's offset committed as soon as its results are stored
    eachMessage: async ({ message, heartbeat }) => {
      const w = parseWorkItem(String(message.value));
      if (!w) return logger.warn({ offset: message.offset }, 'not a sweep block: skipped');
      // nmap runs for minutes: the group must keep hearing from this member meanwhile
      const beat = setInterval(() => heartbeat().catch(() => {}), HEARTBEAT_MS);
      try {
        const out = await runBlock(ctx, w);
        if (out.skipped) logger.info({ sweep: w.sweep_id, block: w.block }, 'block already done: skipped');
        else blocksDone++;
      } catch (err) {
        if (err instanceof AnalyzerError && err.code === 'ABORTED') {
          logger.info({ sweep: w.sweep_id, block: w.block }, 'block interrupted: delivered again');
        } else logger.error({ sweep: w.sweep_id, block: w.block, err: errorMessage(err) }, 'block not stored');
        throw err; // not committed: this block is taken again
      } finally {
        clearInterval(beat);
      }
    },
  });

  let planning = false;
  const plan = async (): Promise<void> => {
    if (planning || stopping.signal.aborted) return;
    planning = true;
    try {
      const p = await planSweep(cfg, store, producer, name, Date.now());
      if (p)
        logger.info({ sweep: p.sweepId, blocks: p.blocks, slowBlocks: p.slow, addresses: targets }, 'sweep planned');
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'sweep not planned (tried again)');
    } finally {
      planning = false;
    }
  };
  const status = async (): Promise<void> => {
    try {
      const now = Date.now();
      const sweeps = (await sweepTotals(store, { limit: 3 })).map((t) => sweepProgress(t, now));
      const msg = { sweeper: name, ts: now, blocks_done: blocksDone, sweeps };
      logger.info({ status: msg }, 'sweeper status');
      await producer.send({ topic: sw.statusTopic, messages: [{ key: name, value: JSON.stringify(msg) }] });
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'sweeper status not published');
    }
  };
  // a short random wait first, so sweepers started together rarely plan the same slot twice
  const first = setTimeout(() => void plan(), Math.floor(Math.random() * 2000));
  const planTimer = setInterval(() => void plan(), Math.min(60_000, Math.max(5000, sw.periodMs / 20)));
  const statusTimer = setInterval(() => void status(), STATUS_MS);
  logger.info(
    {
      allowed: v.allowed.map((c) => c.text),
      addresses: targets,
      scan,
      period: sw.periodMs,
      ports: sw.ports,
      group: sw.groupId,
      sweeper: name,
    },
    'sweeper running',
  );
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'sweeper stopping');
  clearTimeout(first);
  clearInterval(planTimer);
  clearInterval(statusTimer);
  stopping.abort();
  if ((await within(consumer.disconnect(), KAFKA_STOP_WAIT_MS)) === 'timeout')
    logger.warn({ waitedMs: KAFKA_STOP_WAIT_MS }, 'kafka consumer did not stop; going on without it');
  await within(producer.disconnect(), KAFKA_STOP_WAIT_MS);
  await store.close();
  logger.info({ blocksDone }, 'sweeper stopped');
  return 0;
}
