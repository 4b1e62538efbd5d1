#!/usr/bin/env bats
# hbnode(8) end to end: two nodes and a client on a bridge in network
# namespaces, real hbsend/hbrecv/vipctl/garp, a web resource answering
# MASTER or SLAVE.  Each test checks what the client gets, and that
# never both nodes hold 192.0.2.100 (ha_watch fails at once if they do).
# Timers: keepalive 200ms, deadtime 1s, initdead 2s, lease 2s; the
# bounds are generous for a loaded machine.

load helpers/common
load helpers/ha

setup() {
	ha_need hbsend hbrecv vipctl garp
	ha_lab
}

got() {
	[ "$(ha_get)" = "$1" ]
}

# slow_group TEST: both nodes with the group "web slow", where slow's
# start runs the shell test TEST (e.g. "sleep 4") and succeeds.
slow_group() {
	local n
	for n in n1 n2; do
		HA_RESOURCES="web slow" ha_conf "$n"
		printf '#!/bin/sh\n[ "$1" != start ] || %s\n[ "$1" != status ] || echo stopped\nexit 0\n' \
		    "$1" >"$(ha_dir $n)/ha.d/resource.d/slow"
		chmod 755 "$(ha_dir $n)/ha.d/resource.d/slow"
	done
}

# Both nodes up, master holding, the client served by MASTER.
both_up() {
	ha_conf n1 "$@"
	ha_conf n2 "$@"
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	# the acquisition is over, not only its first steps
	wait_until 10 grep -q "master holds the resource group" "$(ha_dir n1)/ha-log"
}

# both_up, the slave with a debugfile ($(ha_dir n2)/ha-debug)
both_up_debug() {
	ha_conf n1
	ha_conf n2 "debugfile $(ha_dir n2)/ha-debug"
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	wait_until 10 grep -q "master holds the resource group" "$(ha_dir n1)/ha-log"
}

@test "both nodes started at once: one owner, the home node, and it stays" {
	both_up
	# no spurious failover while both are healthy: 3 deadtimes
	ha_steady 3 n1
	run -0 ha_hb n1 status
	[[ $output == *"node master state=active rsc=held"* ]]
	[[ $output == *"peer slave state=up st=active rsc=none"* ]]
	[[ $output == *"holder master"* ]]
	[[ $output == *"transition "*"master holds the resource group"* ]]
	run -0 ha_hb n2 status
	[[ $output == *"holder master"* ]]
	# the label and the lease, as vipctl set them
	run -0 nsx n1 ip -o -4 addr show dev lan0
	[[ $output == *"192.0.2.100/24"*"lan0:100"* ]]
	nsx n1 ip -4 addr show dev lan0 | grep -A1 '192.0.2.100' |
	    grep -Eq 'valid_lft [0-9]+sec'
}

@test "master killed with all its processes: the lease removes its address, the slave serves" {
	both_up
	ha_kill_all n1
	ha_watch 15 n2 || { ha_log n2; false; }
	wait_until 10 got SLAVE
	# and the master does not keep a duplicate: it is gone from n1
	! ha_has n1 || false
	ha_steady 2 n2
	run -0 cat "$(ha_dir n2)/ha-log"
	[[ $output == *"node master: is dead"* ]]
	[[ $output == *"slave taking over the resource group (master is dead)"* ]]
}

@test "master powered off (its processes killed, its cable out): the slave probed while it was late, and takes over without a probe" {
	both_up_debug
	# power off: the processes, the cable, and the address with the
	# machine (its kernel would otherwise keep it until the lease ends)
	ha_kill_all n1
	ip -n "$(ns sw)" link set p-n1 down
	nsx n1 ip addr del "$VIP/24" dev lan0
	ha_watch 15 n2 || { ha_log n2; false; }
	wait_until 10 got SLAVE
	run -0 cat "$(ha_dir n2)/ha-debug"
	# warntime (600 ms) came first: the watch probed, found it free
	[[ $output == *"late heartbeat from node master"* ]]
	[[ $output =~ "no probe: nobody answered for its addresses "[0-9]+" ms ago (probed since master was late)" ]]
	[[ $output != *"the group start: probed"* ]]
	[[ $output =~ "slave holds the resource group (acquired in "[0-9]+" ms)" ]]
}

