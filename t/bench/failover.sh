#!/bin/sh
# t/bench/failover.sh - client-observed outage when the node serving the
# virtual IP dies, hakit's hbnode against Debian's keepalived (VRRP).
#
# Lab: a bridge, two nodes, a client (namespaces).  Both nodes serve HTTP
# with their own name; the client (haclient) starts a request every 10 ms
# and reports the outage: the time between the starts of the last good
# request before and the first good one after.  "Dies" is a power cut: every
# process of the holder's namespace SIGKILLed and its cable pulled.  The
# dead node is then revived (auto_failback off / nopreempt), and the next
# run kills the other one.
#
#   hbnode at keepalive 100ms / deadtime 500ms, and at the howto's 2s / 10s;
#   also 100ms / 300ms, the nearest to VRRP's three missed adverts
#   keepalived at advert_int 0.1 and 2 (VRRPv3; it declares the master dead
#   after 3 adverts plus skew)
#   hbnode, software death only (processes killed, cable in): the lease
#   hbnode wedged: SIGSTOP of hbnode alone (hbsend and hbrecv run on); its
#   hbsend -W stops the heartbeats a second later
#
# Median, min, max of RUNS (default 10) runs, SLOW_RUNS (default 5) for the
# 2s/10s and advert 2 cases, which take ~15 s each.  keepalived is
# installed with apt-get when missing (skipped if that fails).
#
#   sh t/bench/failover.sh      (as root; make bench runs it)
set -eu

# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
cd -- "$top"
runs=${RUNS:-10}
slow_runs=${SLOW_RUNS:-5}

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
	ip netns exec "$id-client" haclient -i 10ms -t 1s "$VIP" \
	    </dev/null >"$client_out" 2>&1 &
	client_pid=$!
}
answer_is() {
	[ "$(grep '^answer ' "$client_out" | tail -n 1 | cut -d' ' -f2)" = "$1" ]
}
outage_since() {
	# the longest outage after line $1 of the client's output
	tail -n "+$(($1 + 1))" "$client_out" | grep '^outage ' |
	    sed 's/^outage ms=\([0-9]*\).*/\1/' | sort -n | tail -n 1
}

# --- hakit -----------------------------------------------------------------
hb_conf() {
	# hb_conf KEEPALIVE DEADTIME
	for n in a b; do
		d=$tmp/$n
		rm -rf "$d"
		mkdir -p "$d/ha.d/resource.d" "$d/run"
		printf '%s\n' "keepalive $1" "deadtime $2" "initdead $2" \
		    "bcast lan0" "node a b" "auto_failback off" \
		    "logfile $d/ha-log" "crm off" >"$d/ha.d/ha.cf"
		printf 'auth 1\n1 sha256 bench\n' >"$d/ha.d/authkeys"
		chmod 600 "$d/ha.d/authkeys"
		echo "a $VIP/24 web" >"$d/ha.d/haresources"
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

results=""
record() {
	# record LABEL FILE-OF-MS
	bench_stats "$2"
	if [ "$bench_n" -eq 0 ]; then
		line=$(printf '%-44s  no run completed' "$1")
	else
		line=$(printf '%-44s  median %6d ms  min %6d  max %6d  (%d runs)' \
		    "$1" "${bench_med%.*}" "$bench_min" "$bench_max" "$bench_n")
	fi
	echo "$line"
	results="$results$line
"
}

bench_hbnode() {
	# bench_hbnode KEEPALIVE DEADTIME DEADTIME-IN-S RUNS MODE LABEL
	relab
	hb_conf "$1" "$2"
	dead_s=$3
	shift
	hb_start a
	hb_start b
	client_start
	holder=a
	if ! bench_wait 30 answer_is A; then
		echo "failover.sh: hbnode never served ($1/$2)" >&2
		return 0
	fi
	bench_wait 30 hb_sees b a || true
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
		echo "  run $r: ${ms:-?} ms" >&2
		[ -z "$ms" ] || echo "$ms" >>"$f"
		# a stopped hbnode is killed with the rest (a reboot)
		[ "$4" != stop ] || kill_node "$holder" soft
		revive "$holder"
		hb_start "$holder"
		bench_wait $((dead_s * 3 + 15)) hb_sees "$holder" "$new" ||
		    echo "  run $r: $holder did not rejoin" >&2
		holder=$new
	done
	record "$5" "$f"
}

# --- keepalived ------------------------------------------------------------
ka_ok=0
if bench_want keepalived; then
	ka_ok=1
else
	echo "failover.sh: keepalived not installable; comparison skipped" >&2
fi

ka_conf() {
	# ka_conf ADVERT_INT
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
		    nopreempt
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

bench_keepalived() {
	# bench_keepalived ADVERT_INT RUNS LABEL
	relab
	ka_conf "$1"
	web_start a
	web_start b
	ka_start a
	sleep 0.5
	ka_start b
	client_start
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

echo "failover.sh: outage seen by a client (a request every 10ms) when the"
echo "node holding $VIP dies (every process killed, cable pulled)"
lab
echo "hbnode 100ms/500ms:" >&2
bench_hbnode 100ms 500ms 1 "$runs" power "hakit hbnode keepalive 100ms deadtime 500ms"
if [ "$ka_ok" = 1 ]; then
	echo "keepalived advert_int 0.1:" >&2
	bench_keepalived 0.1 "$runs" "keepalived VRRPv3 advert_int 0.1"
fi
echo "hbnode 100ms/300ms (keepalived's 3 adverts):" >&2
bench_hbnode 100ms 300ms 1 "$runs" power "hakit hbnode keepalive 100ms deadtime 300ms"
echo "hbnode 2s/10s:" >&2
bench_hbnode 2 10 10 "$slow_runs" power "hakit hbnode keepalive 2s deadtime 10s"
if [ "$ka_ok" = 1 ]; then
	echo "keepalived advert_int 2:" >&2
	bench_keepalived 2 "$slow_runs" "keepalived VRRPv3 advert_int 2"
fi
echo "hbnode 100ms/500ms, software death only:" >&2
bench_hbnode 100ms 500ms 1 "$runs" soft "hakit 100ms/500ms, processes killed, cable in"
echo "hbnode 100ms/500ms, hbnode SIGSTOPped:" >&2
bench_hbnode 100ms 500ms 1 "$runs" stop "hakit 100ms/500ms, hbnode SIGSTOPped"
echo
echo "== failover.sh summary"
printf '%s' "$results"
