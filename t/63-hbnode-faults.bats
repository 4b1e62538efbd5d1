#!/usr/bin/env bats
# The fault matrix of hbnode(8) (issue 12): two nodes and a client on a
# bridge in network namespaces (helpers/ha), and a sampler
# (helpers/faults) that reads both nodes' addresses every 30 ms for the
# whole test.  Every case ends by failing if the sampler ever saw both
# nodes hold an address of the group, or fell behind (samples more than
# 100 ms apart; they come every 30 ms, now and then ~60 ms under the
# load of four test files at once), and by bounding the longest time
# with no holder once the group was first held.
# Timers (ha_conf): keepalive 200ms, deadtime 1s, warntime 600ms,
# initdead 2s; the lease is 2s (deadtime, at least 2 s) renewed every
# 500 ms; taking the group (probe, add, announce, web) takes ~450 ms.
# Above each test: why its bound, and what was measured on main
# (f7cca92, 2 CPUs, the file alone and beside t/61, t/62 and t/65;
# sampled every 40 ms then, intervals up to 49 ms: hence 30 ms now).  A
# bound is what the rules allow plus a margin for a loaded machine.  A
# gap counts only once the group was first held: the cluster's start is
# not one.  Planned moves (stop,
# standby, takeover, failback) cost 200 to 400 ms today; DESIGN.md wants
# a few tens of ms: their bound of 1000 ms is today's, to tighten.

load helpers/common
load helpers/ha
load helpers/faults

setup() {
	ha_need hbsend hbrecv hbown vipctl garp
	ha_lab
	fm_sample_start "$VIP"
}

teardown() {
	fm_sample_stop
	hk_cleanup
}

got() {
	[ "$(ha_get)" = "$1" ]
}

logs() {
	ha_log n1
	ha_log n2
	fm_timeline
	false
}

# Both nodes up, the master holding the group and serving.
both_up() {
	ha_conf n1 "$@"
	ha_conf n2 "$@"
	ha_start n1
	ha_start n2
	fm_wait_holder 15 n1 || logs
	wait_until 10 got MASTER || logs
	wait_until 10 grep -q "master holds the resource group" "$(ha_dir n1)/ha-log"
	fm_mark "both up"
}

# hbnode ARGS for node N with a bound of SECS (ha_hb's is 70 s).
hb_in() {
	local secs=$1 n=$2 d
	shift 2
	d=$(ha_dir "$n")
	nsx "$n" timeout "$secs" hbnode -c "$d/ha.d" -n "$(ha_name "$n")" -s "$d/run" -l "$d/lib" "$@"
}

# the hbnode processes of node N's namespace (the daemon and its
# subshells), one pid a line
hb_procs() {
	local p
	for p in $(ip netns pids "$(ns "$1")" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != hbnode ] || echo "$p"
	done
}

# The master crashes: its kernel keeps the address until the lease ends
# (at most 2 s after its last renewal), the slave sees it dead after 1 s
# and probes until the address is gone, then adds it.  The sampler sees
# n1 until the lease ends, so the gap is the slave's probe period (a
# 100 ms probe every 200 ms) and the adding: measured 79 to 240 ms,
# bound 1000 ms.  The clients lose the service from the kill to the
# slave's address (lease, then probe): measured 1.85 s, bound 3.5 s.
@test "master crash (kill -9 of all its processes): the slave takes over after the lease" {
	both_up
	fm_mark "kill -9 n1"
	ha_kill_all n1
	fm_wait_holder 15 n2 || logs
	wait_until 10 got SLAVE || logs
	fm_steady 2 n2 || logs
	fm_done 1000
	fm_assert_move "kill -9 n1" n2 3500
}

# SIGSTOP: hbsend stops sending 1 s later (-W 1s), the slave sees the
# master dead 1 s after that; the master's lease ran out meanwhile (1.5
# to 2 s after the stop), so the slave's probe finds the address free:
# the gap is from the lease's end to the slave's start, at most ~0.7 s
# plus the start's 450 ms: measured 280 to 519 ms, bound 1500 ms; the
# slave holds 2.07 s after the stop, bound 4 s.  SIGCONT: the master
# finds its lease gone, stands by for the hold-down, then takes the
# group back by failback, a planned move (measured 240 to 280 ms).
@test "master's hbnode stopped (SIGSTOP), then continued: the slave takes over, the group comes home" {
	both_up
	fm_mark "SIGSTOP n1's hbnode"
	kill -STOP "$HB_PID_n1"
	fm_wait_holder 20 n2 || { kill -CONT "$HB_PID_n1"; logs; }
	wait_until 10 got SLAVE || { kill -CONT "$HB_PID_n1"; logs; }
	fm_mark "SIGCONT"
	kill -CONT "$HB_PID_n1"
	fm_steady 1 n2 || logs
	fm_wait_holder 20 n1 || logs
	wait_until 10 got MASTER || logs
	fm_done 1500
	fm_assert_move "SIGSTOP n1's hbnode" n2 4000
}