@test "master's processes killed, its kernel alive: the slave's watch finds the address answered and the takeover waits for the lease" {
	both_up_debug
	ha_kill_all n1
	ha_watch 15 n2 || { ha_log n2; false; }
	wait_until 10 got SLAVE
	run -0 cat "$(ha_dir n2)/ha-debug"
	[[ $output =~ "master is late and an address is still answered (192.0.2.100 "[0-9a-f:]+"): a takeover would probe" ]]
	[[ $output != *"no probe"* ]]
	[[ $output == *"the group start: probed 192.0.2.100: free"* ]]
}

@test "the holder's address removed by hand: added again at the next renewal, the node keeps the group" {
	both_up
	nsx n1 ip addr del "$VIP/24" dev lan0
	wait_until 5 grep -q "address vanished: $VIP/24; adding it again" "$(ha_dir n1)/ha-log"
	wait_until 5 ha_has n1
	wait_until 5 got MASTER
	ha_steady 2 n1
	proc_alive "$HB_PID_n1"
	grep -q "added $VIP/24 again" "$(ha_dir n1)/ha-log"
}

@test "a takeover decided while hbnode was held up (SIGSTOP) probes when it runs: the returned master keeps the address" {
	both_up_debug
	ha_kill_all n1
	nsx n1 ip addr del "$VIP/24" dev lan0
	# the slave's watch runs (warntime 600 ms); its hbnode stops before
	# the peer is declared dead, hbown decides the takeover meanwhile
	wait_until 5 grep -q "late heartbeat from node master" "$(ha_dir n2)/ha-log"
	kill -STOP "$HB_PID_n2"
	sleep 2
	# the master back, alone on the LAN as it sees it: it takes the group
	ha_start n1
	wait_until 15 eval '[ "$(grep -c "master holds the resource group" "$(ha_dir n1)/ha-log")" -ge 2 ]'
	kill -CONT "$HB_PID_n2"
	wait_until 10 grep -q "ms after hbown decided it: probing the addresses all the same" "$(ha_dir n2)/ha-log" ||
	    { ha_log n2; false; }
	# never both: the slave's probe found the master
	ha_steady 3 n1 || { ha_log n1; ha_log n2; false; }
}

@test "the log gives a peer's silence with its unit: late heartbeat in ms, dead in seconds" {
	both_up
	ha_kill_all n1
	wait_until 10 grep -q "node master: is dead" "$(ha_dir n2)/ha-log"
	run -0 cat "$(ha_dir n2)/ha-log"
	# warntime 600ms, deadtime 1s: hbrecv's silent=MS, as people read it
	[[ $output =~ "late heartbeat from node master: silent for "[0-9]{3}" ms" ]]
	[[ $output =~ "node master: is dead (silent for "[0-9]+\.[0-9]" s)" ]]
	[[ $output != *"silent="* ]]
}

@test "master's link cut: the slave takes over, the master drops the address" {
	both_up
	ip -n "$(ns sw)" link set p-n1 down
	ha_watch 15 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output == *"master lost its LAN link"* ]]
	# the cable back: one holder, then failback to the master
	ip -n "$(ns sw)" link set p-n1 up
	ha_watch 20 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
}

@test "standby gives the group to the peer; takeover takes it back" {
	both_up
	run -0 ha_hb n1 standby
	ha_watch 10 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	# the slave serves before its heartbeat says rsc=held: wait for that
	wait_until 10 eval 'ha_hb n1 status | grep -q "holder slave"'
	# failback does not undo a standby
	ha_steady 3 n2
	run -0 ha_hb n1 takeover
	ha_watch 10 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
}

