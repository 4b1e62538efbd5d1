#!/usr/bin/env bats
# hbnode(8) running resource scripts it did not write: the legacy
# wrappers of Debian's heartbeat package (/etc/ha.d/resource.d: IPaddr2,
# Filesystem), which call resource-agents' OCF agents, and a plain
# LSB init script (status_of_proc).  Two nodes and a client on a bridge
# in network namespaces (helpers/ha); the Filesystem on a loop device,
# mounted only in the mount namespace of the node's hbnode (ip netns
# exec gives each its own), never in the host's.  .ci/run installs the
# packages.

load helpers/common
load helpers/ha

HB_RD=/etc/ha.d/resource.d

# need_agents: heartbeat's wrappers, or a failure saying who installs them.
need_agents() {
	local f
	for f in IPaddr2 Filesystem hto-mapfuncs; do
		[ -x "$HB_RD/$f" ] || {
			echo "$HB_RD/$f is missing: .ci/run installs Debian's heartbeat and resource-agents" \
			    "(apt-get install heartbeat resource-agents kmod)" >&2
			return 1
		}
	done
	[ -x /usr/lib/ocf/resource.d/heartbeat/IPaddr2 ] || {
		echo "resource-agents' OCF IPaddr2 is missing: .ci/run installs resource-agents" >&2
		return 1
	}
}

need_lab() {
	ha_need hbsend hbrecv hbown vipctl garp
	need_agents
	ha_lab
}

# conf N HARESOURCES-AFTER-NODE [HA.CF LINE...]: node N's CONFDIR with
# heartbeat's wrappers copied into resource.d, as a migrated
# /etc/ha.d has them, and the group "master WORDS".
conf() {
	local n=$1 words=$2 d
	shift 2
	ha_conf "$n" "$@"
	d=$(ha_dir "$n")
	cp "$HB_RD/IPaddr2" "$HB_RD/Filesystem" "$d/ha.d/resource.d/"
	printf 'master %s\n' "$words" >"$d/ha.d/haresources"
	# resource-agents' state (send_arp pid files) in the node's own
	# directory, not the host's /run/resource-agents, which both
	# nodes of this lab would share
	mkdir -p "$d/rsctmp"
}

# start N: hbnode in node N, with the agents' state dir its own.
start() {
	HA_RSCTMP=$(ha_dir "$1")/rsctmp ha_start "$1"
}

# lsb_script DIR NAME: an init script as Debian writes them (its
# skeleton: start-stop-daemon, status_of_proc from
# /lib/lsb/init-functions), running "sleep 600" with a pid file in DIR;
# each call's action is appended to DIR/NAME.calls.
lsb_script() {
	local dir=$1 name=$2
	cat >"$dir/ha.d/resource.d/$name" <<-X
	#!/bin/sh
	### BEGIN INIT INFO
	# Provides:          $name
	# Required-Start:    \$remote_fs
	# Required-Stop:     \$remote_fs
	# Default-Start:     2 3 4 5
	# Default-Stop:      0 1 6
	# Short-Description: a test daemon
	### END INIT INFO
	DAEMON=$(command -v sleep)
	PIDFILE=$dir/$name.pid
	. /lib/lsb/init-functions
	echo "\$1" >>"$dir/$name.calls"
	case \$1 in
	start)
		log_daemon_msg "Starting test daemon" "$name"
		start-stop-daemon --start --quiet --background --make-pidfile \\
		    --pidfile "\$PIDFILE" --exec "\$DAEMON" -- 600
		log_end_msg \$?
		;;
	stop)
		log_daemon_msg "Stopping test daemon" "$name"
		start-stop-daemon --stop --quiet --oknodo --retry 5 \\
		    --pidfile "\$PIDFILE" --remove-pidfile
		log_end_msg \$?
		;;
	status)
		status_of_proc -p "\$PIDFILE" "\$DAEMON" "$name" && exit 0 || exit \$?
		;;
	*)
		echo "Usage: \$0 {start|stop|status}" >&2
		exit 3
		;;
	esac
	X
	chmod 755 "$dir/ha.d/resource.d/$name"
}

