#!/bin/sh
# t/bench/failover.sh - client-observed outage when the node serving the
# virtual IP dies, hakit's hbnode against Debian's keepalived (VRRP).
#
# Lab: a bridge, two nodes, a client (namespaces).  Both nodes serve HTTP
# with their own name; the client (haclient) starts a request every 10 ms
# and reports the outage: the time between the starts of the last good
# request before and the first good one after (0: no request failed).
# "Dies" is a power cut: every process of the holder's namespace
# SIGKILLed and its cable pulled.  The dead node is then revived
# (auto_failback off / nopreempt), and the next run kills the other one.
#
#   crash300, crash150: hbnode at 100ms/300ms and 50ms/150ms against
#   keepalived at advert_int 0.1 and 0.05 (VRRPv3: the master is dead
#   after 3 adverts plus skew); the group the address alone, the web
#   server on both nodes, as keepalived has it; the ratio of the medians
#   handover300, handover150: the home node comes back, failback against
#   keepalived's preemption; standby and takeover (planned300,
#   planned150 alone); failback with the web server a resource
#   idle: CPU and RSS of a healthy pair over IDLE_S (60) s, both tools
#   loaded300, loaded150: a healthy pair for LOADED_S (600) s with one
#   core kept busy: false takeovers, late heartbeats, client outages
#   d500, slow: 100ms/500ms, and the howto's 2s/10s against advert_int 2
#   soft: software death only (processes killed, cable in): the lease
#   stop: SIGSTOP of hbnode alone (hbsend and hbrecv run on); its
#   hbsend -W stops the heartbeats a second later
#
# With each hbnode run, the taker's steps from its debugfile (hbnode(8),
# Timing a takeover).
#
# Median, min, max of RUNS (default 10) runs, SLOW_RUNS (default 5) for the
# 2s/10s and advert 2 cases, which take ~15 s each.  keepalived is
# installed with apt-get when missing (skipped if that fails).
#
#   sh t/bench/failover.sh      (as root; make bench runs it)
#   CASES="crash300 handover300" RUNS=3 sh t/bench/failover.sh  (a few cases:
#   crash300 crash150 handover300 handover150 planned300 planned150 d500
#   slow soft stop idle loaded300 loaded150; handover includes planned)
set -eu

# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
cd -- "$top"
runs=${RUNS:-10}
slow_runs=${SLOW_RUNS:-5}
idle_s=${IDLE_S:-60}
loaded_s=${LOADED_S:-600}
cases=${CASES:-crash300 crash150 handover300 handover150 d500 slow soft stop idle loaded300 loaded150}

bench_need_root
bench_need hbsend hbrecv vipctl garp t/hkhttpd t/haclient

id=hkfo$$
VIP=192.0.2.100
client_pid=""

cleanup() {
	set +e
	[ -z "$client_pid" ] || kill "$client_pid" 2>/dev/null
	bench_cleanup
}
bench_begin cleanup
tmp=$bench_tmp

nx() {
	n=$1
	shift
	ip netns exec "$id-$n" "$@"
}

lab() {
	bench_ns_add "$id-sw"
	ip -n "$id-sw" link add br0 type bridge
	ip -n "$id-sw" link set br0 type bridge forward_delay 0 stp_state 0
	ip -n "$id-sw" link set br0 up
	for n in a b client; do
		bench_ns_add "$id-$n"
		bench_veth "$id-$n" lan0 "$id-sw" "p-$n"
		ip -n "$id-sw" link set "p-$n" master br0
	done
	ip -n "$id-a" addr add 192.0.2.1/24 brd + dev lan0
	ip -n "$id-b" addr add 192.0.2.2/24 brd + dev lan0
	ip -n "$id-client" addr add 192.0.2.9/24 brd + dev lan0
}

relab() {
	bench_ns_del "$id-client" "$id-a" "$id-b" "$id-sw"
	client_pid=""
	lab
}

body() {
	echo "$1" | tr '[:lower:]' '[:upper:]'
}

# --- the client ----------------------------------------------------------
client_out=$tmp/client.out
client_start() {
	bench_client_start "$id-client" "$VIP" "$client_out"
	client_pid=$bench_client_pid
}
answer_is() {
	[ "$(bench_answer "$client_out")" = "$1" ]
}
outage_since() {
	# the longest outage after line $1 of the client's output; 0 when
	# no request failed
	o=$(bench_outage_since "$client_out" "$1")
	echo "${o:-0}"
}