@test "standby is refused while the peer is not up: exit 1 with the reason" {
	ha_conf n1
	ha_start n1
	ha_watch 15 n1 || { ha_log n1; false; }
	run -1 --separate-stderr ha_hb n1 standby
	[[ $stderr == *"standby refused: slave is not up, nobody would take the group"* ]]
	ha_steady 1 n1
	wait_until 5 grep -q "standby refused: slave is not up" "$(ha_dir n1)/ha-log"
}

@test "auto_failback on: the master takes the group back after the hold-down" {
	both_up "auto_failback on"
	ha_kill_all n1
	ha_watch 15 n2 || { ha_log n2; false; }
	wait_until 10 got SLAVE
	ha_start n1
	ha_watch 20 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	run -0 cat "$(ha_dir n2)/ha-log"
	[[ $output == *"releasing the resource group (auto_failback: master is back)"* ]]
}

@test "auto_failback off: the group stays on the slave when the master returns" {
	both_up "auto_failback off"
	ha_kill_all n1
	ha_watch 15 n2 || { ha_log n2; false; }
	ha_start n1
	wait_until 10 grep -q "node master: is up" "$(ha_dir n2)/ha-log"
	# twice the hold-down
	ha_steady 4 n2
	got SLAVE
}

@test "stop releases at once and the peer takes over without waiting for deadtime" {
	both_up
	local t0 t1
	t0=$(now_ms)
	run -0 ha_hb n1 stop
	ha_watch 10 n2 || { ha_log n1; ha_log n2; false; }
	t1=$(now_ms)
	! proc_alive "$HB_PID_n1" || false
	run -0 cat "$(ha_dir n2)/ha-log"
	[[ $output != *"is dead"* ]]
	echo "stop to slave holding: $((t1 - t0)) ms"
	wait_until 10 got SLAVE
	# what a clean stop leaves in the state dir (hbnode(8), FILES): the
	# lock, the last status and the transitions; no FIFO, no pid, no
	# garp pid or empty garp error file; and no shell job message
	[ "$(cd "$(ha_dir n1)/run" && echo *)" = "lock status transitions" ] ||
	    { ls -l "$(ha_dir n1)/run"; false; }
	grep -q 'state=stopped' "$(ha_dir n1)/run/status"
	! grep -i 'terminated\|killed' "$(ha_dir n1)/out" "$(ha_dir n1)/err" || false
	# nor hbrecv's complaint that its reader is gone
	! grep 'nobody reads the events' "$(ha_dir n1)/err" || false
}

@test "SIGTERM (systemd's stop) releases the group and exits 0" {
	both_up
	# its children (hbsend, hbrecv, the ticker), while it has them: once
	# it is gone they would be init's, and pgrep -P would find none
	local kids p
	kids=$(pgrep -P "$HB_PID_n1")
	[ "$(echo "$kids" | wc -w)" -ge 3 ]
	kill -TERM "$HB_PID_n1"
	ha_watch 10 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 eval "! proc_alive $HB_PID_n1"
	wait "$HB_PID_n1" || status=$?
	[ "${status:-0}" -eq 0 ] || { echo "status $status"; ha_log n1; false; }
	# they are gone with it
	for p in $kids; do
		wait_until 5 eval '! proc_alive "$p"'
	done
	# it says none runs, and prints only the transitions, which are real
	run -1 --separate-stderr ha_hb n1 status
	[[ $stderr == "hbnode: no hbnode runs for node master with state dir $(ha_dir n1)/run "* ]]
	[[ $output == "transition "*"master stopped"* ]]
	[[ $output != *"state="* ]]
}

