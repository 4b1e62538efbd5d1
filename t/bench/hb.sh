#!/bin/sh
# t/bench/hb.sh - the heartbeat link, measured (make bench; root):
#   1. detection time: hbsend -i 100ms killed with SIGKILL at a random
#      moment -> hbrecv -d 500ms writes "dead", median of 20 runs;
#   2. CPU time of hbsend and hbrecv over 60 s at 20 heartbeats/s;
#   3. resident memory of each: peak, and start vs end (no growth);
#   4. a sender restarted 1 s after it died with its generation file
#      lost (a reboot that wiped it): time from its start to hbrecv's
#      "restart" event, and how many of its lines were dropped as
#      replays (HB_RUNS runs);
# then the same figures for the peer tool, Linux-HA heartbeat 3.0.6
# (Debian's package, installed here), two nodes in two namespaces.
# hbsend/hbrecv run over loopback inside a network namespace of their own.
# HB_RUNS, HB_PEER_RUNS and HB_SECONDS shorten it; HB_PEER=0 skips the peer.
set -eu

# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
runs=${HB_RUNS:-20}
secs=${HB_SECONDS:-60}
ns=hkbench-hb-$$
pids=""

bench_need_root
bench_need hbsend hbrecv t/stamp

# shellcheck disable=SC2317  # called from the trap
cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
	done
	bench_cleanup
}
bench_begin cleanup
tmp=$bench_tmp
bench_ns_add "$ns"

# wait_for FILE REGEX SECONDS: poll until FILE has a matching line.
wait_for() {
	bench_wait "$3" grep -Eq -- "$2" "$1" 2>/dev/null
}

# field PID N: field N of /proc/PID/stat (after the command name).
field() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f"$(($2 - 2))"
}

kib() {
	awk -v k="$2" '$1 == k ":" { print $2 }' "/proc/$1/status"
}

echo "hbsend/hbrecv benchmark ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"

# 1. Detection time.
: >"$tmp/det"
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	port=$((17000 + i))
	(ip netns exec "$ns" hbrecv -n bench -d 500ms "udp:127.0.0.1:$port" \
		2>"$tmp/recv.err" & echo $! >"$tmp/recv.pid"; wait) |
		stamp >"$tmp/ev" &
	pids="$pids $!"
	ip netns exec "$ns" hbsend -n peer -i 100ms "udp:127.0.0.1:$port" &
	spid=$!
	pids="$pids $spid"
	wait_for "$tmp/ev" ' up peer ' 5 || { echo "hb.sh: no up event" >&2; exit 1; }
	# a random moment of the interval: 1.000 to 1.099 s after "up"
	sleep "1.0$(awk -v s="$i" 'BEGIN { srand(s); printf "%02d", int(rand() * 100) }')"
	t0=$(stamp -n)
	kill -9 "$spid"
	wait_for "$tmp/ev" ' dead peer ' 5 || { echo "hb.sh: no dead event" >&2; exit 1; }
	t1=$(awk '$2 == "dead" { print $1; exit }' "$tmp/ev")
	silent=$(awk '$2 == "dead" { sub("silent=", "", $4); print $4; exit }' "$tmp/ev")
	echo "$(((t1 - t0) / 1000)) $silent" >>"$tmp/det"
	kill "$(cat "$tmp/recv.pid")" 2>/dev/null || true
	wait 2>/dev/null || true
	pids=""
done
bench_stats "$tmp/det"
echo "detection, interval 100ms, deadtime 500ms, $runs runs:" \
	"median ${bench_med%.*}ms, min ${bench_min}ms, max ${bench_max}ms (kill -> dead event)"

# 2 and 3. CPU and memory at 20 heartbeats/s.
ip netns exec "$ns" hbrecv -n bench -d 500ms udp:127.0.0.1:17999 \
	>"$tmp/ev2" 2>"$tmp/recv2.err" &
