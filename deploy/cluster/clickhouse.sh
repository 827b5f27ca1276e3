# clickhouse of the local cluster (sourced by deploy/cluster.sh): cluster_clickhouse_up|down|status|fetch [N]
# Four servers (N = 1..4; none given: all) of Debian's clickhouse-server, the binary
# deploy/local.sh runs, forming the cluster `porthole`: shard 1 = nodes 1 and 2, shard 2 = nodes
# 3 and 4 (config: deploy/cluster/clickhouse.xml). Node N listens on 127.0.0.1 only: HTTP on
# $PORTHOLE_CLUSTER_CLICKHOUSE_HTTP_BASE+N-1, native TCP and interserver (replica fetches) on
# their bases +N-1; plain HTTP, no TLS. Its config, data and logs live in
# $PORTHOLE_CLUSTER_HOME/clickhouse-N. Replication and ON CLUSTER statements need the ZooKeeper
# node: `up` starts it when it is down. One node can be stopped and started again alone.
CH_NODES=(1 2 3 4)

ch_dir() { echo "$PORTHOLE_CLUSTER_HOME/clickhouse-$1"; }
ch_http() { echo $((PORTHOLE_CLUSTER_CLICKHOUSE_HTTP_BASE + $1 - 1)); }
ch_tcp() { echo $((PORTHOLE_CLUSTER_CLICKHOUSE_TCP_BASE + $1 - 1)); }
ch_interserver() { echo $((PORTHOLE_CLUSTER_CLICKHOUSE_INTERSERVER_BASE + $1 - 1)); }
ch_node_pid() { local f; f="$(ch_dir "$1")/clickhouse.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }
ch_node_answers() { curl -fsS "http://127.0.0.1:$(ch_http "$1")/ping" >/dev/null 2>&1; }
ch_nodes() { if [ -n "${1:-}" ]; then echo "$1"; else echo "${CH_NODES[@]}"; fi; }
ch_server_bin() {
  if command -v clickhouse-server >/dev/null; then echo clickhouse-server
  elif [ -x /usr/sbin/clickhouse-server ]; then echo /usr/sbin/clickhouse-server
  elif command -v clickhouse >/dev/null; then echo "clickhouse server"
  else return 1; fi
}

cluster_clickhouse_fetch() {
  ch_server_bin >/dev/null || "$here/local.sh" fetch clickhouse
}

# the node's config from the template: its ports, its shard and replica macros, every node's TCP port
ch_node_config() {
  local n=$1 d; d=$(ch_dir "$1")
  mkdir -p "$d/config" "$d/logs" "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas"
  sed -e "s#@HOME@#$d#g" -e "s#@N@#$n#g" -e "s#@SHARD@#0$(((n + 1) / 2))#" \
    -e "s#@HTTP@#$(ch_http "$n")#" -e "s#@TCP@#$(ch_tcp "$n")#" -e "s#@INTERSERVER@#$(ch_interserver "$n")#" \
    -e "s#@TCP1@#$(ch_tcp 1)#" -e "s#@TCP2@#$(ch_tcp 2)#" -e "s#@TCP3@#$(ch_tcp 3)#" -e "s#@TCP4@#$(ch_tcp 4)#" \
    -e "s#@ZK@#$PORTHOLE_CLUSTER_ZOOKEEPER_PORT#" \
    "$here/cluster/clickhouse.xml" >"$d/config/config.xml"
  cp "$here/cluster/clickhouse-users.xml" "$d/config/users.xml"
}

ch_node_start() {
  local n=$1 d p; d=$(ch_dir "$1")
  for p in $(ch_http "$n") $(ch_tcp "$n") $(ch_interserver "$n"); do
    if port_open "$p"; then die "clickhouse-$n: port $p is taken by another process"; fi
  done
  ch_node_config "$n"
  # shellcheck disable=SC2046
  nohup $(ch_server_bin) --config-file="$d/config/config.xml" >"$d/logs/stdout.log" 2>&1 &
  echo $! >"$d/clickhouse.pid"
}

ch_node_wait() {
  local n=$1 d; d=$(ch_dir "$1")
  for _ in $(seq 1 120); do
    ch_node_pid "$n" >/dev/null || { tail -30 "$d/logs/stdout.log" "$d/logs/error.log" >&2 2>/dev/null; die "clickhouse-$n: exited during start (logs: $d/logs)"; }
    if ch_node_answers "$n"; then echo "clickhouse-$n: up (pid $(cat "$d/clickhouse.pid")) on 127.0.0.1:$(ch_http "$n") (HTTP)"; return 0; fi
    sleep 0.5
  done
  die "clickhouse-$n: no answer on 127.0.0.1:$(ch_http "$n") after 60 s (logs: $d/logs)"
}

cluster_clickhouse_up() {
  cluster_clickhouse_fetch
  zk_pid >/dev/null || cluster_zookeeper_up
  local n started=()
  # all started first, then waited for: the servers start side by side
  for n in $(ch_nodes "${1:-}"); do
    if pid=$(ch_node_pid "$n"); then echo "clickhouse-$n: running (pid $pid) on 127.0.0.1:$(ch_http "$n") (HTTP)"
    else ch_node_start "$n"; started+=("$n"); fi
  done
  for n in "${started[@]}"; do ch_node_wait "$n"; done
}

cluster_clickhouse_down() {
  local n
  for n in $(ch_nodes "${1:-}"); do stop_pid "clickhouse-$n" "$(ch_dir "$n")/clickhouse.pid"; done
}

cluster_clickhouse_status() {
  local n pid rc=0
  for n in $(ch_nodes "${1:-}"); do
    if pid=$(ch_node_pid "$n"); then
      local ok="answering"; ch_node_answers "$n" || ok="NOT ANSWERING"
      echo "clickhouse-$n: running (pid $pid) on 127.0.0.1:$(ch_http "$n") (HTTP, $ok), shard $(((n + 1) / 2)), data $(ch_dir "$n")/data"
    else echo "clickhouse-$n: stopped"; rc=3; fi
  done
  return $rc
}