# The master's cable cut (its switch port down: lan0 loses carrier): the
# master drops the address at its next tick (250 ms), the slave sees it
# dead after 1 s and takes the group without waiting (nobody answers the
# probe).  The sampler counts an address on a link without carrier as
# held by nobody: the gap runs from the cut, up to a heartbeat interval
# (200 ms) + deadtime (1 s) + the start (450 ms): measured 1080 to
# 1121 ms, bound 2500 ms.  Cable back: the group comes home by failback
# (measured 240 ms).
@test "master's LAN cable cut, then restored: the slave takes over, one holder when it is back" {
	both_up
	fm_mark "n1's cable cut"
	ip -n "$(ns sw)" link set p-n1 down
	fm_wait_holder 15 n2 || logs
	wait_until 10 got SLAVE || logs
	fm_steady 1 n2 || logs
	fm_mark "n1's cable back"
	ip -n "$(ns sw)" link set p-n1 up
	fm_wait_holder 20 n1 || logs
	wait_until 10 got MASTER || logs
	fm_done 2500
	fm_assert_move "n1's cable cut" n2 2500
}

# Case 4's carrier loss, longer than the hold-down: back on the LAN, the
# master does not act on "the slave is dead", found while it heard
# nothing; it hears the slave holding the group and gets it back by
# failback, no probe refused, no error.
@test "a cable cut longer than the hold-down: back, the master waits to hear the slave, then failback" {
	both_up "auto_failback on"
	fm_mark "n1's cable cut"
	ip -n "$(ns sw)" link set p-n1 down
	fm_wait_holder 15 n2 || logs
	fm_steady 4 n2 || logs
	fm_mark "n1's cable back"
	ip -n "$(ns sw)" link set p-n1 up
	fm_wait_holder 20 n1 || logs
	wait_until 10 got MASTER || logs
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output != *"answered by"* ]] || logs
	[[ $output != *"error:"* ]] || logs
	[[ $output == *"master taking over the resource group (auto_failback: slave gave it back)"* ]] || logs
	fm_done 2500
}

# A clean stop: the master releases, its last heartbeat says standby, the
# slave takes the group at once, without probing: a planned move.  Its
# restart brings the group back after the hold-down, planned too.
# Measured 199 to 240 ms for each; bound 1000 ms.
@test "clean hbnode stop of the holder, then start: the slave takes over at once, then gives it back" {
	both_up
	fm_mark "hbnode stop n1"
	run -0 hb_in 20 n1 stop
	fm_wait_holder 10 n2 || logs
	wait_until 10 got SLAVE || logs
	! proc_alive "$HB_PID_n1" || false
	fm_mark "hbnode start n1"
	ha_start n1
	fm_wait_holder 20 n1 || logs
	wait_until 10 got MASTER || logs
	fm_done 1000
}

# standby and takeover: planned moves, no probe.  Measured 280 to 400 ms
# for each; bound 1000 ms.
@test "standby gives the group to the slave, takeover takes it back" {
	both_up
	fm_mark "standby n1"
	run -0 hb_in 10 n1 standby
	fm_wait_holder 10 n2 || logs
	wait_until 10 got SLAVE || logs
	fm_steady 2 n2 || logs
	fm_mark "takeover n1"
	run -0 hb_in 10 n1 takeover
	fm_wait_holder 10 n1 || logs
	wait_until 10 got MASTER || logs
	fm_done 1000
}

