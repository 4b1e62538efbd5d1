#!/bin/bash
# t/bench/wanfailover.sh - how long the LAN client is cut off when ISP1
# fails, for each kind of failure: hakit's wanfailover (probe interval
# 200ms, down 3, up 5) against the 2005 howto's two default routes, in
# the five-namespace lab of t/helpers/wanlab.bash.  The client pings the
# internet host every 100ms; the outage is the longest gap between two
# replies, less the 100ms they are apart anyway.  Median, min and max of
# RUNS runs (default 10, WAN_BENCH_RUNS overrides) for wanfailover; the
# howto's method is given HOWTO_CAP seconds (default 20) to recover.
#
#   sh t/bench/wanfailover.sh        (as root; make bench runs it; the
#                                    script goes on in bash)
set -eu
# The lab helpers are bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"

# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
runs=${WAN_BENCH_RUNS:-10}
cap=${HOWTO_CAP:-20}

bench_need_root
bench_need gwswitch pingcheck

wfpid="" pingpid=""
cleanup() {
	[ -z "$pingpid" ] || kill "$pingpid" 2>/dev/null || true
	[ -z "$wfpid" ] || kill "$wfpid" 2>/dev/null || true
	! command -v ns_cleanup >/dev/null || ns_cleanup "$BATS_FILE_TMPDIR"
	bench_cleanup
}
bench_begin cleanup
BATS_FILE_TMPDIR=$bench_tmp
hk_scope() { printf '%s\n' "$BATS_FILE_TMPDIR"; }
# shellcheck source=/dev/null
. "$top/t/helpers/netns.bash"
# shellcheck source=/dev/null
. "$top/t/helpers/wanlab.bash"

route_on() { [ "$(wanlab_route_dev)" = "$1" ]; }
client_ok() { nsx cl ping -c 1 -W 1 "$WANLAB_INET1" >/dev/null 2>&1; }

# fail KIND ISP on|off
fail() {
	local up=up down=down on=on off=off
	if [ "$3" = off ]; then
		up=down down=up on=off off=on
	fi
	case $1 in
	carrier) wanlab_carrier "$2" "$down" ;;
	blackhole) wanlab_blackhole "$2" "$on" ;;
	gateway) wanlab_gwaddr "$2" "$off" ;;
	port) wanlab_port "$2" "$down" ;;
	esac
	: "$up"
}

ping_start() {
	: >"$BATS_FILE_TMPDIR/ping"
	# ip netns exec execs ping, so $! is ping's own pid.
	ip netns exec "$(ns cl)" ping -D -n -i 0.1 -W 1 "$WANLAB_INET1" \
	    >"$BATS_FILE_TMPDIR/ping" 2>&1 &
	pingpid=$!
}

ping_stop() {
	kill "$pingpid" 2>/dev/null || true
	wait "$pingpid" 2>/dev/null || true
	pingpid=""
}

# replies_after MS: the number of replies logged after wall time MS.
replies_after() {
	awk -v t="$1" '/bytes from/ { gsub(/[][]/, "", $1); if ($1 * 1000 > t) n++ }
	    END { print n + 0 }' "$BATS_FILE_TMPDIR/ping"
}

# replied SINCE: 3 replies or more after wall time SINCE (ms).
replied() {
	[ "$(replies_after "$1")" -ge 3 ]
}

# The outage in ms: the longest gap between replies, less the interval.
outage() {
	awk '/bytes from/ { gsub(/[][]/, "", $1); t = $1 * 1000
	    if (p && t - p > m) m = t - p; p = t }
	    END { printf "%d\n", (m > 100 ? m - 100 : 0) }' "$BATS_FILE_TMPDIR/ping"
}

stats() {
	bench_stats "$1"
	if [ "$bench_n" -eq 0 ]; then
		echo "no data"
	else
		printf 'median %d ms  (min %d, max %d, %d runs)\n' \
		    "${bench_med%.*}" "$bench_min" "$bench_max" "$bench_n"
	fi
}

conf=$BATS_FILE_TMPDIR/wan.conf

