#!/usr/bin/env bash
# Installs what Porthole needs on a fresh Debian machine (run as root, idempotent):
#   - Debian packages: libpcap-dev (the `cap` addon builds against it), tshark and tcpdump
#     (golden tests, benchmarks), tcpreplay, nmap, iproute2/ethtool (mirror interfaces, tests),
#     nftables (the sweep lab's lossy and firewalled hosts), masscan (sweep benchmark peer),
#     prads (benchmark peer), Java 17 and Maven (Kafka), clickhouse-server (analyzer), openssl
#     (local.sh makes the local CA and the servers' certificates with it, the syslog TLS test its own)
#     and chromium (the console's browser tests drive it through playwright-core)
#   - Apache Kafka's jars from Maven Central (deploy/kafka/pom.xml) into the data folder
# Usage: deploy/install.sh   as root, or: sudo deploy/install.sh   (then: npm install)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/env.sh
. "$here/env.sh"

pkgs=(libpcap-dev tshark tcpdump tcpreplay nmap nftables masscan iproute2 ethtool prads openjdk-17-jre-headless maven
      build-essential python3 redis-server openssh-server curl procps openssl chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# redis and sshd are test servers started inside network namespaces by the tests, not services
for svc in redis-server ssh; do
  if command -v systemctl >/dev/null && systemctl is-enabled "$svc" >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
done

"$here/local.sh" fetch kafka clickhouse
echo "install: done (next: npm install)"
