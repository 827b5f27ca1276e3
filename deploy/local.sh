#!/usr/bin/env bash
# Local services for development, tests and single-box deployments, as plain processes:
#   deploy/local.sh up|down|status|fetch [kafka|clickhouse]     (no name: both)
#   deploy/local.sh up|down|status|fetch --cluster [...]         (deploy/cluster.sh)
# Kafka: Apache Kafka (jars from Maven Central via deploy/kafka/pom.xml), one KRaft
# broker+controller on 127.0.0.1:$PORTHOLE_KAFKA_PORT (PLAINTEXT) and
# $PORTHOLE_KAFKA_SSL_PORT (SASL_SSL: SCRAM and PLAIN users). ClickHouse: Debian's
# clickhouse-server, HTTP on 127.0.0.1:$PORTHOLE_CLICKHOUSE_HTTP_PORT and HTTPS on
# $PORTHOLE_CLICKHOUSE_HTTPS_PORT. Certificates and passwords: deploy/tls.sh. Idempotent and
# cached: jars, certificates, formatted storage and data are kept under $PORTHOLE_HOME, so a
# second `up` only starts the processes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/env.sh
. "$here/env.sh"
# shellcheck source=deploy/tls.sh
. "$here/tls.sh"
# shellcheck source=deploy/procs.sh
. "$here/procs.sh"

cmd=${1:-status}
shift || true
if [ "${1:-}" = --cluster ]; then shift; exec "$here/cluster.sh" "$cmd" "$@"; fi
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(kafka clickhouse)

die() { echo "local.sh: $*" >&2; exit 1; }


# ---- kafka ----
K="$PORTHOLE_HOME/kafka"
kafka_fetch() {
  if [ -f "$K/libs/.complete" ] && cmp -s "$here/kafka/pom.xml" "$K/libs/.pom"; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: run deploy/install.sh first"
  echo "kafka: fetching jars from Maven Central (once)"
  rm -rf "$K/libs"; mkdir -p "$K/libs"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$K/libs" >"$K/fetch.log" 2>&1 || { tail -20 "$K/fetch.log" >&2; die "kafka: mvn fetch failed (log: $K/fetch.log)"; }
  cp "$here/kafka/pom.xml" "$K/libs/.pom"
  touch "$K/libs/.complete"
}