rpid=$!
pids="$rpid"
ip netns exec "$ns" hbsend -n peer -i 50ms udp:127.0.0.1:17999 &
spid=$!
pids="$pids $spid"
wait_for "$tmp/ev2" '^up peer ' 5 || { echo "hb.sh: no up event" >&2; exit 1; }
sleep 2
s_rss0=$(kib "$spid" VmRSS)
r_rss0=$(kib "$rpid" VmRSS)
s_cpu0=$(($(field "$spid" 14) + $(field "$spid" 15)))
r_cpu0=$(($(field "$rpid" 14) + $(field "$rpid" 15)))
sleep "$secs"
s_cpu=$(($(field "$spid" 14) + $(field "$spid" 15) - s_cpu0))
r_cpu=$(($(field "$rpid" 14) + $(field "$rpid" 15) - r_cpu0))
hz=$(getconf CLK_TCK)
s_rss1=$(kib "$spid" VmRSS)
r_rss1=$(kib "$rpid" VmRSS)
s_hwm=$(kib "$spid" VmHWM)
r_hwm=$(kib "$rpid" VmHWM)
bad=$(grep -Ec '^(warn|dead) ' "$tmp/ev2" || true)
echo "CPU over ${secs}s at 20 heartbeats/s:" \
	"hbsend $((s_cpu * 1000 / hz))ms, hbrecv $((r_cpu * 1000 / hz))ms" \
	"(clock ticks of 1/${hz}s)"
echo "RSS: hbsend ${s_rss0} -> ${s_rss1} KiB (peak ${s_hwm} KiB)," \
	"hbrecv ${r_rss0} -> ${r_rss1} KiB (peak ${r_hwm} KiB); goal under 1024 KiB"
echo "false warn/dead events during the run: $bad"
kill "$spid" "$rpid" 2>/dev/null || true
wait 2>/dev/null || true
pids=""

# 4. A restarted sender whose generation file was lost.
# accepted_after N: more than N up/restart events of the peer so far.
# shellcheck disable=SC2317  # called through bench_wait
accepted_after() {
	[ "$(grep -Ec " (up|restart) peer " "$tmp/ev3")" -gt "$1" ]
}
: >"$tmp/rst"
(ip netns exec "$ns" hbrecv -n bench -d 3s -r "$tmp/record" udp:127.0.0.1:17998 \
	2>"$tmp/recv3.err" & echo $! >"$tmp/recv.pid"; wait) | stamp >"$tmp/ev3" &
pids="$!"
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	ip netns exec "$ns" hbsend -n peer -i 200ms -g "$tmp/gen" udp:127.0.0.1:17998 &
	spid=$!
	wait_for "$tmp/ev3" " (up|restart) peer " 5 || { echo "hb.sh: no up event" >&2; exit 1; }
	kill -9 "$spid"
	wait "$spid" 2>/dev/null || true
	rm -f "$tmp/gen"
	sleep 1
	n0=$(grep -Ec " (up|restart) peer " "$tmp/ev3")
	t0=$(stamp -n)
	ip netns exec "$ns" hbsend -n peer -i 200ms -g "$tmp/gen" udp:127.0.0.1:17998 &
	spid=$!
	if ! bench_wait 5 accepted_after "$n0"; then
		echo "  run $i: not accepted within 5 s" >&2
		echo 5000 >>"$tmp/rst"
	else
		t1=$(grep -E " (up|restart) peer " "$tmp/ev3" | tail -n 1 | cut -d' ' -f1)
		echo "$(((t1 - t0) / 1000))" >>"$tmp/rst"
	fi
	kill -9 "$spid"
	wait "$spid" 2>/dev/null || true
done
kill "$(cat "$tmp/recv.pid")" 2>/dev/null || true
wait 2>/dev/null || true
pids=""
bench_stats "$tmp/rst"
echo "restarted sender, generation file lost, interval 200ms, $runs runs:" \
	"accepted after median ${bench_med%.*}ms, min ${bench_min}ms, max ${bench_max}ms" \
	"(start -> restart event; 5000: not within 5 s)"
drops=$(grep 'dropped lines so far' "$tmp/recv3.err" | tail -n 1 | sed 's/^hbrecv: //')
echo "  ${drops:-no line dropped (none replayed)}"

