#!/bin/sh
# t/bench/pacemaker.sh - a real three-node Corosync + Pacemaker cluster
# running what "hbnode export" makes of an ha.cf and haresources, with
# hakit's OCF agents, against hbnode's two nodes at comparable timers:
# the outage a client sees when the node holding the address dies.
#
# Lab: a bridge, nodes a, b, c and a client (network namespaces).  Each
# Pacemaker node also runs in a mount and UTS namespace of its own
# (unshare), with its own hostname, /run, /dev/shm (libqb's IPC),
# /var/lib/pacemaker, /var/lib/corosync, /var/log/pacemaker and
# /etc/corosync bound from its directory, /etc/init.d holding the web
# service only, and /usr/lib/ocf/resource.d holding Debian's agents and
# hakit's from a make install into the scratch prefix.  Nothing is
# mounted in the host's namespace.
#
# The cluster: "a 192.0.2.100/24/lan0 web" with auto_failback off; web is
# an LSB script serving the node's name over HTTP.  The client
# (haclient) starts a request every 10 ms; the outage is the time between
# the starts of the last good request before the death and the first
# good one after.  "Dies" is a power cut, as in t/bench/failover.sh:
# every process of the holder's namespaces SIGKILLed and its cable
# pulled; it is then revived (a reboot: its address gone, its daemons
# started again) and the next run kills the new holder.
#
#   hbnode, nodes a and b: keepalive TOKEN/5, deadtime TOKEN
#   Pacemaker, nodes a, b, c: Corosync totem token TOKEN (token_coefficient
#   0: no extra time per node), the configuration of hbnode export of
#   the same files
#
# TOKENS (default "1000 3000", ms) are the timers tried, RUNS (default 5)
# the deaths per timer and stack.  Needs Debian's corosync, pacemaker and
# pacemaker-cli-utils (installed when missing).
#
#   sh t/bench/pacemaker.sh      (as root; make bench runs it)
set -eu

# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
cd -- "$top"
runs=${RUNS:-5}
tokens=${TOKENS:-1000 3000}

bench_need_root
bench_need hbsend hbrecv hbown vipctl garp t/hkhttpd t/haclient

id=hkpm$$
VIP=192.0.2.100
NODES="a b c"

# the client dies with its namespace, the nodes' mount namespaces with
# their last process
bench_begin bench_cleanup
tmp=$bench_tmp

for p in corosync pacemaker:pacemakerd pacemaker-cli-utils:crm_mon; do
	bench_want "${p%:*}" "${p#*:}" || {
		echo "$bench_name: Debian's ${p%:*} is needed and could not be installed" >&2
		exit 2
	}
done
for c in corosync pacemakerd cibadmin crm_mon crm_verify unshare nsenter; do
	command -v "$c" >/dev/null 2>&1 && continue
	echo "$bench_name: $c not found (corosync, pacemaker, pacemaker-cli-utils, util-linux)" >&2
	exit 2
done
getent passwd hacluster >/dev/null || {
	echo "$bench_name: no user hacluster (pacemaker's package makes it)" >&2
	exit 2
}

# hakit as installed: the agents find PREFIX/sbin beside them
make -s install PREFIX="$tmp/usr" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2
	exit 2
}
ocf=$tmp/usr/lib/ocf/resource.d/hakit

nx() {
	n=$1
	shift
	ip netns exec "$id-$n" "$@"
}

body() {
	echo "$1" | tr '[:lower:]' '[:upper:]'
}

other() {
	if [ "$1" = a ]; then echo b; else echo a; fi
}

lab() {
	bench_ns_add "$id-sw"
	ip -n "$id-sw" link add br0 type bridge
	ip -n "$id-sw" link set br0 type bridge forward_delay 0 stp_state 0
	ip -n "$id-sw" link set br0 up
	i=0
	for n in $NODES client; do
		bench_ns_add "$id-$n"
		bench_veth "$id-$n" lan0 "$id-sw" "p-$n"
		ip -n "$id-sw" link set "p-$n" master br0
		i=$((i + 1))
		[ "$n" != client ] || i=9
		ip -n "$id-$n" addr add "192.0.2.$i/24" brd + dev lan0
	done
}

relab() {
	# shellcheck disable=SC2046 # one namespace a word
	bench_ns_del "$id-client" $(for n in $NODES; do echo "$id-$n"; done) "$id-sw"
	lab
}