# svc_pid N: the pid of node N's lsbsvc daemon, if it runs.
svc_pid() {
	local p
	p=$(cat "$(ha_dir "$1")/lsbsvc.pid" 2>/dev/null) || return 1
	[ -n "$p" ] && proc_alive "$p" && echo "$p"
}

# calls N ACTION: how many times lsbsvc was called with ACTION on node N.
calls() {
	grep -cx "$2" "$(ha_dir "$1")/lsbsvc.calls" 2>/dev/null || true
}

# mounted PID DIR: DIR is a mount point in PID's mount namespace.
mounted() {
	awk -v d="$2" '$2 == d { f = 1 } END { exit !f }' "/proc/$1/mounts"
}

# got WHO: the client is served by a node's web (the group's last
# resource: the group is up); WHO is MASTER or SLAVE.
got() {
	[ "$(ha_get)" = "$1" ]
}

teardown() {
	local dev
	# the nodes first: their mount namespaces go with their processes
	hk_cleanup
	if [ -f "$BATS_TEST_TMPDIR/.loop" ]; then
		while IFS= read -r dev; do
			[ -n "$dev" ] || continue
			losetup -d "$dev" 2>/dev/null ||
			    echo "teardown: could not detach $dev" >&2
		done <"$BATS_TEST_TMPDIR/.loop"
	fi
}

# --- hbnode check: which script runs (no root needed) ---

check_conf() {
	C=$BATS_TEST_TMPDIR/ha.d
	mkdir -p "$C/resource.d"
	printf '%s\n' "keepalive 200ms" "deadtime 1" "udpport 694" "ucast lo 203.0.113.7" \
	    "node master" "node slave" "crm off" >"$C/ha.cf"
	printf 'auth 1\n1 sha256 s3cret\n' >"$C/authkeys"
	chmod 600 "$C/authkeys"
	printf 'master %s\n' "$1" >"$C/haresources"
	export HBNODE_STATEDIR=$BATS_TEST_TMPDIR/state
}

check() {
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n master check
}

@test "check: IPaddr2 runs heartbeat's IPaddr2 from CONFDIR/resource.d when it is there" {
	need_agents
	check_conf "IPaddr2::192.0.2.100/24/lo"
	cp "$HB_RD/IPaddr2" "$C/resource.d/"
	check
	[[ $output == *$'\n'"resource IPaddr2 $C/resource.d/IPaddr2 192.0.2.100/24/lo"* ]]
}

@test "check: IPaddr2 without it in CONFDIR/resource.d runs hakit's IPaddr" {
	check_conf "IPaddr2::192.0.2.100/24/lo"
	check
	[[ $output == *$'\n'"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.100/24/lo"* ]]
}

@test "check: IPaddr and bare addresses run hakit's IPaddr even beside heartbeat's wrapper" {
	need_agents
	check_conf "IPaddr::192.0.2.100/24/lo 192.0.2.101/24/lo"
	cp /etc/ha.d/resource.d/IPaddr "$C/resource.d/"
	check
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.100/24/lo"$'\n'* ]]
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.101/24/lo"* ]]
	[[ $output != *"$C/resource.d/IPaddr "* ]]
}

@test "check: other names: CONFDIR/resource.d, then /etc/init.d, with heartbeat's :: arguments" {
	need_agents
	# /etc/init.d/heartbeat comes with the heartbeat package; only named
	# here, never run
	check_conf "heartbeat Filesystem::/dev/loop7::/mnt/x::ext4"
	cp "$HB_RD/Filesystem" "$C/resource.d/"
	check
	[[ $output == *"resource heartbeat /etc/init.d/heartbeat"$'\n'* ]]
	[[ $output == *"resource Filesystem $C/resource.d/Filesystem /dev/loop7 /mnt/x ext4"* ]]
	printf '#!/bin/sh\necho OK\n' >"$C/resource.d/heartbeat"
	chmod 755 "$C/resource.d/heartbeat"
	check
	[[ $output == *"resource heartbeat $C/resource.d/heartbeat"$'\n'* ]]
}

