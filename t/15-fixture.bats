#!/usr/bin/env bats
# The test fixture itself: namespaces, veth pairs, a bridge, background
# processes and bounded waits, all gone after teardown; tunrelay, and the
# ppp and DHCP uplinks of the WAN lab.

load helpers/common
load helpers/wanlab

@test "wait_until returns as soon as the command succeeds" {
	touch "$BATS_TEST_TMPDIR/flag"
	run -0 wait_until 2 test -e "$BATS_TEST_TMPDIR/flag"
}

@test "wait_until gives up after its timeout" {
	local t0 t1
	t0=$(now_ms)
	run -1 wait_until 0.3 false
	t1=$(now_ms)
	[ $((t1 - t0)) -ge 300 ]
	[ $((t1 - t0)) -lt 3000 ]
}

@test "bg_start records a process that teardown kills" {
	bg_start sleep 30
	proc_alive "$BG_PID"
	hk_cleanup
	! proc_alive "$BG_PID"
}

@test "two namespaces joined by a veth pair exchange traffic" {
	need_netns
	ns_new a b
	ns_veth a eth0 b eth0
	ns_addr a eth0 192.0.2.1/24
	ns_addr b eth0 192.0.2.2/24
	run -0 nsx a ping -c 1 -W 2 192.0.2.2
	# and nothing of it is in the host's namespace
	! ip -o addr show | grep -q '192.0.2.1/24'
}

@test "three namespaces on a bridge reach each other" {
	need_netns
	ns_bridge sw
	ns_new n1 n2 cl
	ns_port sw n1 lan0
	ns_port sw n2 lan0
	ns_port sw cl lan0
	ns_addr n1 lan0 192.0.2.1/24
	ns_addr n2 lan0 192.0.2.2/24
	ns_addr cl lan0 192.0.2.9/24
	run -0 nsx cl ping -c 1 -W 2 192.0.2.1
	run -0 nsx cl ping -c 1 -W 2 192.0.2.2
	run -0 nsx n1 ping -c 1 -W 2 192.0.2.2
}

@test "teardown deletes the namespaces and the processes inside them" {
	need_netns
	ns_new a
	bg_start -n a sleep 30
	local pid=$BG_PID full
	full=$(ns a)
	ip netns list | grep -q "^$full"
	hk_cleanup
	! proc_alive "$pid" || false
	! ip netns list | grep -q "^$full"
}

@test "namespaces made in setup_file are seen by every test of the file" {
	need_netns
	[ -n "$(ip netns list | grep "^$(ns filewide)" || true)" ]
	run -0 nsx filewide ip -o addr show dev lo
	[[ $output == *"127.0.0.1"* ]]
}

setup_file() {
	if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1; then
		ns_new filewide
	fi
}

# tunrelay between namespaces a (ta, 192.0.2.1) and b (tb, 192.0.2.2),
# with control FIFO $CTL and stdout in $ROUT; options in "$@".
relay_up() {
	CTL=$BATS_TEST_TMPDIR/ctl
	ROUT=$BATS_TEST_TMPDIR/relay.out
	ns_new a b
	mkfifo "$CTL"
	bg_start -o "$ROUT" tunrelay -c "$CTL" "$@" "$(ns a):ta" "$(ns b):tb"
	RELAY=$BG_PID
	wait_until 3 grep -qx ready "$ROUT"
	nsx a ip addr add 192.0.2.1 peer 192.0.2.2/32 dev ta
	nsx a ip link set ta up
	nsx b ip addr add 192.0.2.2 peer 192.0.2.1/32 dev tb
	nsx b ip link set tb up
}

# The round trip of one ping from a to b, in whole ms; fails on no answer.
relay_rtt() {
	nsx a timeout 5 ping -n -c 1 -W 2 192.0.2.2 |
		sed -n 's/.* time=\([0-9]*\).*/\1/p' | grep .
}

@test "tunrelay refuses bad usage with exit 2" {
	run -2 --separate-stderr tunrelay a:x
	run -2 --separate-stderr tunrelay -d soon a:x b:y
	[[ $stderr == "tunrelay: bad delay 'soon'"* ]]
	run -2 --separate-stderr tunrelay -d 60001 a:x b:y
	run -2 --separate-stderr tunrelay -l 101 a:x b:y
	run -2 --separate-stderr tunrelay a b:y
	run -2 --separate-stderr tunrelay a:waytoolongname16 b:y
	run -0 tunrelay -h
	[[ $output == "usage: tunrelay "* ]]
}