# --- hakit -----------------------------------------------------------------
# hb_rsc: what the group holds.  addr: the address alone, the web
# server running on both nodes all the time, as with keepalived (the
# comparison); svc: the address and the web server as a resource,
# started on the holder only (heartbeat's usual haresources line).
hb_rsc=svc

hb_conf() {
	# hb_conf KEEPALIVE DEADTIME [AUTO_FAILBACK]
	for n in a b; do
		d=$tmp/$n
		rm -rf "$d"
		mkdir -p "$d/ha.d/resource.d" "$d/run"
		printf '%s\n' "keepalive $1" "deadtime $2" "initdead $2" \
		    "bcast lan0" "node a b" "auto_failback ${3:-off}" \
		    "logfile $d/ha-log" "debugfile $d/debug" "crm off" \
		    >"$d/ha.d/ha.cf"
		printf 'auth 1\n1 sha256 bench\n' >"$d/ha.d/authkeys"
		chmod 600 "$d/ha.d/authkeys"
		if [ "$hb_rsc" = addr ]; then
			echo "a $VIP/24" >"$d/ha.d/haresources"
			web_start "$n"
		else
			echo "a $VIP/24 web" >"$d/ha.d/haresources"
		fi
		cat >"$d/ha.d/resource.d/web" <<-X
		#!/bin/sh
		case \$1 in
		start) hkhttpd -p 80 -b $(body "$n") </dev/null >/dev/null 2>&1 &
		       echo \$! >$d/run/web.pid ;;
		stop) [ -r $d/run/web.pid ] && kill "\$(cat $d/run/web.pid)" 2>/dev/null
		      rm -f $d/run/web.pid ;;
		status) if [ -r $d/run/web.pid ] && kill -0 "\$(cat $d/run/web.pid)" 2>/dev/null
			then echo running; else echo stopped; fi ;;
		esac
		exit 0
		X
		chmod 755 "$d/ha.d/resource.d/web"
	done
}

hb_start() {
	d=$tmp/$1
	ip netns exec "$id-$1" hbnode -c "$d/ha.d" -n "$1" -s "$d/run" -l "$d/lib" start \
	    </dev/null >>"$d/out" 2>&1 &
	# ip netns exec execs hbnode: this is its pid
	eval "hb_pid_$1=\$!"
}

hb_sees() {
	# hb_sees NODE HOLDER: NODE's status says HOLDER holds and the peer is up
	s=$(nx "$1" hbnode -c "$tmp/$1/ha.d" -n "$1" -s "$tmp/$1/run" status 2>/dev/null) ||
	    return 1
	case $s in
	*"state=up"*"holder $2"*) return 0 ;;
	esac
	return 1
}

other() {
	if [ "$1" = a ]; then echo b; else echo a; fi
}

# kill_node NODE MODE: power (processes + cable), soft (processes) or
# stop (SIGSTOP of hbnode alone)
kill_node() {
	if [ "$2" = stop ]; then
		eval "kill -STOP \$hb_pid_$1"
		return
	fi
	bench_ns_kill "$id-$1"
	[ "$2" = soft ] || ip -n "$id-sw" link set "p-$1" down
}

revive() {
	ip -n "$id-sw" link set "p-$1" up
}

# the summary's lines: bench_record's and ours, in bench_results
bench_results=""
med_prev="" med_last=""
record() {
	# record LABEL FILE-OF-MS; the medians kept for ratio
	bench_record "$1" "$2"
	med_prev=$med_last med_last=""
	[ "$bench_n" -eq 0 ] || med_last=${bench_med%.*}
}

# hb_pair KEEPALIVE DEADTIME [AUTO_FAILBACK]: a fresh lab, both hbnodes
# started, the client asking; 1 (said) when a never serves
hb_pair() {
	relab
	hb_conf "$@"
	hb_start a
	hb_start b
	client_start
	if ! bench_wait 30 answer_is A; then
		echo "failover.sh: hbnode never served ($1/$2)" >&2
		return 1
	fi
	bench_wait 30 hb_sees b a || true
}