@test "the debugfile says when each step of a start and a stop was done" {
	ha_conf n1 "debugfile $(ha_dir n1)/ha-debug"
	ha_conf n2 "debugfile $(ha_dir n2)/ha-debug"
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 grep -q "master holds the resource group" "$(ha_dir n1)/ha-log"
	run -0 ha_hb n1 stop
	# the slave saw the release: no probe
	wait_until 10 grep -q "slave holds the resource group" "$(ha_dir n2)/ha-log"
	grep -q "no probe: master has just released it" "$(ha_dir n2)/ha-debug"
	run -0 grep -Eo 'the group (start|stop): .*' "$(ha_dir n1)/ha-debug"
	# started left to right, stopped right to left, each step with the
	# ms since the start or stop began
	local want=("the group start: probed 192.0.2.100: free"
	    "the group start: added 192.0.2.100"
	    "the group start: announcing 192.0.2.100"
	    "the group start: started web in [0-9]+ ms"
	    "the group stop: stopped web in [0-9]+ ms"
	    "the group stop: removed 192.0.2.100/24") i
	[ "${#lines[@]}" -eq "${#want[@]}" ] || { printf '%s\n' "${lines[@]}"; false; }
	for i in "${!want[@]}"; do
		[[ ${lines[i]} =~ ^${want[i]}", +"[0-9]+" ms"$ ]] ||
		    { echo "line $i: ${lines[i]}"; false; }
	done
	grep -Eq 'the resource group: released in [0-9]+ ms' "$(ha_dir n1)/ha-debug"
}

@test "one of hbnode's programs dies: it releases the group and exits 3" {
	both_up
	# hbnode's own hbsend (pkill alone would see both namespaces)
	pkill -KILL -P "$HB_PID_n1" -x hbsend
	wait_until 10 bash -c "! kill -0 $HB_PID_n1 2>/dev/null || grep -q Z /proc/$HB_PID_n1/stat"
	ha_watch 15 n2 || { ha_log n1; ha_log n2; false; }
	wait "$HB_PID_n1" || status=$?
	[ "${status:-0}" -eq 3 ]
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output == *"hbsend (pid "*") exited: releasing the group"* ]]
}

@test "hbnode's hbsend stopped (SIGSTOP): it releases the group, the peer takes over" {
	both_up
	local snd
	snd=$(pgrep -P "$HB_PID_n1" -x hbsend)
	kill -STOP "$snd"
	ha_watch 20 n2 || { kill -CONT "$snd"; ha_log n1; ha_log n2; false; }
	wait_until 10 eval '! proc_alive "$HB_PID_n1"'
	wait "$HB_PID_n1" || status=$?
	[ "${status:-0}" -eq 3 ]
	grep -q "hbsend (pid $snd) is stopped: releasing the group" "$(ha_dir n1)/ha-log"
	wait_until 5 eval '! proc_alive "$snd"'
}

@test "hbnode SIGKILLed and left a zombie by its parent: none of its children runs on" {
	ha_conf n1
	local d hb kids p
	d=$(ha_dir n1)
	# sleep(1) becomes hbnode's parent and never reaps it
	bg_start -n n1 -o "$d/out" -e "$d/err" sh -c \
	    'hbnode -c "$1/ha.d" -n master -s "$1/run" -l "$1/lib" start & echo $! >"$1/hb.pid"; exec sleep 60' _ "$d"
	wait_until 10 test -s "$d/hb.pid"
	hb=$(cat "$d/hb.pid")
	# hbsend, hbrecv and the ticker
	wait_until 10 eval '[ "$(pgrep -P "$hb" | wc -l)" -ge 3 ]'
	kids=$(pgrep -P "$hb")
	for p in $kids; do
		echo "$p" >"$(hk_scope)/.bg.kid$p.pid"
	done
	kill -KILL "$hb"
	for p in $kids; do
		wait_until 10 eval '! proc_alive "$p"'
	done
}

