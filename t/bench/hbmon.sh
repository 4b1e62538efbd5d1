#!/bin/sh
# t/bench/hbmon.sh - hbmon against Debian's mon 1.3.6 in the same lab:
#   1. kill-to-alert: the howto's web service (interval 2s, alertafter 2,
#      http.monitor -p 80 -u /test.html -t 2); the web server is killed,
#      the time until the alert runs is measured, then the web server is
#      restarted and the time until the upalert is measured.  mon runs its
#      own Perl http.monitor, hbmon hakit's (httpcheck).  Median of RUNS.
#      hbmon again at interval 500ms.
#   2. schedule: a 1s-interval service for 12 s; how far the check starts
#      stray from a fixed 1 s grid (mean and worst, ms).
#   3. cost: the CPU time of 20 services at 1s for 10 s, monitors included.
#   4. client: the status of those 20 services asked of the running
#      daemon 20 times, hbmonctl against moncmd (ms a command).
# Lab: namespaces hbmb<pid>-mon and -web joined by a veth pair, hkhttpd
# on 192.0.2.1:80.  mon is installed with apt-get when missing (skipped
# when that fails).  Needs root; t/bench/run calls it.
set -eu
# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
RUNS=${RUNS:-5}

bench_need_root
bench_need httpcheck t/hkhttpd

NS=hbmb$$
WEB_PID=
DAEMON_PID=
bench_begin bench_cleanup
W=$bench_tmp
bench_pair eth0 "$NS-mon" 192.0.2.9/24 "$NS-web" 192.0.2.1/24

web_start() {
	ip netns exec "$NS-web" hkhttpd -a 192.0.2.1 -p 80 >/dev/null 2>&1 &
	WEB_PID=$!
	bench_wait 5 ip netns exec "$NS-mon" httpcheck -t 1 192.0.2.1 \
	    >/dev/null 2>&1 ||
		{ echo "hbmon.sh: hkhttpd did not start" >&2; exit 1; }
}

web_stop() {
	kill "$WEB_PID" 2>/dev/null || :
	wait "$WEB_PID" 2>/dev/null || :
	WEB_PID=
}

# wait_line FILE N TIMEOUT_MS: until FILE has N lines; prints the time
wait_line() {
	deadline=$(($(bench_now_ms) + $3))
	while :; do
		n=0
		[ ! -f "$1" ] || n=$(wc -l <"$1")
		if [ "$n" -ge "$2" ]; then
			bench_now_ms
			return 0
		fi
		[ "$(bench_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.01
	done
}

# median: of the numbers on stdin, an integer ("-" when none)
median() {
	bench_stats
	echo "${bench_med%.*}"
}

mkdir -p "$W/alert" "$W/state" "$W/log"
cat >"$W/alert/stamp.alert" <<'X'
#!/bin/sh
echo "$(date +%s%N) ${MON_ALERTTYPE:-?}" >>"${0%/*}/../alerts"
X
chmod 755 "$W/alert/stamp.alert"

# cf INTERVAL: the howto's service
cf() {
	cat >"$W/mon.cf" <<X
alertdir = $W/alert
statedir = $W/state
logdir = $W/log
hostgroup web 192.0.2.1

watch web
	service http
		interval $1
		monitor http.monitor -p 80 -u /test.html -t 2
		period wd {Sun-Sat}
			alert stamp.alert down
			upalert stamp.alert up
			alertevery 600s
			alertafter 2
X
}

# daemon_start hbmon|mon: in the monitor namespace
daemon_start() {
	case $1 in
	hbmon)
		ip netns exec "$NS-mon" hbmon -f -c "$W/mon.cf" -a "$W/alert" \
		    2>>"$W/daemon.log" &
		;;
	mon)
		ip netns exec "$NS-mon" mon -c "$W/mon.cf" -a "$W/alert" \
		    -s /usr/lib/mon/mon.d -L "$W/log" -D "$W/state" \
		    -P "$W/mon.pid" >>"$W/daemon.log" 2>&1 &
		;;
	esac
	DAEMON_PID=$!
}