# the broker's config, filled in by the shell itself: it holds the PLAIN user's password
kafka_config() {
  mkdir -p "$K/config" "$K/logs"
  tls_ensure
  secrets_ensure
  local t
  t=$(<"$here/kafka/server.properties")
  t=${t//@DATA@/$K/data}
  t=${t//@SPORT@/$PORTHOLE_KAFKA_SSL_PORT}
  t=${t//@CPORT@/$PORTHOLE_KAFKA_CONTROLLER_PORT}
  t=${t//@PORT@/$PORTHOLE_KAFKA_PORT}
  t=${t//@TLS@/$TLS}
  t=${t//@PLAIN_USER@/$KAFKA_PLAIN_USER}
  t=${t//@PLAIN_PASSWORD@/$(first_line "$SECRETS/kafka-plain.password")}
  (umask 077 && printf '%s\n' "$t" >"$K/config/server.properties.new")
  mv "$K/config/server.properties.new" "$K/config/server.properties"
  sed -e "s#@LOGS@#$K/logs#" "$here/kafka/log4j2.yaml" >"$K/config/log4j2.yaml"
}

# The SCRAM user (SCRAM-SHA-256 and -512), stored by the running broker through the admin API on
# the PLAINTEXT listener: the same for a fresh and an older data folder. The password reaches
# ConfigCommand in a mode-600 file, never in argv. Done again when the password file changed.
kafka_scram_users() {
  secrets_ensure
  local want have="" f="$SECRETS/kafka-scram.add"
  want=$(sha256sum "$SECRETS/kafka-scram.password") && want=${want%% *}
  [ -f "$K/scram-users.done" ] && have=$(first_line "$K/scram-users.done")
  [ "$want" = "$have" ] && return 0
  local pw
  pw=$(first_line "$SECRETS/kafka-scram.password")
  # a properties file holding the value --add-config takes in brackets; one mechanism a request
  # (the broker refuses two credentials of one user in one request)
  local m out
  for m in SCRAM-SHA-256 SCRAM-SHA-512; do
    (umask 077 && printf '%s\n' "$m=password=$pw" >"$f")
    if ! out=$(kafka_java kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$PORTHOLE_KAFKA_PORT" --alter \
      --entity-type users --entity-name "$KAFKA_SCRAM_USER" --add-config-file "$f" 2>&1); then
      rm -f "$f"
      printf '%s\n' "${out//$pw/<password>}" >&2 # ConfigCommand repeats a line it refuses
      die "kafka: adding $m user $KAFKA_SCRAM_USER failed"
    fi
  done
  rm -f "$f"
  printf '%s\n' "$want" >"$K/scram-users.done"
  echo "kafka: SCRAM user $KAFKA_SCRAM_USER stored (password: $SECRETS/kafka-scram.password)"
}

# the listeners, and whether the secured one answers (a broker started by an older local.sh has none)
kafka_ports() {
  local ssl="SASL_SSL, CA $TLS/ca.pem"
  port_open "$PORTHOLE_KAFKA_SSL_PORT" || ssl="SASL_SSL NOT LISTENING: restart with down, then up"
  echo "127.0.0.1:$PORTHOLE_KAFKA_PORT (PLAINTEXT), 127.0.0.1:$PORTHOLE_KAFKA_SSL_PORT ($ssl)"
}

kafka_java() {
  java -Xms128m "-Xmx$PORTHOLE_KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$K/config/log4j2.yaml" -Dkafka.logs.dir="$K/logs" \
    -cp "$K/libs/*" "$@"
}

kafka_pid() { [ -f "$K/kafka.pid" ] && kill -0 "$(cat "$K/kafka.pid")" 2>/dev/null && cat "$K/kafka.pid"; }

kafka_up() {
  kafka_fetch
  if pid=$(kafka_pid); then kafka_scram_users; echo "kafka: running (pid $pid) on $(kafka_ports)"; return 0; fi
  for p in "$PORTHOLE_KAFKA_PORT" "$PORTHOLE_KAFKA_SSL_PORT" "$PORTHOLE_KAFKA_CONTROLLER_PORT"; do
    if port_open "$p"; then die "kafka: port $p is taken by another process"; fi
  done
  command -v java >/dev/null || die "java not found: run deploy/install.sh first"
  kafka_config
  if [ ! -f "$K/data/meta.properties" ]; then
    echo "kafka: formatting storage in $K/data"
    rm -f "$K/scram-users.done"
    kafka_java kafka.tools.StorageTool format --standalone -t "$(kafka_java kafka.tools.StorageTool random-uuid)" \
      -c "$K/config/server.properties" >"$K/logs/format.log" 2>&1 || { cat "$K/logs/format.log" >&2; die "kafka: format failed"; }
  fi
  nohup java -Xms128m "-Xmx$PORTHOLE_KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$K/config/log4j2.yaml" -Dkafka.logs.dir="$K/logs" \
    -cp "$K/libs/*" kafka.Kafka "$K/config/server.properties" >"$K/logs/stdout.log" 2>&1 &
  echo $! >"$K/kafka.pid"
  for _ in $(seq 1 120); do
    if ! kafka_pid >/dev/null; then tail -30 "$K/logs/stdout.log" >&2; die "kafka: exited during start (logs: $K/logs)"; fi
    if port_open "$PORTHOLE_KAFKA_PORT" && port_open "$PORTHOLE_KAFKA_SSL_PORT" &&
      grep -q "Kafka Server started\|KafkaRaftServer.*started" "$K/logs/server.log" 2>/dev/null; then
      kafka_scram_users
      echo "kafka: up (pid $(cat "$K/kafka.pid")) on $(kafka_ports)"; return 0
    fi
    sleep 0.5
  done
  die "kafka: no answer on 127.0.0.1:$PORTHOLE_KAFKA_PORT after 60 s (logs: $K/logs)"
}

kafka_down() { stop_pid kafka "$K/kafka.pid"; }

kafka_status() {
  if pid=$(kafka_pid); then echo "kafka: running (pid $pid) on $(kafka_ports), data $K/data"
  else echo "kafka: stopped"; return 3; fi
}

# ---- clickhouse ----
C="$PORTHOLE_HOME/clickhouse"
ch_pid() { [ -f "$C/clickhouse.pid" ] && kill -0 "$(cat "$C/clickhouse.pid")" 2>/dev/null && cat "$C/clickhouse.pid"; }
ch_bin() {
  if command -v clickhouse-server >/dev/null; then echo clickhouse-server
  elif [ -x /usr/sbin/clickhouse-server ]; then echo /usr/sbin/clickhouse-server
  elif command -v clickhouse >/dev/null; then echo "clickhouse server"
  else return 1; fi
}
ch_answers() {
  curl -fsS "http://127.0.0.1:$PORTHOLE_CLICKHOUSE_HTTP_PORT/ping" >/dev/null 2>&1 &&
    curl -fsS --cacert "$TLS/ca.pem" "https://127.0.0.1:$PORTHOLE_CLICKHOUSE_HTTPS_PORT/ping" >/dev/null 2>&1
}
ch_ports() {
  local tls="HTTPS, CA $TLS/ca.pem"
  port_open "$PORTHOLE_CLICKHOUSE_HTTPS_PORT" || tls="HTTPS NOT LISTENING: restart with down, then up"
  echo "127.0.0.1:$PORTHOLE_CLICKHOUSE_HTTP_PORT (HTTP), 127.0.0.1:$PORTHOLE_CLICKHOUSE_HTTPS_PORT ($tls)"
}

clickhouse_fetch() {
  ch_bin >/dev/null && return 0
  echo "clickhouse: installing Debian's clickhouse-server"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clickhouse-server clickhouse-client >/dev/null \
    || die "clickhouse: apt-get install failed"
}

clickhouse_up() {
  clickhouse_fetch
  if pid=$(ch_pid); then echo "clickhouse: running (pid $pid) on $(ch_ports)"; return 0; fi
  for p in "$PORTHOLE_CLICKHOUSE_HTTP_PORT" "$PORTHOLE_CLICKHOUSE_HTTPS_PORT" "$PORTHOLE_CLICKHOUSE_TCP_PORT"; do
    if port_open "$p"; then die "clickhouse: port $p is taken by another process"; fi
  done
  tls_ensure
  mkdir -p "$C/config" "$C/logs" "$C/data" "$C/tmp" "$C/user_files" "$C/format_schemas"
  sed -e "s#@HOME@#$C#g" -e "s#@HTTP@#$PORTHOLE_CLICKHOUSE_HTTP_PORT#" -e "s#@TCP@#$PORTHOLE_CLICKHOUSE_TCP_PORT#" \
    -e "s#@HTTPS@#$PORTHOLE_CLICKHOUSE_HTTPS_PORT#" -e "s#@TLS@#$TLS#g" \
    "$here/clickhouse/config.xml" >"$C/config/config.xml"
  cp "$here/clickhouse/users.xml" "$C/config/users.xml"
  # shellcheck disable=SC2046
  nohup $(ch_bin) --config-file="$C/config/config.xml" >"$C/logs/stdout.log" 2>&1 &
  echo $! >"$C/clickhouse.pid"
  for _ in $(seq 1 120); do
    ch_pid >/dev/null || { tail -30 "$C/logs/stdout.log" "$C/logs/error.log" >&2 2>/dev/null; die "clickhouse: exited during start (logs: $C/logs)"; }
    if ch_answers; then echo "clickhouse: up (pid $(cat "$C/clickhouse.pid")) on $(ch_ports)"; return 0; fi
    sleep 0.5
  done
  die "clickhouse: no answer on $(ch_ports) after 60 s (logs: $C/logs)"
}

clickhouse_down() { stop_pid clickhouse "$C/clickhouse.pid"; }

clickhouse_status() {
  if pid=$(ch_pid); then echo "clickhouse: running (pid $pid) on $(ch_ports), data $C/data"
  else echo "clickhouse: stopped"; return 3; fi
}

rc=0
for s in "${services[@]}"; do
  case "$s:$cmd" in
    kafka:status) kafka_status || rc=$? ;;
    clickhouse:status) clickhouse_status || rc=$? ;;
    kafka:up) kafka_up ;;
    kafka:down) kafka_down ;;
    kafka:fetch) kafka_fetch ;;
    clickhouse:up) clickhouse_up ;;
    clickhouse:down) clickhouse_down ;;
    clickhouse:fetch) clickhouse_fetch ;;
    *) die "usage: deploy/local.sh up|down|status|fetch [kafka|clickhouse]" ;;
  esac
done
exit $rc