@test "hbnode stopped (SIGSTOP), its hbsend and hbrecv running: the peer takes over; SIGCONT settles on one holder" {
	both_up
	kill -STOP "$HB_PID_n1"
	# before: the master's hbsend kept saying rsc=held, nobody took over
	ha_watch 20 n2 || { kill -CONT "$HB_PID_n1"; ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	grep -q "node master: is dead" "$(ha_dir n2)/ha-log"
	kill -CONT "$HB_PID_n1"
	# before: the master's stale rsc=held made the slave let go, and
	# nobody served for ~0.4 s; now the master sees its lease ran out
	ha_steady 1 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 grep -q "longer than its lease: its address is gone" "$(ha_dir n1)/ha-log" ||
	    { ha_log n1; ha_log n2; false; }
	# and failback brings the group home after the hold-down
	ha_watch 20 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
}

@test "hbnode SIGKILLed where setpriv is missing: hbsend and hbrecv end with it, the peer takes over" {
	local d f n bin
	bin=$BATS_TEST_TMPDIR/bin
	mkdir "$bin"
	# our PATH with everything but setpriv (no parent-death signal)
	local dir
	IFS=: read -ra dirs <<<"$PATH"
	for dir in "${dirs[@]}"; do
		for f in "$dir"/*; do
			n=${f##*/}
			[ "$n" = setpriv ] || [ -e "$bin/$n" ] || ln -s "$f" "$bin/$n"
		done
	done
	[ ! -e "$bin/setpriv" ]
	ha_conf n1
	ha_conf n2
	d=$(ha_dir n1)
	bg_start -n n1 -o "$d/out" -e "$d/err" env PATH="$bin" \
	    "$bin/hbnode" -c "$d/ha.d" -n master -s "$d/run" -l "$d/lib" start
	HB_PID_n1=$BG_PID
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 eval '[ "$(pgrep -P "$HB_PID_n1" -x hbsend)" ]'
	local snd rcv
	snd=$(pgrep -P "$HB_PID_n1" -x hbsend)
	rcv=$(pgrep -P "$HB_PID_n1" -x hbrecv)
	echo "$snd" >"$(hk_scope)/.bg.kid$snd.pid"
	echo "$rcv" >"$(hk_scope)/.bg.kid$rcv.pid"
	kill -KILL "$HB_PID_n1"
	# before: hbsend kept sending rsc=held for good, nobody served
	wait_until 10 eval '! proc_alive "$snd"'
	wait_until 10 eval '! proc_alive "$rcv"'
	ha_watch 20 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	grep -q "hbsend: standard input ended" "$d/err" || { cat "$d/err"; false; }
	grep -q "hbrecv: nobody reads the events any more" "$d/err" || { cat "$d/err"; false; }
}

@test "a rebooted node (state dir and generation file wiped) is heard again at once and takes the group back" {
	both_up
	ha_kill_all n1
	ha_watch 20 n2 || { ha_log n1; ha_log n2; false; }
	# a reboot: /run is gone; here /var/lib too (a new disk)
	rm -rf "$(ha_dir n1)/run" "$(ha_dir n1)/lib"
	mkdir "$(ha_dir n1)/run"
	ha_start n1
	# before: "replayed" for every line, the master never seen again
	wait_until 10 grep -q "node master: is up" "$(ha_dir n2)/ha-log"
	ha_watch 20 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
}

@test "a service slower to start than the lease: its address stays, renewed while the script runs" {
	slow_group 'sleep 4'
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	# the 4 s start is under way; the lease is 2 s
	wait_until 15 grep -q "master holds the resource group" "$(ha_dir n1)/ha-log"
	[ "$(ha_holder)" = n1 ]
	! grep -q "address vanished" "$(ha_dir n1)/ha-log" || { ha_log n1; false; }
	# heartbeats went on: the slave never saw the master dead
	! grep -q "node master: is dead" "$(ha_dir n2)/ha-log" || false
}

@test "while a slow service starts, the peer's events are taken at once, not after the script" {
	slow_group 'sleep 5'
	ha_start n1
	ha_start n2
	wait_until 15 grep -q "master taking over the resource group" "$(ha_dir n1)/ha-log"
	# the slave goes away while the master's 5 s start runs
	run -0 ha_hb n2 stop
	wait_until 15 grep -q "master holds the resource group" "$(ha_dir n1)/ha-log"
	run -0 cat "$(ha_dir n1)/ha-log"
	# its end was taken when it came, before the start ended, as a
	# shutdown (its last heartbeat said why=stop), not a death
	[[ $output == *"node slave: is shutting down"*"node slave: is down (it shut down"*"master holds the resource group"* ]] || {
		ha_log n1; false; }
}

