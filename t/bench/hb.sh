#!/bin/sh
# t/bench/hb.sh - the heartbeat link, measured (make bench; root):
#   1. detection time: hbsend -i 100ms killed with SIGKILL at a random
#      moment -> hbrecv -d 500ms writes "dead", median of 20 runs;
#   2. CPU time of hbsend and hbrecv over 60 s at 20 heartbeats/s;
#   3. resident memory of each: peak, and start vs end (no growth).
# Everything runs over loopback inside a network namespace of its own.
# HB_RUNS and HB_SECONDS shorten it for a quick look.
set -eu

top=$(cd -- "$(dirname -- "$0")/../.." && pwd)
bin=${HAKIT_BINDIR:-$top/bin-src/build}
PATH=$bin:$bin/t:$PATH
runs=${HB_RUNS:-20}
secs=${HB_SECONDS:-60}
ns=hkbench-hb-$$
tmp=$(mktemp -d)
pids=""

# shellcheck disable=SC2317  # called from the trap
cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

for p in hbsend hbrecv stamp; do
	command -v "$p" >/dev/null || {
		echo "hb.sh: $p not found in $bin: run make first" >&2
		exit 2
	}
done
ip netns add "$ns"
ip -n "$ns" link set lo up

# wait_for FILE REGEX SECONDS: poll until FILE has a matching line.
wait_for() {
	n=$(($3 * 20))
	while [ "$n" -gt 0 ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
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
sort -n "$tmp/det" >"$tmp/det.sorted"
med=$(awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2];
	else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }' "$tmp/det.sorted")
min=$(head -n 1 "$tmp/det.sorted" | cut -d' ' -f1)
max=$(tail -n 1 "$tmp/det.sorted" | cut -d' ' -f1)
echo "detection, interval 100ms, deadtime 500ms, $runs runs:" \
	"median ${med}ms, min ${min}ms, max ${max}ms (kill -> dead event)"
echo "  heartbeat 3.0.6 for comparison (reference notes, same kind of VM," \
	"not run here): 0.74-0.75 s at keepalive 100ms / deadtime 300ms"

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
status=0
for v in "$s_hwm" "$r_hwm"; do
	[ "$v" -lt 1024 ] || { echo "hb.sh: peak RSS over 1 MiB" >&2; status=1; }
done
if [ "$s_rss1" -gt "$s_rss0" ] || [ "$r_rss1" -gt "$r_rss0" ]; then
	echo "hb.sh: RSS grew during the run" >&2
	status=1
fi
exit "$status"