# Two starts at once for one node: one runs (the state dir's lock), the
# other exits 1 saying so; status and stop see the one that runs, and
# after stop no hbnode is left in the node.  Twice: first while nobody
# holds the group, then while the slave does (failback).  The gaps are
# the planned moves of the stops and the failback: measured 279 to
# 321 ms; bound 1000 ms.
@test "two hbnode start at once for one node: exactly one runs, status and stop see it, one holder" {
	local d a b round win lose
	ha_conf n1
	ha_conf n2
	ha_start n2
	d=$(ha_dir n1)
	for round in 1 2; do
		fm_mark "two starts of n1 (round $round)"
		bg_start -n n1 -o "$d/out.a$round" -e "$d/err.a$round" \
		    hbnode -c "$d/ha.d" -n master -s "$d/run" -l "$d/lib" start
		a=$BG_PID
		bg_start -n n1 -o "$d/out.b$round" -e "$d/err.b$round" \
		    hbnode -c "$d/ha.d" -n master -s "$d/run" -l "$d/lib" start
		b=$BG_PID
		# one of them ends, refused
		wait_until 10 eval '! proc_alive "$a" || ! proc_alive "$b"' || logs
		if proc_alive "$a"; then win=$a lose=$b; else win=$b lose=$a; fi
		wait_until 5 eval '[ "$(cut -d" " -f1 "$d/run/pid" 2>/dev/null)" = "$win" ]' ||
		    { cat "$d"/err.?"$round"; logs; }
		proc_alive "$win" || { cat "$d"/err.?"$round"; logs; }
		run -1 wait "$lose"
		grep -q "already running" "$d/err.a$round" "$d/err.b$round" ||
		    { cat "$d"/err.?"$round"; false; }
		# the pid file names the one that runs, status sees it
		[ "$(cut -d' ' -f1 "$d/run/pid")" = "$win" ]
		fm_wait_holder 20 n1 || logs
		wait_until 10 eval 'hb_in 5 n1 status | grep -q "node master state=active rsc=held"' ||
		    { hb_in 5 n1 status; logs; }
		fm_steady 1 n1 || logs
		# stop ends it, and nothing of it is left
		fm_mark "stop n1 (round $round)"
		run -0 hb_in 20 n1 stop
		wait_until 10 eval '! proc_alive "$win"' || logs
		wait_until 5 eval '[ -z "$(hb_procs n1)" ]' ||
		    { ps -o pid,ppid,args -p "$(hb_procs n1 | paste -sd,)"; false; }
		fm_wait_holder 10 n2 || logs
	done
	fm_done 1000
}

# A pid file left by a crashed hbnode, its PID now another live process
# (the start time recorded is not that process's), then an old-style
# file with the PID alone: status says none runs, stop returns at once
# (the FIFO it left has no reader) and signals nothing, start runs.
# Gaps: the crash (as above: measured 121 to 240 ms), then the failback
# (240 to 360 ms); bound 1000 ms.
@test "stale pid file naming a live process: status and stop do not trust it, stop does not block, start runs" {
	local d pid start other t0
	both_up
	d=$(ha_dir n1)
	fm_mark "kill -9 n1"
	ha_kill_all n1
	fm_wait_holder 15 n2 || logs
	read -r pid start <"$d/run/pid"
	[ -n "$start" ]
	[ -p "$d/run/ev" ]
	bg_start sleep 60
	other=$BG_PID
	local form
	for form in "$other $start" "$other"; do
		echo "$form" >"$d/run/pid"
		run -1 --separate-stderr hb_in 10 n1 status
		[[ $stderr == *"no hbnode runs for node master"* ]]
		t0=$(now_ms)
		run -0 hb_in 10 n1 stop
		[ $(($(now_ms) - t0)) -lt 3000 ]
		run -1 hb_in 10 n1 standby
		proc_alive "$other"
	done
	fm_mark "start n1"
	ha_start n1
	fm_wait_holder 20 n1 || logs
	wait_until 10 got MASTER || logs
	proc_alive "$other"
	[ "$(cut -d' ' -f1 "$d/run/pid")" = "$HB_PID_n1" ]
	fm_done 1000
}

# IPaddr's announcer (garp, 4 rounds in 1 s) leaves its pid file when it
# ends; its PID taken by an unrelated process (another start time, as
# the file records "PID STARTTIME"; then a PID alone) must survive the
# IPaddr stop of a standby and of a takeover.  Planned moves: measured
# 240 to 280 ms; bound 1000 ms.
@test "IPaddr's announcer pid file, its PID reused: IPaddr stop signals nothing" {
	local n d pidf ap astart other
	both_up
	bg_start sleep 60
	other=$BG_PID
	for n in n1 n2; do
		d=$(ha_dir "$n")
		pidf=$d/run/IPaddr.$VIP.garp.pid
		wait_until 10 test -s "$pidf" || logs
		read -r ap astart <"$pidf"
		[ -n "$astart" ]
		# the announcer ends, its pid file stays
		wait_until 5 eval '! proc_alive "$ap"'
		[ -s "$pidf" ]
		if [ "$n" = n1 ]; then
			echo "$other $astart" >"$pidf"
			fm_mark "standby n1, its announcer's PID reused"
			run -0 hb_in 10 n1 standby
			fm_wait_holder 10 n2 || logs
		else
			echo "$other" >"$pidf"
			fm_mark "takeover n1, n2's announcer's PID reused"
			run -0 hb_in 10 n1 takeover
			fm_wait_holder 10 n1 || logs
		fi
		wait_until 5 test ! -e "$pidf" || logs
		proc_alive "$other"
	done
	wait_until 10 got MASTER || logs
	fm_done 1000
}

