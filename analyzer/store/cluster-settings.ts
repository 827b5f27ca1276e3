// The settings every statement carries in cluster mode (clickhouse.cluster), and the rule each
// protects:
//  - insert_distributed_sync=1: an insert into a Distributed table returns once each shard's rows
//    are written on one of its replicas, never queued on the receiving server's disk to be sent
//    later: a failure reaches the caller (who retries), and what was stored is readable at once;
//  - load_balancing=in_order: a shard's reads and writes go to its first replica that answers, so
//    a read sees the write before it (a random replica can be one that has not fetched it yet);
//  - distributed_product_mode=global: a JOIN or IN over a Distributed table inside a query on
//    another runs once on the server the query reached and its result goes to the shards (the
//    two tables' rows may live on different shards; the default refuses such queries);
//  - distributed_ddl_task_timeout: an ON CLUSTER statement waits for every server at most this
//    long, less than the client's request timeout, then fails with ClickHouse's message naming
//    the servers that did not answer (they still run it when they return).
// Both 18.16 and current versions accept these names.

import type { ClickHouseSettings } from '@clickhouse/client';

export const CLUSTER_SETTINGS: ClickHouseSettings = {
  insert_distributed_sync: 1,
  load_balancing: 'in_order',
  distributed_product_mode: 'global',
  distributed_ddl_task_timeout: '25',
};
