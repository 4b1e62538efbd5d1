#!/bin/sh
# t/bench/vip.sh - how long taking over an address takes: vipctl add +
# garp -c 1 against ip addr add + arping -U -c 1 (Debian's
# iputils-arping, installed here for the benchmark only).  Runs inside
# two network namespaces joined by a veth pair (TEST-NET-1 only),
# interleaves the two tools, and prints the median of RUNS runs of each
# (default 50, VIP_BENCH_RUNS overrides) and their ratio; the address
# step and the announcement step are also timed alone, and so is the
# time a probe takes to find an address another host holds (garp -D
# against arping -D).
#
#   sh t/bench/vip.sh        (as root; make bench runs it)
set -eu

top=$(cd -- "$(dirname -- "$0")/../.." && pwd)
bindir=${HAKIT_BINDIR:-$top/bin-src/build}
runs=${VIP_BENCH_RUNS:-50}
timeit=$bindir/t/vip-timeit
vip=192.0.2.100

if [ "$(id -u)" -ne 0 ]; then
	echo "vip.sh: needs root for network namespaces" >&2
	exit 2
fi
for p in vipctl garp t/vip-timeit; do
	if [ ! -x "$bindir/$p" ]; then
		echo "vip.sh: $bindir/$p is missing: run make first" >&2
		exit 2
	fi
done
if ! arping -V 2>&1 | grep -q iputils; then
	echo "vip.sh: installing Debian's iputils-arping for the comparison" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q iputils-arping \
	    >&2 || {
		apt-get update -q >&2 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    iputils-arping >&2
	}
fi
arping=$(command -v arping)

node=hkbench$$-node
client=hkbench$$-client
cleanup() {
	ip netns del "$node" 2>/dev/null || true
	ip netns del "$client" 2>/dev/null || true
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$node"
ip netns add "$client"
ip -n "$node" link set lo up
ip -n "$client" link set lo up
ip link add name eth0 netns "$node" type veth peer name eth0 netns "$client"
ip -n "$node" link set eth0 up
ip -n "$client" link set eth0 up
ip -n "$node" addr add 192.0.2.1/24 dev eth0
ip -n "$client" addr add 192.0.2.9/24 dev eth0
# held by the client: what a probe must find
held=192.0.2.50
ip -n "$client" addr add "$held/24" dev eth0

# t FILE CMD... [-- CMD...]: time the commands inside the node, append
# the microseconds to FILE.
t() {
	f=$1
	shift
	ip netns exec "$node" "$timeit" "$@" >>"$tmp/$f"
}

# Removes the address, untimed, whoever added it.
reset() {
	ip -n "$node" addr del "$vip/24" dev eth0 2>/dev/null || true
}

median() {
	sort -n "$tmp/$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) m = v[(NR + 1) / 2];
		else m = (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.2f", m / 1000 }'
}

i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	t ours "$bindir/vipctl" add "$vip/24" dev eth0 -- \
	    "$bindir/garp" -c 1 -I eth0 "$vip"
	reset
	t peer ip addr add "$vip/24" dev eth0 -- \
	    "$arping" -q -U -c 1 -I eth0 "$vip"
	reset
	t ours_add "$bindir/vipctl" add "$vip/24" dev eth0
	reset
	t peer_add ip addr add "$vip/24" dev eth0
	t ours_arp "$bindir/garp" -c 1 -I eth0 "$vip"
	t peer_arp "$arping" -q -U -c 1 -I eth0 "$vip"
	reset
	# exit 1 is the answer here: time it through sh
	t ours_probe sh -c "'$bindir/garp' -D -t 1s -I eth0 $held >/dev/null;
	    [ \$? -eq 1 ]"
	t peer_probe sh -c "'$arping' -q -D -c 1 -w 1 -I eth0 $held;
	    [ \$? -eq 1 ]"
done

ours=$(median ours)
peer=$(median peer)
echo "vip: median of $runs runs each, milliseconds (interleaved)"
printf '  %-44s %10s\n' "vipctl add + garp -c 1" "$ours"
printf '  %-44s %10s\n' "ip addr add + arping -U -c 1" "$peer"
printf '  %-44s %10s\n' "vipctl add" "$(median ours_add)"
printf '  %-44s %10s\n' "ip addr add" "$(median peer_add)"
printf '  %-44s %10s\n' "garp -c 1 (request + reply)" "$(median ours_arp)"
printf '  %-44s %10s\n' "arping -U -c 1 (one request)" "$(median peer_arp)"
printf '  %-44s %10s\n' "garp -D, address held (time to the answer)" \
    "$(median ours_probe)"
printf '  %-44s %10s\n' "arping -D -c 1 -w 1, address held" \
    "$(median peer_probe)"
awk -v a="$peer" -v b="$ours" 'BEGIN {
	printf "  ratio (ip + arping) / (vipctl + garp): %.1fx\n", a / b }'
echo "  (arping waits one interval, 1 s, after its last packet before it" \
    "exits; garp exits when the packets are sent)"
