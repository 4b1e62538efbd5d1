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
#                               nftables and conntrack emptied; the ppp
#                               link and DHCP below undone when up
#   wanlab_gw ISP               print the ISP's gateway address
#   wanlab_wanaddr ISP          print the router's address toward ISP
#   wanlab_route_dev [TABLE]    the interface of rt's IPv4 default route
#   wanlab_route_on DEV [TABLE] that route leaves through DEV
#   wanlab_client_nat ADDR      the client's fresh ping to 192.0.2.200
#                               leaves rt NATed to ADDR
#
# Two more kinds of uplink, on top of the static lab (they need bg_start
# and wait_until from helpers/common; each waits, bounded, until done):
#
#   wanlab_ppp_up [LOCAL]       a point-to-point link rt ppp0 <-> isp2
#                               ppps0 (t/helpers/tunrelay: no ppp in the
#                               kernel): ppp0 LOCAL (203.0.113.66) peer
#                               203.0.113.65, ppps0 the other way round;
#                               isp2 routes LOCAL back over it (strict
#                               rp_filter), inet reaches it via isp2
#   wanlab_ppp_ctl LINE         "delay MS" or "loss PCT" on that line,
#                               both ways, from the next packet on
#   wanlab_ppp_down             the link drops: ppp0 and ppps0 vanish
#   wanlab_dhcp_up              wan2 by DHCP: isp2's cust becomes
#                               203.0.113.1/29 and 203.0.113.6/29, dnsmasq
#                               there leases 203.0.113.2 with router .1,
#                               busybox udhcpc in rt with Debian's
#                               default.script (its resolv.conf a private
#                               file) sets 203.0.113.2/29 and "default via
#                               203.0.113.1 dev wan2" in rt's main table
#   wanlab_dhcp_router GW       the server now says router GW and the
#                               client renews: the default route moves
#   wanlab_dhcp_down            client and server stopped, DHCP's default
#                               route gone, the /30s of wanlab_up back
#   tunrelay_ctl FIFO OUT LINE  a control line to any tunrelay (-c FIFO,
#                               stdout in OUT); 0 once it answered "set"

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
	_wanlab_ppp_stop || true
	_wanlab_dhcp_stop || true
	for isp in isp1 isp2; do
		wanlab_carrier "$isp" up
		wanlab_port "$isp" up
		wanlab_blackhole "$isp" off
		wanlab_gwaddr "$isp" on
		nsx "$isp" nft flush ruleset 2>/dev/null || true
	done
	# a test may have taken the router's own addresses away
	nsx rt ip addr replace 198.51.100.2/30 dev wan1
	nsx rt ip addr replace 203.0.113.2/30 dev wan2
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

# wanlab_route_dev [TABLE]: the interface of the router's IPv4 default
# route in TABLE (main).
wanlab_route_dev() {
	nsx rt ip -4 route show table "${1:-main}" default 2>/dev/null |
	    sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}

# wanlab_route_on DEV [TABLE]: that route leaves through DEV.
wanlab_route_on() {
	[ "$(wanlab_route_dev "${2:-main}")" = "$1" ]
}

# wanlab_client_nat ADDR: the client's fresh ping to the internet host
# leaves NATed to ADDR (the router's conntrack entry says so).
wanlab_client_nat() {
	nsx rt conntrack -D -p icmp -s 192.0.2.10 >/dev/null 2>&1 || true
	nsx cl ping -c 1 -W 1 "$WANLAB_INET1" >/dev/null 2>&1 || return 1
	nsx rt conntrack -L -p icmp -s 192.0.2.10 -d "$WANLAB_INET1" 2>/dev/null |
	    grep -q "dst=$1 "
}

# --- A point-to-point uplink (tunrelay) and DHCP on wan2 -----------------
#
# Their records (pids, the relay's FIFO and output, the lease file) are
# kept in $BATS_FILE_TMPDIR/wanlab, as the lab lives for the whole file;
# their processes are started with bg_start, so the current scope's
# cleanup (hk_cleanup) stops them even after a failure, and they run
# inside the lab's namespaces, which ns_cleanup empties too.

WANLAB_PPP_LOCAL=203.0.113.66
WANLAB_PPP_PEER=203.0.113.65

_wanlab_dir() {
	[ -n "${BATS_FILE_TMPDIR:-}" ] || return 1
	mkdir -p -- "$BATS_FILE_TMPDIR/wanlab" &&
		printf '%s\n' "$BATS_FILE_TMPDIR/wanlab"
}

