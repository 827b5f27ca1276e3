# Process helpers shared by deploy/local.sh and deploy/cluster.sh (sourced).

# port_open PORT: something listens on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stop_pid NAME PIDFILE: SIGTERM, wait up to 30 s, then SIGKILL
stop_pid() {
  local name=$1 pidfile=$2 pid
  if ! { [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null; }; then
    echo "$name: not running"; rm -f "$pidfile"; return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "$name: stopped"; return 0; }; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"; echo "$name: killed after 30 s"
}