bench_hbnode() {
	# bench_hbnode KEEPALIVE DEADTIME DEADTIME-IN-S RUNS MODE LABEL
	hb_pair "$1" "$2" || return 0
	dead_s=$3
	shift
	holder=a
	f=$tmp/ms.txt
	: >"$f"
	r=0
	while [ "$r" -lt "$3" ]; do
		r=$((r + 1))
		new=$(other "$holder")
		sleep 1
		mark=$(wc -l <"$client_out")
		kill_node "$holder" "$4"
		if ! bench_wait $((dead_s * 3 + 15)) answer_is "$(body "$new")"; then
			echo "  run $r: no takeover" >&2
			break
		fi
		ms=$(outage_since "$mark")
		echo "  run $r: ${ms:-?} ms  [$(steps "$new")]" >&2
		[ -z "$ms" ] || echo "$ms" >>"$f"
		# a stopped hbnode is killed with the rest (a reboot)
		[ "$4" != stop ] || kill_node "$holder" soft
		revive "$holder"
		[ "$hb_rsc" = svc ] || web_start "$holder"
		hb_start "$holder"
		bench_wait $((dead_s * 3 + 15)) hb_sees "$holder" "$new" ||
		    echo "  run $r: $holder did not rejoin" >&2
		holder=$new
	done
	record "$5" "$f"
}

# ratio: the last two medians recorded, hbnode's over keepalived's
ratio() {
	[ -n "$med_prev" ] && [ -n "$med_last" ] && [ "$med_last" -gt 0 ] ||
	    return 0
	line=$(awk -v a="$med_prev" -v b="$med_last" 'BEGIN {
	    printf "%-44s  %.2f", "  ratio hbnode / keepalived (medians)", a / b }')
	echo "$line"
	bench_results="$bench_results$line
"
}

hb_cmd() {
	# hb_cmd NODE COMMAND...: hbnode's command on NODE
	n=$1
	shift
	nx "$n" hbnode -c "$tmp/$n/ha.d" -n "$n" -s "$tmp/$n/run" \
	    -l "$tmp/$n/lib" "$@" >/dev/null 2>&1
}

# steps NODE: the steps of NODE's last takeover, from its debugfile
# (hbnode(8), DEBUG), on one line for the run's report
steps() {
	f=$tmp/$1/debug
	[ -r "$f" ] || return 0
	n=$(grep -n 'taking over' "$f" | tail -n 1 | cut -d: -f1)
	[ -n "$n" ] || return 0
	tail -n "+$n" "$f" | grep -E 'no probe|the group start|acquired in' |
	    sed -e 's/^.* \(debug\|info\): //' -e 's/^the group start: //' \
	    -e 's/^the resource group: //' -e 's/^.*acquired in/acquired in/' |
	    tr '\n' ';' | cut -c 1-260
}

# planned CMD BODY FILE TAKER: hbnode CMD on a, the client's outage
# until BODY serves appended to FILE, the taker's steps said; 1 when
# refused or nothing moved
planned() {
	mark=$(wc -l <"$client_out")
	hb_cmd a "$1" || { echo "  run $r: $1 refused" >&2; return 1; }
	if ! bench_wait 30 answer_is "$2"; then
		echo "  run $r: $1 moved nothing" >&2
		return 1
	fi
	ms=$(outage_since "$mark")
	echo "  run $r $1: $ms ms  [$(steps "$4")]" >&2
	echo "$ms" >>"$3"
}

bench_handover() {
	# bench_handover KEEPALIVE DEADTIME RUNS failback|planned LABEL
	# failback: the home node a is killed, b takes over, a comes back
	# and takes the group back (auto_failback on): the outage of that
	# return.  planned: hbnode standby on the holder, then hbnode
	# takeover on the node that stood by: both outages; a fresh pair
	# each run (after a takeover the other node stays in standby, and
	# standby there would be refused)
	f=$tmp/ms.txt f2=$tmp/ms2.txt
	: >"$f"
	: >"$f2"
	r=0
	while [ "$r" -lt "$3" ]; do
		if [ "$r" = 0 ] || [ "$4" = planned ]; then
			if [ "$4" = failback ]; then af=on; else af=off; fi
			hb_pair "$1" "$2" "$af" || return 0
		fi
		r=$((r + 1))
		sleep 1
		if [ "$4" = failback ]; then
			kill_node a power
			bench_wait 30 answer_is B || { echo "  run $r: no takeover" >&2; break; }
			revive a
			sleep 0.5
			[ "$hb_rsc" = svc ] || web_start a
			mark=$(wc -l <"$client_out")
			hb_start a
			if ! bench_wait 30 answer_is A; then
				echo "  run $r: no failback" >&2
				break
			fi
			ms=$(outage_since "$mark")
			echo "  run $r: ${ms:-?} ms  [$(steps a)]" >&2
			[ -z "$ms" ] || echo "$ms" >>"$f"
			bench_wait 30 hb_sees b a || echo "  run $r: b did not see a" >&2
			continue
		fi
		planned standby B "$f" b || break
		bench_wait 30 hb_sees a b || true
		sleep 1
		planned takeover A "$f2" a || break
		bench_wait 30 hb_sees b a || true
	done
	if [ "$4" = failback ]; then
		record "$5" "$f"
	else
		record "$5, standby" "$f"
		record "$5, takeover" "$f2"
	fi
}

