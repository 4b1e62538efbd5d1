#!/usr/bin/env bats
# wanfailover on the uplinks people really have, in the lab of
# t/helpers/wanlab.bash: a PPP link (a tunrelay point-to-point link: the
# kernel here has no PPP) that is missing at start, drops and returns
# with a new address; a gateway from DHCP (dnsmasq serving, busybox
# udhcpc with Debian's own script as the client) that changes at a
# renewal; degraded uplinks (nft random drop, the relay's delay); a
# flapping ISP (damping); IPv6 uplinks with NAT66.  Judged from the LAN
# client and from the router's routes.

load helpers/common
load helpers/wanlab

setup_file() {
	if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1; then
		wanlab_up
	fi
}

setup() {
	if [ "$(id -u)" -eq 0 ] && [ -s "$BATS_FILE_TMPDIR/.netns" ]; then
		wanlab_reset
		nsx rt sysctl -qw net.ipv4.ip_forward=0
		v6_reset
	fi
	CONF=$BATS_TEST_TMPDIR/wan.conf
	RUN=$BATS_TEST_TMPDIR/run
	HOOKS=$BATS_TEST_TMPDIR/hooks
	mkdir -p "$HOOKS"
	printf '#!/bin/sh\necho "$*" >>%s/calls\n' "$BATS_TEST_TMPDIR" >"$HOOKS/record"
	chmod +x "$HOOKS/record"
}

teardown() {
	if [ -n "${WF_PID:-}" ]; then
		bg_stop "$WF_PID"
	fi
}

# conf LINE...: the lab's settings, then the lines given (the uplinks).
conf() {
	{
		echo "lan lan0 192.0.2.0/25"
		printf '%s\n' "$@"
		echo "interval 100ms"
		echo "hooks $HOOKS"
		echo "rundir $RUN"
	} >"$CONF"
}

T=192.0.2.200
T2=192.0.2.201

wf_start() {
	bg_start -n rt -o "$BATS_TEST_TMPDIR/wf.out" -e "$BATS_TEST_TMPDIR/wf.err" \
		wanfailover -c "$CONF" start
	WF_PID=$BG_PID
}

status_has() {
	nsx rt wanfailover -c "$CONF" status | grep -q -- "$1"
}

logged() {
	grep -q -- "$1" "$RUN/events"
}

@test "a PPP uplink missing at start: the router starts on the other, and takes ppp0 when it appears" {
	need_netns
	conf "uplink dsl ppp0 - $T $T2" "uplink isp1 wan1 198.51.100.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on wan1
	grep -q "uplink dsl: no interface ppp0 yet" "$BATS_TEST_TMPDIR/wf.err"
	wait_until 5 status_has "uplink dsl state=down .* carrier=none"
	wanlab_ppp_up
	wait_until 10 wanlab_route_on ppp0
	# a device route: no gateway on a point-to-point link
	nsx rt ip -4 route show default | grep -q "^default dev ppp0"
	wait_until 5 wanlab_client_nat 203.0.113.66
	status_has "uplink dsl state=up .*default=yes iface=ppp0 gateway=-"
	logged " switch isp1 dsl why="
}

@test "an uplink without its address at start (no carrier, no lease): the router starts, and takes it when the address comes" {
	need_netns
	nsx rt ip addr del 198.51.100.2/30 dev wan1
	conf "uplink isp1 wan1 198.51.100.1 $T $T2" "uplink isp2 wan2 203.0.113.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on wan2 || { cat "$BATS_TEST_TMPDIR/wf.err"; nsx rt ip rule; nsx rt ip route show table all | grep -v local; false; }
	grep -q "uplink isp1: wan1 has no IPv4 address yet" "$BATS_TEST_TMPDIR/wf.err"
	nsx rt ip addr add 198.51.100.2/30 dev wan1
	wait_until 10 wanlab_route_on wan1
	wait_until 5 wanlab_client_nat 198.51.100.2
}