@test "tunrelay links two namespaces with two tun devices" {
	need_netns
	relay_up
	run -0 nsx a ping -c 1 -W 2 192.0.2.2
	run -0 nsx b ip -o link show tb
	[[ $output == *POINTOPOINT* ]]
}

@test "tunrelay -d 200 holds each packet 200 ms each way" {
	need_netns
	relay_up -d 200
	local rtt
	rtt=$(relay_rtt)
	echo "rtt $rtt ms"
	[ "$rtt" -ge 400 ]
	[ "$rtt" -lt 1000 ]
}

@test "tunrelay's control FIFO: loss 100 drops everything, loss 0 and delay change it at run time" {
	need_netns
	relay_up
	run -0 nsx a ping -c 1 -W 2 192.0.2.2
	tunrelay_ctl "$CTL" "$ROUT" "loss 100"
	grep -qx 'set delay=0 loss=100' "$ROUT"
	run -1 nsx a timeout 5 ping -c 3 -i 0.2 -W 1 192.0.2.2
	tunrelay_ctl "$CTL" "$ROUT" "loss 0"
	run -0 nsx a ping -c 1 -W 2 192.0.2.2
	tunrelay_ctl "$CTL" "$ROUT" "delay 150"
	[ "$(relay_rtt)" -ge 300 ]
	run -1 tunrelay_ctl "$CTL" "$ROUT" "loss lots"
	grep -qx 'bad loss lots' "$ROUT"
}

@test "tunrelay exits 0 on SIGTERM and both devices vanish with it" {
	need_netns
	relay_up
	local st=0
	kill -TERM "$RELAY"
	wait "$RELAY" || st=$?
	[ "$st" -eq 0 ]
	grep -q '^exit fwd=' "$ROUT"
	run -1 nsx a ip link show ta
	run -1 nsx b ip link show tb
}

@test "tunrelay exits 1 when one device is deleted, taking the other along" {
	need_netns
	relay_up
	local st=0
	nsx a ip link del ta
	wait "$RELAY" || st=$?
	[ "$st" -eq 1 ]
	run -1 nsx b ip link show tb
}

# rt's route toward inet over ppp0, for packets from its ppp0 address.
ppp_route() {
	nsx rt ip route add default dev ppp0 table 100
	nsx rt ip rule add from "$WANLAB_PPP_LOCAL" lookup 100 pref 100
}

@test "wanlab_ppp_up: rt reaches inet from 203.0.113.66 over ppp0 and isp2" {
	need_netns
	wanlab_up
	wanlab_ppp_up
	run -0 nsx rt ip -4 -o addr show dev ppp0
	[[ $output == *"inet 203.0.113.66 peer 203.0.113.65/32 "* ]]
	run -0 nsx isp2 ip -4 -o addr show dev ppps0
	[[ $output == *"inet 203.0.113.65 peer 203.0.113.66/32 "* ]]
	ppp_route
	run -0 nsx rt ip route get 192.0.2.200 from 203.0.113.66
	[[ $output == *" dev ppp0 "* ]]
	run -0 nsx isp2 ip route get 203.0.113.66
	[[ $output == *" dev ppps0 "* ]]
	run -0 nsx rt ping -c 1 -W 2 -I 203.0.113.66 192.0.2.200
	# wan2 still works beside it
	run -0 nsx rt ping -c 1 -W 2 203.0.113.1
}

@test "wanlab_ppp_up LOCAL and wanlab_ppp_ctl degrade and heal the line" {
	need_netns
	wanlab_up
	wanlab_ppp_up 203.0.113.70
	nsx rt ip route add default dev ppp0 table 100
	nsx rt ip rule add from 203.0.113.70 lookup 100 pref 100
	run -0 nsx rt ping -c 1 -W 2 -I 203.0.113.70 192.0.2.200
	wanlab_ppp_ctl "loss 100"
	run -1 nsx rt timeout 5 ping -c 2 -i 0.2 -W 1 -I 203.0.113.70 192.0.2.200
	wanlab_ppp_ctl "loss 0"
	run -0 nsx rt ping -c 1 -W 2 -I 203.0.113.70 192.0.2.200
	run -1 wanlab_ppp_ctl "jitter 5"
}

@test "wanlab_ppp_down: the link drops, ppp0 and ppps0 vanish" {
	need_netns
	wanlab_up
	wanlab_ppp_up
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/wanlab/ppp.pid")
	wanlab_ppp_down
	run -1 nsx rt ip link show ppp0
	run -1 nsx isp2 ip link show ppps0
	! proc_alive "$pid" || false
	run -1 wanlab_ppp_ctl "loss 0"
	# and it comes up again
	wanlab_ppp_up
	run -0 nsx rt ip link show ppp0
}