# mondir_start hbmon|mon CF: as daemon_start, on CF with the monitors of
# $W/mon
mondir_start() {
	case $1 in
	hbmon)
		ip netns exec "$NS-mon" hbmon -f -c "$2" -m "$W/mon" \
		    2>>"$W/daemon.log" &
		;;
	mon)
		ip netns exec "$NS-mon" mon -c "$2" -s "$W/mon" \
		    -a "$W/alert" -L "$W/log" -D "$W/state" -P "$W/mon.pid" \
		    >>"$W/daemon.log" 2>&1 &
		;;
	esac
	DAEMON_PID=$!
}

daemon_stop() {
	kill "$DAEMON_PID" 2>/dev/null || :
	wait "$DAEMON_PID" 2>/dev/null || :
	DAEMON_PID=
	sleep 0.2
}

# kill_to_alert TOOL INTERVAL: RUNS runs; prints "down_ms up_ms" lines
kill_to_alert() {
	cf "$2"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		rm -f "$W/alerts"
		web_start
		daemon_start "$1"
		# let it see the service healthy for a few checks
		sleep 6
		t0=$(bench_now_ms)
		web_stop
		if ! t1=$(wait_line "$W/alerts" 1 60000); then
			echo "hbmon.sh: $1: no alert within 60 s" >&2
			daemon_stop
			return 1
		fi
		t2=$(bench_now_ms)
		web_start
		if ! t3=$(wait_line "$W/alerts" 2 60000); then
			echo "hbmon.sh: $1: no upalert within 60 s" >&2
			t3=$t2
		fi
		daemon_stop
		web_stop
		echo "$((t1 - t0)) $((t3 - t2))"
		r=$((r + 1))
	done
}

report() {
	awk '{ print $1 }' "$W/$1.res" | median >"$W/m1"
	awk '{ print $2 }' "$W/$1.res" | median >"$W/m2"
	printf '%-28s kill-to-alert median %6s ms   restart-to-upalert median %6s ms   (runs: %s)\n' \
	    "$2" "$(cat "$W/m1")" "$(cat "$W/m2")" "$(awk '{ printf "%s/%s ", $1, $2 }' "$W/$1.res")"
}

have_mon=0
if bench_want mon /usr/sbin/mon; then
	have_mon=1
fi

echo "kill-to-alert: interval, alertafter 2; alert = an exec of a script"
kill_to_alert hbmon 2s >"$W/hbmon2.res"
report hbmon2 "hbmon, interval 2s"
kill_to_alert hbmon 500ms >"$W/hbmon05.res"
report hbmon05 "hbmon, interval 500ms"
if [ "$have_mon" = 1 ]; then
	if kill_to_alert mon 2s >"$W/mon2.res"; then
		report mon2 "mon 1.3.6, interval 2s"
	else
		echo "mon 1.3.6: did not alert (see below)"
		tail -n 5 "$W/daemon.log"
	fi
else
	echo "mon 1.3.6: not installed and apt-get install mon failed: skipped"
fi

# schedule: a monitor that stamps its start
mkdir -p "$W/mon"
cat >"$W/mon/stamp.monitor" <<'X'
#!/bin/sh
echo "$(date +%s%N)" >>"${0%/*}/../starts"
exit 0
X
chmod 755 "$W/mon/stamp.monitor"
sched() {
	rm -f "$W/starts"
	cat >"$W/mon.cf" <<X
hostgroup g 192.0.2.1

watch g
	service s
		interval 1s
		monitor stamp.monitor
X
	mondir_start "$1" "$W/mon.cf"
	sleep 12.5
	daemon_stop
	awk -v who="$1" '{ t = $1 / 1e6; if (NR == 1) t0 = t
		e = (t - t0) - int((t - t0) / 1000 + 0.5) * 1000; if (e < 0) e = -e
		if (NR > 1) { d = t - p; if (d < 0) d = -d; dd = d - 1000; if (dd < 0) dd = -dd
			s += dd; if (dd > m) m = dd }
		p = t }
		END { if (NR < 2) { printf "%-28s too few checks (%d)\n", who, NR; exit }
			printf "%-28s %2d checks in 12.5 s; gap from 1000 ms: mean %4.0f ms, worst %4.0f ms\n",
			    who, NR, s / (NR - 1), m }' "$W/starts"
}
echo "schedule: interval 1s"
sched hbmon
[ "$have_mon" = 0 ] || sched mon