@test "PPP drops and comes back with a new address: probes, rules and NAT follow it" {
	need_netns
	wanlab_ppp_up
	conf "uplink dsl ppp0 - $T $T2" "uplink isp1 wan1 198.51.100.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on ppp0 || { cat "$BATS_TEST_TMPDIR/wf.err"; nsx rt ip rule; nsx rt ip route show table all | grep -v local; false; }
	wait_until 5 wanlab_client_nat 203.0.113.66
	wanlab_ppp_down
	wait_until 5 wanlab_route_on wan1
	wait_until 5 wanlab_client_nat 198.51.100.2
	sleep 2
	wanlab_ppp_up 203.0.113.67
	# the same prober follows the new ppp0 and its address (no restart)
	wait_until 10 wanlab_route_on ppp0
	wait_until 5 wanlab_client_nat 203.0.113.67
	nsx rt ip -4 rule show pref 1000 | grep -q "from 203.0.113.67 lookup 100"
	! grep -q "pingcheck ended" "$BATS_TEST_TMPDIR/wf.err" || false
	logged "dsl: down why="
}

@test "a gateway from DHCP: learned from the client's route, followed at a renewal" {
	need_netns
	command -v udhcpc >/dev/null || skip "needs udhcpc (Debian: udhcpc)"
	command -v dnsmasq >/dev/null || skip "needs dnsmasq (Debian: dnsmasq-base)"
	wanlab_dhcp_up
	conf "uplink isp2 wan2 dhcp $T $T2" "uplink isp1 wan1 198.51.100.1 $T $T2"
	wf_start
	# the route that moves is in table 200 (the client writes main's)
	wait_until 10 wanlab_route_on wan2 200
	nsx rt ip -4 route show table 200 default | grep -q "via 203.0.113.1 dev wan2"
	wait_until 5 wanlab_client_nat 203.0.113.2
	status_has "uplink isp2 state=up .*default=yes iface=wan2 gateway=203.0.113.1"
	wanlab_dhcp_router 203.0.113.6
	wait_until 5 eval 'nsx rt ip -4 route show table 200 default | grep -q "via 203.0.113.6 dev wan2"'
	wait_until 5 eval 'nsx rt ip -4 route show table 100 default | grep -q "via 203.0.113.6 dev wan2"'
	# the old gateway gone (.6 stays: promoted, not deleted with it):
	# the traffic goes through the new one
	nsx isp2 sysctl -qw net.ipv4.conf.cust.promote_secondaries=1
	nsx isp2 ip addr del 203.0.113.1/29 dev cust
	wait_until 5 wanlab_client_nat 203.0.113.2
	wanlab_route_on wan2 200
	logged " gateway isp2 203.0.113.6"
	# the route followed its gateway: not a switch, no hook run for it
	[ "$(grep -c '^switch ' "$BATS_TEST_TMPDIR/calls")" -eq 1 ] || { cat "$BATS_TEST_TMPDIR/calls"; false; }
	wanlab_dhcp_down
}

@test "degraded by loss: an uplink losing a third of its probes gives the route to a clean one, and gets it back when healed" {
	need_netns
	conf "uplink isp1 wan1 198.51.100.1 $T $T2" "uplink isp2 wan2 203.0.113.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on wan1
	nsx isp1 nft -f - <<-'EOF'
	table inet hkloss {
		chain hkfwd {
			type filter hook forward priority 0; policy accept;
			numgen random mod 100 < 20 drop
		}
	}
	EOF
	# 20% each way: a probe or its reply lost 36% of the time
	wait_until 10 wanlab_route_on wan2
	wait_until 5 logged "isp1: degraded why=loss"
	logged " switch isp1 isp2 why=degraded"
	nsx isp1 nft delete table inet hkloss
	wait_until 15 wanlab_route_on wan1
	# recovered; or, when the loss took both targets' replies three
	# rounds running (rare: a probe is lost with 36% each way), down,
	# then up again by its rounds
	logged "isp1: up why="
}

@test "degraded by latency: +400 ms on the point-to-point uplink gives the route to the other" {
	need_netns
	wanlab_ppp_up
	conf "uplink dsl ppp0 - $T $T2" "uplink isp1 wan1 198.51.100.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on ppp0
	# 200 ms each way
	wanlab_ppp_ctl "delay 200"
	wait_until 10 wanlab_route_on wan1
	status_has "uplink dsl state=degraded .*why=latency"
	wanlab_ppp_ctl "delay 0"
	wait_until 15 wanlab_route_on ppp0
}

