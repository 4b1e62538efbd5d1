# t/helpers/ha.bash - the two-node heartbeat lab for hbnode's tests
# (load after helpers/common).
#
#   ha_lab                  a LAN bridge "sw" with nodes n1 (master,
#                           192.0.2.1), n2 (slave, 192.0.2.2) and a
#                           client cl (192.0.2.9), all on lan0
#   ha_conf N [LINE...]     write node N's (n1 or n2) CONFDIR under the
#                           scope's tmpdir: ha.cf with short timers
#                           (keepalive 200ms, deadtime 1, initdead 2),
#                           bcast lan0 ($HA_MEDIA when set), the LINEs
#                           appended; authkeys;
#                           haresources "master 192.0.2.100/24 web"
#                           (web: $HA_RESOURCES when set); a
#                           "web" resource running hkhttpd that answers
#                           MASTER or SLAVE
#   ha_mon N                add a "mon" resource to node N: hbmon checking
#                           http://192.0.2.100/ every 500ms, and after
#                           two failures bring-ha-down.alert (use with
#                           HA_RESOURCES="web mon" before ha_conf)
#   ha_need PROG...         skip unless PROG... and hkhttpd are built
#   ha_start N              start hbnode in node N (bg_start); HB_PID_N
#   ha_hb N ARGS...         run hbnode ARGS for node N (its -c -n -s)
#   ha_holder               print who has 192.0.2.100: n1, n2, none, both
#   ha_get                  what the client gets from http://192.0.2.100/
#   ha_watch SECS WANT      poll until the holder is WANT, failing at
#                           once if both nodes ever hold the address
#   ha_kill_all N           SIGKILL every process of node N's namespace
VIP=192.0.2.100

# ha_pid_resource DIR NAME COMMAND: a resource script DIR/ha.d/resource.d/NAME
# that starts COMMAND in the background with a pidfile, stops it, and says
# running/stopped for status, as an init script does.
ha_pid_resource() {
	cat >"$1/ha.d/resource.d/$2" <<-X
	#!/bin/sh
	pidf=$1/svc/$2.pid
	case \$1 in
	start)
		$3 &
		echo \$! >"\$pidf" ;;
	stop)
		[ -r "\$pidf" ] && kill "\$(cat "\$pidf")" 2>/dev/null
		rm -f "\$pidf" ;;
	status)
		if [ -r "\$pidf" ] && kill -0 "\$(cat "\$pidf")" 2>/dev/null; then
			echo running
		else
			echo stopped
		fi ;;
	esac
	exit 0
	X
	chmod 755 "$1/ha.d/resource.d/$2"
	# not in the state dir (run/): a service's pid file is its own
	mkdir -p "$1/svc"
}

# ha_need PROG...: skip the test unless each PROG (and the web server
# the lab's services run) is built, and namespaces can be made.
ha_need() {
	local p
	need_netns
	for p in "$@"; do
		[ -x "$HAKIT_BINDIR/$p" ] || skip "needs $p (make bin-src/build/$p)"
	done
	[ -x "$HAKIT_BINDIR/t/hkhttpd" ] || skip "needs t/helpers/hkhttpd"
}

ha_lab() {
	need_netns
	ns_bridge sw
	ns_new n1 n2 cl
	ns_port sw n1 lan0
	ns_port sw n2 lan0
	ns_port sw cl lan0
	# brd +: a broadcast address, as ifupdown and NetworkManager set one
	ns_addr n1 lan0 192.0.2.1/24 brd +
	ns_addr n2 lan0 192.0.2.2/24 brd +
	ns_addr cl lan0 192.0.2.9/24 brd +
}

ha_name() {
	case $1 in
	n1) echo master ;;
	n2) echo slave ;;
	esac
}

ha_dir() {
	printf '%s/%s\n' "$(hk_scope)" "$1"
}

