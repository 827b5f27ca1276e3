#!/usr/bin/env bash
# Records the golden captures of real traffic: real servers and clients in two network
# namespaces (documentation addresses 192.0.2.0/24 and 2001:db8:100::/64 only), captured with
# tshark (pcapng) on the client's side and tcpdump (classic pcap, nanosecond) on the server's.
# Traffic: HTTP over IPv4 and IPv6, a banner-first server, a closed port (RST), a port whose SYNs
# are dropped (unanswered), an aborted SYN-only connection. Needs root; cleans up after itself.
# Usage: sudo test/golden/make-netns-captures.sh [OUTDIR]   (default: this folder)
set -euo pipefail
out=$(cd "${1:-$(dirname "$0")}" && pwd)
S=ph-gold-srv; C=ph-gold-cli
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  ip netns del $S 2>/dev/null || true
  ip netns del $C 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add $S; ip netns add $C
ip link add ph-gold-s type veth peer name ph-gold-c
ip link set ph-gold-s netns $S; ip link set ph-gold-c netns $C
ip -n $S addr add 192.0.2.10/24 dev ph-gold-s; ip -n $C addr add 192.0.2.20/24 dev ph-gold-c
ip -n $S addr add 2001:db8:100::10/64 dev ph-gold-s nodad; ip -n $C addr add 2001:db8:100::20/64 dev ph-gold-c nodad
for ns in $S $C; do ip -n $ns link set lo up; done
ip -n $S link set ph-gold-s up; ip -n $C link set ph-gold-c up
# SYNs to 7777 vanish before the server sees them ("unanswered"): this kernel has no gact, so
# they are redirected into a spare veth whose other end nobody reads
ip -n $S link add ph-gold-x type veth peer name ph-gold-y
ip -n $S link set ph-gold-x up; ip -n $S link set ph-gold-y up
tc -n $S qdisc add dev ph-gold-s ingress
tc -n $S filter add dev ph-gold-s parent ffff: protocol ip u32 match ip protocol 6 0xff match ip dport 7777 0xffff \
  action mirred egress redirect dev ph-gold-x

ip netns exec $S python3 -m http.server 8080 --bind :: >/dev/null 2>&1 & pids+=($!)
ip netns exec $S python3 -c '
import socket, threading
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); s.bind(("::", 2222)); s.listen(16)
while True:
    c, _ = s.accept(); c.sendall(b"SSH-2.0-PortholeGolden\r\n"); c.close()
' & pids+=($!)
sleep 1.5

ip netns exec $C tshark -q -i ph-gold-c -w "$out/netns-tshark.pcapng" -a duration:9 2>/dev/null & pids+=($!); tsh=$!
ip netns exec $S tcpdump -q -i ph-gold-s --time-stamp-precision=nano -w "$out/netns-tcpdump-nsec.pcap" 2>/dev/null & pids+=($!); tcd=$!
sleep 2.5
ip netns exec $C python3 - <<'PY'
import socket, time, urllib.request
for url in ["http://192.0.2.10:8080/", "http://[2001:db8:100::10]:8080/", "http://192.0.2.10:8080/x"]:
    try: urllib.request.urlopen(url, timeout=2).read()
    except Exception: pass
for host in ["192.0.2.10", "2001:db8:100::10"]:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam); s.settimeout(2); s.connect((host, 2222)); s.recv(100); s.close()
    s = socket.socket(fam); s.settimeout(2)
    try: s.connect((host, 9999))          # closed: RST
    except OSError: pass
    s.close()
s = socket.socket(); s.settimeout(1.5)
try: s.connect(("192.0.2.10", 7777))      # dropped: unanswered
except OSError: pass
s.close()
PY
wait $tsh || true
kill -INT $tcd 2>/dev/null || true; sleep 0.5
chmod 644 "$out"/netns-*.pcap*
echo "wrote $out/netns-tshark.pcapng $out/netns-tcpdump-nsec.pcap"