# install_node PREFIX N PEERADDR: node N's configuration for the cluster
# run from the tree installed in PREFIX: the howto's haresources
# "master 192.0.2.100 web mon"; web is the test's web server (by its
# path: it is not installed); mon runs the installed hbmon on a mon.cf
# whose mondir and alertdir hold links to the installed http.monitor,
# ping.monitor and bring-ha-down.alert, as the howto sets them up.
# The ping service alerts at its first failure, as in the issue.
install_node() {
	local pre=$1 n=$2 peer=$3 d
	d=$(ha_dir "$n")
	HA_RESOURCES="web mon" ha_conf "$n"
	ha_pid_resource "$d" web "$HAKIT_BINDIR/t/hkhttpd -p 80 -b $(ha_name "$n" | tr a-z A-Z) </dev/null >/dev/null 2>>$d/web.err"
	mkdir -p "$d/mon" "$d/mon.d" "$d/alert.d"
	ln -s "$pre/share/hakit/mon.d/http.monitor" "$pre/share/hakit/mon.d/ping.monitor" "$d/mon.d/"
	ln -s "$pre/share/hakit/alert.d/bring-ha-down.alert" "$d/alert.d/"
	cat >"$d/mon.cf" <<-X
	mondir = $d/mon.d
	alertdir = $d/alert.d
	statedir = $d/mon
	logdir = $d/mon
	hostgroup web $VIP

	hostgroup lan $peer 192.0.2.9

	watch web
	    service http
	        interval 500ms
	        monitor http.monitor -p 80 -t 1
	        period wd {Sun-Sat}
	            alert bring-ha-down.alert
	            alertafter 2

	watch lan
	    service ping
	        interval 1s
	        monitor ping.monitor -c 1 -t 500ms
	        period wd {Sun-Sat}
	            alert bring-ha-down.alert
	X
	ha_pid_resource "$d" mon "$pre/sbin/hbmon -f -c $d/mon.cf </dev/null >>$d/mon.out 2>&1"
}

# start_installed PREFIX N: hbnode of PREFIX in node N, with a clean
# environment (no HAKIT_*; PATH the installed sbin and the system's).
start_installed() {
	local pre=$1 n=$2 d
	d=$(ha_dir "$n")
	bg_start -n "$n" -o "$d/out" -e "$d/err" env -i \
	    PATH="$pre/sbin:/usr/sbin:/usr/bin:/sbin:/bin" "$pre/sbin/hbnode" \
	    -c "$d/ha.d" -n "$(ha_name "$n")" -s "$d/run" -l "$d/lib" start
	eval "HB_PID_$n=\$BG_PID"
}

# mon_ok N GROUP.SERVICE: hbmon of node N has checked the service and
# found it up (opstatus 1, as mon numbers it; monitor exit 0)
mon_ok() {
	grep -q ' opstatus=1 exitval=0 ' "$(ha_dir "$1")/mon/hbmon.$2" 2>/dev/null
}

