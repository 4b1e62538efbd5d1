#!/usr/bin/env bats
# wanfailover: the whole failover router (setup, pingcheck per uplink,
# gwswitch, hooks) in the five-namespace lab of t/helpers/wanlab.bash,
# judged from the LAN client; and the 2005 howto's two default routes in
# the same lab, for comparison.

load helpers/common
load helpers/wanlab

setup_file() {
	if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1; then
		wanlab_up
		bg_start -n inet wantcp serve 7000
	fi
}

setup() {
	if [ "$(id -u)" -eq 0 ] && [ -s "$BATS_FILE_TMPDIR/.netns" ]; then
		wanlab_reset
		nsx rt sysctl -qw net.ipv4.ip_forward=0
	fi
	CONF=$BATS_TEST_TMPDIR/wan.conf
	HOOKS=$BATS_TEST_TMPDIR/hooks
	RUN=$BATS_TEST_TMPDIR/run
	mkdir -p "$HOOKS"
	cp "$HAKIT_SHAREDIR/hooks.d/"* "$HOOKS/"
	# A hook that records its arguments, one call a line.
	printf '#!/bin/sh\necho "$*" >>%s/calls\n' "$BATS_TEST_TMPDIR" >"$HOOKS/record"
	chmod +x "$HOOKS/record"
	write_conf
}

# write_conf [EXTRA LINES...]: the lab's configuration.
write_conf() {
	{
		echo "# the lab of t/helpers/wanlab.bash"
		echo "lan lan0 192.0.2.0/25"
		echo "uplink isp1 wan1 198.51.100.1 192.0.2.200 192.0.2.201"
		echo "uplink isp2 wan2 203.0.113.1 192.0.2.200 192.0.2.201"
		echo "interval 100ms"
		echo "down 3"
		echo "up 5"
		echo "minup 1"
		echo "hooks $HOOKS"
		echo "rundir $RUN"
		for l in "$@"; do
			echo "$l"
		done
	} >"$CONF"
}

# rtx CMD...: CMD in the router namespace, under timeout.
rtx() {
	timeout 20 ip netns exec "$(ns rt)" "$@"
}

wf_start() {
	bg_start -n rt -o "$BATS_TEST_TMPDIR/wf.out" -e "$BATS_TEST_TMPDIR/wf.err" \
		wanfailover -c "$CONF" start
	WF_PID=$BG_PID
	wait_until 10 wanlab_route_on wan1
}

# The client reaches the internet host, through the NAT of uplink $1.
client_via() {
	wanlab_client_nat "$(wanlab_wanaddr "$1")"
}

client_ok() {
	nsx cl ping -c 1 -W 1 "$WANLAB_INET1" >/dev/null 2>&1
}

# No pingcheck, gwswitch or ip monitor left in the router namespace.
rt_clean() {
	local p
	for p in $(ip netns pids "$(ns rt)"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		pingcheck|gwswitch|ip) return 1 ;;
		esac
	done
}

# The pid of a pid file ("PID STARTTIME", common.sh's hk_pid_write).
pidof_file() {
	local p s
	read -r p s <"$1"
	[ -n "$s" ] || return 1
	echo "$p"
}

called() {
	grep -qx -- "$1" "$BATS_TEST_TMPDIR/calls"
}

@test "usage: -h, -V, a bad option or no command" {
	run -0 timeout 5 wanfailover -h
	[ "${lines[0]}" = "usage: wanfailover [-c CONF] setup | start | stop | status | teardown" ]
	run -0 timeout 5 wanfailover -V
	[ "$output" = "wanfailover (hakit) 0.1" ]
	run -2 --separate-stderr timeout 5 wanfailover -@ status
	[ -z "$output" ]
	[[ $stderr == "wanfailover: unknown option '-@'"* ]]
	run -2 --separate-stderr timeout 5 wanfailover
	[[ $stderr == "wanfailover: want one command"* ]]
}

@test "the lab: each ISP drops what carries the other ISP's source address" {
	need_netns
	nsx rt ip route add default via 203.0.113.1 dev wan2
	run -0 nsx rt ping -c 1 -W 2 -I 203.0.113.2 "$WANLAB_INET1"
	run -1 nsx rt ping -c 1 -W 1 -I 198.51.100.2 "$WANLAB_INET1"
	nsx rt ip route replace default via 198.51.100.1 dev wan1
	run -0 nsx rt ping -c 1 -W 2 -I 198.51.100.2 "$WANLAB_INET1"
	run -1 nsx rt ping -c 1 -W 1 -I 203.0.113.2 "$WANLAB_INET1"
	# and the LAN's own addresses get nowhere without NAT
	nsx rt sysctl -qw net.ipv4.ip_forward=1
	run -1 nsx cl ping -c 1 -W 1 "$WANLAB_INET1"
}