# cost: 20 services at 1s for 10 s, a monitor that only exits 0; the CPU
# time of the scheduler and everything it ran (the monitors included)
cat >"$W/mon/true.monitor" <<'X'
#!/bin/sh
echo >>"${0%/*}/../checks"
exit 0
X
chmod 755 "$W/mon/true.monitor"
{
	echo "hostgroup g 192.0.2.1"
	echo
	echo "watch g"
	i=1
	while [ "$i" -le 20 ]; do
		printf '\tservice s%d\n\t\tinterval 1s\n\t\tmonitor true.monitor\n' "$i"
		i=$((i + 1))
	done
} >"$W/cost.cf"
cost() {
	rm -f "$W/checks"
	# times(1) in a child shell: its children's CPU once they are reaped
	# shellcheck disable=SC2016
	t=$(ip netns exec "$NS-mon" sh -c '
		"$@" >/dev/null 2>&1 &
		p=$!
		sleep 10
		kill "$p"
		wait "$p"
		times' sh "$@" 2>/dev/null)
	n=0
	[ ! -f "$W/checks" ] || n=$(wc -l <"$W/checks")
	printf '%s\n' "$t" | awk -v who="$COSTWHO" -v n="$n" 'NR == 2 {
		split($1, u, "m"); split($2, s, "m")
		cpu = u[1] * 60 + u[2] + s[1] * 60 + s[2]
		printf "%-28s 20 services x 1s for 10 s: %d checks, %.2f s CPU (%.1f ms per check)\n",
		    who, n, cpu, n ? cpu * 1000 / n : 0 }'
}
echo "cost: CPU of the scheduler and its monitors"
COSTWHO=hbmon cost hbmon -f -c "$W/cost.cf" -m "$W/mon"
if [ "$have_mon" = 1 ]; then
	COSTWHO="mon 1.3.6" cost mon -c "$W/cost.cf" -s "$W/mon" -a "$W/alert" \
	    -L "$W/log" -D "$W/state" -P "$W/mon.pid"
fi

# client: the status of 20 services, asked 20 times of the running
# daemon: hbmonctl (hbmon's FIFO) against moncmd (mon's TCP port 2583);
# the time of each command, start to end (ms)
client() {
	sed "1i statedir = $W/state" "$W/cost.cf" >"$W/client.cf"
	mondir_start "$1" "$W/client.cf"
	sleep 3
	i=0
	while [ "$i" -lt 20 ]; do
		t0=$(bench_now_ms)
		case $1 in
		hbmon) ip netns exec "$NS-mon" hbmonctl -c "$W/client.cf" status ;;
		mon) ip netns exec "$NS-mon" moncmd -s 127.0.0.1 list opstatus ;;
		esac >"$W/client.out" 2>&1 || echo "client: $1 failed: $(cat "$W/client.out")" >&2
		echo $(($(bench_now_ms) - t0))
		i=$((i + 1))
	done >"$W/client.ms"
	daemon_stop
	n=$(grep -c 'service\|group=' "$W/client.out") || n=0
	bench_stats "$W/client.ms"
	printf '%-28s status of %d services: median %s ms, min %s, max %s (%s runs)\n' \
	    "$2" "$n" "$bench_med" "$bench_min" "$bench_max" "$bench_n"
}
echo "client: the status of every service, asked of the running daemon"
client hbmon "hbmonctl status"
if [ "$have_mon" = 1 ] && command -v moncmd >/dev/null 2>&1; then
	client mon "moncmd list opstatus"
fi