# Issue 12, case 1: before, the linked monitors did not find httpcheck
# (exit 3), the ping service's alert ran bring-ha-down.alert and the
# master stood down a second after taking the group.  Then the web
# server killed on the master: the installed alert stops it (a planned
# release), the slave takes over: measured 240 ms; bound 1000 ms.
@test "installed tree, clean environment, the howto's mon with linked monitors: the master keeps the group" {
	local pre=$BATS_TEST_TMPDIR/usr d1
	[ -x "$HAKIT_BINDIR/httpcheck" ] || skip "needs httpcheck (make bin-src/build/httpcheck)"
	[ -x "$HAKIT_BINDIR/pingcheck" ] || skip "needs pingcheck (make bin-src/build/pingcheck)"
	run -0 make -s -C "$HK_TOP" O="$HAKIT_BINDIR" install PREFIX="$pre"
	[ -x "$pre/sbin/hbnode" ] && [ -x "$pre/sbin/hbmon" ]
	d1=$(ha_dir n1)
	install_node "$pre" n1 192.0.2.2
	install_node "$pre" n2 192.0.2.1
	fm_mark "installed hbnode started on both"
	start_installed "$pre" n1
	start_installed "$pre" n2
	fm_wait_holder 20 n1 || { cat "$d1/mon.out"; logs; }
	wait_until 10 got MASTER || logs
	# both services checked and found ok by the installed monitors
	wait_until 10 mon_ok n1 web.http || { cat "$d1/mon.out" "$d1"/mon/hbmon.*; logs; }
	wait_until 10 mon_ok n1 lan.ping || { cat "$d1/mon.out" "$d1"/mon/hbmon.*; logs; }
	# the old bug stood the master down a second after it took the group
	fm_steady 5 n1 || { cat "$d1/mon.out"; logs; }
	! grep -q "stop asked" "$d1/ha-log" || { cat "$d1/mon.out"; logs; }
	! grep -qi "not found" "$d1/mon.out" || { cat "$d1/mon.out"; false; }
	[ ! -s "$d1/mon/hbmon.lan.ping.alerts" ] || { cat "$d1/mon/hbmon.lan.ping.alerts"; false; }
	# the howto's scenario: the web server dies, the alert stands the
	# master down
	fm_mark "web server killed on n1"
	kill "$(cut -d' ' -f1 "$d1/svc/web.pid")"
	fm_wait_holder 20 n2 || { cat "$d1/mon.out"; logs; }
	wait_until 10 got SLAVE || logs
	grep -q "master stopped (stop asked)" "$d1/ha-log" || { cat "$d1/mon.out"; logs; }
	fm_done 1000
}

# ---- the cases whose rules changed (issue 12: 2, 3, 4, 6, 8-12) ----

