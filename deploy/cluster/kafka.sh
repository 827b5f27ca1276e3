# kafka of the local cluster (sourced by deploy/cluster.sh): cluster_kafka_up|down|status|fetch [N]
# Three KRaft nodes, each broker and controller, N = 1..3 (no N: all three). Node N listens on
# 127.0.0.1:$PORTHOLE_CLUSTER_KAFKA_BASE+N-1 (PLAINTEXT) and its controller on
# $PORTHOLE_CLUSTER_KAFKA_CONTROLLER_BASE+N-1; its data, config, logs and pid file live under
# $PORTHOLE_CLUSTER_HOME/kafka-N. The jars are the single broker's (deploy/kafka/pom.xml, fetched
# once into $PORTHOLE_HOME/kafka/libs) and so is the log4j2 config. Storage is formatted once
# per node with one cluster id kept in $PORTHOLE_CLUSTER_HOME/kafka-cluster.id, so a node that
# stops (even killed) starts again on its data. `up` returns when every node it started is a
# registered, unfenced broker, which needs a quorum leader: starting one node alone while the
# two others are down cannot succeed, and says so.

ck_libs="$PORTHOLE_HOME/kafka/libs"
ck_nodes() { if [ -n "${1:-}" ]; then echo "$1"; else echo 1 2 3; fi; }
ck_dir() { echo "$PORTHOLE_CLUSTER_HOME/kafka-$1"; }
ck_port() { echo $((PORTHOLE_CLUSTER_KAFKA_BASE + $1 - 1)); }
ck_cport() { echo $((PORTHOLE_CLUSTER_KAFKA_CONTROLLER_BASE + $1 - 1)); }
ck_bootstrap() { echo "127.0.0.1:$(ck_port 1),127.0.0.1:$(ck_port 2),127.0.0.1:$(ck_port 3)"; }
ck_pid() {
  local f
  f="$(ck_dir "$1")/kafka.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

# the same cache and the same check as deploy/local.sh's kafka_fetch
cluster_kafka_fetch() {
  if [ -f "$ck_libs/.complete" ] && cmp -s "$here/kafka/pom.xml" "$ck_libs/.pom"; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: run deploy/install.sh first"
  echo "kafka: fetching jars from Maven Central (once)"
  rm -rf "$ck_libs"
  mkdir -p "$ck_libs"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$ck_libs" >"$PORTHOLE_HOME/kafka/fetch.log" 2>&1 ||
    { tail -20 "$PORTHOLE_HOME/kafka/fetch.log" >&2; die "kafka: mvn fetch failed (log: $PORTHOLE_HOME/kafka/fetch.log)"; }
  cp "$here/kafka/pom.xml" "$ck_libs/.pom"
  touch "$ck_libs/.complete"
}

# ck_java DIR HEAP CLASS ARGS...: a JVM on the Kafka jars, logging under DIR/logs
ck_java() {
  local d=$1 heap=$2
  shift 2
  java -Xms64m "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$d/config/log4j2.yaml" -Dkafka.logs.dir="$d/logs" -cp "$ck_libs/*" "$@"
}

ck_config() {
  local n=$1 d t voters="" i
  d=$(ck_dir "$n")
  mkdir -p "$d/config" "$d/logs" "$d/data"
  for i in 1 2 3; do voters="$voters${voters:+,}$i@127.0.0.1:$(ck_cport "$i")"; done
  t=$(<"$here/cluster/kafka.properties")
  t=${t//@ID@/$n}
  t=${t//@VOTERS@/$voters}
  t=${t//@CPORT@/$(ck_cport "$n")}
  t=${t//@PORT@/$(ck_port "$n")}
  t=${t//@DATA@/$d/data}
  printf '%s\n' "$t" >"$d/config/server.properties"
  sed -e "s#@LOGS@#$d/logs#" "$here/kafka/log4j2.yaml" >"$d/config/log4j2.yaml"
}

# the directory of the short-lived tool JVMs (format, cluster id, registration check): their
# log4j2 config, and an admin client config that gives up in seconds when no broker answers
ck_tools() {
  local d="$PORTHOLE_CLUSTER_HOME/kafka-tools"
  if [ ! -f "$d/admin.properties" ]; then
    mkdir -p "$d/config" "$d/logs"
    sed -e "s#@LOGS@#$d/logs#" "$here/kafka/log4j2.yaml" >"$d/config/log4j2.yaml"
    printf '%s\n' request.timeout.ms=5000 default.api.timeout.ms=8000 >"$d/admin.properties"
  fi
  echo "$d"
}

ck_cluster_id() {
  local f="$PORTHOLE_CLUSTER_HOME/kafka-cluster.id"
  if [ ! -s "$f" ]; then
    mkdir -p "$PORTHOLE_CLUSTER_HOME"
    ck_java "$(ck_tools)" 128m kafka.tools.StorageTool random-uuid >"$f.new" && mv "$f.new" "$f"
  fi
  cat "$f"
}

ck_start() {
  local n=$1 d p
  d=$(ck_dir "$n")
  if p=$(ck_pid "$n"); then echo "kafka-$n: running (pid $p)"; return 0; fi
  for p in "$(ck_port "$n")" "$(ck_cport "$n")"; do
    if port_open "$p"; then die "kafka-$n: port $p is taken by another process"; fi
  done
  ck_config "$n"
  if [ ! -f "$d/data/meta.properties" ]; then
    echo "kafka-$n: formatting storage in $d/data"
    ck_java "$d" 128m kafka.tools.StorageTool format -t "$(ck_cluster_id)" -c "$d/config/server.properties" \
      >"$d/logs/format.log" 2>&1 || { cat "$d/logs/format.log" >&2; die "kafka-$n: format failed"; }
  fi
  # where this start's lines begin in the server log (a start is over when they say so)
  stat -c %s "$d/logs/server.log" 2>/dev/null >"$d/logs/start.offset" || echo 0 >"$d/logs/start.offset"
  nohup java -Xms128m "-Xmx$PORTHOLE_CLUSTER_KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$d/config/log4j2.yaml" -Dkafka.logs.dir="$d/logs" \
    -cp "$ck_libs/*" kafka.Kafka "$d/config/server.properties" </dev/null >"$d/logs/stdout.log" 2>&1 &
  echo $! >"$d/kafka.pid"
  echo "kafka-$n: starting (pid $!)"
}

# whether node N's current start has finished (its log says so since the start)
# (a log rolled over since then is read whole)
ck_started() {
  local d off size
  d=$(ck_dir "$1")
  off=$(cat "$d/logs/start.offset" 2>/dev/null || echo 0)
  size=$(stat -c %s "$d/logs/server.log" 2>/dev/null || echo 0)
  [ "$size" -ge "$off" ] || off=0
  # grep reads to the end (-q would stop early and, under pipefail, fail tail with SIGPIPE)
  [ "$(tail -c "+$((off + 1))" "$d/logs/server.log" 2>/dev/null | grep -c "Kafka Server started")" -gt 0 ]
}

# the ids of the brokers the cluster reports as registered and unfenced (empty: no answer)
ck_registered() {
  local t
  t=$(ck_tools)
  ck_java "$t" 128m kafka.admin.ConfigCommand --bootstrap-server "$(ck_bootstrap)" \
    --command-config "$t/admin.properties" --describe --entity-type brokers 2>/dev/null |
    sed -n 's/^.*configs for broker \([0-9][0-9]*\) are:.*$/\1/p' | sort -u | tr '\n' ' ' || true
}

cluster_kafka_up() {
  local nodes n reg missing
  nodes=$(ck_nodes "${1:-}")
  cluster_kafka_fetch
  command -v java >/dev/null || die "java not found: run deploy/install.sh first"
  for n in $nodes; do ck_start "$n"; done
  for _ in $(seq 1 60); do
    for n in $nodes; do
      ck_pid "$n" >/dev/null || { tail -30 "$(ck_dir "$n")/logs/stdout.log" >&2; die "kafka-$n: exited during start (logs: $(ck_dir "$n")/logs)"; }
    done
    missing=""
    for n in $nodes; do ck_started "$n" || missing="$missing $n"; done
    if [ -z "$missing" ]; then
      reg=" $(ck_registered) "
      for n in $nodes; do [[ $reg == *" $n "* ]] || missing="$missing $n"; done
    fi
    if [ -z "$missing" ]; then
      for n in $nodes; do echo "kafka-$n: up (pid $(ck_pid "$n")) on 127.0.0.1:$(ck_port "$n"), controller $(ck_cport "$n")"; done
      echo "kafka: brokers registered: $(echo $reg); bootstrap $(ck_bootstrap)"
      return 0
    fi
    sleep 1
  done
  die "kafka: node(s)$missing not registered after the wait (a quorum needs two of three nodes up; logs: $PORTHOLE_CLUSTER_HOME/kafka-N/logs)"
}

# SIGTERM to every node named at once (a broker stops faster while the quorum lives), wait up
# to 30 s, then SIGKILL the ones left
cluster_kafka_down() {
  local nodes n p left
  nodes=$(ck_nodes "${1:-}")
  for n in $nodes; do if p=$(ck_pid "$n"); then kill -TERM "$p"; fi; done
  for _ in $(seq 1 60); do
    left=""
    for n in $nodes; do ck_pid "$n" >/dev/null && left="$left $n"; done
    [ -z "$left" ] && break
    sleep 0.5
  done
  for n in $nodes; do
    if p=$(ck_pid "$n"); then kill -KILL "$p" 2>/dev/null || true; echo "kafka-$n: killed after 30 s"
    else echo "kafka-$n: stopped"; fi
    rm -f "$(ck_dir "$n")/kafka.pid"
  done
}

cluster_kafka_status() {
  local nodes n p rc=0
  nodes=$(ck_nodes "${1:-}")
  for n in $nodes; do
    if p=$(ck_pid "$n"); then echo "kafka-$n: running (pid $p) on 127.0.0.1:$(ck_port "$n"), controller $(ck_cport "$n"), data $(ck_dir "$n")/data"
    else echo "kafka-$n: stopped"; rc=3; fi
  done
  return $rc
}
