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
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# cluster_stop NAME PIDFILE: SIGTERM, wait up to 30 s, then SIGKILL
cluster_stop() {
  local name=$1 pidfile=$2 pid
  if ! { [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null; }; then
    echo "$name: not running"; rm -f "$pidfile"; return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "$name: stopped"; return 0; }; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"; echo "$name: killed after 30 s"
}

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
