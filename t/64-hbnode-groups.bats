#!/usr/bin/env bats
# hbnode(8) with several resource groups (active/active, each node home
# of one) and with ping nodes (ipfail's rule), end to end: two nodes and
# a client on a bridge in network namespaces.  Group 1 (home master):
# 192.0.2.100 and web; group 2 (home slave): 192.0.2.101 and db.  The
# client (192.0.2.9) is the ping node.  Timers: keepalive 200ms,
# deadtime 1s, initdead 2s; the bounds are generous for a loaded machine.

load helpers/common
load helpers/ha

VIP2=192.0.2.101

setup() {
	ha_need hbsend hbrecv vipctl garp pingcheck
	ha_lab
}

teardown() {
	local n
	for n in n1 n2; do
		nsx "$n" nft delete table inet hbcut 2>/dev/null || true
	done
	if [ -r "$BATS_TEST_TMPDIR/pd" ]; then
		rm -rf -- "$(cat "$BATS_TEST_TMPDIR/pd")"
	fi
	# what bg_start started, and the namespaces with all in them
	hk_cleanup
}

# two_groups [LINE...]: both nodes' CONFDIRs with the two groups, LINEs
# added to ha.cf.
two_groups() {
	local n d
	for n in n1 n2; do
		ha_conf "$n" "$@"
		d=$(ha_dir "$n")
		printf '%s\n' "master 192.0.2.100/24 web" "slave $VIP2/24 db" >"$d/ha.d/haresources"
		ha_pid_resource "$d" db "hkhttpd -p 81 -b DB-$(ha_name "$n") </dev/null >/dev/null 2>>$d/db.err"
	done
}

# holders: who holds each group's address, "H1 H2" (n1, n2, none, both).
holders() {
	echo "$(ha_holder) $(ha_holder "$VIP2")"
}

# watch2 SECS WANT: until holders prints WANT, failing at once if a
# group's address is ever on both nodes.
watch2() {
	local deadline h
	deadline=$(($(now_ms) + $1 * 1000))
	while :; do
		h=$(holders)
		case $h in
		*both*) echo "watch2: an address on both nodes: $h" >&2; return 2 ;;
		"$2") return 0 ;;
		esac
		if [ "$(now_ms)" -ge "$deadline" ]; then
			echo "watch2: holders '$h', not '$2', after $1 s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# nft_cut N RULE...: an nftables rule in node N's namespace, its output
# hook (what N sends).
nft_cut() {
	local n=$1
	shift
	nsx "$n" nft add table inet hbcut 2>/dev/null || true
	nsx "$n" nft add chain inet hbcut out '{ type filter hook output priority 0; }' 2>/dev/null || true
	nsx "$n" nft add rule inet hbcut out "$@"
}

both_up() {
	two_groups "$@"
	ha_start n1
	ha_start n2
	watch2 20 "n1 n2" || { ha_log n1; ha_log n2; false; }
	wait_until 10 grep -q "master holds resource group 1" "$(ha_dir n1)/ha-log"
	wait_until 10 grep -q "slave holds resource group 2" "$(ha_dir n2)/ha-log"
}

@test "check reads two groups, ping nodes and a tracked interface" {
	two_groups "ping 192.0.2.9" "ping_group gws 192.0.2.1 192.0.2.2" "deadping 2" \
	    "track_interface lan0"
	run -0 ha_hb n1 check
	[[ $output == *"group 1 master"$'\n'"resource IPaddr "*"192.0.2.100/24"$'\n'"resource web "* ]]
	[[ $output == *"group 2 slave"$'\n'"resource IPaddr "*"$VIP2/24"$'\n'"resource db "* ]]
	[[ $output == *"ping 192.0.2.9 192.0.2.9"$'\n'"ping gws 192.0.2.1 192.0.2.2"* ]]
	[[ $output == *"deadping 2000"* ]]
	[[ $output == *"track_interface lan0"* ]]
	# an address in two groups, a bad ping node
	printf '%s\n' "master 192.0.2.100/24 web" "slave 192.0.2.100/24 db" >"$(ha_dir n1)/ha.d/haresources"
	run -2 ha_hb n1 check
	[[ $output == *"haresources:2: 192.0.2.100 is in an earlier resource group too"* ]]
	echo "ping 192.0.2.300" >>"$(ha_dir n2)/ha.d/ha.cf"
	run -2 ha_hb n2 check
	[[ $output == *"ping: '192.0.2.300' is not an IPv4 or IPv6 address"* ]]
}

