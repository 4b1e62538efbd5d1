# t/helpers/wanlab.bash - a two-ISP failover lab in five namespaces, for
# t/50-gwswitch.bats, t/70-wanfailover.bats and t/bench/wanfailover.sh.
# Load it after helpers/common (it uses ns, nsx, ns_new, ns_veth, ns_addr).
#
#       cl ---- rt ===wan1=== isp1 ---- inet
#    192.0.2.10  \===wan2=== isp2 ----/  192.0.2.200, 192.0.2.201 (lo)
#
#   cl    LAN client: eth0 192.0.2.10/25, default via 192.0.2.1
#   rt    the router: lan0 192.0.2.1/25, wan1 198.51.100.2/30 (gateway
#         198.51.100.1), wan2 203.0.113.2/30 (gateway 203.0.113.1); no
#         default route, no forwarding, no NAT: that is the test's job
#   isp1  cust 198.51.100.1/30 toward rt, up0 198.51.100.129/30 toward
#         inet, default via inet; forwards; strict reverse-path filter,
#         so a packet from rt whose source is not ISP1's is dropped
#   isp2  the same with 203.0.113.0/30 and 203.0.113.128/30
#   inet  the "internet": knows 198.51.100.0/25 via isp1 and
#         203.0.113.0/25 via isp2, nothing about the LAN (so only NATed
#         traffic gets answers); hosts 192.0.2.200 and .201 on lo
#
#   wanlab_up                   build it (in setup_file: it lives until
#                               teardown_file)
#   wanlab_carrier ISP up|down  the ISP's own end of the uplink: the
#                               router sees its carrier go and come
#   wanlab_blackhole ISP on|off the ISP stops forwarding (link stays up)
#   wanlab_gwaddr ISP on|off    the ISP's gateway address is there / gone
#   wanlab_port ISP up|down     the router's own port (admin state)
#   wanlab_reset                everything healthy again, no default
#                               route on rt, rt's extra tables, rules,
#                               nftables and conntrack emptied
#   wanlab_gw ISP               print the ISP's gateway address
#   wanlab_wanaddr ISP          print the router's address toward ISP

WANLAB_INET1=192.0.2.200
WANLAB_INET2=192.0.2.201

wanlab_gw() {
	case $1 in
	isp1) echo 198.51.100.1 ;;
	isp2) echo 203.0.113.1 ;;
	*) return 1 ;;
	esac
}

wanlab_wanaddr() {
	case $1 in
	isp1) echo 198.51.100.2 ;;
	isp2) echo 203.0.113.2 ;;
	*) return 1 ;;
	esac
}

wanlab_up() {
	ns_new cl rt isp1 isp2 inet || return 1
	ns_veth cl eth0 rt lan0 || return 1
	ns_veth rt wan1 isp1 cust || return 1
	ns_veth rt wan2 isp2 cust || return 1
	ns_veth isp1 up0 inet isp1 || return 1
	ns_veth isp2 up0 inet isp2 || return 1
	ns_addr cl eth0 192.0.2.10/25 &&
		nsx cl ip route add default via 192.0.2.1 || return 1
	ns_addr rt lan0 192.0.2.1/25 &&
		ns_addr rt wan1 198.51.100.2/30 &&
		ns_addr rt wan2 203.0.113.2/30 || return 1
	ns_addr isp1 cust 198.51.100.1/30 &&
		ns_addr isp1 up0 198.51.100.129/30 &&
		nsx isp1 ip route add default via 198.51.100.130 || return 1
	ns_addr isp2 cust 203.0.113.1/30 &&
		ns_addr isp2 up0 203.0.113.129/30 &&
		nsx isp2 ip route add default via 203.0.113.130 || return 1
	ns_addr inet isp1 198.51.100.130/30 &&
		ns_addr inet isp2 203.0.113.130/30 &&
		ns_addr inet lo "$WANLAB_INET1/32" &&
		ns_addr inet lo "$WANLAB_INET2/32" || return 1
	nsx inet ip route add 198.51.100.0/25 via 198.51.100.129 &&
		nsx inet ip route add 203.0.113.0/25 via 203.0.113.129 || return 1
	local isp
	for isp in isp1 isp2; do
		# Namespace sysctls: the host's own are never touched.
		nsx "$isp" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=1 \
			net.ipv4.conf.default.rp_filter=1 \
			net.ipv4.conf.cust.rp_filter=1 || return 1
	done
}

wanlab_carrier() {
	nsx "$1" ip link set cust "$2"
}

wanlab_blackhole() {
	local via
	case $1 in
	isp1) via=198.51.100.130 ;;
	isp2) via=203.0.113.130 ;;
	esac
	if [ "$2" = on ]; then
		nsx "$1" ip route replace blackhole default
	else
		nsx "$1" ip route replace default via "$via"
	fi
}

wanlab_gwaddr() {
	local a
	a=$(wanlab_gw "$1")/30
	if [ "$2" = on ]; then
		nsx "$1" ip addr replace "$a" dev cust
	else
		nsx "$1" ip addr del "$a" dev cust 2>/dev/null || true
	fi
}

wanlab_port() {
	local ifname=wan1
	[ "$1" = isp2 ] && ifname=wan2
	nsx rt ip link set "$ifname" "$2"
}

wanlab_reset() {
	local isp i
	for isp in isp1 isp2; do
		wanlab_carrier "$isp" up
		wanlab_port "$isp" up
		wanlab_blackhole "$isp" off
		wanlab_gwaddr "$isp" on
		nsx "$isp" nft flush ruleset 2>/dev/null || true
	done
	for i in 1 2 3 4; do
		nsx rt ip route del default 2>/dev/null || break
	done
	for i in 1 2 3 4; do
		nsx rt ip -6 route del default 2>/dev/null || break
	done
	nsx rt ip -6 addr flush dev wan1 scope global
	nsx rt ip -6 addr flush dev wan2 scope global
	nsx rt ip route flush table 100 2>/dev/null || true
	nsx rt ip route flush table 101 2>/dev/null || true
	nsx rt ip route flush table 102 2>/dev/null || true
	nsx rt ip rule flush 2>/dev/null || true
	nsx rt ip rule add from all lookup main pref 32766
	nsx rt ip rule add from all lookup default pref 32767
	nsx rt sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=0
	nsx rt nft flush ruleset 2>/dev/null || true
	nsx rt iptables -t nat -F 2>/dev/null || true
	nsx rt iptables -F 2>/dev/null || true
	nsx rt conntrack -F 2>/dev/null || true
}

# The interface of the router's current default route (main table).
wanlab_route_dev() {
	nsx rt ip -4 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}