# drop_to ISP ADDR: the ISP forwards nothing to ADDR (table inet hkone).
drop_to() {
	nsx "$1" nft -f - <<-EOF
	table inet hkone {
		chain hkfwd {
			type filter hook forward priority 0; policy accept;
			ip daddr $2 drop
		}
	}
	EOF
}

@test "per-uplink reliability: minup=2 on one uplink, the global 1 on the other" {
	need_netns
	conf "uplink isp1 wan1 198.51.100.1 $T $T2 minup=2" "uplink isp2 wan2 203.0.113.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on wan1
	# one of the two targets stops answering through ISP1 only
	drop_to isp1 "$T2"
	wait_until 10 wanlab_route_on wan2
	status_has "uplink isp1 state=down"
	# on ISP2 one target of two is enough
	nsx isp1 nft delete table inet hkone
	drop_to isp2 "$T2"
	wait_until 10 wanlab_route_on wan1
	sleep 1
	status_has "uplink isp2 state=up"
	nsx isp2 nft delete table inet hkone
}

@test "flap damping: an ISP off 0.6 s and on 1.2 s for 12 s moves the route at most 3 times" {
	need_netns
	conf "uplink isp1 wan1 198.51.100.1 $T $T2" "uplink isp2 wan2 203.0.113.1 $T $T2"
	wf_start
	wait_until 10 wanlab_route_on wan1
	local i n
	for i in 1 2 3 4 5 6 7; do
		wanlab_carrier isp1 down
		sleep 0.6
		wanlab_carrier isp1 up
		sleep 1.2
	done
	wanlab_route_on wan2
	status_has "uplink isp1 .*damped=yes"
	# after the start: away, back, away; then it stays off
	n=$(grep -c ' switch ' "$RUN/events")
	[ "$n" -le 4 ] || { cat "$RUN/events"; false; }
	logged " damp isp1 "
}

@test "damping releases the uplink once its penalty has decayed" {
	need_netns
	conf "uplink isp1 wan1 198.51.100.1 $T $T2" "uplink isp2 wan2 203.0.113.1 $T $T2" \
	    "damping 3s,1500,750,20s"
	wf_start
	wait_until 10 wanlab_route_on wan1
	local i
	for i in 1 2 3; do
		wanlab_carrier isp1 down
		sleep 0.3
		wanlab_carrier isp1 up
		# back on the route (5 good rounds) before the next flap
		wait_until 5 wanlab_route_on wan1 || break
		sleep 0.2
	done
	wait_until 5 logged " damp isp1 "
	wait_until 15 wanlab_route_on wan1
	logged " undamp isp1"
}

# --- IPv6 ---------------------------------------------------------------
#
# The lab gets IPv6 on top: cl 2001:db8:100::10/64 (router ::1 on lan0),
# wan1 2001:db8:1::2/64 (gateway isp1 ::1), wan2 2001:db8:2::2/64
# (gateway isp2 ::1), isp links to inet 2001:db8:11::/64, :12::/64, the
# target 2001:db8:ffff::200 on inet's lo.  Each ISP forwards only what
# comes from its own prefix (strict rp_filter has no IPv6 twin: an nft
# rule does it), so the LAN's prefix gets nowhere without NAT66.

v6_reset() {
	local n
	for n in cl rt isp1 isp2 inet; do
		nsx "$n" ip -6 route flush proto static 2>/dev/null || true
	done
	nsx rt sysctl -qw net.ipv6.conf.all.forwarding=0
}

v6_up() {
	# replace, not add: a test before may have left them
	v6_addr cl eth0 2001:db8:100::10/64
	nsx cl ip -6 route replace default via 2001:db8:100::1
	v6_addr rt lan0 2001:db8:100::1/64
	v6_addr rt wan1 2001:db8:1::2/64
	v6_addr rt wan2 2001:db8:2::2/64
	v6_addr isp1 cust 2001:db8:1::1/64
	v6_addr isp2 cust 2001:db8:2::1/64
	v6_addr isp1 up0 2001:db8:11::1/64
	v6_addr isp2 up0 2001:db8:12::1/64
	v6_addr inet isp1 2001:db8:11::2/64
	v6_addr inet isp2 2001:db8:12::2/64
	v6_addr inet lo 2001:db8:ffff::200/128
	nsx isp1 ip -6 route replace default via 2001:db8:11::2
	nsx isp2 ip -6 route replace default via 2001:db8:12::2
	nsx inet ip -6 route replace 2001:db8:1::/64 via 2001:db8:11::1
	nsx inet ip -6 route replace 2001:db8:2::/64 via 2001:db8:12::1
	local i
	for i in 1 2; do
		nsx "isp$i" sysctl -qw net.ipv6.conf.all.forwarding=1
		nsx "isp$i" nft delete table ip6 hkown 2>/dev/null || true
		nsx "isp$i" nft -f - <<-EOF
		table ip6 hkown {
			chain hkfwd {
				type filter hook forward priority 0; policy accept;
				iifname "cust" ip6 saddr != 2001:db8:$i::/64 drop
			}
		}
		EOF
	done
}