@test "active/active: each node holds its own group; a dead node's group goes to the other and comes back" {
	both_up
	run -0 ha_hb n1 status
	[[ $output == *"group 1 home=master state=active rsc=held"*"holder master"* ]]
	[[ $output == *"group 2 home=slave state=active rsc=none"*"holder slave"* ]]
	[ "$(nsx cl timeout 2 bash -c "exec 3<>/dev/tcp/$VIP2/81 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && sed -n '\$p' <&3")" = DB-slave ]
	ha_kill_all n2
	watch2 20 "n1 n1" || { ha_log n1; false; }
	wait_until 10 grep -q "master holds resource group 2" "$(ha_dir n1)/ha-log"
	[ "$(nsx cl timeout 2 bash -c "exec 3<>/dev/tcp/$VIP2/81 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && sed -n '\$p' <&3")" = DB-master ]
	# slave back: auto_failback (legacy: on) gives it group 2 only
	ha_start n2
	watch2 25 "n1 n2" || { ha_log n1; ha_log n2; false; }
	grep -q "master releasing resource group 2 (auto_failback: slave is back)" "$(ha_dir n1)/ha-log"
	! grep -q "master releasing resource group 1" "$(ha_dir n1)/ha-log"
}

@test "standby and takeover take all, local or foreign, heartbeat's words" {
	both_up
	# local: master's own group goes to slave, slave's stays
	run -0 ha_hb n1 standby local
	watch2 15 "n2 n2" || { ha_log n1; ha_log n2; false; }
	run -0 ha_hb n1 takeover local
	watch2 15 "n1 n2"
	run -2 ha_hb n1 standby sideways
	[[ $output == *"'sideways' is not all, local or foreign"* ]]
	# takeover foreign on master: slave's group comes to master
	run -0 ha_hb n1 takeover foreign
	watch2 15 "n1 n1" || { ha_log n1; ha_log n2; false; }
	# takeover (all) on slave: both groups to slave, master stands by
	# for both
	run -0 ha_hb n2 takeover
	watch2 15 "n2 n2" || { ha_log n1; ha_log n2; false; }
	[ "$(cat "$(ha_dir n1)/lib/master.standby")" = "$(printf '1\n2')" ]
	# an asked standby is kept per group (LIBDIR/NODE.standby)
	run -0 ha_hb n1 takeover local
	watch2 15 "n1 n2"
	[ "$(cat "$(ha_dir n1)/lib/master.standby")" = 2 ]
}

@test "ping node: the node that cannot reach it gives its group to the peer that can, and takes it back" {
	both_up "ping 192.0.2.9"
	wait_until 10 grep -q "master reaches 1 of its 1 ping node" "$(ha_dir n1)/ha-log"
	# master's echo requests to the client are dropped: it reaches none
	nft_cut n1 ip daddr 192.0.2.9 icmp type echo-request drop
	watch2 20 "n2 n2" || { ha_log n1; ha_log n2; false; }
	grep -q "master releasing resource group 1 (slave reaches 1 ping node, master 0)" "$(ha_dir n1)/ha-log"
	# while cut off from the ping node, master takes nothing back
	ha_steady 3 n2
	nsx n1 nft delete table inet hbcut
	watch2 20 "n1 n2" || { ha_log n1; ha_log n2; false; }
}

@test "every heartbeat cut and no ping node answering: the cut-off node lets its group go, the other serves" {
	both_up "ping 192.0.2.9"
	wait_until 10 grep -q "slave reaches 1 of its 1 ping node" "$(ha_dir n2)/ha-log"
	# master hears nothing (its heartbeats dropped both ways; ARP still
	# answers, so slave's probe finds the address taken) ...
	nft_cut n1 udp dport 694 drop
	nsx n1 nft add chain inet hbcut in '{ type filter hook input priority 0; }'
	nsx n1 nft add rule inet hbcut in udp dport 694 drop
	wait_until 10 grep -q "node slave: is dead" "$(ha_dir n1)/ha-log"
	# ... then reaches no ping node: it lets the group go
	nft_cut n1 ip daddr 192.0.2.9 drop
	watch2 30 "n2 n2" || { ha_log n1; ha_log n2; false; }
	grep -q "cut off: slave is silent and no ping node answers" "$(ha_dir n1)/ha-log"
	ha_steady 3 n2
}

@test "track_interface: a second interface losing its carrier moves the group, and it comes back" {
	ns_bridge sw2
	ns_port sw2 n1 up0
	ns_port sw2 n2 up0
	both_up "track_interface up0"
	# master's up0 loses its carrier (the switch port goes down)
	ip -n "$(ns sw2)" link set p-n1 down
	watch2 20 "n2 n2" || { ha_log n1; ha_log n2; false; }
	grep -q "master lost its LAN link (no carrier for up0)" "$(ha_dir n1)/ha-log"
	ha_steady 2 n2
	ip -n "$(ns sw2)" link set p-n1 up
	watch2 25 "n1 n2" || { ha_log n1; ha_log n2; false; }
}