# client_mac: the MAC the client's neighbour entry gives for the address
client_mac() {
	nsx cl ip neigh show "${2:-$VIP}" dev lan0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

holder_is() {
	[ "$(ha_holder)" = "$1" ]
}

gone() {
	! proc_alive "$1"
}

client_mac_is() {
	[ "$(client_mac "$@")" = "$1" ]
}

# fm_no_both_after MARK: no sample after MARK said both (a split brain
# is expected before it).
fm_no_both_after() {
	local f
	f=$(fm__file)
	awk -v mk="$1" '$2 == "mark" && substr($0, index($0, "mark ") + 5) == mk { on = 1; next }
	    on && $2 == "both" { print; bad = 1 } END { exit bad }' "$f" || { fm_timeline >&2; return 1; }
}

# Case 2.  Four addresses, IPv4 and IPv6: probed together (one probe's
# time, however many), started together; the lease covers the whole
# takeover, so none vanishes and comes back.  A crash costs what it
# costs with one address, plus up to a second: the dead node's kernel
# removes expired addresses on whole-second boundaries, so its four
# leases, renewed a few ms apart, can end a second apart, and the slave
# takes the group only when all are free (never part of it while the
# dead node has the rest).  Measured 700 to 1650 ms (make asan); bound
# 2500 ms.
@test "a group of four addresses (IPv4 and IPv6) moves in the time of one, none vanishing on the way" {
	fm_sample_stop
	ns_addr n1 lan0 2001:db8::1/64
	ns_addr n2 lan0 2001:db8::2/64
	fm_sample_start "$VIP" 192.0.2.101 192.0.2.102 2001:db8::100
	HA_RESOURCES="192.0.2.101/24 192.0.2.102/24 2001:db8::100/64 web"
	both_up "debugfile $(hk_scope)/n2-debug"
	fm_mark "kill -9 n1"
	ha_kill_all n1
	fm_wait_holder 15 n2 || logs
	wait_until 10 got SLAVE || logs
	# two leases' time: an address expiring would show as "part"
	fm_steady 4 n2 || logs
	! grep -q "vanished" "$(ha_dir n2)/ha-log" || logs
	# started together, each in a child of its own
	grep -q "the group start: added 2001:db8::100, +" "$(hk_scope)/n2-debug" || logs
	grep -q "the group start: added and announcing the addresses, +" "$(hk_scope)/n2-debug" || logs
	fm_done 2500
	fm_assert_move "kill -9 n1" n2 4000
}

# Case 3.  The nodes cut apart, the client reaching both: both nodes
# hold (a split brain, as heartbeat on one medium); the client follows
# the slave's gratuitous ARP.  Healed: the slave lets go (H1) and the
# master, which kept it all along, announces it again (H10): the
# client's entry points at the master within a second of the release
# (before: 29 s, until its entry went stale and was probed).
@test "split brain healed: the keeper announces again and the client reaches it at once" {
	local mac1
	both_up
	mac1=$(ns_mac n1 lan0)
	wait_until 5 client_mac_is "$mac1" || logs
	# the switch stops passing frames between the nodes' ports (ARP too:
	# with ARP through, the slave's probe finds the master and refuses)
	fm_mark "nodes cut apart"
	nsx sw nft add table bridge cut
	nsx sw nft add chain bridge cut pass '{ type filter hook forward priority 0; }'
	nsx sw nft add rule bridge cut pass iifname p-n1 oifname p-n2 drop
	nsx sw nft add rule bridge cut pass iifname p-n2 oifname p-n1 drop
	wait_until 10 ha_has n2 || logs
	wait_until 5 got SLAVE || logs
	[ "$(client_mac)" != "$mac1" ]
	fm_mark "nodes joined"
	nsx sw nft delete table bridge cut
	wait_until 10 grep -q "split brain" "$(ha_dir n2)/ha-log" || logs
	# (fm_wait_holder fails on the both it saw: expected here)
	wait_until 10 holder_is n1 || logs
	fm_mark "settled"
	wait_until 1.5 client_mac_is "$mac1" || logs
	got MASTER || logs
	grep -q "slave let the group go: announcing its addresses again" "$(ha_dir n1)/ha-log" || logs
	fm_sample_stop
	fm_no_both_after "settled"
	fm_check_sampler || { fm_timeline >&2; false; }
}

# Case 4.  An administrator's standby lasts: the group stays on the
# slave past two failback hold-downs, status says standby, and only
# takeover brings it back; both moves are planned (bound 1000 ms).
@test "standby lasts: auto_failback does not undo it, status says so, takeover ends it" {
	both_up "auto_failback on"
	fm_mark "standby on n1"
	run -0 hb_in 20 n1 standby
	fm_wait_holder 10 n2 || logs
	fm_steady 5 n2 || logs
	run -0 hb_in 5 n1 status
	[[ ${lines[0]} == *"state=standby"* ]] || { echo "$output"; logs; }
	fm_mark "takeover on n1"
	run -0 hb_in 20 n1 takeover
	fm_wait_holder 10 n1 || logs
	wait_until 10 got MASTER || logs
	fm_done 1000
}

# Case 6.  The state dir removed under a running node: it makes it
# again within a tick; stop then works and the slave takes over at once.
@test "state dir removed under a running node: made again, stop releases and the slave takes over" {
	both_up
	rm -rf "$(ha_dir n1)/run"
	wait_until 3 test -p "$(ha_dir n1)/run/ev" || logs
	grep -q "was removed under this hbnode" "$(ha_dir n1)/ha-log" || logs
	fm_mark "stop n1"
	run -0 hb_in 20 n1 stop
	fm_wait_holder 10 n2 || logs
	! proc_alive "$HB_PID_n1" || logs
	fm_done 1000
}

# Case 8.  hbnode alone SIGKILLed: its web server runs on (nothing is
# left to stop it) while the slave takes over (bound as a crash:
# 1500 ms); the next start stops it first, before anything else, then
# the group comes home by failback.
@test "hbnode SIGKILLed, its service left running: the next start stops it before anything else" {
	local web
	both_up
	web=$(cat "$(ha_dir n1)/svc/web.pid")
	proc_alive "$web"
	fm_mark "kill -9 n1's hbnode"
	kill -KILL "$HB_PID_n1"
	fm_wait_holder 15 n2 || logs
	wait_until 10 got SLAVE || logs
	proc_alive "$web"
	fm_mark "n1 started again"
	ha_start n1
	wait_until 5 gone "$web" || logs
	grep -q "stopping web: left running by an earlier run" "$(ha_dir n1)/ha-log" || logs
	fm_wait_holder 20 n1 || logs
	wait_until 10 got MASTER || logs
	fm_done 1500
}

# Case 9.  A LAN host that keeps sending RFC 5227 probes for the address
# (sender 0.0.0.0, never answering): the slave's duplicate-address probe
# does not count it, and takes over as after any crash (bound 1500 ms).
# Before: every probe was a conflict, the slave refused after 3.5 s and
# nobody held the group.
@test "a third host probing for the address does not hold off a takeover" {
	both_up
	bg_start -n cl bash -c 'for i in $(seq 200); do garp-inject send lan0 arp-probe 192.0.2.100 02:00:00:00:00:99 >/dev/null; sleep 0.05; done'
	fm_mark "kill -9 n1"
	ha_kill_all n1
	fm_wait_holder 15 n2 || logs
	wait_until 10 got SLAVE || logs
	fm_done 1500
}

# Case 10.  The group's IPv6 address is the LAN's router (fe80::1, as
# VRRP's; both nodes forward IPv6): the client learned its default route
# through it from a router advertisement.  After a takeover the slave's
# advertisements carry the Router flag: the client keeps its route.
@test "an IPv6 router address moves: the client keeps its default route through it" {
	local n
	fm_sample_stop
	fm_sample_start "$VIP" fe80::1
	for n in n1 n2; do nsx "$n" sysctl -qw net.ipv6.conf.lan0.forwarding=1; done
	nsx cl sysctl -qw net.ipv6.conf.lan0.accept_ra=1
	HA_RESOURCES="IPaddr::fe80::1/64/lan0 web"
	both_up
	nsx n1 garp-inject send lan0 ra fe80::1 "$(ns_mac n1 lan0)" >/dev/null
	wait_until 5 bash -c "ip -n $(ns cl) -6 route show default | grep -q 'via fe80::1'" || logs
	fm_mark "kill -9 n1"
	ha_kill_all n1
	fm_wait_holder 15 n2 || logs
	# the slave's advertisement taken (the entry's MAC is its own): the
	# route is dropped, or kept, right then
	wait_until 5 client_mac_is "$(ns_mac n2 lan0)" fe80::1 || logs
	run -0 nsx cl ip -6 route show default
	[[ $output == *"via fe80::1"* ]] || { echo "route: $output"; logs; }
	fm_done 1500
}

# Case 11.  garp_master_delay and garp_master_refresh: a neighbour whose
# entry went wrong (it missed every announcement) is put right while the
# group stays where it is.
@test "garp_master_refresh: a neighbour's stale entry is put right while the group is held" {
	local mac1
	# (one debugfile for both: only the holder announces)
	both_up "garp_master_delay 1s" "garp_master_refresh 2s" \
	    "debugfile $(hk_scope)/debug"
	mac1=$(ns_mac n1 lan0)
	# the delayed second announcement gone out: what puts the entries
	# right below is the refresh
	wait_until 5 grep -q "announced the addresses again" "$(hk_scope)/debug" || logs
	nsx cl ip neigh replace "$VIP" lladdr 02:00:00:00:00:99 dev lan0 nud stale
	wait_until 3 client_mac_is "$mac1" || logs
	nsx cl ip neigh replace "$VIP" lladdr 02:00:00:00:00:99 dev lan0 nud stale
	wait_until 3 client_mac_is "$mac1" || logs
	fm_done 0
}

# Case 12.  The true reasons: a clean stop is a shutdown on the peer (no
# late heartbeat, no death), and the slave takes the group "because the
# master is stopping"; a failback is named on the node taking it back.
@test "the log names the true causes: a clean stop is a shutdown, a failback a failback" {
	both_up "auto_failback on"
	fm_mark "stop n1"
	run -0 hb_in 20 n1 stop
	fm_wait_holder 10 n2 || logs
	wait_until 5 grep -q "node master: is down (it shut down" "$(ha_dir n2)/ha-log" || logs
	run -0 cat "$(ha_dir n2)/ha-log"
	[[ $output == *"node master: is shutting down"* ]] || logs
	[[ $output == *"slave taking over the resource group (master is stopping)"* ]] || logs
	[[ $output != *"late heartbeat from node master"* ]] || logs
	[[ $output != *"node master: is dead"* ]] || logs
	fm_mark "start n1"
	ha_start n1
	fm_wait_holder 20 n1 || logs
	wait_until 5 grep -q "master taking over the resource group (auto_failback: slave gave it back)" "$(ha_dir n1)/ha-log" || logs
	fm_done 1000
}

# hang_rsc N: a resource "hang" for node N whose start never ends on the
# master (its status says stopped, its stop succeeds)
hang_rsc() {
	local f
	f="$(ha_dir "$1")/ha.d/resource.d/hang"
	cat >"$f" <<-'X'
	#!/bin/sh
	case $1 in
	start) [ "$HBNODE_NODE" != master ] || exec sleep 1000 ;;
	status) echo stopped ;;
	esac
	exit 0
	X
	chmod 755 "$f"
}