@test "the child starting the group killed mid-way: hbnode stops what it started, the peer takes over" {
	local script child
	slow_group '[ "${HBNODE_NODE:-}" != master ] || sleep 20'
	ha_start n1
	ha_start n2
	wait_until 15 pgrep -f "resource.d/slow start"
	# slow's parent is rsc's subshell, whose parent is the group child
	script=$(pgrep -f "resource.d/slow start" | head -n 1)
	child=$(ps -o ppid= -p "$(ps -o ppid= -p "$script" | tr -d ' ')" | tr -d ' ')
	kill -KILL "$child"
	wait_until 15 grep -q "the group's start was killed" "$(ha_dir n1)/ha-log"
	ha_watch 15 n2 || { ha_log n1; ha_log n2; false; }
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output == *"master released the resource group"* ]]
	kill "$script" 2>/dev/null || true
}

@test "a second hbnode for the same node and LIBDIR, or the same state dir, is refused before it touches anything" {
	both_up
	local d
	d=$(ha_dir n1)
	run -1 --separate-stderr nsx n1 timeout 20 hbnode -c "$d/ha.d" -n master -s "$d/run2" -l "$d/lib" start
	[[ $stderr == *"another hbnode runs as node master with LIBDIR $d/lib"* ]]
	# before: it removed the holder's address as "left by an earlier run"
	ha_steady 2 n1
	! grep -q "left by an earlier run" "$d/ha-log" || false
	# two at once on one state dir: one runs, the other says so
	ha_conf n1
	cp "$d/run/pid" "$d/pid.saved"
	rm -f "$d/run/pid"
	run -1 --separate-stderr nsx n1 timeout 20 hbnode -c "$d/ha.d" -n master -s "$d/run" -l "$d/lib2" start
	# (the running one writes its pid file again within a tick: either
	# way the second start is refused)
	[[ $stderr == *"already running ("*"state in $d/run)"* ]]
	ha_steady 1 n1
	mv "$d/pid.saved" "$d/run/pid"
}

@test "serial (pty) plus UDP, one medium cut: a link event, no failover" {
	bg_start -o "$BATS_TEST_TMPDIR/cable" hanull
	local cable=$BG_PID devs
	wait_until 5 test -s "$BATS_TEST_TMPDIR/cable"
	devs=$(cat "$BATS_TEST_TMPDIR/cable")
	ha_conf n1 "serial ${devs% *}"
	ha_conf n2 "serial ${devs#* }"
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 grep -q "link master serial:${devs#* }:19200 up" "$(ha_dir n2)/ha-log"
	# cut UDP both ways: the serial line still carries the heartbeats
	nsx n2 iptables -A INPUT -p udp --dport 694 -j DROP
	nsx n1 iptables -A INPUT -p udp --dport 694 -j DROP
	wait_until 10 grep -q "link master udp:694@lan0 dead" "$(ha_dir n2)/ha-log"
	ha_steady 3 n1
	got MASTER
	# and the other way round: UDP back, the cable cut
	nsx n2 iptables -F INPUT
	nsx n1 iptables -F INPUT
	kill -USR1 "$cable"
	wait_until 10 grep -q "link master serial:${devs#* }:19200 dead" "$(ha_dir n2)/ha-log"
	ha_steady 3 n1
	run -0 cat "$(ha_dir n2)/ha-log"
	[[ $output != *"is dead"* ]]
}

@test "an address already answered by a third host is not added, and it is reported" {
	# the client squats the virtual IP
	ns_addr cl lan0 192.0.2.100/24
	ha_conf n1
	ha_conf n2
	ha_start n1
	ha_start n2
	wait_until 20 grep -q "192.0.2.100 is answered by" "$(ha_dir n1)/ha-log"
	ha_steady 3 none
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output == *"master could not start IPaddr"*"handing the group over"* ]]
}