# --- keepalived ------------------------------------------------------------
ka_ok=0
if bench_want keepalived; then
	ka_ok=1
else
	echo "failover.sh: keepalived not installable; comparison skipped" >&2
fi

ka_int() {
	# ka_int MS: keepalived's advert_int, in seconds
	awk -v m="$1" 'BEGIN { printf "%g", m / 1000 }'
}

ka_conf() {
	# ka_conf ADVERT_INT [preempt]
	for n in a b; do
		d=$tmp/ka-$n
		rm -rf "$d"
		mkdir -p "$d"
		cat >"$d/keepalived.conf" <<-X
		global_defs {
		    router_id $n
		    vrrp_version 3
		    script_user root
		    enable_script_security
		}
		vrrp_instance VI_1 {
		    state BACKUP
		    $( [ "${2:-}" = preempt ] || echo nopreempt )
		    interface lan0
		    virtual_router_id 51
		    priority $( [ "$n" = a ] && echo 150 || echo 100 )
		    advert_int $1
		    virtual_ipaddress {
		        $VIP/24 dev lan0
		    }
		}
		X
	done
}

ka_start() {
	d=$tmp/ka-$1
	# a reboot clears /run: the killed instance's pid files must go
	rm -f "$d/k.pid" "$d/v.pid" "$d/c.pid"
	ip netns exec "$id-$1" keepalived -n -l -f "$d/keepalived.conf" \
	    -p "$d/k.pid" -r "$d/v.pid" -c "$d/c.pid" \
	    </dev/null >>"$d/out" 2>&1 &
}

web_start() {
	ip netns exec "$id-$1" hkhttpd -p 80 -b "$(body "$1")" </dev/null \
	    >/dev/null 2>&1 &
}

has_vip() {
	nx "$1" ip -o -4 addr show dev lan0 | grep -q " $VIP/"
}

# ka_pair ADVERT_INT [preempt]: a fresh lab, the web servers and both
# keepalived started (a first), the client asking
ka_pair() {
	relab
	ka_conf "$@"
	web_start a
	web_start b
	ka_start a
	sleep 0.5
	ka_start b
	client_start
}

bench_keepalived() {
	# bench_keepalived ADVERT_INT RUNS LABEL
	ka_pair "$1"
	holder=a
	if ! bench_wait 30 answer_is A; then
		# both BACKUP with nopreempt: b may win the first election
		if answer_is B; then holder=b; else
			echo "failover.sh: keepalived never served" >&2
			return 0
		fi
	fi
	f=$tmp/ka-ms.txt
	: >"$f"
	r=0
	while [ "$r" -lt "$2" ]; do
		r=$((r + 1))
		new=$(other "$holder")
		sleep 1
		mark=$(wc -l <"$client_out")
		kill_node "$holder" power
		if ! bench_wait 60 answer_is "$(body "$new")"; then
			echo "  run $r: no takeover" >&2
			break
		fi
		ms=$(outage_since "$mark")
		echo "  run $r: ${ms:-?} ms" >&2
		[ -z "$ms" ] || echo "$ms" >>"$f"
		# the dead node's kernel keeps the address: a reboot drops it
		nx "$holder" ip addr del "$VIP/24" dev lan0 2>/dev/null || true
		revive "$holder"
		web_start "$holder"
		ka_start "$holder"
		# it rejoins as backup (nopreempt): give it a few adverts
		sleep 2
		has_vip "$holder" && echo "  run $r: $holder took the address back" >&2
		holder=$new
	done
	record "$3" "$f"
}