# The peer: heartbeat in two namespaces (each with its own hostname, and
# private /etc/ha.d, /var/lib/heartbeat and /run), broadcast on a veth.
peer() {
	bench_want heartbeat /usr/libexec/heartbeat/heartbeat ||
		{ echo "peer: apt-get install heartbeat failed; skipped"; return 0; }
	command -v unshare >/dev/null || { echo "peer: no unshare(1); skipped"; return 0; }
	bench_pair hb0 "$ns-a" "192.0.2.1/24 brd +" "$ns-b" "192.0.2.2/24 brd +"
	for n in n1 n2; do
		d=$tmp/$n
		mkdir -p "$d"
		cp -a /etc/ha.d "$d/ha.d"
		cp -a /var/lib/heartbeat "$d/lib"
		mkdir -p "$d/run"
		[ -d /run/heartbeat ] && cp -a /run/heartbeat/. "$d/run/"
		: >"$d/ha.d/haresources"
		printf 'auth 1\n1 sha1 bench\n' >"$d/ha.d/authkeys"
		chmod 600 "$d/ha.d/authkeys"
	done
	peer_conf 100ms 500ms 250ms
	peer_start n2 b
	i=0
	: >"$tmp/pdet"
	ip netns exec "$ns-b" tail -n 0 -F "$tmp/n2/ha-log" 2>/dev/null |
		stamp >"$tmp/plog" &
	while [ "$i" -lt "$pruns" ]; do
		i=$((i + 1))
		: >"$tmp/plog"
		peer_start n1 a
		wait_for "$tmp/plog" 'Status update for node n1: status active' 30 ||
			{ echo "peer: n2 never saw n1 active; skipped"; return 0; }
		# heartbeat announces deadtime + 2s for its first seconds:
		# measure the steady state, 6s on
		sleep "6.0$(awk -v s="$i" 'BEGIN { srand(s); printf "%02d", int(rand() * 100) }')"
		t0=$(stamp -n)
		bench_ns_kill "$ns-a"
		wait_for "$tmp/plog" 'node n1: is dead' 10 ||
			{ echo "peer: n2 never declared n1 dead; skipped"; return 0; }
		t1=$(awk '/node n1: is dead/ { print $1; exit }' "$tmp/plog")
		echo "$(((t1 - t0) / 1000))" >>"$tmp/pdet"
	done
	bench_stats "$tmp/pdet"
	echo "peer heartbeat 3.0.6, keepalive 100ms, deadtime 500ms, $pruns runs:" \
		"median ${bench_med%.*}ms, min ${bench_min}ms," \
		"max ${bench_max}ms (kill -> \"is dead\" in its log)"
	# CPU and memory of one node at 20 heartbeats/s: all its processes.
	bench_ns_kill "$ns-b"
	sleep 0.5
	peer_conf 50ms 500ms 250ms
	peer_start n1 a
	peer_start n2 b
	sleep 5
	hpids=$(ip netns pids "$ns-b")
	c0=0
	for p in $hpids; do c0=$((c0 + $(field "$p" 14) + $(field "$p" 15))); done
	sleep "$secs"
	c1=0 rss=0 hwm=0
	for p in $hpids; do
		[ -r "/proc/$p/stat" ] || continue
		c1=$((c1 + $(field "$p" 14) + $(field "$p" 15)))
		rss=$((rss + $(kib "$p" VmRSS)))
		hwm=$((hwm + $(kib "$p" VmHWM)))
	done
	echo "peer heartbeat CPU over ${secs}s at 20 heartbeats/s (one node," \
		"$(echo "$hpids" | wc -w) processes): $(((c1 - c0) * 1000 / hz))ms;" \
		"RSS ${rss} KiB (peaks summed ${hwm} KiB)"
	echo "hakit at the same rate: hbsend+hbrecv $(((s_cpu + r_cpu) * 1000 / hz))ms CPU," \
		"$((s_rss1 + r_rss1)) KiB RSS"
}

# peer_conf KEEPALIVE DEADTIME WARNTIME: ha.cf of both nodes.
peer_conf() {
	for n in n1 n2; do
		cat >"$tmp/$n/ha.d/ha.cf" <<-EOC
		logfile $tmp/$n/ha-log
		keepalive $1
		deadtime $2
		warntime $3
		initdead 1
		udpport 694
		bcast hb0
		node n1
		node n2
		crm off
		auto_failback off
		EOC
	done
}

# peer_start NODE NS: heartbeat as NODE in namespace NS (it daemonizes).
peer_start() {
	d=$tmp/$1
	ip netns exec "$ns-$2" unshare --uts --mount sh -c "hostname $1 &&
		mount --bind '$d/ha.d' /etc/ha.d &&
		mount --bind '$d/lib' /var/lib/heartbeat &&
		mount -t tmpfs tmpfs /run && mkdir -p /run/heartbeat &&
		mount --bind '$d/run' /run/heartbeat &&
		exec /usr/libexec/heartbeat/heartbeat" >>"$d/out" 2>&1
}

pruns=${HB_PEER_RUNS:-10}
if [ "${HB_PEER:-1}" != 0 ]; then
	peer
fi

status=0
for v in "$s_hwm" "$r_hwm"; do
	[ "$v" -lt 1024 ] || { echo "hb.sh: peak RSS over 1 MiB" >&2; status=1; }
done
if [ "$s_rss1" -gt "$s_rss0" ] || [ "$r_rss1" -gt "$r_rss0" ]; then
	echo "hb.sh: RSS grew during the run" >&2
	status=1
fi
exit "$status"
