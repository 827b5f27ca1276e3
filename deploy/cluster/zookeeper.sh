# zookeeper of the local cluster (sourced by deploy/cluster.sh): cluster_zookeeper_up|down|status|fetch
# One standalone ZooKeeper 3.9 node (jars from Maven Central via deploy/cluster/zookeeper-pom.xml)
# on 127.0.0.1:$PORTHOLE_CLUSTER_ZOOKEEPER_PORT, heap $PORTHOLE_CLUSTER_ZOOKEEPER_HEAP, admin
# server off; jars, data and logs under $PORTHOLE_CLUSTER_HOME/zookeeper. ClickHouse 18.16 keeps
# its replication log and distributed DDL queue there.
ZK="$PORTHOLE_CLUSTER_HOME/zookeeper"

cluster_zookeeper_fetch() {
  if [ -f "$ZK/libs/.complete" ] && cmp -s "$here/cluster/zookeeper-pom.xml" "$ZK/libs/.pom"; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: run deploy/install.sh first"
  echo "zookeeper: fetching jars from Maven Central (once)"
  rm -rf "$ZK/libs"; mkdir -p "$ZK/libs"
  mvn -q -B -f "$here/cluster/zookeeper-pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$ZK/libs" >"$ZK/fetch.log" 2>&1 || { tail -20 "$ZK/fetch.log" >&2; die "zookeeper: mvn fetch failed (log: $ZK/fetch.log)"; }
  cp "$here/cluster/zookeeper-pom.xml" "$ZK/libs/.pom"
  touch "$ZK/libs/.complete"
}

zk_pid() { [ -f "$ZK/zookeeper.pid" ] && kill -0 "$(cat "$ZK/zookeeper.pid")" 2>/dev/null && cat "$ZK/zookeeper.pid"; }

# whether the node serves requests: the four-letter word `srvr` answers with its mode only then
zk_ok() {
  local r
  { exec 3<>"/dev/tcp/127.0.0.1/$PORTHOLE_CLUSTER_ZOOKEEPER_PORT"; } 2>/dev/null || return 1
  printf srvr >&3
  r=$(timeout 2 cat <&3 || true)
  exec 3>&-
  [[ $r == *"Mode: standalone"* ]]
}

cluster_zookeeper_up() {
  cluster_zookeeper_fetch
  if pid=$(zk_pid); then echo "zookeeper: running (pid $pid) on 127.0.0.1:$PORTHOLE_CLUSTER_ZOOKEEPER_PORT"; return 0; fi
  if port_open "$PORTHOLE_CLUSTER_ZOOKEEPER_PORT"; then die "zookeeper: port $PORTHOLE_CLUSTER_ZOOKEEPER_PORT is taken by another process"; fi
  command -v java >/dev/null || die "java not found: run deploy/install.sh first"
  mkdir -p "$ZK/config" "$ZK/data" "$ZK/datalog" "$ZK/logs"
  sed -e "s#@HOME@#$ZK#g" -e "s#@PORT@#$PORTHOLE_CLUSTER_ZOOKEEPER_PORT#" "$here/cluster/zoo.cfg" >"$ZK/config/zoo.cfg"
  sed -e "s#@LOGS@#$ZK/logs#g" "$here/cluster/zookeeper-log4j2.xml" >"$ZK/config/log4j2.xml"
  nohup java -Xms32m "-Xmx$PORTHOLE_CLUSTER_ZOOKEEPER_HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$ZK/config/log4j2.xml" -Dzookeeper.jmx.log4j.disable=true \
    -cp "$ZK/libs/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZK/config/zoo.cfg" >"$ZK/logs/stdout.log" 2>&1 &
  echo $! >"$ZK/zookeeper.pid"
  for _ in $(seq 1 120); do
    zk_pid >/dev/null || { tail -30 "$ZK/logs/stdout.log" "$ZK/logs/zookeeper.log" >&2 2>/dev/null; die "zookeeper: exited during start (logs: $ZK/logs)"; }
    if zk_ok; then echo "zookeeper: up (pid $(cat "$ZK/zookeeper.pid")) on 127.0.0.1:$PORTHOLE_CLUSTER_ZOOKEEPER_PORT"; return 0; fi
    sleep 0.5
  done
  die "zookeeper: no answer on 127.0.0.1:$PORTHOLE_CLUSTER_ZOOKEEPER_PORT after 60 s (logs: $ZK/logs)"
}

cluster_zookeeper_down() { stop_pid zookeeper "$ZK/zookeeper.pid"; }

cluster_zookeeper_status() {
  if pid=$(zk_pid); then
    local ok="serving"; zk_ok || ok="NOT ANSWERING"
    echo "zookeeper: running (pid $pid) on 127.0.0.1:$PORTHOLE_CLUSTER_ZOOKEEPER_PORT ($ok), data $ZK/data"
  else echo "zookeeper: stopped"; return 3; fi
}