# hakit TIMEOUT KIND...: wanfailover with that probe timeout, RUNS runs
# of each kind of failure of ISP1.
hakit() {
	local tmo=$1 kind i t0
	shift
	cat >"$conf" <<EOF
lan lan0 192.0.2.0/25
uplink isp1 wan1 198.51.100.1 $WANLAB_INET1 $WANLAB_INET2
uplink isp2 wan2 203.0.113.1 $WANLAB_INET1 $WANLAB_INET2
interval 200ms
timeout $tmo
down 3
up 5
rundir $BATS_FILE_TMPDIR/run
EOF
	echo "wanfailover: interval 200ms, timeout $tmo, down 3, up 5; client pings every 100ms"
	ip netns exec "$(ns rt)" wanfailover -c "$conf" start >/dev/null 2>"$BATS_FILE_TMPDIR/wf.err" &
	wfpid=$!
	if ! bench_wait 10 route_on wan1; then
		echo "wanfailover did not start" >&2
		cat "$BATS_FILE_TMPDIR/wf.err" >&2
		exit 1
	fi
	bench_wait 10 client_ok || true
	for kind in "$@"; do
		: >"$BATS_FILE_TMPDIR/res"
		i=0
		while [ "$i" -lt "$runs" ]; do
			i=$((i + 1))
			ping_start
			if ! bench_wait 5 replied 0; then
				ping_stop
				echo "  run $i: the client could not reach the internet host before the failure: not counted" >&2
				bench_wait 10 client_ok || true
				continue
			fi
			t0=$(date +%s%3N)
			fail "$kind" isp1 on
			if bench_wait 10 route_on wan2 &&
			    bench_wait 10 replied "$t0"; then
				ping_stop
				outage >>"$BATS_FILE_TMPDIR/res"
			else
				ping_stop
				echo "  run $i: no recovery within 10 s" >&2
			fi
			fail "$kind" isp1 off
			bench_wait 15 route_on wan1 || echo "  run $i: route did not come back" >&2
			bench_wait 5 client_ok || true
		done
		printf '  %-10s %s   [%s]\n' "$kind" "$(stats "$BATS_FILE_TMPDIR/res")" \
		    "$(tr '\n' ' ' <"$BATS_FILE_TMPDIR/res" | sed 's/ $//')"
	done
	kill "$wfpid" 2>/dev/null || true
	wait "$wfpid" 2>/dev/null || true
	wfpid=""
	wanlab_reset
	nsx rt sysctl -qw net.ipv4.ip_forward=0
}

wanlab_up
nsx rt sysctl -qw net.ipv4.ip_forward=0
hakit 500ms carrier blackhole gateway port
hakit 1s blackhole gateway

echo "howto: two default routes (route add default gw ISP1; route add default gw ISP2), MASQUERADE on both"
for kind in port carrier blackhole gateway; do
	wanlab_reset
	nsx rt sysctl -qw net.ipv4.ip_forward=1
	nsx rt iptables -t nat -A POSTROUTING -o wan1 -j MASQUERADE
	nsx rt iptables -t nat -A POSTROUTING -o wan2 -j MASQUERADE
	if command -v route >/dev/null 2>&1; then
		nsx rt route add default gw 198.51.100.1
		nsx rt route add default gw 203.0.113.1
	else
		nsx rt ip route prepend default via 198.51.100.1
		nsx rt ip route prepend default via 203.0.113.1
	fi
	primary=isp1
	[ "$(wanlab_route_dev)" = wan2 ] && primary=isp2
	bench_wait 5 client_ok || true
	ping_start
	bench_wait 5 replied 0 || true
	t0=$(date +%s%3N)
	fail "$kind" "$primary" on
	if bench_wait "$cap" replied "$t0"; then
		ping_stop
		printf '  %-10s (primary %s) outage %s ms\n' "$kind" "$primary" "$(outage)"
	else
		ping_stop
		printf '  %-10s (primary %s) no recovery within %s s\n' "$kind" "$primary" "$cap"
	fi
	fail "$kind" "$primary" off
done