# --- heartbeat's IPaddr2 ---

@test "heartbeat's IPaddr2: the holder gets the address, the peer takes it on stop, the first has it no more" {
	need_lab
	local n
	for n in n1 n2; do
		conf "$n" "IPaddr2::$VIP/24/lan0 web" "debugfile $(ha_dir "$n")/ha-debug"
	done
	run -0 ha_hb n1 check
	[[ $output == *"resource IPaddr2 $(ha_dir n1)/ha.d/resource.d/IPaddr2 $VIP/24/lan0"* ]]
	start n1
	start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	# IPaddr2's own way: an ip addr add, no lease
	run -0 nsx n1 ip -4 addr show dev lan0
	[[ $output == *"inet $VIP/24 "* ]]
	run -0 ha_hb n1 stop
	ha_watch 15 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	! ha_has n1 || false
	ha_steady 1 n2
	# an ordinary resource: started and stopped by the script only
	run -0 cat "$(ha_dir n1)/ha-debug"
	[[ $output =~ "started IPaddr2 $VIP/24/lan0 in "[0-9]+" ms" ]]
	[[ $output =~ "stopped IPaddr2 $VIP/24/lan0 in "[0-9]+" ms" ]]
	echo "$output" | grep -Eo '(started|stopped) IPaddr2 .*' | sed 's/^/# /' >&3 || true
	! grep -q 'resource .* failed' "$(ha_dir n1)/ha-log" "$(ha_dir n2)/ha-log" || false
	# the agents' state stayed in the lab
	[ ! -e "/run/resource-agents/send_arp-$VIP" ]
}

# --- heartbeat's Filesystem on a loop device ---

# loop_dev: a loop device on a file in the test's tmpdir with an ext4
# file system, in $LOOP; skips when the kernel has none.
loop_dev() {
	[ -e /dev/loop-control ] || skip "no /dev/loop-control: this kernel or container has no loop devices"
	command -v losetup >/dev/null || skip "needs losetup (util-linux)"
	command -v mkfs.ext4 >/dev/null || skip "needs mkfs.ext4 (e2fsprogs)"
	truncate -s 16M "$BATS_TEST_TMPDIR/disk.img"
	LOOP=$(losetup -f --show "$BATS_TEST_TMPDIR/disk.img" 2>"$BATS_TEST_TMPDIR/losetup.err") ||
	    skip "losetup -f failed: $(cat "$BATS_TEST_TMPDIR/losetup.err")"
	echo "$LOOP" >>"$BATS_TEST_TMPDIR/.loop"
	mkfs.ext4 -q -F "$LOOP" >/dev/null
}

@test "heartbeat's Filesystem: the holder mounts the disk in its own mount namespace, standby unmounts it, the peer mounts it" {
	need_lab
	command -v modprobe >/dev/null ||
	    { echo "the Filesystem agent needs modprobe: .ci/run installs kmod" >&2; false; }
	loop_dev
	local mnt=$BATS_TEST_TMPDIR/mnt n
	mkdir -p "$mnt"
	for n in n1 n2; do
		conf "$n" "$VIP/24 Filesystem::$LOOP::$mnt::ext4 web"
	done
	start n1
	start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	mounted "$HB_PID_n1" "$mnt" || { ha_log n1; false; }
	! mounted "$HB_PID_n2" "$mnt" || false
	# never in the host's mount namespace
	! mounted "$$" "$mnt" || false
	nsenter -t "$HB_PID_n1" -m sh -c 'echo written-on-n1 >"$1/f"' _ "$mnt"
	run -0 ha_hb n1 standby
	ha_watch 15 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	wait_until 10 mounted "$HB_PID_n2" "$mnt"
	# the first, still running, has let go of it
	! mounted "$HB_PID_n1" "$mnt" || false
	run -0 nsenter -t "$HB_PID_n2" -m cat "$mnt/f"
	[ "$output" = written-on-n1 ]
	! mounted "$$" "$mnt" || false
	run -0 ha_hb n2 stop
	wait_until 10 eval "! proc_alive $HB_PID_n2"
	run -0 cat "$(ha_dir n2)/ha-log"
	[[ $output != *"resource stop failed"* ]]
	run -0 ha_hb n1 stop
}