v6_addr() {
	nsx "$1" ip -6 addr replace "$3" dev "$2" nodad
}

v6_down() {
	local i
	for i in 1 2; do
		nsx "isp$i" nft delete table ip6 hkown 2>/dev/null || true
	done
}

route6_dev() {
	nsx rt ip -6 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}

route6_on() {
	[ "$(route6_dev)" = "$1" ]
}

client6_ok() {
	nsx cl ping -6 -c 1 -W 1 2001:db8:ffff::200 >/dev/null 2>&1
}

@test "IPv6 uplinks: the IPv6 default route follows its own probes, the LAN masqueraded (NAT66)" {
	need_netns
	v6_up
	conf "uplink isp1 wan1 198.51.100.1 $T" "uplink isp2 wan2 203.0.113.1 $T" \
	    "uplink isp1v6 wan1 2001:db8:1::1 2001:db8:ffff::200" \
	    "uplink isp2v6 wan2 2001:db8:2::1 2001:db8:ffff::200" "nat6 masquerade"
	sed -i 's|^lan lan0 192.0.2.0/25$|lan lan0 192.0.2.0/25 2001:db8:100::/64|' "$CONF"
	# the shipped conntrack-flush: an IPv6 switch cuts IPv6 mappings only
	cp "$HAKIT_SHAREDIR/hooks.d/conntrack-flush" "$HOOKS/"
	wf_start
	wait_until 10 wanlab_route_on wan1
	wait_until 10 route6_on wan1
	wait_until 5 client6_ok
	wait_until 5 wanlab_client_nat 198.51.100.2
	# ISP1 stops forwarding IPv6 only: only the IPv6 route moves
	nsx isp1 ip -6 route replace blackhole default
	wait_until 10 route6_on wan2
	wait_until 5 grep -q "switch isp1v6 isp2v6" "$BATS_TEST_TMPDIR/calls"
	wait_until 5 grep -q "conntrack-flush: isp1v6 (wan1): .* of 2001:db8:1::2 deleted" "$BATS_TEST_TMPDIR/wf.err"
	! grep -q "conntrack-flush: isp1v6 (wan1): .* of 198.51.100.2 deleted" "$BATS_TEST_TMPDIR/wf.err" || false
	nsx rt conntrack -L -f ipv4 -p icmp -s 192.0.2.10 2>/dev/null | grep -q "dst=198.51.100.2 "
	wait_until 5 client6_ok
	wanlab_route_on wan1
	status_has "route6 isp2v6"
	status_has "uplink isp1v6 state=down .*family=ipv6"
	nsx isp1 ip -6 route replace default via 2001:db8:11::2
	wait_until 10 route6_on wan1
	# a second address on the uplink (SLAAC from another prefix): a
	# probe rule for each, and the uplink stays up
	v6_addr rt wan1 2001:db8:bad::2/64
	wait_until 5 eval '[ "$(nsx rt ip -6 rule show pref 1002 | grep -c "lookup 102")" -eq 2 ]'
	sleep 1
	route6_on wan1
	status_has "uplink isp1v6 state=up"
	nsx rt ip -6 addr del 2001:db8:bad::2/64 dev wan1
	v6_down
}