# A resource script that hangs (a start that never ends): killed after
# resource_timeout (2 s here), the start fails, the slave takes the
# group: no holder from the kill for a planned move's time.  Before: the
# master kept the address, served nothing, and stop gave up after 60 s.
@test "a resource's start that hangs is killed after resource_timeout and the slave takes the group" {
	HA_RESOURCES="web hang"
	ha_conf n1 "resource_timeout 2s"
	ha_conf n2 "resource_timeout 2s"
	hang_rsc n1
	hang_rsc n2
	ha_start n1
	ha_start n2
	wait_until 20 grep -q "hang start: no end after 2000 ms (resource_timeout): killed" "$(ha_dir n1)/ha-log" || logs
	fm_wait_holder 10 n2 || logs
	wait_until 10 got SLAVE || logs
	! pgrep -f "sleep 1000" >/dev/null || { pgrep -af "sleep 1000"; logs; }
	fm_steady 2 n2 || logs
	fm_done 1000
}

# An administrator's standby outlives a restart of hbnode (a reboot
# during maintenance): the group stays on the slave; takeover ends it.
@test "standby is kept over a restart of hbnode; takeover ends it" {
	both_up "auto_failback on"
	run -0 hb_in 20 n1 standby
	fm_wait_holder 10 n2 || logs
	[ -e "$(ha_dir n1)/lib/master.standby" ]
	run -0 hb_in 20 n1 stop
	fm_mark "n1 started again"
	ha_start n1
	wait_until 10 grep -q "in standby, as before the restart" "$(ha_dir n1)/ha-log" || logs
	fm_steady 5 n2 || logs
	run -0 hb_in 5 n1 status
	[[ ${lines[0]} == *"state=standby"* ]] || { echo "$output"; logs; }
	run -0 hb_in 20 n1 takeover
	fm_wait_holder 10 n1 || logs
	[ ! -e "$(ha_dir n1)/lib/master.standby" ]
	fm_done 1000
}