@test "wanlab_dhcp_up: wan2 leases 203.0.113.2/29 and a default via 203.0.113.1; the host's resolv.conf is untouched" {
	need_netns
	local before after
	before=$(cksum </etc/resolv.conf)
	wanlab_up
	wanlab_dhcp_up
	after=$(cksum </etc/resolv.conf)
	[ "$before" = "$after" ]
	# the script wrote our private file instead
	[ -s "$BATS_FILE_TMPDIR/wanlab/resolv.conf" ]
	run -0 nsx rt ip -4 -o addr show dev wan2
	[[ $output == *"inet 203.0.113.2/29 "* ]]
	[[ $output != *"/30 "* ]]
	run -0 nsx rt ip -4 route show default
	[ "$output" = "default via 203.0.113.1 dev wan2 " ] ||
		[ "$output" = "default via 203.0.113.1 dev wan2" ]
	run -0 nsx isp2 ip -4 -o addr show dev cust
	[[ $output == *"inet 203.0.113.1/29 "* ]]
	[[ $output == *"inet 203.0.113.6/29 "* ]]
	[[ $output != *"/30 "* ]]
	grep -q ' 203\.0\.113\.2 ' "$BATS_FILE_TMPDIR/wanlab/dhcp.leases"
	run -0 nsx rt ping -c 1 -W 2 192.0.2.200
}

@test "wanlab_dhcp_router: at the renewal the default route moves to the new gateway" {
	need_netns
	wanlab_up
	wanlab_dhcp_up
	wanlab_dhcp_router 203.0.113.6
	run -0 nsx rt ip -4 route show default
	[[ $output == "default via 203.0.113.6 dev wan2"* ]]
	[ "${#lines[@]}" -eq 1 ]
	run -0 nsx rt ip -4 -o addr show dev wan2
	[[ $output == *"inet 203.0.113.2/29 "* ]]
	run -0 nsx rt ping -c 1 -W 2 192.0.2.200
	wanlab_dhcp_router 203.0.113.1
	run -0 nsx rt ip -4 route show default
	[[ $output == "default via 203.0.113.1 dev wan2"* ]]
}

# The static lab of wanlab_up on wan2/cust, and no DHCP process.
static_wan2() {
	run -0 nsx rt ip -4 -o addr show dev wan2
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"inet 203.0.113.2/30 "* ]]
	run -0 nsx isp2 ip -4 -o addr show dev cust
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"inet 203.0.113.1/30 "* ]]
	run -0 nsx rt ip -4 route show default
	[ -z "$output" ]
	[ -z "$(ip netns pids "$(ns rt)")" ]
	[ -z "$(ip netns pids "$(ns isp2)")" ]
}

@test "wanlab_dhcp_down: client and server gone, the static lab is back" {
	need_netns
	wanlab_up
	wanlab_dhcp_up
	wanlab_dhcp_down
	static_wan2
	run -0 nsx rt ping -c 1 -W 2 203.0.113.1
}

@test "wanlab_reset undoes the ppp link and DHCP" {
	need_netns
	wanlab_up
	wanlab_ppp_up
	wanlab_dhcp_up
	wanlab_reset
	run -1 nsx rt ip link show ppp0
	static_wan2
	# and both come up again after it
	wanlab_dhcp_up
	wanlab_ppp_up
}

@test "the lab's tunrelay, dnsmasq and udhcpc die with the scope's bg_start records; wanlab_reset then restores the lab" {
	need_netns
	wanlab_up
	wanlab_ppp_up
	wanlab_dhcp_up
	local p1 p2 p3
	p1=$(cat "$BATS_FILE_TMPDIR/wanlab/ppp.pid")
	p2=$(cat "$BATS_FILE_TMPDIR/wanlab/dnsmasq.bgpid")
	p3=$(cat "$BATS_FILE_TMPDIR/wanlab/udhcpc.pid")
	proc_alive "$p1" && proc_alive "$p2" && proc_alive "$p3"
	# hk_cleanup's first half (a failed test's teardown), namespaces kept
	local scope f pid
	scope=$(hk_scope)
	for f in "$scope"/.bg.*.pid; do
		pid=$(cat "$f")
		proc_alive "$pid" && bg_stop "$pid" TERM
		rm -f "$f"
	done
	! proc_alive "$p1" || false
	! proc_alive "$p2" || false
	! proc_alive "$p3" || false
	wanlab_reset
	run -1 nsx rt ip link show ppp0
	static_wan2
}
