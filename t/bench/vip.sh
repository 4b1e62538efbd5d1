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

# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
bindir=$HAKIT_BINDIR
runs=${VIP_BENCH_RUNS:-50}
timeit=$bindir/t/vip-timeit
vip=192.0.2.100

bench_need_root
bench_need vipctl garp t/vip-timeit

node=hkbench$$-node
client=hkbench$$-client
bench_begin bench_cleanup
tmp=$bench_tmp
if ! arping -V 2>&1 | grep -q iputils; then
	bench_install iputils-arping || exit 1
fi
arping=$(command -v arping)

bench_pair eth0 "$node" 192.0.2.1/24 "$client" 192.0.2.9/24
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

# median NAME: of the microseconds in $tmp/NAME, in milliseconds
median() {
	awk -v u="$(bench_median "$tmp/$1")" 'BEGIN { printf "%.2f", u / 1000 }'
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