# --- a plain init script ---

@test "an LSB init script not running ('is not running') is started with the group and stopped with it" {
	need_lab
	conf n1 "$VIP/24 lsbsvc web"
	lsb_script "$(ha_dir n1)" lsbsvc
	# what status_of_proc says of a stopped service
	run -3 "$(ha_dir n1)/ha.d/resource.d/lsbsvc" status
	[[ $output == *"lsbsvc is not running"* ]]
	start n1
	ha_watch 15 n1 || { ha_log n1; false; }
	wait_until 10 got MASTER
	wait_until 5 svc_pid n1
	run -0 "$(ha_dir n1)/ha.d/resource.d/lsbsvc" status
	[[ $output == *"lsbsvc is running"* ]]
	[ "$(calls n1 start)" = 1 ]
	# "not running" is not running: nothing was stopped as left over
	[ "$(calls n1 stop)" = 0 ]
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output != *"already running"* ]]
	[[ $output != *"left running by an earlier run"* ]]
	local p
	p=$(svc_pid n1)
	run -0 ha_hb n1 stop
	! proc_alive "$p" || false
	[ "$(calls n1 stop)" = 1 ]
}

@test "an LSB init script already running when the group starts is not started twice" {
	need_lab
	local d
	d=$(ha_dir n1)
	conf n1 "$VIP/24 pre lsbsvc web"
	lsb_script "$d" lsbsvc
	# "pre" starts lsbsvc itself, as a service another depends on is
	# started by it
	printf '#!/bin/sh\n[ "$1" != start ] || %s start\n[ "$1" != status ] || echo stopped\nexit 0\n' \
	    "$d/ha.d/resource.d/lsbsvc" >"$d/ha.d/resource.d/pre"
	chmod 755 "$d/ha.d/resource.d/pre"
	start n1
	ha_watch 15 n1 || { ha_log n1; false; }
	wait_until 10 got MASTER
	run -0 cat "$d/ha-log"
	[[ $output == *"resource lsbsvc already running"* ]]
	# the one start is pre's; one daemon
	[ "$(calls n1 start)" = 1 ]
	svc_pid n1
	[ "$(ip netns pids "$(ns n1)" | xargs -r ps -o args= -p | grep -c '^[^ ]*sleep 600$')" = 1 ]
	run -0 ha_hb n1 stop
	[ "$(calls n1 stop)" = 1 ]
	! svc_pid n1 || false
}

@test "an LSB init script left running by an earlier run is stopped before the node joins" {
	need_lab
	local d p
	d=$(ha_dir n1)
	conf n1 "$VIP/24 lsbsvc web"
	lsb_script "$d" lsbsvc
	nsx n1 "$d/ha.d/resource.d/lsbsvc" start 3>&-
	p=$(svc_pid n1)
	start n1
	wait_until 10 grep -q "stopping lsbsvc: left running by an earlier run" "$d/ha-log"
	ha_watch 15 n1 || { ha_log n1; false; }
	wait_until 10 got MASTER
	# stopped, then started again by the group: a new daemon
	! proc_alive "$p" || false
	[ "$(calls n1 start)" = 2 ]
	svc_pid n1
	run -0 ha_hb n1 stop
}