# Ctrl-C on a terminal running hbnode start (SIGINT to its whole process
# group): hbnode stops cleanly, its programs ignore it; the slave takes
# the group at once and logs a shutdown.  Before: hbsend died of it, the
# master exited 3 "hbsend exited", the slave waited for deadtime.
@test "SIGINT to hbnode's whole process group (Ctrl-C) is a clean stop" {
	local d pgid
	ha_conf n1
	ha_conf n2
	d=$(ha_dir n1)
	# as from a terminal: SIGINT not ignored (a background job's is, and
	# a shell cannot trap a signal ignored on entry)
	bg_start -n n1 -o "$d/out" -e "$d/err" setsid env --default-signal=INT \
	    hbnode -c "$d/ha.d" -n master -s "$d/run" -l "$d/lib" start
	ha_start n2
	fm_wait_holder 15 n1 || logs
	wait_until 10 grep -q "master holds the resource group" "$d/ha-log" || logs
	pgid=$(ps -o pgid= -p "$(cut -d" " -f1 "$d/run/pid")" | tr -d ' ')
	fm_mark "SIGINT to the group"
	kill -INT -- "-$pgid"
	fm_wait_holder 10 n2 || logs
	wait_until 5 grep -q "node master: is shutting down" "$(ha_dir n2)/ha-log" || logs
	run -0 cat "$d/ha-log"
	[[ $output == *"master stopped (stop asked)"* ]] || logs
	[[ $output != *"exited"* ]] || logs
	fm_done 1000
}

# hbown, which decides and now also ticks (hbnode's chores every 250 ms:
# feeding hbsend, the leases, the children), killed on the holder: hbnode
# releases the group itself and exits 3; the slave takes over.  (A ticker
# of its own, killed, used to leave a silent node running for ever.)
@test "hbnode's hbown killed: it releases the group and exits 3, the slave takes over" {
	local d o st=0
	both_up
	d=$(ha_dir n1)
	o=$(pgrep -P "$(cut -d" " -f1 "$d/run/pid")" -x hbown) || o=$(pgrep -f "hbown -C -T 250ms.* -n master")
	fm_mark "hbown killed"
	kill -KILL $o
	fm_wait_holder 10 n2 || logs
	wait_until 10 gone "$HB_PID_n1" || logs
	wait "$HB_PID_n1" || st=$?
	[ "$st" -eq 3 ] || { echo "status $st"; logs; }
	grep -q "hbown (pid $o) exited: releasing the group" "$d/ha-log" || logs
	fm_done 1500
}