bench_ka_preempt() {
	# bench_ka_preempt ADVERT_INT RUNS LABEL: a (priority 150) is killed,
	# b takes over, a comes back and preempts: the outage of that return
	ka_pair "$1" preempt
	if ! bench_wait 30 answer_is A; then
		echo "failover.sh: keepalived never served" >&2
		return 0
	fi
	f=$tmp/ka-ms.txt
	: >"$f"
	r=0
	while [ "$r" -lt "$2" ]; do
		r=$((r + 1))
		sleep 1
		kill_node a power
		bench_wait 30 answer_is B || { echo "  run $r: no takeover" >&2; break; }
		nx a ip addr del "$VIP/24" dev lan0 2>/dev/null || true
		revive a
		sleep 0.5
		mark=$(wc -l <"$client_out")
		web_start a
		ka_start a
		if ! bench_wait 30 answer_is A; then
			echo "  run $r: no preemption" >&2
			break
		fi
		ms=$(outage_since "$mark")
		echo "  run $r: ${ms:-?} ms" >&2
		[ -z "$ms" ] || echo "$ms" >>"$f"
	done
	record "$3" "$f"
}

# cpu_ticks NS...: user + system time of every process in the namespaces,
# with that of their reaped children, in clock ticks (proc(5): fields
# 14-17 of /proc/PID/stat, counted after the command's closing ")")
cpu_ticks() {
	for p in $(ns_pids "$@"); do
		sed 's/.*) //' "/proc/$p/stat" 2>/dev/null
	done | awk '{ t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

# rss_kb NS...: the sum of VmRSS of their processes, kB
rss_kb() {
	for p in $(ns_pids "$@"); do
		awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | awk '{ t += $1 } END { print t + 0 }'
}

# ns_pids NS...: the processes in the namespaces
ns_pids() {
	for n in "$@"; do
		ip netns pids "$n" 2>/dev/null
	done
}

idle_line() {
	# idle_line LABEL TICKS0 TICKS1 RSS
	hz=$(getconf CLK_TCK)
	line=$(awk -v l="$1" -v a="$2" -v b="$3" -v hz="$hz" -v s="$idle_s" \
	    -v r="$4" 'BEGIN { ms = (b - a) * 1000 / hz
	    printf "%-44s  CPU %6.0f ms in %d s (%.2f%%)  RSS %5.1f MiB", l, ms,
	    s, ms / (s * 10), r / 1024 }')
	echo "$line"
	bench_results="$bench_results$line
"
}

# idle_measure LABEL: the client stopped, 3 s to settle, then the CPU
# of both nodes over idle_s seconds and their RSS at the end
idle_measure() {
	kill "$client_pid" 2>/dev/null
	client_pid=""
	sleep 3
	t0=$(cpu_ticks "$id-a" "$id-b")
	sleep "$idle_s"
	t1=$(cpu_ticks "$id-a" "$id-b")
	idle_line "$1" "$t0" "$t1" "$(rss_kb "$id-a" "$id-b")"
}

bench_idle() {
	# a healthy pair for idle_s seconds: hbnode at 100ms/300ms, then
	# keepalived at advert_int 0.1, each serving the web page
	hb_pair 100ms 300ms || true
	idle_measure "hbnode pair 100ms/300ms, idle"
	[ "$ka_ok" = 1 ] || return 0
	ka_pair 0.1
	idle_measure "keepalived pair advert_int 0.1, idle"
}

# bench_loaded KEEPALIVE DEADTIME LABEL: a healthy pair for loaded_s
# seconds, one core kept busy by a spinning process (the machine
# loaded); each takeover or release after the first is a false death.
bench_loaded() {
	hb_pair "$1" "$2" || true
	sleep 2
	# grep -c says 0 with status 1: not a failure here (set -e)
	t0a=$(grep -c 'taking over\|releasing' "$tmp/a/run/transitions" || :)
	t0b=$(grep -c 'taking over\|releasing' "$tmp/b/run/transitions" || :)
	w0=$(cat "$tmp/a/ha-log" "$tmp/b/ha-log" | grep -c 'late heartbeat' || :)
	o0=$(grep -c '^outage ' "$client_out" || :)
	sh -c 'while :; do :; done' &
	spin=$!
	sleep "$loaded_s"
	kill "$spin"
	t1a=$(grep -c 'taking over\|releasing' "$tmp/a/run/transitions" || :)
	t1b=$(grep -c 'taking over\|releasing' "$tmp/b/run/transitions" || :)
	w1=$(cat "$tmp/a/ha-log" "$tmp/b/ha-log" | grep -c 'late heartbeat' || :)
	mark=$(($(grep -c '^outage ' "$client_out" || :) - o0))
	line=$(printf '%-44s  %d false takeovers or releases, %d late heartbeats, %d client outages in %d s' \
	    "$3" $((t1a - t0a + t1b - t0b)) $((w1 - w0)) "$mark" "$loaded_s")
	echo "$line"
	bench_results="$bench_results$line
"
}

want() {
	case " $cases " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

echo "failover.sh: outage seen by a client (a request every 10ms) when the"
echo "node holding $VIP dies (every process killed, cable pulled), when it"
echo "comes back (failback, preemption) and when it is asked to let go"
lab
for t in 300 150; do
	ka=$(( t / 3 ))
	# as keepalived: the web server on both nodes, the address moves
	hb_rsc=addr
	if want "crash$t"; then
		echo "hbnode $ka ms/$t ms, crash:" >&2
		bench_hbnode "${ka}ms" "${t}ms" 1 "$runs" power \
		    "hbnode keepalive ${ka}ms deadtime ${t}ms, crash"
		if [ "$ka_ok" = 1 ]; then
			echo "keepalived advert_int $(ka_int "$ka"), crash:" >&2
			bench_keepalived "$(ka_int "$ka")" "$runs" \
			    "keepalived VRRPv3 advert_int $(ka_int "$ka"), crash"
			ratio
		fi
	fi
	if want "handover$t"; then
		echo "hbnode $ka ms/$t ms, failback:" >&2
		bench_handover "${ka}ms" "${t}ms" "$runs" failback \
		    "hbnode ${ka}ms/${t}ms, failback"
		if [ "$ka_ok" = 1 ]; then
			echo "keepalived advert_int $(ka_int "$ka"), preemption:" >&2
			bench_ka_preempt "$(ka_int "$ka")" "$runs" \
			    "keepalived advert_int $(ka_int "$ka"), preemption"
			ratio
		fi
		hb_rsc=svc
		echo "hbnode $ka ms/$t ms, failback, web server a resource:" >&2
		bench_handover "${ka}ms" "${t}ms" "$runs" failback \
		    "hbnode ${ka}ms/${t}ms, failback, web a resource"
	fi
	if want "handover$t" || want "planned$t"; then
		hb_rsc=addr
		echo "hbnode $ka ms/$t ms, standby and takeover:" >&2
		bench_handover "${ka}ms" "${t}ms" "$runs" planned \
		    "hbnode ${ka}ms/${t}ms"
	fi
done
hb_rsc=svc
if want d500; then
	echo "hbnode 100ms/500ms:" >&2
	bench_hbnode 100ms 500ms 1 "$runs" power "hbnode keepalive 100ms deadtime 500ms, crash"
fi
if want slow; then
	echo "hbnode 2s/10s:" >&2
	bench_hbnode 2 10 10 "$slow_runs" power "hbnode keepalive 2s deadtime 10s, crash"
	if [ "$ka_ok" = 1 ]; then
		echo "keepalived advert_int 2:" >&2
		bench_keepalived 2 "$slow_runs" "keepalived VRRPv3 advert_int 2, crash"
		ratio
	fi
fi
if want soft; then
	echo "hbnode 100ms/500ms, software death only:" >&2
	bench_hbnode 100ms 500ms 1 "$runs" soft "hbnode 100ms/500ms, processes killed, cable in"
fi
if want stop; then
	echo "hbnode 100ms/500ms, hbnode SIGSTOPped:" >&2
	bench_hbnode 100ms 500ms 1 "$runs" stop "hbnode 100ms/500ms, hbnode SIGSTOPped"
fi
for t in 300 150; do
	if want "loaded$t"; then
		ka=$((t / 3))
		echo "hbnode ${ka}ms/${t}ms, healthy, one core busy, ${loaded_s} s:" >&2
		bench_loaded "${ka}ms" "${t}ms" "hbnode ${ka}ms/${t}ms, loaded, healthy"
	fi
done
if want idle; then
	echo "idle pairs, ${idle_s} s each:" >&2
	bench_idle
fi
echo
echo "== failover.sh summary"
printf '%s' "$bench_results"