# As it is installed: make install into a prefix, a clean environment
# (no HAKIT_*), the default (shipped) hooks directory; and the systemd
# unit as an administrator copies it, read by systemd-analyze.
@test "installed tree, clean environment, the shipped hooks and unit: the router fails over and the hook runs" {
	need_netns
	local pre=$BATS_TEST_TMPDIR/usr
	run -0 make -s -C "$HK_TOP" O="$HAKIT_BINDIR" install PREFIX="$pre"
	# the shipped hooks directory (the default), with a recording hook
	cp "$HOOKS/record" "$pre/share/hakit/hooks.d/zz-record"
	conf "uplink dsl ppp0 - $T $T2" "uplink isp1 wan1 198.51.100.1 $T $T2" \
	    "uplink isp2 wan2 203.0.113.1 $T $T2"
	sed -i '/^hooks /d' "$CONF"
	bg_start -n rt -o "$BATS_TEST_TMPDIR/wf.out" -e "$BATS_TEST_TMPDIR/wf.err" \
		env -i PATH="$pre/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
		"$pre/sbin/wanfailover" -c "$CONF" start
	WF_PID=$BG_PID
	wait_until 10 wanlab_route_on wan1
	wanlab_carrier isp1 down
	wait_until 5 wanlab_route_on wan2
	wait_until 5 grep -qx "switch isp1 isp2 wan1 198.51.100.1 wan2 203.0.113.1" "$BATS_TEST_TMPDIR/calls"
	grep -q "conntrack-flush: isp1 (wan1)" "$BATS_TEST_TMPDIR/wf.err"
	run -0 env -i PATH="$pre/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
	    ip netns exec "$(ns rt)" "$pre/sbin/wanfailover" -c "$CONF" status
	[[ $output == *"uplink dsl state=down"*"carrier=none"* ]] || { echo "$output"; false; }
	[[ $output == *"route isp2"* ]]
	if command -v systemd-analyze >/dev/null 2>&1; then
		sed "s|/usr/local/sbin/|$pre/sbin/|" "$HK_TOP/examples/systemd/wanfailover.service" \
			>"$BATS_TEST_TMPDIR/wanfailover.service"
		run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/wanfailover.service"
		[[ $output != *wanfailover.service:* ]] || { echo "$output"; false; }
	fi
}

@test "an IPv6 uplink's gateway from router advertisements (dhcp): learned from main's proto ra route, followed when it changes" {
	need_netns
	v6_up
	v6_addr isp2 cust fe80::6/64
	v6_addr isp2 cust fe80::7/64
	# what the kernel installs from a router advertisement
	nsx rt ip -6 route add default via fe80::6 dev wan2 proto ra metric 1024
	conf "uplink isp1 wan1 198.51.100.1 $T" \
	    "uplink isp2v6 wan2 dhcp 2001:db8:ffff::200" \
	    "uplink isp1v6 wan1 2001:db8:1::1 2001:db8:ffff::200" "nat6 masquerade"
	sed -i 's|^lan lan0 192.0.2.0/25$|lan lan0 192.0.2.0/25 2001:db8:100::/64|' "$CONF"
	wf_start
	wait_until 10 eval 'nsx rt ip -6 route show table 200 default 2>/dev/null | grep -q "via fe80::6 dev wan2"'
	wait_until 5 client6_ok
	# a router taking them must keep taking them while forwarding
	[ "$(nsx rt sysctl -n net.ipv6.conf.wan2.accept_ra)" = 2 ]
	status_has "uplink isp2v6 state=up .*default=yes iface=wan2 gateway=fe80::6 family=ipv6"
	# the first router's route expires; another router advertises
	nsx rt ip -6 route del default via fe80::6 dev wan2 proto ra metric 1024
	nsx rt ip -6 route add default via fe80::7 dev wan2 proto ra metric 1024
	wait_until 5 eval 'nsx rt ip -6 route show table 200 default 2>/dev/null | grep -q "via fe80::7 dev wan2"'
	wait_until 5 eval 'nsx rt ip -6 route show table 101 default 2>/dev/null | grep -q "via fe80::7 dev wan2"'
	wait_until 5 client6_ok
	run -0 nsx rt wanfailover -c "$CONF" stop
	WF_PID=
	# teardown puts accept_ra back as it was
	run -0 --separate-stderr nsx rt wanfailover -c "$CONF" teardown
	[[ $output == *"net.ipv6.conf.wan2.accept_ra=1 again, as before setup"* ]] || { echo "$output"; false; }
	v6_down
}