@test "hooks run on every transition of both nodes; respawn keeps a program running as its user, and it ends with hbnode" {
	local n d pid1 pd
	# where nobody can read the program and write its log
	pd=$(mktemp -d /tmp/hk-respawn.XXXXXX)
	echo "$pd" >"$BATS_TEST_TMPDIR/pd"
	chmod 755 "$pd"
	two_groups "respawn nobody $pd/prog"
	printf '#!/bin/sh\necho "$$ $(id -un)" >>%s/prog.log\nexec sleep 1000\n' \
	    "$pd" >"$pd/prog"
	chmod 755 "$pd/prog"
	: >"$pd/prog.log"
	chmod 666 "$pd/prog.log"
	for n in n1 n2; do
		d=$(ha_dir "$n")
		mkdir -p "$d/ha.d/hooks.d"
		printf '#!/bin/sh\necho "$HBNODE_NODE $1 $2" >>%s/hooks.log\n' "$d" \
		    >"$d/ha.d/hooks.d/10-record"
		chmod 755 "$d/ha.d/hooks.d/10-record"
	done
	ha_start n1
	ha_start n2
	watch2 20 "n1 n2" || { ha_log n1; ha_log n2; false; }
	wait_until 10 grep -qx "master master 1" "$(ha_dir n1)/hooks.log"
	wait_until 10 grep -qx "slave master 2" "$(ha_dir n2)/hooks.log"
	grep -qx "master peer-up -" "$(ha_dir n1)/hooks.log"
	# the respawned program: one a node, as nobody
	wait_until 10 eval '[ "$(grep -c " nobody$" "$pd/prog.log")" -ge 2 ]'
	pid1=$(head -n 1 "$pd/prog.log" | cut -d' ' -f1)
	kill "$pid1"
	wait_until 10 eval '[ "$(wc -l <"$pd/prog.log")" -ge 3 ]'
	# slave stops: master's hooks see the peer go and group 2 come
	ha_hb n2 stop
	watch2 20 "n1 n1"
	wait_until 10 grep -qx "master master 2" "$(ha_dir n1)/hooks.log"
	grep -qx "slave releasing 2" "$(ha_dir n2)/hooks.log"
	grep -qx "slave backup 2" "$(ha_dir n2)/hooks.log"
	grep -qx "slave stopped -" "$(ha_dir n2)/hooks.log"
	grep -qx "master taking 2" "$(ha_dir n1)/hooks.log"
	# its respawned program went with it; master's still runs
	ha_hb n1 stop
	wait_until 10 eval '! pgrep -u nobody -f "sleep 1000" >/dev/null'
}

@test "haresources lines in another order on the peer are paired by their content; a line the peer lacks is taken here" {
	two_groups
	# slave's file: the same two lines, swapped
	printf '%s\n' "slave $VIP2/24 db" "master 192.0.2.100/24 web" >"$(ha_dir n2)/ha.d/haresources"
	ha_start n1
	ha_start n2
	watch2 20 "n1 n2" || { ha_log n1; ha_log n2; false; }
	wait_until 10 grep -q "slave's haresources has this node's line 1 as its line 2: paired so" "$(ha_dir n1)/ha-log"
	ha_steady 2 n1
	ha_hb n2 stop
	watch2 20 "n1 n1" || { ha_log n1; false; }
	# slave without the database's line: master serves it though its
	# home is slave, and says why
	printf '%s\n' "master 192.0.2.100/24 web" >"$(ha_dir n2)/ha.d/haresources"
	ha_start n2
	wait_until 10 grep -q "slave's haresources has no line like this node's line 2 (home slave)" "$(ha_dir n1)/ha-log" ||
	    { ha_log n1; false; }
	ha_steady 3 n1
	ha_has n1 "$VIP2"
	run -0 ha_hb n1 status
	[[ $output == *"group 2 home=slave "*"peer=absent holder master"* ]]
}

@test "a ping node's watcher stopped (SIGSTOP) is found and started again, the node unknown meanwhile" {
	local pc
	both_up "ping 192.0.2.9"
	wait_until 10 grep -q "master reaches 1 of its 1 ping node" "$(ha_dir n1)/ha-log"
	pc=$(pgrep -f "pingcheck -f .* 192.0.2.9" | while read -r p; do
		[ "$(ip netns identify "$p" 2>/dev/null)" = "$(ns n1)" ] && echo "$p"; done | head -n 1)
	[ -n "$pc" ]
	kill -STOP "$pc"
	wait_until 10 grep -q "the watcher of ping node 192.0.2.9 .* is stopped" "$(ha_dir n1)/ha-log" ||
	    { ha_log n1; kill -CONT "$pc"; false; }
	# the new watcher says again, and the rule works on it
	wait_until 10 eval '[ "$(grep -c "master reaches 1 of its 1 ping node" "$(ha_dir n1)/ha-log")" -ge 2 ]'
	nft_cut n1 ip daddr 192.0.2.9 icmp type echo-request drop
	watch2 20 "n2 n2" || { ha_log n1; ha_log n2; false; }
}