# 0 while PID runs (not a zombie) as the program COMM; needs nothing from
# common.bash (wanlab_reset runs in t/bench too).
_wanlab_runs() {
	local c st
	[ -n "$1" ] || return 1
	c=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
	[ "$c" = "$2" ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) ||
		return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Stops the process whose pid FILE holds, if it still runs as COMM (a
# pid since reused by another program is left alone): TERM, 3 s, KILL.
# Removes FILE.
_wanlab_stop() {
	local f=$1 comm=$2 pid i
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	rm -f -- "$f"
	if _wanlab_runs "$pid" "$comm"; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 60); do
			_wanlab_runs "$pid" "$comm" || break
			sleep 0.05
		done
		if _wanlab_runs "$pid" "$comm"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	# Reap it when it is our child; for any other pid this fails at once.
	[ -z "$pid" ] || wait "$pid" 2>/dev/null || true
}

# Waits (2 s at most) until OUT, a tunrelay's stdout, holds more than N
# answers to control lines.
_tunrelay_answers() {
	local n
	n=$(grep -c -e '^set ' -e '^bad ' "$1" 2>/dev/null) || true
	[ "${n:-0}" -gt "$2" ]
}

tunrelay_ctl() {
	local fifo=$1 out=$2 line=$3 n last
	n=$(grep -c -e '^set ' -e '^bad ' "$out" 2>/dev/null) || true
	n=${n:-0}
	# The relay holds the FIFO open: the write does not wait on a reader
	# unless the relay is gone, and timeout bounds that case.
	# shellcheck disable=SC2016
	timeout 2 sh -c 'printf "%s\n" "$1" >"$2"' sh "$line" "$fifo" ||
		return 1
	wait_until 2 _tunrelay_answers "$out" "$n" || return 1
	last=$(grep -e '^set ' -e '^bad ' "$out" | sed -n "$((n + 1))p")
	case $last in
	set\ *) return 0 ;;
	*) echo "tunrelay_ctl: '$line': $last" >&2; return 1 ;;
	esac
}

wanlab_ppp_up() {
	local loc=${1:-$WANLAB_PPP_LOCAL} peer=$WANLAB_PPP_PEER d
	d=$(_wanlab_dir) || return 1
	_wanlab_ppp_stop || return 1
	rm -f -- "$d/ppp.ctl" "$d/ppp.out" "$d/ppp.err"
	mkfifo -- "$d/ppp.ctl" || return 1
	bg_start -o "$d/ppp.out" -e "$d/ppp.err" \
		tunrelay -c "$d/ppp.ctl" "$(ns rt):ppp0" "$(ns isp2):ppps0"
	echo "$BG_PID" >"$d/ppp.pid"
	if ! wait_until 3 grep -qx ready "$d/ppp.out"; then
		cat -- "$d/ppp.err" >&2
		return 1
	fi
	# Strict like cust: the peer route makes ppps0 the way back to LOCAL.
	nsx isp2 sysctl -qw net.ipv4.conf.ppps0.rp_filter=1 &&
		nsx isp2 ip addr add "$peer" peer "$loc/32" dev ppps0 &&
		nsx isp2 ip link set ppps0 up &&
		nsx rt ip addr add "$loc" peer "$peer/32" dev ppp0 &&
		nsx rt ip link set ppp0 up
}

wanlab_ppp_ctl() {
	local d
	d=$(_wanlab_dir) || return 1
	if ! _wanlab_runs "$(cat "$d/ppp.pid" 2>/dev/null)" tunrelay; then
		echo "wanlab_ppp_ctl: the ppp link is not up" >&2
		return 1
	fi
	tunrelay_ctl "$d/ppp.ctl" "$d/ppp.out" "$1"
}

# Stops the relay if one runs and waits (2 s at most) until ppp0 is gone
# from rt; a ppp0 with no relay of ours is deleted.
_wanlab_ppp_stop() {
	local d i
	if [ -n "${BATS_FILE_TMPDIR:-}" ]; then
		d=$BATS_FILE_TMPDIR/wanlab
		_wanlab_stop "$d/ppp.pid" tunrelay
		rm -f -- "$d/ppp.ctl"
	fi
	for i in $(seq 1 40); do
		nsx rt ip link show ppp0 >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	nsx rt ip link del ppp0 2>/dev/null || true
	! nsx rt ip link show ppp0 >/dev/null 2>&1
}

wanlab_ppp_down() {
	_wanlab_ppp_stop
}

# 0 when rt's wan2 holds the leased 203.0.113.2/29 and the main table's
# default route is via GW on wan2.
_wanlab_dhcp_has() {
	nsx rt ip -4 -o addr show dev wan2 | grep -q ' inet 203\.0\.113\.2/29 ' &&
		nsx rt ip -4 route show table main default |
		grep -q "^default via $1 dev wan2"
}

_wanlab_dhcpd_listens() {
	nsx isp2 ss -Hlun 'sport = :67' | grep -q .
}