ha_conf() {
	local n=$1 d name
	shift
	d=$(ha_dir "$n")
	name=$(ha_name "$n")
	mkdir -p "$d/ha.d/resource.d" "$d/run"
	{
		printf '%s\n' "keepalive 200ms" "deadtime 1" "warntime 600ms" \
		    "initdead 2" "udpport 694" "${HA_MEDIA:-bcast lan0}" "node master" \
		    "node slave" "logfile $d/ha-log" "crm off"
		printf '%s\n' "$@"
	} >"$d/ha.d/ha.cf"
	printf 'auth 1\n1 sha256 hakit-test-key\n' >"$d/ha.d/authkeys"
	chmod 600 "$d/ha.d/authkeys"
	printf 'master 192.0.2.100/24 %s\n' "${HA_RESOURCES:-web}" >"$d/ha.d/haresources"
	# the howto's apache: answers ${name^^}
	ha_pid_resource "$d" web "hkhttpd -p 80 -b ${name^^} </dev/null >/dev/null 2>>$d/web.err"
}

ha_hb() {
	local n=$1 d
	shift
	d=$(ha_dir "$n")
	nsx "$n" timeout 70 hbnode -c "$d/ha.d" -n "$(ha_name "$n")" -s "$d/run" -l "$d/lib" "$@"
}

ha_start() {
	local n=$1 d
	d=$(ha_dir "$n")
	bg_start -n "$n" -o "$d/out" -e "$d/err" \
	    hbnode -c "$d/ha.d" -n "$(ha_name "$n")" -s "$d/run" -l "$d/lib" start
	eval "HB_PID_$n=\$BG_PID"
}

# ha_has NODE [ADDR]: NODE holds ADDR ($VIP) on lan0.
ha_has() {
	nsx "$1" ip -o -4 addr show dev lan0 2>/dev/null | grep -q " ${2:-$VIP}/"
}

# ha_holder [ADDR]: who holds ADDR ($VIP): n1, n2, none or both.
# shellcheck disable=SC2120 # t/64 gives ADDR
ha_holder() {
	local a=0 b=0
	ha_has n1 "$@" && a=1
	ha_has n2 "$@" && b=1
	# the two looks are not at once: an address moved between them (a
	# handover takes ~10 ms) is n1's no longer when n1 is looked at again
	if [ "$a$b" = 11 ] && ! ha_has n1 "$@"; then
		a=0
	fi
	case $a$b in
	00) echo none ;;
	10) echo n1 ;;
	01) echo n2 ;;
	11) echo both ;;
	esac
}

ha_get() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	nsx cl timeout 2 bash -c '
	    exec 3<>"/dev/tcp/$1/80" || exit 1
	    printf "GET / HTTP/1.0\r\nHost: x\r\n\r\n" >&3
	    sed -n "\$p" <&3' _ "$VIP" 2>/dev/null
}

ha_watch() {
	local secs=$1 want=$2 deadline h
	deadline=$(($(now_ms) + secs * 1000))
	while :; do
		h=$(ha_holder)
		if [ "$h" = both ]; then
			echo "ha_watch: both nodes hold $VIP" >&2
			return 2
		fi
		[ "$h" = "$want" ] && return 0
		if [ "$(now_ms)" -ge "$deadline" ]; then
			echo "ha_watch: holder is $h, not $want, after ${secs}s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# ha_steady SECS WANT: the holder stays WANT for SECS (no spurious move).
ha_steady() {
	local secs=$1 want=$2 deadline h
	deadline=$(($(now_ms) + secs * 1000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		h=$(ha_holder)
		if [ "$h" != "$want" ]; then
			echo "ha_steady: holder became $h, not $want" >&2
			return 1
		fi
		sleep 0.1
	done
}

ha_kill_all() {
	local pids
	pids=$(ip netns pids "$(ns "$1")" 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

ha_log() {
	cat "$(ha_dir "$1")/ha-log" "$(ha_dir "$1")/err" 2>/dev/null || true
}

ha_mon() {
	local n=$1 d
	d=$(ha_dir "$n")
	mkdir -p "$d/mon"
	cat >"$d/mon.cf" <<-X
	statedir = $d/mon
	logdir = $d/mon
	hostgroup web $VIP

	watch web
	    service http
	        interval 500ms
	        monitor http.monitor -p 80 -t 1
	        period wd {Sun-Sat}
	            alertafter 2
	            alert bring-ha-down.alert
	X
	# the howto's mon: hbmon on the node that holds the group
	ha_pid_resource "$d" mon "hbmon -f -c $d/mon.cf </dev/null >>$d/mon.out 2>&1"
}