# --- the client ------------------------------------------------------------
client_out=$tmp/client.out
answer_is() {
	[ "$(bench_answer "$client_out")" = "$1" ]
}
answer_not() {
	a=$(bench_answer "$client_out")
	[ -n "$a" ] && [ "$a" != "$1" ]
}

# --- the configuration both stacks run -------------------------------------
# web_script NODE FILE: an LSB init script (status 0 running, 3 stopped;
# "running"/"stopped" for hbnode) serving NODE's name on port 80.
web_script() {
	mkdir -p "$tmp/$1"
	cat >"$2" <<-X
	#!/bin/sh
	pidf=$tmp/$1/web.pid
	running() { [ -r "\$pidf" ] && kill -0 "\$(cat "\$pidf")" 2>/dev/null; }
	case \$1 in
	start) running && exit 0
	       $HAKIT_BINDIR/t/hkhttpd -p 80 -b $(body "$1") </dev/null >/dev/null 2>&1 &
	       echo \$! >"\$pidf" ;;
	stop) running && kill "\$(cat "\$pidf")"
	      rm -f "\$pidf" ;;
	status) if running; then echo running; exit 0; fi
	        echo stopped; exit 3 ;;
	*) exit 3 ;;
	esac
	exit 0
	X
	chmod 755 "$2"
}

# ha_conf TOKEN-MS: ha.d for nodes a and b (hbnode), each its own copy.
ha_conf() {
	for n in a b; do
		c=$tmp/$n/ha.d
		rm -rf "$c"
		mkdir -p "$c/resource.d" "$tmp/$n/run"
		printf '%s\n' "keepalive $(($1 / 5))ms" "deadtime ${1}ms" "initdead ${1}ms" \
		    "bcast lan0" "node a b" "auto_failback off" \
		    "logfile $tmp/$n/ha-log" "crm off" >"$c/ha.cf"
		printf 'auth 1\n1 sha256 bench\n' >"$c/authkeys"
		chmod 600 "$c/authkeys"
		echo "a $VIP/24/lan0 web" >"$c/haresources"
		web_script "$n" "$c/resource.d/web"
	done
}

# --- hbnode ------------------------------------------------------------------
hb_start() {
	d=$tmp/$1
	ip netns exec "$id-$1" hbnode -c "$d/ha.d" -n "$1" -s "$d/run" -l "$d/lib" start \
	    </dev/null >>"$d/hb.out" 2>&1 &
}

hb_sees() {
	s=$(nx "$1" hbnode -c "$tmp/$1/ha.d" -n "$1" -s "$tmp/$1/run" status 2>/dev/null) ||
	    return 1
	case $s in
	*"state=up"*"holder $2"*) return 0 ;;
	esac
	return 1
}

kill_node() {
	bench_ns_kill "$id-$1"
	ip -n "$id-sw" link set "p-$1" down
}

# not_run LABEL WHY: say why there is no figure, on stderr and in the
# summary.
not_run() {
	echo "$bench_name: $2" >&2
	line=$(printf '%-52s  not run: %s' "$1" "$2")
	bench_results="$bench_results$line
"
}

bench_hbnode() {
	# bench_hbnode TOKEN-MS
	relab
	ha_conf "$1"
	hb_start a
	hb_start b
	bench_client_start "$id-client" "$VIP" "$client_out"
	holder=a
	if ! bench_wait 30 answer_is A; then
		echo "$bench_name: hbnode never served" >&2
		return 0
	fi
	bench_wait 30 hb_sees b a || true
	f=$tmp/hb-ms.txt
	: >"$f"
	r=0
	while [ "$r" -lt "$runs" ]; do
		r=$((r + 1))
		new=$(other "$holder")
		sleep 1
		mark=$(wc -l <"$client_out")
		kill_node "$holder"
		if ! bench_wait $(($1 * 3 / 1000 + 15)) answer_is "$(body "$new")"; then
			echo "  run $r: no takeover" >&2
			break
		fi
		ms=$(bench_outage_since "$client_out" "$mark")
		echo "  run $r: ${ms:-?} ms" >&2
		[ -z "$ms" ] || echo "$ms" >>"$f"
		nx "$holder" vipctl del "$VIP/24" dev lan0 2>/dev/null || true
		ip -n "$id-sw" link set "p-$holder" up
		hb_start "$holder"
		bench_wait $(($1 * 3 / 1000 + 15)) hb_sees "$holder" "$new" ||
		    echo "  run $r: $holder did not rejoin" >&2
		holder=$new
	done
	bench_record "hbnode (2 nodes) keepalive $(($1 / 5))ms deadtime ${1}ms" "$f" 52
}

