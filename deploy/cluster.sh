#!/usr/bin/env bash
# The local cluster, as plain processes on 127.0.0.1 (called by `deploy/local.sh CMD --cluster`):
#   deploy/cluster.sh up|down|status [kafka|zookeeper|clickhouse|NAME-N]...   (no name: all)
# kafka: three KRaft nodes, each broker and controller (a quorum of three: any one may die).
# zookeeper: one ZooKeeper 3.9 node (ClickHouse 18.16 coordinates replicas through it).
# clickhouse: four servers, 2 shards x 2 replicas, cluster name `porthole`.
# One part of one node (e.g. kafka-2, clickhouse-3) can be stopped and started alone: the
# fault tests use that. Ports and heaps: deploy/env.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/env.sh
. "$here/env.sh"

die() { echo "cluster.sh: $*" >&2; exit 1; }
# shellcheck source=deploy/procs.sh
. "$here/procs.sh"

# shellcheck source=deploy/cluster/kafka.sh
. "$here/cluster/kafka.sh"
# shellcheck source=deploy/cluster/zookeeper.sh
. "$here/cluster/zookeeper.sh"
# shellcheck source=deploy/cluster/clickhouse.sh
. "$here/cluster/clickhouse.sh"

cmd=${1:-status}
shift || true
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(zookeeper kafka clickhouse)
[ "$cmd" = down ] && [ $# -eq 0 ] && parts=(clickhouse kafka zookeeper)

rc=0
for p in "${parts[@]}"; do
  case "$p" in
    kafka | kafka-[123]) node=${p#kafka}; node=${node#-} ;;
    clickhouse | clickhouse-[1234]) node=${p#clickhouse}; node=${node#-} ;;
    zookeeper) node= ;;
    *) die "unknown part $p (kafka, zookeeper, clickhouse, kafka-N, clickhouse-N)" ;;
  esac
  svc=${p%%-*}
  case "$cmd" in
    up | down | status | fetch) "cluster_${svc}_$cmd" $node || rc=$? ;;
    *) die "usage: deploy/local.sh up|down|status|fetch --cluster [kafka|zookeeper|clickhouse|NAME-N]" ;;
  esac
done
exit $rc