@test "bad config: exit 2 with file, line and reason, and nothing changed" {
	need_netns
	local bad=$BATS_TEST_TMPDIR/bad.conf before after
	before=$(nsx rt sh -c 'ip -4 rule; ip -4 route show table all; nft list ruleset; iptables-save | grep -v "^#"; sysctl -n net.ipv4.ip_forward')
	check_bad() {
		printf '%s\n' "$@" >"$bad"
		run -2 --separate-stderr rtx wanfailover -c "$bad" setup
		[ -z "$output" ]
	}
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "interval fast"
	[ "$stderr" = "wanfailover: $bad:3: bad duration 'fast' (want e.g. 200ms, 1s)" ]
	check_bad "lan lan9 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:1: no such interface 'lan9'" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.300 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:2: bad gateway '198.51.100.300' (want a numeric IPv4 or IPv6 address, dhcp, or - for a point-to-point link)" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1"
	[ "$stderr" = "wanfailover: $bad:2: uplink isp1 has no probe target after the gateway 198.51.100.1 (a link without a gateway, such as PPP, takes '-': uplink isp1 wan1 - 198.51.100.1)" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 dhcp"
	[ "$stderr" = "wanfailover: $bad:2: want: uplink NAME IFACE GATEWAY|dhcp|- TARGET..." ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200 2001:db8::1"
	[[ $stderr == "wanfailover: $bad:2: probe target '2001:db8::1' is IPv6, the uplink IPv4"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 2001:db8::1 2001:db8::2"
	[ "$stderr" = "wanfailover: $bad:3: IPv6 uplinks need the LAN's IPv6 network: lan lan0 192.0.2.0/25 IPV6-NETWORK/LEN" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200 loss=120%"
	[[ $stderr == "wanfailover: $bad:2: bad 'loss=120%'"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200 latency=300"
	[[ $stderr == "wanfailover: $bad:2: bad 'latency=300' (want latency=FAIL[:RECOVER] with units"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200 weight=3"
	[[ $stderr == "wanfailover: $bad:2: unknown uplink option 'weight'"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200 minup=2"
	[[ $stderr == "wanfailover: $bad:2: minup 2 is more than"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 dhcp 192.0.2.200" "table main"
	[[ $stderr == "wanfailover: $bad:3: table main with a dhcp uplink"* ]]
	# what pingcheck and gwswitch would refuse is refused before setup
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "loss 20%:20%"
	[[ $stderr == "wanfailover: $bad:3: bad loss '20%:20%'"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200 latency=800ms:400ms"
	[[ $stderr == "wanfailover: $bad:2: uplink isp1: latency 800ms is not below its timeout 500ms"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "damping 15s,abc"
	[[ $stderr == "wanfailover: $bad:3: bad damping '15s,abc': bad suppress limit 'abc'"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "interval 10ms" "timeout 3s"
	[[ $stderr == "wanfailover: $bad:2: uplink isp1: timeout 3s is more than 248 intervals of 10ms"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "table 100" "probetable 100"
	[ "$stderr" = "wanfailover: $bad:3: table 100 is one of the probe tables (100 and up)" ]
	check_bad "lan wan1 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:1: the lan interface is also an uplink" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 dhcp 192.0.2.200" "natmode snat"
	[[ $stderr == "wanfailover: $bad:2: natmode snat: the address of uplink isp1 is not fixed (dhcp)"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "uplink isp1 wan2 203.0.113.1 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:3: uplink 'isp1' given twice" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "down 0"
	[[ $stderr == "wanfailover: $bad:3: bad count '0'"* ]]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "minup 2"
	[[ $stderr == "wanfailover: $bad:2: minup 2 is more than"* ]]
	check_bad "lan lan0 192.0.2.0/25" "frobnicate yes"
	[ "$stderr" = "wanfailover: $bad:2: unknown keyword 'frobnicate'" ]
	check_bad "uplink isp1 wan1 198.51.100.1 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:2: no lan line" ]
	check_bad "lan lan0 192.0.2.0/33" "uplink isp1 wan1 198.51.100.1 192.0.2.200"
	[[ $stderr == "wanfailover: $bad:1: bad LAN network"* ]]
	# what the system says of the uplink, before anything is changed
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.1 192.0.2.200" "uplink isp2 wan2 198.51.100.1 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:3: gateway 198.51.100.1 is not in a subnet of wan2 (203.0.113.2/30)" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.2 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:2: gateway 198.51.100.2 is this router's own address (on wan1)" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 192.0.2.1 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:2: gateway 192.0.2.1 is this router's own address (on lan0)" ]
	check_bad "lan lan0 192.0.2.0/25" "uplink isp1 wan1 198.51.100.3 192.0.2.200"
	[ "$stderr" = "wanfailover: $bad:2: gateway 198.51.100.3 is the broadcast address of 198.51.100.2/30 on wan1" ]
	# start checks the same before it makes its run directory
	printf '%s\n' "lan lan0 192.0.2.0/25" "uplink isp1 wan1 203.0.113.1 192.0.2.200" \
	    "rundir $BATS_TEST_TMPDIR/badrun" >"$bad"
	run -2 --separate-stderr rtx wanfailover -c "$bad" start
	[ "$stderr" = "wanfailover: $bad:2: gateway 203.0.113.1 is not in a subnet of wan1 (198.51.100.2/30)" ]
	[ ! -e "$BATS_TEST_TMPDIR/badrun" ]
	run -2 --separate-stderr rtx wanfailover -c "$BATS_TEST_TMPDIR/none.conf" status
	[[ $stderr == *"none.conf: cannot read the configuration" ]]
	run -2 --separate-stderr rtx wanfailover -c "$CONF" restart
	[[ $stderr == "wanfailover: unknown command 'restart'"* ]]
	after=$(nsx rt sh -c 'ip -4 rule; ip -4 route show table all; nft list ruleset; iptables-save | grep -v "^#"; sysctl -n net.ipv4.ip_forward')
	[ "$before" = "$after" ]
}

@test "a gateway outside the uplink's subnet but on a direct route of its own is accepted, as ip route accepts it" {
	need_netns
	nsx rt ip route add 192.0.2.77 dev wan1
	write_conf
	sed -i 's/^uplink isp1 wan1 198.51.100.1 /uplink isp1 wan1 192.0.2.77 /' "$CONF"
	run -0 --separate-stderr rtx wanfailover -c "$CONF" setup
	[[ $output == *"probe route: table 100 default via 192.0.2.77 dev wan1"* ]]
}

@test "setup turns on forwarding, NAT and probe routing, says so, and is idempotent" {
	need_netns
	run -0 --separate-stderr rtx wanfailover -c "$CONF" setup
	[[ $output == *"forwarding on (net.ipv4.ip_forward=1)"* ]]
	[[ $output == *"nat: nftables table ip hakit_wan loaded"* ]]
	[[ $output == *"probe route: table 100 default via 198.51.100.1 dev wan1"* ]]
	[[ $output == *"probe route: table 101 default via 203.0.113.1 dev wan2"* ]]
	[[ $output == *"probe rule: pref 1000 from 198.51.100.2 lookup 100"* ]]
	[[ $output == *"probe rule: pref 1001 from 203.0.113.2 lookup 101"* ]]
	[ "$(nsx rt sysctl -n net.ipv4.ip_forward)" = 1 ]
	nsx rt nft list table ip hakit_wan | grep -q 'oifname "wan2" ip saddr 192.0.2.0/25 masquerade'
	run -0 --separate-stderr rtx wanfailover -c "$CONF" setup
	[ -z "$output" ]
	# and the NAT works: through ISP2 by hand
	nsx rt ip route add default via 203.0.113.1
	wait_until 5 client_via isp2
}

@test "setup with nat iptables: the same with iptables chains, idempotent" {
	need_netns
	command -v iptables >/dev/null || skip "needs iptables"
	write_conf "nat iptables"
	run -0 --separate-stderr rtx wanfailover -c "$CONF" setup
	[[ $output == *"nat: iptables chain nat HAKIT_WAN_NAT loaded"* ]]
	[[ $output == *"nat: iptables nat POSTROUTING jumps to HAKIT_WAN_NAT"* ]]
	run -0 --separate-stderr rtx wanfailover -c "$CONF" setup
	[ -z "$output" ]
	nsx rt ip route add default via 198.51.100.1
	wait_until 5 client_via isp1
}

# What setup may change in the router namespace, as one text.
rt_snapshot() {
	nsx rt sh -c 'ip -4 rule; ip -6 rule; ip -4 route show table all;
	    ip -6 route show table all | grep -v "^local\|^multicast\|fe80::/64";
	    nft list ruleset; iptables-save | grep -v "^#"; ip6tables-save | grep -v "^#";
	    sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding'
}

@test "teardown removes what setup added, forwarding back as it was; twice is a no-op" {
	need_netns
	local before
	before=$(rt_snapshot)
	run -0 --separate-stderr rtx wanfailover -c "$CONF" setup
	[[ $output == *"forwarding on"* ]]
	run -0 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[[ $output == *"nat: nftables table ip hakit_wan deleted"* ]] || { echo "$output"; false; }
	[[ $output == *"rule: IPv4 pref 1000 from 198.51.100.2 lookup 100 deleted"* ]]
	[[ $output == *"rule: IPv4 pref 1101 from all oif wan2 lookup 101 deleted"* ]]
	[[ $output == *"probe routes: IPv4 table 100 emptied"* ]]
	[[ $output == *"net.ipv4.ip_forward=0 again, as before setup"* ]]
	[ "$(rt_snapshot)" = "$before" ] || { diff <(echo "$before") <(rt_snapshot); false; }
	run -0 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[ -z "$output" ]
	# forwarding that was on before setup stays on
	nsx rt sysctl -qw net.ipv4.ip_forward=1
	rtx wanfailover -c "$CONF" setup >/dev/null
	run -0 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[[ $output != *"ip_forward"* ]]
	[ "$(nsx rt sysctl -n net.ipv4.ip_forward)" = 1 ]
}

@test "teardown with nat iptables and a table of its own: chains, jumps and rules go" {
	need_netns
	command -v iptables >/dev/null || skip "needs iptables"
	local before t
	# iptables's own tables, which its first use makes, are there before
	# (as on any router that ever ran iptables) and not setup's doing
	for t in nat:POSTROUTING filter:FORWARD; do
		nsx rt iptables -t "${t%:*}" -A "${t#*:}" -j RETURN
		nsx rt iptables -t "${t%:*}" -D "${t#*:}" -j RETURN
	done
	before=$(rt_snapshot)
	write_conf "nat iptables" "table 200"
	rtx wanfailover -c "$CONF" setup >/dev/null
	nsx rt ip rule | grep -q "^1200:.*lookup 200"
	nsx rt ip rule | grep -q "^999:.*lookup main suppress_prefixlength 0"
	run -0 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[[ $output == *"nat: iptables chain nat HAKIT_WAN_NAT deleted"* ]] || { echo "$output"; false; }
	[[ $output == *"forward: iptables chain filter HAKIT_WAN_FWD deleted"* ]]
	[[ $output == *"rule: IPv4 pref 1200 from all lookup 200 deleted"* ]]
	[ "$(rt_snapshot)" = "$before" ] || { diff <(echo "$before") <(rt_snapshot); false; }
}

@test "teardown after the configuration changed: the tables setup recorded go too" {
	need_netns
	local before
	before=$(rt_snapshot)
	write_conf "table 200"
	rtx wanfailover -c "$CONF" setup >/dev/null
	write_conf "probetable 150"
	run -0 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[[ $output == *"rule: IPv4 pref 1200 from all lookup 200 deleted"* ]] || { echo "$output"; false; }
	[[ $output == *"rule: IPv4 pref 1000 from 198.51.100.2 lookup 100 deleted"* ]]
	[ "$(rt_snapshot)" = "$before" ] || { diff <(echo "$before") <(rt_snapshot); false; }
}

@test "teardown while start runs is refused and changes nothing" {
	need_netns
	wf_start
	local before
	before=$(rt_snapshot)
	run -1 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[ "$stderr" = "wanfailover: running (pid $WF_PID): stop it first" ]
	[ "$(rt_snapshot)" = "$before" ]
}

@test "two starts at once: one runs, the other says already running and exits 1" {
	need_netns
	local o1=$BATS_TEST_TMPDIR/s1 o2=$BATS_TEST_TMPDIR/s2 p1 p2 alive=0 p
	# ip netns exec execs wanfailover: $! is its pid (not that of a
	# function's subshell, whose end would leave the winner running)
	ip netns exec "$(ns rt)" wanfailover -c "$CONF" start >/dev/null 2>"$o1" 3>&- &
	p1=$!
	ip netns exec "$(ns rt)" wanfailover -c "$CONF" start >/dev/null 2>"$o2" 3>&- &
	p2=$!
	echo "$p1" >"$BATS_TEST_TMPDIR/.bg.7.pid"
	echo "$p2" >"$BATS_TEST_TMPDIR/.bg.8.pid"
	wait_until 10 wanlab_route_on wan1
	# the loser says so and exits at once; the winner runs on
	one_alive() {
		alive=0
		for p in "$p1" "$p2"; do
			! proc_alive "$p" || alive=$((alive + 1))
		done
		[ "$alive" -eq 1 ]
	}
	wait_until 5 one_alive || { cat "$o1" "$o2"; false; }
	grep -q "already running" "$o1" "$o2"
	WF_PID=$(pidof_file "$RUN/pid")
	proc_alive "$WF_PID"
}

@test "forwarding: nothing from an uplink with a LAN source, nothing between uplinks, the LAN only with its own sources" {
	need_netns
	local nat
	for nat in nft iptables; do
		write_conf "nat $nat"
		rtx wanfailover -c "$CONF" setup >/dev/null
		nsx rt ip route replace default via 198.51.100.1
		wait_until 5 client_ok
		# ISP1's link sends as a LAN host (to be masqueraded into a
		# mapping it can then answer through)
		nsx isp1 ip addr replace 192.0.2.77/32 dev lo
		nsx isp1 ip route replace 192.0.2.200/32 via 198.51.100.2 dev cust
		run nsx isp1 ping -c 1 -W 1 -I 192.0.2.77 192.0.2.200
		[ "$status" -ne 0 ]
		[ -z "$(nsx rt conntrack -L -s 192.0.2.77 2>/dev/null)" ]
		# a LAN host sending as someone else's address goes nowhere
		nsx cl ip addr replace 203.0.113.77/32 dev lo
		run nsx cl ping -c 1 -W 1 -I 203.0.113.77 192.0.2.200
		[ "$status" -ne 0 ]
		nsx isp1 ip addr del 192.0.2.77/32 dev lo
		nsx isp1 ip route del 192.0.2.200/32
		nsx cl ip addr del 203.0.113.77/32 dev lo
		rtx wanfailover -c "$CONF" teardown >/dev/null
		nsx rt ip route del default
	done
}

@test "a run directory another user could write in is refused, and teardown trusts only the keys setup writes" {
	need_netns
	local d=$BATS_TEST_TMPDIR/shared
	mkdir -m 777 "$d"
	write_conf
	sed -i "s|^rundir .*|rundir $d/run|" "$CONF"
	mkdir "$d/run" && chown nobody "$d/run"
	run -3 --separate-stderr rtx wanfailover -c "$CONF" setup
	[[ $stderr == *"$d/run is a link, not a directory, or another user's: refused"* ]]
	rmdir "$d/run"
	mkdir -m 777 "$d/run"
	run -3 --separate-stderr rtx wanfailover -c "$CONF" start
	[[ $stderr == *"$d/run may be written by others: refused"* ]]
	rmdir "$d/run"
	ln -s "$BATS_TEST_TMPDIR" "$d/run"
	run -3 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[[ $stderr == *"refused"* ]]
	rm "$d/run"
	# in a directory others may write in (not sticky): refused too
	run -3 --separate-stderr rtx wanfailover -c "$CONF" setup
	[[ $stderr == *"$d may be written by others: $d/run refused"* ]]
	# records with keys setup never writes are passed over
	write_conf
	mkdir -p "$RUN"
	echo 'x' >"$BATS_TEST_TMPDIR/victim"
	printf '%s\n' "../../../..$BATS_TEST_TMPDIR/victim 0" "ipv4/ip_forward x" >"$RUN/setup.sysctl"
	printf '%s\n' "probe main" "probe 254" "route 255" >"$RUN/setup.tables"
	nsx rt ip route add 192.0.2.99 dev lan0
	run -0 --separate-stderr rtx wanfailover -c "$CONF" teardown
	[ "$(cat "$BATS_TEST_TMPDIR/victim")" = x ]
	nsx rt ip route show | grep -q "^192.0.2.99 dev lan0"
}

@test "start: the route goes to the first uplink, the client gets through, status tells" {
	need_netns
	wf_start
	wait_until 10 client_via isp1
	wait_until 5 grep -qx up "$RUN/isp2.state"
	run -0 --separate-stderr rtx wanfailover -c "$CONF" status
	[ "${lines[0]}" = "wanfailover running pid=$WF_PID" ]
	# (loss: a probe of the first rounds can be lost on a loaded machine)
	[[ ${lines[1]} == "uplink isp1 state=up rtt="*" loss="*" carrier=yes default=yes iface=wan1 gateway=198.51.100.1 family=ipv4 damped=no"* ]] ||
	    { echo "$output"; false; }
	[[ ${lines[2]} == "uplink isp2 state=up rtt="*" loss="*" carrier=yes default=no iface=wan2 gateway=203.0.113.1 family=ipv4 damped=no"* ]] ||
	    { echo "$output"; false; }
	[ "${lines[3]}" = "route isp1" ]
	wait_until 5 called "switch - isp1 - - wan1 198.51.100.1"
}

@test "start while running: already running, exit 1, the running one untouched" {
	need_netns
	wf_start
	run -1 --separate-stderr rtx wanfailover -c "$CONF" start
	[ "$stderr" = "wanfailover: already running (pid $WF_PID)" ]
	proc_alive "$WF_PID"
	[ "$(pidof_file "$RUN/pid")" = "$WF_PID" ]
	wanlab_route_on wan1
}

@test "a pid file left by a crash, its pid now another process's: not ours" {
	need_netns
	mkdir -p "$RUN"
	sleep 30 3>&- &
	local other=$!
	echo "$other" >"$BATS_TEST_TMPDIR/.bg.9.pid"
	# the same number with another start time, and an old pid-only file
	echo "$other 1" >"$RUN/pid"
	run -1 --separate-stderr rtx wanfailover -c "$CONF" status
	[ "${lines[0]}" = "wanfailover stopped" ]
	echo "$other" >"$RUN/pid"
	run -0 --separate-stderr rtx wanfailover -c "$CONF" stop
	[ "$stderr" = "wanfailover: not running" ]
	proc_alive "$other"
	wf_start
	[ "$(pidof_file "$RUN/pid")" = "$WF_PID" ]
}

@test "ISP1 carrier lost: traffic moves to ISP2" {
	need_netns
	wf_start
	wait_until 10 client_via isp1
	wanlab_carrier isp1 down
	wait_until 5 wanlab_route_on wan2
	wait_until 5 client_via isp2
	wait_until 5 called "switch isp1 isp2 wan1 198.51.100.1 wan2 203.0.113.1"
	run -0 rtx wanfailover -c "$CONF" status
	[[ $output == *"uplink isp1 state="*" carrier=no default=no iface=wan1"* ]]
	[[ $output == *"uplink isp2 state=up "*" carrier=yes default=yes iface=wan2"* ]]
}

@test "ISP1 stops forwarding with its link up: traffic moves to ISP2" {
	need_netns
	wf_start
	wait_until 10 client_via isp1
	wanlab_blackhole isp1 on
	wait_until 5 wanlab_route_on wan2
	wait_until 5 client_via isp2
	run -0 rtx wanfailover -c "$CONF" status
	[[ $output == *"uplink isp1 state=down rtt=- loss=100 carrier=yes default=no"* ]]
}

@test "ISP1's gateway address gone: traffic moves to ISP2" {
	need_netns
	wf_start
	wait_until 10 client_via isp1
	wanlab_gwaddr isp1 off
	wait_until 5 wanlab_route_on wan2
	wait_until 5 client_via isp2
}

@test "the router's own port down and up: traffic moves to ISP2 and back, probe routes repaired" {
	need_netns
	wf_start
	wait_until 10 client_via isp1
	wanlab_port isp1 down
	wait_until 5 wanlab_route_on wan2
	wait_until 5 client_via isp2
	# the kernel dropped table 100's route with the port
	[ -z "$(nsx rt ip -4 route show table 100)" ]
	wanlab_port isp1 up
	wait_until 10 wanlab_route_on wan1
	wait_until 5 client_via isp1
	[ -n "$(nsx rt ip -4 route show table 100)" ]
}

@test "ISP1 back: after the up threshold the route returns, and a flapping ISP1 does not move it" {
	need_netns
	local i t0 t1
	# up 10 at 100ms: ISP1 must answer for a whole second
	write_conf "up 10"
	wf_start
	wanlab_blackhole isp1 on
	wait_until 5 wanlab_route_on wan2
	# ISP1 alternates ~100ms up / 300ms down, much faster than that
	for i in 1 2 3 4 5 6; do
		wanlab_blackhole isp1 off
		sleep 0.1
		wanlab_blackhole isp1 on
		sleep 0.3
		wanlab_route_on wan2
	done
	wanlab_blackhole isp1 off
	t0=$(now_ms)
	wait_until 5 wanlab_route_on wan1
	t1=$(now_ms)
	# not before about a second
	[ $((t1 - t0)) -ge 800 ]
	[ "$(grep -c ' switch ' "$RUN/events")" -eq 3 ]
	wait_until 5 client_via isp1
}

@test "both down: all-down, the route is kept; the one that returns is used" {
	need_netns
	wf_start
	wanlab_blackhole isp1 on
	wait_until 5 wanlab_route_on wan2
	wanlab_blackhole isp2 on
	wait_until 5 called "all-down isp2 wan2 203.0.113.1"
	wanlab_route_on wan2
	grep -q " all-down kept=isp2\$" "$RUN/events"
	run -0 rtx wanfailover -c "$CONF" status
	[[ $output == *"route isp2"* ]]
	wanlab_blackhole isp1 off
	wait_until 5 wanlab_route_on wan1
	wait_until 5 client_via isp1
}

@test "a TCP connection through ISP1's NAT is reset and re-established via ISP2 (MASQUERADE, hooks)" {
	need_netns
	local out=$BATS_TEST_TMPDIR/tcp.out
	wf_start
	bg_start -n cl -o "$out" wantcp client "$WANLAB_INET1" 7000 30
	wait_until 10 grep -qx "connected 198.51.100.2" "$out"
	wanlab_blackhole isp1 on
	wait_until 10 grep -qx "connected 203.0.113.2" "$out"
	run -0 cat "$out"
	[ "${lines[0]}" = "connected 198.51.100.2" ]
	[ "${lines[1]}" = "reset" ]
	[ "${lines[2]}" = "connected 203.0.113.2" ]
	grep -q "conntrack-flush: isp1 (wan1): [1-9][0-9]* entries of 198.51.100.2 deleted" "$BATS_TEST_TMPDIR/wf.err"
}

@test "with MASQUERADE the kernel itself resets that connection, hook or not" {
	need_netns
	local out=$BATS_TEST_TMPDIR/tcp.out
	rm "$HOOKS/conntrack-flush"
	wf_start
	bg_start -n cl -o "$out" wantcp client "$WANLAB_INET1" 7000 30
	wait_until 10 grep -qx "connected 198.51.100.2" "$out"
	wanlab_blackhole isp1 on
	wait_until 10 grep -qx "connected 203.0.113.2" "$out"
	run -0 cat "$out"
	[ "${lines[1]}" = "reset" ]
}

@test "with SNAT the conntrack hook resets the connection and it re-establishes via ISP2" {
	need_netns
	local out=$BATS_TEST_TMPDIR/tcp.out
	write_conf "natmode snat"
	wf_start
	nsx rt nft list table ip hakit_wan | grep -q 'snat to 198.51.100.2'
	bg_start -n cl -o "$out" wantcp client "$WANLAB_INET1" 7000 30
	wait_until 10 grep -qx "connected 198.51.100.2" "$out"
	wanlab_blackhole isp1 on
	wait_until 10 grep -qx "connected 203.0.113.2" "$out"
	run -0 cat "$out"
	[ "${lines[1]}" = "reset" ]
	grep -q "conntrack-flush: isp1 (wan1): [1-9][0-9]* entries of 198.51.100.2 deleted" "$BATS_TEST_TMPDIR/wf.err"
}

@test "with SNAT and without the conntrack hook that connection hangs" {
	need_netns
	local out=$BATS_TEST_TMPDIR/tcp.out
	write_conf "natmode snat"
	rm "$HOOKS/conntrack-flush"
	wf_start
	bg_start -n cl -o "$out" wantcp client "$WANLAB_INET1" 7000 30
	wait_until 10 grep -qx "connected 198.51.100.2" "$out"
	wanlab_blackhole isp1 on
	wait_until 15 grep -qx "stalled" "$out"
	! grep -q reset "$out"
}

@test "a pingcheck that dies: its uplink counts as down, and it is restarted" {
	need_netns
	wf_start
	wait_until 5 test -s "$RUN/isp1.pid"
	local old
	old=$(pidof_file "$RUN/isp1.pid")
	kill -KILL "$old"
	wait_until 5 wanlab_route_on wan2
	grep -q "isp1: pingcheck ended (status 137); the uplink counts as down" "$BATS_TEST_TMPDIR/wf.err"
	wait_until 10 wanlab_route_on wan1
	[ "$(pidof_file "$RUN/isp1.pid")" != "$old" ]
}

@test "gwswitch that dies: wanfailover stops everything and exits 3" {
	need_netns
	wf_start
	kill -KILL "$(pidof_file "$RUN/gwswitch.pid")"
	wait_until 5 eval '! proc_alive "$WF_PID"'
	local st=0
	wait "$WF_PID" || st=$?
	[ "$st" -eq 3 ]
	grep -q "gwswitch ended unexpectedly" "$BATS_TEST_TMPDIR/wf.err"
	wait_until 5 rt_clean
	wanlab_route_on wan1
}

@test "a helper that ends (the event reader's ip monitor): everything stops, exit 3, said" {
	need_netns
	wf_start
	wait_until 5 test -s "$RUN/monitor.pid"
	kill -KILL "$(pidof_file "$RUN/monitor.pid")"
	wait_until 5 eval '! proc_alive "$WF_PID"'
	run wait "$WF_PID"
	[ "$status" -eq 3 ]
	grep -q "a helper (pid [0-9]*) ended unexpectedly; everything stopped" "$BATS_TEST_TMPDIR/wf.err"
	wait_until 5 rt_clean
}

@test "a hook that reads its standard input takes nothing from the events" {
	need_netns
	printf '#!/bin/sh\nread -r l || :\necho "read: $l" >>%s/hookin\n' "$BATS_TEST_TMPDIR" >"$HOOKS/a-reader"
	chmod +x "$HOOKS/a-reader"
	wf_start
	wanlab_carrier isp1 down
	wait_until 5 wanlab_route_on wan2
	wait_until 5 called "switch isp1 isp2 wan1 198.51.100.1 wan2 203.0.113.1"
	wanlab_carrier isp1 up
	wait_until 10 wanlab_route_on wan1
	wait_until 5 called "switch isp2 isp1 wan2 203.0.113.1 wan1 198.51.100.1"
	[ "$(sort -u "$BATS_TEST_TMPDIR/hookin")" = "read: " ]
}

@test "stop ends it all and leaves the route; status then says stopped" {
	need_netns
	wf_start
	run --separate-stderr rtx wanfailover -c "$CONF" stop
	[ "$status" -eq 0 ] || { echo "stop: $status $output $stderr"; false; }
	wait_until 5 eval '! proc_alive "$WF_PID"'
	wait_until 5 rt_clean
	wanlab_route_on wan1
	# what stays: the events of the run, nothing else (no FIFO, no
	# stopping flag, no pid files); and no shell job message
	[ "$(cd "$RUN" && echo *)" = "events lock setup.sysctl setup.tables" ] || { ls -l "$RUN"; false; }
	grep -q ' switch - isp1 why=' "$RUN/events"
	# the run from its start to its end
	[ "$(head -n 1 "$RUN/events" | cut -d' ' -f2-3)" = "start: pid" ]
	[ "$(tail -n 1 "$RUN/events" | cut -d' ' -f2-)" = "stopped (exit 0)" ]
	! grep -i 'terminated\|killed' "$BATS_TEST_TMPDIR/wf.out" "$BATS_TEST_TMPDIR/wf.err" || false
	# every line of its log with the time (a night's log read after)
	[ -s "$BATS_TEST_TMPDIR/wf.err" ]
	! grep -Ev '^(wanfailover: )?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} ' "$BATS_TEST_TMPDIR/wf.err" || false
	run -1 rtx wanfailover -c "$CONF" status
	[ "${lines[0]}" = "wanfailover stopped" ]
	[ "${lines[3]}" = "route isp1" ]
	run -0 --separate-stderr rtx wanfailover -c "$CONF" stop
	[ "$stderr" = "wanfailover: not running" ]
	# the next start keeps this run's record as events.1
	cp "$RUN/events" "$BATS_TEST_TMPDIR/events.first"
	wf_start
	wait_until 5 test -s "$RUN/events.1"
	run -0 rtx wanfailover -c "$CONF" stop
	cmp "$RUN/events.1" "$BATS_TEST_TMPDIR/events.first"
}

@test "a storm of route events elsewhere: no repair storm, stop is prompt" {
	need_netns
	wf_start
	local i t0
	for i in $(seq 1 1000); do
		echo "route add 10.77.$((i / 250)).$((i % 250))/32 dev lo table 77"
		echo "route del 10.77.$((i / 250)).$((i % 250))/32 dev lo table 77"
	done >"$BATS_TEST_TMPDIR/storm"
	nsx rt ip -batch "$BATS_TEST_TMPDIR/storm"
	# and a burst on an uplink's own interface: one repair for it all
	for i in $(seq 1 50); do
		echo "route add 10.78.0.$i/32 dev wan2"
		echo "route del 10.78.0.$i/32 dev wan2"
	done >"$BATS_TEST_TMPDIR/burst"
	nsx rt ip -batch "$BATS_TEST_TMPDIR/burst"
	t0=$(now_ms)
	run -0 rtx wanfailover -c "$CONF" stop
	[ $(($(now_ms) - t0)) -lt 3000 ]
	wait_until 5 rt_clean
}

@test "wanfailover SIGKILLed: its probers, gwswitch and helpers do not run on" {
	need_netns
	wf_start
	kill -KILL "$(pidof_file "$RUN/pid")"
	wait_until 10 rt_clean
	wf_gone() {
		local p
		for p in $(ip netns pids "$(ns rt)"); do
			! grep -q wanfailover "/proc/$p/cmdline" 2>/dev/null || return 1
		done
	}
	wait_until 10 wf_gone
	wanlab_route_on wan1
}

# The 2005 howto: forwarding, MASQUERADE on both uplinks, and two default
# routes added with route(8) in its order (ISP1 first, then ISP2).
howto_setup() {
	write_conf "nat iptables"
	rtx wanfailover -c "$CONF" setup >/dev/null
	if command -v route >/dev/null; then
		nsx rt route add default gw 198.51.100.1
		nsx rt route add default gw 203.0.113.1
	else
		# route(8)'s SIOCADDRT inserts ahead of an equal route: prepend.
		nsx rt ip route prepend default via 198.51.100.1
		nsx rt ip route prepend default via 203.0.113.1
	fi
}

@test "howto: the route add order makes ISP2 the primary" {
	need_netns
	howto_setup
	wait_until 5 client_via isp2
	[ "$(wanlab_route_dev)" = wan2 ]
}

@test "howto: survives the router's own port going down" {
	need_netns
	howto_setup
	wait_until 5 client_via isp2
	wanlab_port isp2 down
	wait_until 5 client_via isp1
}

@test "howto: does not survive carrier loss at the ISP side (6 s)" {
	need_netns
	howto_setup
	wait_until 5 client_via isp2
	wanlab_carrier isp2 down
	run -1 wait_until 6 client_ok
}

@test "howto: does not survive an ISP that stops forwarding (6 s)" {
	need_netns
	howto_setup
	wait_until 5 client_via isp2
	wanlab_blackhole isp2 on
	run -1 wait_until 6 client_ok
}

@test "howto: does not survive a dead gateway (6 s)" {
	need_netns
	howto_setup
	wait_until 5 client_via isp2
	wanlab_gwaddr isp2 off
	run -1 wait_until 6 client_ok
}

@test "howto with net.ipv4.conf.all.ignore_routes_with_linkdown=1: survives carrier loss, not the rest" {
	need_netns
	howto_setup
	nsx rt sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1
	wait_until 5 client_via isp2
	wanlab_carrier isp2 down
	wait_until 5 client_via isp1
	wanlab_carrier isp2 up
	wait_until 5 client_via isp2
	wanlab_blackhole isp2 on
	run -1 wait_until 3 client_ok
}