# --- Corosync + Pacemaker ------------------------------------------------------
# node.sh NAME DIR OCF: run inside the node's network namespace by unshare
# (new mount and UTS namespaces, private propagation): its own hostname,
# /run, /dev/shm and state directories, then corosync and pacemakerd in
# the foreground.
cat >"$tmp/node.sh" <<'X'
set -eu
n=$1 d=$2 ocf=$3
hostname "$n"
rd=/usr/lib/ocf/resource.d
mkdir -p "$d/orig-rd" "$d/initd"
mount --bind "$rd" "$d/orig-rd"
mount -t tmpfs -o mode=755 tmpfs "$rd"
for p in heartbeat pacemaker; do
	mkdir "$rd/$p"
	mount --bind "$d/orig-rd/$p" "$rd/$p"
done
ln -s "$ocf" "$rd/hakit"
mount --bind "$d/initd" /etc/init.d
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/crm /run/resource-agents
chown hacluster:haclient /run/crm
chmod 750 /run/crm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
for v in lib/pacemaker lib/corosync log/pacemaker; do
	mkdir -p "$d/var/$v"
	mount --bind "$d/var/$v" "/var/$v"
done
mkdir -p /var/lib/pacemaker/cib /var/lib/pacemaker/pengine \
    /var/lib/pacemaker/blackbox /var/lib/pacemaker/cores
chown -R hacluster:haclient /var/lib/pacemaker /var/log/pacemaker
mount --bind "$d/etc-corosync" /etc/corosync
corosync -f >"$d/corosync.out" 2>&1 &
exec pacemakerd >"$d/pacemakerd.out" 2>&1
X

# cs_conf TOKEN-MS: each node's corosync.conf.
cs_conf() {
	for n in $NODES; do
		d=$tmp/pm-$n
		# a new cluster: no CIB, no logs of the timers before (the
		# mounts made in it died with the node's processes)
		rm -rf "$d"
		mkdir -p "$d/etc-corosync"
		{
			printf 'totem {\n    version: 2\n    cluster_name: hakit\n'
			printf '    transport: knet\n    crypto_cipher: none\n    crypto_hash: none\n'
			printf '    token: %s\n    token_coefficient: 0\n}\n' "$1"
			printf 'nodelist {\n'
			i=0
			for m in $NODES; do
				i=$((i + 1))
				printf '    node {\n        ring0_addr: 192.0.2.%s\n' "$i"
				printf '        name: %s\n        nodeid: %s\n    }\n' "$m" "$i"
			done
			printf '}\nquorum {\n    provider: corosync_votequorum\n}\n'
			printf 'logging {\n    to_logfile: yes\n    logfile: %s/corosync.log\n' "$d"
			printf '    to_syslog: no\n    to_stderr: no\n    timestamp: on\n}\n'
		} >"$d/etc-corosync/corosync.conf"
		mkdir -p "$d/initd"
		web_script "$n" "$d/initd/web"
	done
}

pm_start() {
	d=$tmp/pm-$1
	setsid ip netns exec "$id-$1" unshare --mount --uts --propagation private \
	    sh "$tmp/node.sh" "$1" "$d" "$ocf" </dev/null >>"$d/launch.out" 2>&1 &
}

# pm NODE CMD...: CMD in node NODE's namespaces (those of its pacemakerd).
pm() {
	n=$1
	shift
	pp=$(ip netns pids "$id-$n" 2>/dev/null | while read -r p; do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pacemakerd ] && echo "$p"
	done | head -n 1)
	[ -n "$pp" ] || return 1
	nsenter -t "$pp" -m -u -n "$@"
}