@test "the web server stops on the master: hbmon alerts, the master stands down, the slave serves" {
	[ -x "$HAKIT_SHAREDIR/hbmon" ] || skip "needs hbmon (issue 6, part 1)"
	[ -x "$HAKIT_BINDIR/httpcheck" ] || skip "needs httpcheck (make bin-src/build/httpcheck)"
	HA_RESOURCES="web mon"
	ha_conf n1
	ha_conf n2
	ha_mon n1
	ha_mon n2
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	# the howto's scenario: apache dies on the master
	kill "$(cat "$(ha_dir n1)/svc/web.pid")"
	ha_watch 20 n2 || { ha_log n1; ha_log n2; cat "$(ha_dir n1)/mon.out"; false; }
	wait_until 10 got SLAVE
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output == *"master stopped (stop asked)"* ]]
}

@test "a resource that fails to start: what was started is released, the peer takes the group" {
	ha_conf n1
	ha_conf n2
	# the master's web server cannot start
	printf '#!/bin/sh\n[ "$1" = start ] && { echo "port 80 busy" >&2; exit 1; }\necho stopped\n' \
	    >"$(ha_dir n1)/ha.d/resource.d/web"
	ha_start n1
	ha_start n2
	ha_watch 20 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
	run -0 cat "$(ha_dir n1)/ha-log"
	[[ $output == *"master could not start web (port 80 busy); releasing and handing the group over"* ]]
	! ha_has n1
}

@test "takeover on a node whose resource cannot start: the group goes back to the peer" {
	ha_conf n1
	ha_conf n2
	printf '#!/bin/sh\n[ "$1" = start ] && { echo "port 80 busy" >&2; exit 1; }\necho stopped\n' \
	    >"$(ha_dir n2)/ha.d/resource.d/web"
	ha_start n1
	ha_start n2
	ha_watch 15 n1 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got MASTER
	run -0 ha_hb n2 takeover
	wait_until 15 grep -q "slave could not start web" "$(ha_dir n2)/ha-log"
	# the master, which stood by for the takeover, serves again
	wait_until 15 got MASTER || { ha_log n1; ha_log n2; false; }
	ha_steady 3 n1 || { ha_log n1; ha_log n2; false; }
}

@test "ucast: one ha.cf for both nodes, each skipping the line naming itself" {
	HA_MEDIA="ucast lan0 192.0.2.1"
	both_up "ucast lan0 192.0.2.2"
	run -0 ha_hb n1 check
	[[ $output == *"send udp:192.0.2.2:694"$'\n'* ]]
	run -0 ha_hb n1 standby
	ha_watch 10 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 got SLAVE
}

@test "an IPv6 virtual IP in the group moves with the IPv4 one" {
	ns_addr n1 lan0 2001:db8::1/64
	ns_addr n2 lan0 2001:db8::2/64
	HA_RESOURCES="2001:db8::100/64 web"
	both_up
	has6() {
		nsx "$1" ip -o -6 addr show dev lan0 | grep -q ' 2001:db8::100/64'
	}
	wait_until 10 has6 n1
	! has6 n2 || false
	run -0 ha_hb n1 standby
	ha_watch 10 n2 || { ha_log n1; ha_log n2; false; }
	wait_until 10 has6 n2
	! has6 n1
}

@test "a CONFDIR with a blank in its name: its resource scripts still run" {
	ha_conf n1
	local d
	d=$(ha_dir n1)
	mv "$d/ha.d" "$d/ha d"
	bg_start -n n1 -o "$d/out" -e "$d/err" \
	    hbnode -c "$d/ha d" -n master -s "$d/run" -l "$d/lib" start
	# alone: the peer is dead after initdead, the master takes the group
	wait_until 30 got MASTER || { cat "$d/ha-log" "$d/err"; false; }
	! grep -q "could not start" "$d/ha-log"
}

@test "a malformed ha.cf makes start exit 2 with file and line, inside a node too" {
	ha_conf n1 "deadtime 300ms"
	run -2 --separate-stderr ha_hb n1 start
	[[ $stderr == *"$(ha_dir n1)/ha.d/ha.cf:11: deadtime (300ms) must be more than twice keepalive"* ]]
	! ha_has n1
}