# Starts the DHCP server in isp2, handing out router GW, and waits (3 s
# at most) until it listens.
_wanlab_dnsmasq() {
	local d=$1 gw=$2
	bg_start -n isp2 -o "$d/dnsmasq.out" -e "$d/dnsmasq.err" \
		dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--user=root --log-facility=- --no-resolv --no-hosts --port=0 \
		--interface=cust --bind-interfaces --no-ping \
		--dhcp-authoritative \
		--dhcp-range=203.0.113.2,203.0.113.2,255.255.255.248,1h \
		--dhcp-option=option:router,"$gw" \
		--dhcp-leasefile="$d/dhcp.leases" --pid-file="$d/dnsmasq.pid"
	echo "$BG_PID" >"$d/dnsmasq.bgpid"
	if ! wait_until 3 _wanlab_dhcpd_listens; then
		cat -- "$d/dnsmasq.err" >&2
		return 1
	fi
}

wanlab_dhcp_up() {
	local d
	d=$(_wanlab_dir) || return 1
	_wanlab_dhcp_stop || return 1
	: >"$d/dhcp.on"
	rm -f -- "$d/dhcp.leases"
	: >"$d/resolv.conf"
	: >"$d/noresolvconf"
	nsx rt ip -4 addr del 203.0.113.2/30 dev wan2 2>/dev/null || true
	nsx isp2 ip -4 addr del 203.0.113.1/30 dev cust 2>/dev/null || true
	nsx isp2 ip addr add 203.0.113.1/29 dev cust &&
		nsx isp2 ip addr add 203.0.113.6/29 dev cust || return 1
	_wanlab_dnsmasq "$d" 203.0.113.1 || return 1
	# Debian's script writes /etc/resolv.conf (or calls resolvconf when
	# installed): both are covered by files of ours in a mount namespace
	# of udhcpc's own, so the host's stay as they are.
	# shellcheck disable=SC2016
	bg_start -n rt -o "$d/udhcpc.out" -e "$d/udhcpc.err" \
		unshare -m sh -c '
		mount --bind "$1" /etc/resolv.conf || exit 3
		if [ -e /sbin/resolvconf ]; then
			mount --bind "$2" /sbin/resolvconf || exit 3
		fi
		exec udhcpc -f -i wan2 -s /etc/udhcpc/default.script \
			-t 10 -T 1 -A 1' sh "$d/resolv.conf" "$d/noresolvconf"
	echo "$BG_PID" >"$d/udhcpc.pid"
	if ! wait_until 5 _wanlab_dhcp_has 203.0.113.1; then
		cat -- "$d/udhcpc.err" "$d/dnsmasq.err" >&2
		return 1
	fi
}

wanlab_dhcp_router() {
	local gw=$1 d pid
	d=$(_wanlab_dir) || return 1
	pid=$(cat "$d/udhcpc.pid" 2>/dev/null) || true
	if ! _wanlab_runs "$pid" udhcpc; then
		echo "wanlab_dhcp_router: DHCP is not up" >&2
		return 1
	fi
	_wanlab_stop "$d/dnsmasq.bgpid" dnsmasq
	_wanlab_dnsmasq "$d" "$gw" || return 1
	kill -USR1 "$pid" || return 1
	if ! wait_until 5 _wanlab_dhcp_has "$gw"; then
		cat -- "$d/udhcpc.err" "$d/dnsmasq.err" >&2
		return 1
	fi
}

# Stops client and server and gives wan2 and cust their /30 back, if
# wanlab_dhcp_up ran (even if it failed half-way); harmless when the lab
# is static already.
_wanlab_dhcp_stop() {
	local d
	[ -n "${BATS_FILE_TMPDIR:-}" ] || return 0
	d=$BATS_FILE_TMPDIR/wanlab
	[ -e "$d/dhcp.on" ] || return 0
	_wanlab_stop "$d/udhcpc.pid" udhcpc
	_wanlab_stop "$d/dnsmasq.bgpid" dnsmasq
	nsx rt ip -4 route flush exact 0.0.0.0/0 dev wan2 2>/dev/null || true
	nsx rt ip -4 addr flush dev wan2 2>/dev/null || true
	nsx isp2 ip -4 addr del 203.0.113.1/29 dev cust 2>/dev/null || true
	nsx isp2 ip -4 addr del 203.0.113.6/29 dev cust 2>/dev/null || true
	rm -f -- "$d/dhcp.on"
	nsx rt ip addr replace 203.0.113.2/30 dev wan2 &&
		nsx isp2 ip addr replace 203.0.113.1/30 dev cust
}

wanlab_dhcp_down() {
	local d
	d=$(_wanlab_dir) || return 1
	[ -e "$d/dhcp.on" ] || : >"$d/dhcp.on"
	_wanlab_dhcp_stop
}