# pm_online NODE COUNT: NODE sees a DC, quorum and COUNT nodes online.
pm_online() {
	s=$(pm "$1" crm_mon -1 2>/dev/null) || return 1
	case $s in
	*"partition with quorum"*) ;;
	*) return 1 ;;
	esac
	on=$(printf '%s\n' "$s" | sed -n 's/.*Online: \[ \(.*\) \].*/\1/p' | wc -w)
	[ "$on" -eq "$2" ]
}

# pm_holder: the node where crm_mon on any live node says the address runs.
pm_holder() {
	for n in $NODES; do
		s=$(pm "$n" crm_mon -1 2>/dev/null) || continue
		h=$(printf '%s\n' "$s" | sed -n "s/.*IPaddr_$VIP.*Started \([a-z]*\).*/\1/p")
		[ -z "$h" ] || { echo "$h"; return 0; }
	done
	return 1
}

bench_pacemaker() {
	# bench_pacemaker TOKEN-MS
	label="Pacemaker (3 nodes) Corosync token ${1}ms"
	relab
	cs_conf "$1"
	ha_conf "$1"
	if ! nx a hbnode -c "$tmp/a/ha.d" -n a export >"$tmp/cib.xml" 2>"$tmp/export.err"; then
		cat "$tmp/export.err" >&2
		not_run "$label" "hbnode export failed"
		return 0
	fi
	crm_verify --xml-file "$tmp/cib.xml" || {
		not_run "$label" "crm_verify refused the export"
		return 0
	}
	t0=$(bench_now_ms)
	for n in $NODES; do
		pm_start "$n"
	done
	if ! bench_wait 90 pm_online a 3; then
		echo "$bench_name: the nodes said:" >&2
		for n in $NODES; do
			tail -n 5 "$tmp/pm-$n/corosync.out" "$tmp/pm-$n/pacemakerd.out" \
			    "$tmp/pm-$n/launch.out" "$tmp/pm-$n/corosync.log" 2>/dev/null >&2 || :
		done
		not_run "$label" "the cluster did not form within 90 s"
		return 0
	fi
	echo "  cluster formed in $(($(bench_now_ms) - t0)) ms" >&2
	pm a cibadmin -R -x "$tmp/cib.xml" || {
		not_run "$label" "cibadmin -R refused the export"
		return 0
	}
	bench_client_start "$id-client" "$VIP" "$client_out"
	if ! bench_wait 60 answer_is A; then
		pm a crm_mon -1 >&2 || :
		not_run "$label" "Pacemaker never served from a"
		return 0
	fi
	holder=a
	f=$tmp/pm-ms.txt
	: >"$f"
	r=0
	while [ "$r" -lt "$runs" ]; do
		r=$((r + 1))
		sleep 2
		h=$(pm_holder) && holder=$h
		# the DC: a dead DC costs an election too
		dc=$(pm "$(for n in $NODES; do [ "$n" = "$holder" ] || { echo "$n"; break; }; done)" \
		    crm_mon -1 2>/dev/null | sed -n 's/.*Current DC: \([a-z]*\).*/\1/p')
		mark=$(wc -l <"$client_out")
		kill_node "$holder"
		if ! bench_wait $(($1 * 3 / 1000 + 30)) answer_not "$(body "$holder")"; then
			echo "  run $r: no takeover" >&2
			break
		fi
		ms=$(bench_outage_since "$client_out" "$mark")
		new=$(bench_answer "$client_out")
		echo "  run $r: ${ms:-?} ms ($holder died$([ "$dc" = "$holder" ] && echo ", the DC"); $new took over)" >&2
		[ -z "$ms" ] || echo "$ms" >>"$f"
		# a reboot: the address and the node's daemons gone, started again
		nx "$holder" vipctl del "$VIP/24" dev lan0 2>/dev/null || true
		ip -n "$id-sw" link set "p-$holder" up
		pm_start "$holder"
		bench_wait 90 pm_online "$holder" 3 || echo "  run $r: $holder did not rejoin" >&2
	done
	bench_record "$label" "$f" 52
}

echo "pacemaker.sh: outage seen by a client (a request every 10ms) when the"
echo "node holding $VIP dies (every process killed, cable pulled)"
lab
for t in $tokens; do
	echo "hbnode at deadtime ${t}ms:" >&2
	bench_hbnode "$t"
	echo "Pacemaker at token ${t}ms:" >&2
	bench_pacemaker "$t"
done
echo
echo "== pacemaker.sh summary"
printf '%s' "$bench_results"
