#!/usr/bin/env bats
# gwswitch: the default route follows the health lines and the carrier,
# replaced in one request, in the router namespace of t/helpers/wanlab.bash.

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
	fi
}

teardown() {
	exec 5>&- 2>/dev/null || true
	hk_cleanup
}

UP1=isp1=198.51.100.1@wan1
UP2=isp2=203.0.113.1@wan2

# gw_start [-N NS] ARGS...: gwswitch in rt (or NS) reading a fifo that
# fd 5 writes to.
gw_start() {
	local d=$BATS_TEST_TMPDIR n=rt
	if [ "$1" = -N ]; then
		n=$2
		shift 2
	fi
	mkfifo "$d/in"
	bg_start -n "$n" -o "$d/out" -e "$d/err" \
		sh -c 'exec gwswitch "$@" <"$0"' "$d/in" "$@"
	GW_PID=$BG_PID
	exec 5>"$d/in"
}

feed() {
	printf '%s\n' "$@" >&5
}

out_has() {
	grep -qx -- "$1" "$BATS_TEST_TMPDIR/out"
}

# gw_sync: returns once gwswitch has read every line fed so far.
gw_sync() {
	GW_SYNC=$((${GW_SYNC:-0} + 1))
	feed "sync$GW_SYNC up"
	wait_until 5 grep -q "unknown uplink .sync$GW_SYNC." "$BATS_TEST_TMPDIR/err"
}

# rtx CMD...: CMD in the router namespace, under timeout.
rtx() {
	timeout 5 ip netns exec "$(ns rt)" "$@"
}

gw_gone() {
	! proc_alive "$GW_PID"
}

route_on() {
	[ "$(wanlab_route_dev)" = "$1" ]
}

@test "usage errors exit 2 and say what is wrong" {
	run -2 --separate-stderr timeout 5 gwswitch
	[[ $stderr == "gwswitch: no uplink given"* ]]
	run -2 --separate-stderr timeout 5 gwswitch isp1
	[[ $stderr == *"want NAME=GATEWAY@IFACE"* ]]
	run -2 --separate-stderr timeout 5 gwswitch a=127.0.0.2@lo a=127.0.0.3@lo
	[[ $stderr == *"given twice"* ]]
	run -2 --separate-stderr timeout 5 gwswitch a=127.0.0.2@lo b=::1@lo
	[[ $stderr == *"same family"* ]]
	run -2 --separate-stderr timeout 5 gwswitch 'a b=127.0.0.2@lo'
	[[ $stderr == *"bad uplink name"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -m -1 a=127.0.0.2@lo
	[[ $stderr == *"bad metric"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -t local a=127.0.0.2@lo
	[[ $stderr == *"bad table"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -t 255 a=127.0.0.2@lo
	run -2 --separate-stderr timeout 5 gwswitch -u 0 a=127.0.0.2@lo
	[ -z "$output" ]
}

@test "a bad gateway exits 2 before anything is read or changed" {
	run -2 --separate-stderr timeout 5 gwswitch a=198.51.100.300@lo
	[[ $stderr == *"bad gateway"* ]]
	run -2 --separate-stderr timeout 5 gwswitch a=gw.example@lo
	[[ $stderr == *"bad gateway"* ]]
}

@test "the new uplink forms and -D: malformed ones exit 2 and say what is wrong" {
	run -2 --separate-stderr timeout 5 gwswitch a=dhcp
	[[ $stderr == *"want NAME=GATEWAY@IFACE, NAME=@IFACE or NAME=dhcp@IFACE"* ]]
	run -2 --separate-stderr timeout 5 gwswitch a=@
	[[ $stderr == *"bad interface in 'a=@'"* ]]
	run -2 --separate-stderr timeout 5 gwswitch a=dhcp6@lo
	[[ $stderr == *"bad gateway"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -6 a=127.0.0.2@lo
	[[ $stderr == *"same family"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -D x a=@lo
	[[ $stderr == *"bad half-life 'x'"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -D 15s,1500,1500 a=@lo
	[[ $stderr == *"must be under the suppress limit"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -D 15s,1500,750,1s a=@lo
	[[ $stderr == *"never reaches the suppress limit"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -D 15s,,750 a=@lo
	[[ $stderr == *"want HALFLIFE[,SUPPRESS,REUSE,MAX]"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -C -1 a a=@lo
	[[ $stderr == *"-1 and -C do not go together"* ]]
	[ -z "$output" ]
}

@test "an interface that is not there yet is not an error: the uplink is down until it appears" {
	run -0 --separate-stderr timeout 5 gwswitch -n a=127.0.0.2@nosuch0 </dev/null
	[ "$stderr" = "gwswitch: a: no interface nosuch0 yet; down until it appears
gwswitch: no uplink is up; the default route stays as it is" ]
	[ "$output" = "all-down kept=-" ]
}

@test "a gateway off the interface's subnets exits 2 and leaves the table alone" {
	need_netns
	nsx rt ip route add default via 203.0.113.1 dev wan2
	run -2 --separate-stderr rtx gwswitch isp1=203.0.113.1@wan1 "$UP2"
	[ "$stderr" = "gwswitch: uplink 'isp1': gateway 203.0.113.1 is not on a subnet of wan1" ]
	route_on wan2
}

@test "the first uplink that is up gets the default route, once the ones before it have spoken" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp2 up"
	gw_sync
	# isp1 has not been heard of: no move yet, so no double move at start
	[ -z "$(wanlab_route_dev)" ]
	feed "isp1 down"
	wait_until 5 route_on wan2
	feed "isp1 up"
	wait_until 5 route_on wan1
	wait_until 5 out_has "route isp1 198.51.100.1 wan1"
	run -0 cat "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = "switch - isp2 why=start" ]
	[ "${lines[1]}" = "route isp2 203.0.113.1 wan2" ]
	[ "${lines[2]}" = "switch isp2 isp1 why=better" ]
	[ "${lines[3]}" = "route isp1 198.51.100.1 wan1" ]
}

@test "an uplink without carrier at start is not waited for" {
	need_netns
	wanlab_carrier isp1 down
	gw_start "$UP1" "$UP2"
	feed "isp2 up"
	wait_until 5 route_on wan2
}

@test "a down line moves the route to the next uplink, an up line brings it back" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	feed "isp1 down"
	wait_until 5 route_on wan2
	wait_until 5 out_has "switch isp1 isp2 why=down"
	feed "isp1 up"
	wait_until 5 out_has "switch isp2 isp1 why=better"
	route_on wan1
}

@test "the route is replaced in one request: no moment without a default route" {
	need_netns
	local mon=$BATS_TEST_TMPDIR/monitor i
	bg_start -n rt -o "$mon" ip -4 monitor route
	# no flap damping: isp1 comes back every time
	gw_start -D 0 "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	for i in 1 2 3; do
		feed "isp1 down"
		wait_until 5 route_on wan2
		feed "isp1 up"
		wait_until 5 route_on wan1
	done
	# ip monitor may lag behind on a loaded machine: wait for its lines
	wait_until 5 eval '[ "$(grep -c "^default" "$mon")" -ge 7 ]'
	[ "$(grep -c '^default' "$mon")" -ge 7 ]
	! grep -q '^Deleted default' "$mon" || false
}

@test "at start the existing route is kept until health says otherwise" {
	need_netns
	nsx rt ip route add default via 203.0.113.1 dev wan2
	gw_start "$UP1" "$UP2"
	feed "isp2 up" "isp2 up"
	gw_sync
	# isp1 has not spoken: nothing changes
	route_on wan2
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	feed "isp1 up"
	wait_until 5 route_on wan1
}

@test "the route's holder keeps it before any health line, and gwswitch says nothing" {
	need_netns
	nsx rt ip route add default via 198.51.100.1 dev wan1
	gw_start "$UP1" "$UP2"
	feed "isp2 up"
	feed "isp2 up"
	exec 5>&-
	wait_until 5 gw_gone
	route_on wan1
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
}

@test "carrier loss moves the route at once, without any health line" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	wanlab_carrier isp1 down
	wait_until 5 route_on wan2
	wait_until 5 out_has "switch isp1 isp2 why=carrier"
	grep -q "isp1: carrier lost on wan1" "$BATS_TEST_TMPDIR/err"
}

@test "after carrier returns the uplink needs fresh health: an up line" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	wanlab_carrier isp1 down
	wait_until 5 route_on wan2
	wanlab_carrier isp1 up
	wait_until 5 grep -q "carrier back" "$BATS_TEST_TMPDIR/err"
	feed "isp2 up"
	gw_sync
	route_on wan2
	feed "isp1 up"
	wait_until 5 route_on wan1
}

@test "after carrier returns, -u good pingcheck rounds bring the uplink back" {
	need_netns
	local i
	gw_start -u 3 "$UP1" "$UP2"
	feed "isp1 state up" "isp2 state up"
	wait_until 5 route_on wan1
	wanlab_carrier isp1 down
	wait_until 5 route_on wan2
	wanlab_carrier isp1 up
	wait_until 5 grep -q "carrier back" "$BATS_TEST_TMPDIR/err"
	feed "isp1 1732550000100 up alive=2/2 loss=0 rtt=0.3"
	feed "isp1 1732550000200 down alive=0/2 loss=100 rtt=-"
	feed "isp1 1732550000300 up alive=2/2 loss=0 rtt=0.3"
	feed "isp1 1732550000400 up alive=2/2 loss=0 rtt=0.3"
	feed "isp2 up"
	gw_sync
	route_on wan2
	feed "isp1 1732550000500 up alive=2/2 loss=0 rtt=0.3"
	wait_until 5 route_on wan1
}

@test "pingcheck round lines do not switch, its state lines do" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 state up" "isp2 state up"
	wait_until 5 route_on wan1
	feed "isp1 1732550000123 down alive=0/2 loss=100 rtt=-"
	feed "isp1 1732550000223 down alive=0/2 loss=100 rtt=-"
	feed "isp2 up"
	gw_sync
	route_on wan1
	feed "isp1 state down"
	wait_until 5 route_on wan2
}

@test "both down: all-down once, the route is kept; one returns and is used" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	feed "isp1 down"
	wait_until 5 route_on wan2
	feed "isp2 down" "isp2 down"
	wait_until 5 out_has "all-down kept=isp2"
	route_on wan2
	grep -q "no uplink is up" "$BATS_TEST_TMPDIR/err"
	feed "isp1 up"
	wait_until 5 route_on wan1
	[ "$(grep -c all-down "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	run -0 tail -n 2 "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = "switch isp2 isp1 why=down" ]
}

@test "SIGTERM leaves the route as it is and exits 0" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up"
	wait_until 5 route_on wan1
	kill -TERM "$GW_PID"
	local st=0
	wait "$GW_PID" || st=$?
	[ "$st" -eq 0 ]
	route_on wan1
}

@test "-n prints what it would do and changes nothing" {
	need_netns
	nsx rt ip route add default via 203.0.113.1 dev wan2
	gw_start -n "$UP1" "$UP2"
	feed "isp1 up"
	wait_until 5 out_has "switch isp2 isp1 why=start"
	out_has "route isp1 198.51.100.1 wan1"
	route_on wan2
}

@test "-1 NAME sets the route once and exits" {
	need_netns
	run -0 --separate-stderr rtx gwswitch -1 isp2 "$UP1" "$UP2"
	[ "$output" = "switch - isp2 why=asked
route isp2 203.0.113.1 wan2" ]
	route_on wan2
	run -0 --separate-stderr rtx gwswitch -n -1 isp1 "$UP1" "$UP2"
	[ "${lines[0]}" = "switch isp2 isp1 why=asked" ]
	route_on wan2
	run -0 rtx gwswitch -1 isp2 "$UP1" "$UP2"
	[ -z "$output" ]
	run -2 --separate-stderr rtx gwswitch -1 isp3 "$UP1" "$UP2"
	[[ $stderr == *"no such uplink"* ]]
}

@test "-t and -m put the route in that table with that metric, main untouched" {
	need_netns
	run -0 rtx gwswitch -t 100 -m 50 -1 isp1 "$UP1" "$UP2"
	run -0 nsx rt ip -4 route show table 100
	[ "${output% }" = "default via 198.51.100.1 dev wan1 proto static metric 50" ]
	[ -z "$(nsx rt ip -4 route show default)" ]
	run -0 rtx gwswitch -t 100 -m 50 -1 isp2 "$UP1" "$UP2"
	run -0 nsx rt ip -4 route show table 100
	[ "${output% }" = "default via 203.0.113.1 dev wan2 proto static metric 50" ]
}

@test "a netlink refusal exits 3 with the kernel's message, table unchanged" {
	need_netns
	nsx rt ip route add default via 203.0.113.1 dev wan2
	wanlab_port isp1 down
	run -3 --separate-stderr rtx gwswitch -1 isp1 "$UP1" "$UP2"
	[[ $stderr == "gwswitch: isp1: the kernel refused the route via wan1: "* ]]
	# the kernel's own words (extended ack), after strerror
	[[ $stderr == *"Network is unreachable: Nexthop has invalid gateway" ]]
	[ -z "$output" ]
	route_on wan2
}

@test "garbled, overlong and unknown input is ignored; good lines still work" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp2 up" "isp1 down" "" "isp9 up" "isp1 sideways" "isp1" "isp1 up up up"
	printf 'isp1 \001\002\377 up\n' >&5
	head -c 3000 /dev/zero | tr '\0' x >&5
	printf '\nisp1 1234 maybe\n' >&5
	wait_until 5 route_on wan2
	feed "isp1 up"
	wait_until 5 route_on wan1
	proc_alive "$GW_PID"
	grep -q "unknown uplink 'isp9'" "$BATS_TEST_TMPDIR/err"
	grep -q "longer than" "$BATS_TEST_TMPDIR/err"
	grep -q "not a health line" "$BATS_TEST_TMPDIR/err"
}

@test "end of input: exits 0 and leaves the route" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up"
	wait_until 5 route_on wan1
	exec 5>&-
	wait_until 5 gw_gone
	local st=0
	wait "$GW_PID" || st=$?
	[ "$st" -eq 0 ]
	route_on wan1
}

@test "IPv6 uplinks: the default route is replaced the same way, link-local gateways too" {
	need_netns
	ns_addr rt wan1 2001:db8:1::2/64
	ns_addr rt wan2 2001:db8:2::2/64
	gw_start isp1=2001:db8:1::1@wan1 isp2=fe80::1@wan2
	feed "isp1 down" "isp2 up"
	wait_until 5 out_has "route isp2 fe80::1 wan2"
	wait_until 5 eval 'nsx rt ip -6 route show default | grep -q "via fe80::1 dev wan2"'
	feed "isp1 up"
	wait_until 5 eval 'nsx rt ip -6 route show default | grep -q "via 2001:db8:1::1 dev wan1"'
	[ "$(nsx rt ip -6 route show default | wc -l)" -eq 1 ]
	run -2 --separate-stderr rtx gwswitch isp1=2001:db8:9::1@wan1
	[[ $stderr == *"not on a subnet of wan1" ]]
}

@test "IPv6 without -m: the route the kernel gives metric 1024 is ours, set once" {
	need_netns
	ns_addr rt wan1 2001:db8:1::2/64
	gw_start isp1=2001:db8:1::1@wan1
	feed "isp1 up"
	wait_until 5 out_has "route isp1 2001:db8:1::1 wan1"
	gw_sync
	gw_sync
	run -0 grep -c "^switch" "$BATS_TEST_TMPDIR/out"
	[ "$output" -eq 1 ]
	! grep -q "changed outside" "$BATS_TEST_TMPDIR/err" || false
	nsx rt ip -6 route show default | grep -q "via 2001:db8:1::1 dev wan1 .*metric 1024"
}

@test "lost link events (netlink overrun): the links are read again, stale queued events do not count" {
	need_netns
	local i t f=$BATS_TEST_TMPDIR/flood
	gw_start "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	gw_sync
	kill -STOP "$GW_PID"
	# queued: isp1's carrier lost; then enough route events to overflow
	# gwswitch's event socket; the carrier's return is lost with them
	wanlab_carrier isp1 down
	: >"$f"
	for t in $(seq 101 124); do
		for i in $(seq 0 255); do
			echo "route add 203.0.113.$i/32 dev wan2 table $t"
		done
	done >"$f"
	nsx rt ip -batch "$f"
	wanlab_carrier isp1 up
	kill -CONT "$GW_PID"
	wait_until 10 grep -q "events were lost: reading the links again" "$BATS_TEST_TMPDIR/err"
	for t in $(seq 101 124); do
		nsx rt ip route flush table "$t"
	done
	feed "isp1 up"
	gw_sync
	# wan1's carrier is up: isp1 keeps (or gets back) the route
	wait_until 5 route_on wan1
	proc_alive "$GW_PID"
}

@test "an interface made after gwswitch started is used, once it has a fresh verdict" {
	need_netns
	local d=$BATS_TEST_TMPDIR
	ns_new g
	ns_veth g w2 g p2
	ns_addr g w2 203.0.113.2/24
	gw_start -N g isp1=198.51.100.1@w1 isp2=203.0.113.1@w2
	feed "isp1 up" "isp2 up"
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "dev w2"'
	grep -q "isp1: no interface w1 yet; down until it appears" "$d/err"
	ns_veth g w1 g p1
	ns_addr g w1 198.51.100.2/24
	wait_until 5 grep -q "isp1: w1 is a new interface now" "$d/err"
	gw_sync
	nsx g ip -4 route show default | grep -q "dev w2"
	feed "isp1 up"
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "via 198.51.100.1 dev w1"'
	wait_until 5 out_has "switch isp2 isp1 why=better"
	! grep -q "refused" "$d/err" || false
}

@test "NAME=@IFACE: a point-to-point uplink gets 'default dev IFACE', used while it has carrier" {
	need_netns
	command -v python3 >/dev/null || skip "needs python3 to hold the tun device open"
	local d=$BATS_TEST_TMPDIR
	ns_new g
	ns_veth g w1 g p1
	ns_addr g w1 198.51.100.2/24
	nsx g ip tuntap add dev ppp0 mode tun
	nsx g ip addr add 203.0.113.66 peer 203.0.113.65 dev ppp0
	nsx g ip link set ppp0 up
	# a tun device nobody holds open has no carrier
	gw_start -N g vpn=@ppp0 isp1=198.51.100.1@w1
	feed "vpn up" "isp1 up"
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "dev w1"'
	# the "PPP daemon": TUNSETIFF on ppp0 (IFF_TUN | IFF_NO_PI), held
	bg_start -n g timeout 60 python3 -c '
import fcntl, os, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"ppp0", 0x0001 | 0x1000))
time.sleep(60)'
	local holder=$BG_PID
	wait_until 5 grep -q "vpn: carrier back on ppp0" "$d/err"
	feed "vpn up"
	wait_until 5 out_has "route vpn - ppp0"
	run -0 nsx g ip -4 route show default
	[ "${output% }" = "default dev ppp0 proto static scope link" ]
	out_has "switch isp1 vpn why=better"
	bg_stop "$holder"
	wait_until 5 out_has "switch vpn isp1 why=carrier"
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "via 198.51.100.1 dev w1"'
}

@test "NAME=dhcp@IFACE: the gateway of the DHCP client's route is learned, followed, and kept when the route goes" {
	need_netns
	local d=$BATS_TEST_TMPDIR
	ns_new g
	ns_veth g w1 g p1
	ns_veth g w2 g p2
	ns_addr g w1 198.51.100.2/24
	ns_addr g w2 203.0.113.2/24
	gw_start -N g isp1=198.51.100.1@w1 isp2=dhcp@w2
	feed "isp1 down" "isp2 up"
	wait_until 5 out_has "all-down kept=-"
	grep -q "isp2: no gateway on w2 yet" "$d/err"
	# the DHCP client's route, of its own metric
	nsx g ip route add default via 203.0.113.1 dev w2 metric 100
	wait_until 5 out_has "route isp2 203.0.113.1 w2"
	run -0 cat "$d/out"
	[ "$output" = "all-down kept=-
gateway isp2 203.0.113.1
switch - isp2 why=better
route isp2 203.0.113.1 w2" ]
	run -0 nsx g ip -4 route show default
	[ "$output" = "default via 203.0.113.1 dev w2 proto static 
default via 203.0.113.1 dev w2 metric 100 " ]
	# a new lease, another gateway: the route follows at once
	nsx g ip route replace default via 203.0.113.5 dev w2 metric 100
	wait_until 5 out_has "route isp2 203.0.113.5 w2"
	out_has "gateway isp2 203.0.113.5"
	wait_until 5 eval 'nsx g ip -4 route show default metric 0 | grep -q "via 203.0.113.5 dev w2 proto static"'
	# the client's route gone (a renewal): the gateway is kept
	nsx g ip route del default via 203.0.113.5 dev w2 metric 100
	gw_sync
	nsx g ip -4 route show default | grep -q "via 203.0.113.5 dev w2 proto static"
	[ "$(grep -c '^switch' "$d/out")" -eq 1 ]
	[ "$(grep -c '^gateway' "$d/out")" -eq 2 ]
	# a restart learns it from the route there (same table and metric)
	exec 5>&-
	wait_until 5 gw_gone
	rm -f "$d/in"
	gw_start -N g isp1=198.51.100.1@w1 isp2=dhcp@w2
	feed "isp1 down" "isp2 up"
	wait_until 5 out_has "gateway isp2 203.0.113.5"
	gw_sync
	! grep -q "^switch" "$d/out" || false
	! grep -q "no gateway" "$d/err" || false
}

@test "flap damping runs on the clock: a damped uplink comes back when its penalty has decayed" {
	need_netns
	gw_start -D 1s,1500,750,10s "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	feed "isp1 down" "isp1 up" "isp1 down" "isp1 up"
	wait_until 5 grep -q "^damp isp1 penalty=" "$BATS_TEST_TMPDIR/out"
	gw_sync
	route_on wan2
	# penalty ~2000, half-life 1 s: below 750 after ~1.4 s
	wait_until 5 out_has "undamp isp1"
	wait_until 5 route_on wan1
	run -0 tail -n 2 "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = "switch isp2 isp1 why=better" ]
}

@test "an uplink's interface deleted and made again under its name is followed" {
	need_netns
	local d=$BATS_TEST_TMPDIR
	ns_new g
	ns_veth g w1 g p1
	ns_veth g w2 g p2
	ns_addr g w1 198.51.100.2/24
	ns_addr g w2 203.0.113.2/24
	mkfifo "$d/in"
	bg_start -n g -o "$d/out" -e "$d/err" \
		sh -c 'exec gwswitch "$@" <"$0"' "$d/in" isp1=198.51.100.1@w1 isp2=203.0.113.1@w2
	GW_PID=$BG_PID
	exec 5>"$d/in"
	feed "isp1 up" "isp2 up"
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "dev w1"'
	nsx g ip link del w1
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "dev w2"'
	ns_veth g w1 g p1
	ns_addr g w1 198.51.100.2/24
	# a new interface needs fresh health, like a carrier that returns
	gw_sync
	nsx g ip -4 route show default | grep -q "dev w2"
	grep -q "isp1: w1 is a new interface now" "$d/err"
	feed "isp1 up"
	wait_until 5 eval 'nsx g ip -4 route show default | grep -q "dev w1"'
	! grep -q "refused" "$d/err" || false
	proc_alive "$GW_PID"
}

@test "a default route changed or deleted by someone else is put right" {
	need_netns
	gw_start "$UP1" "$UP2"
	feed "isp1 up" "isp2 up"
	wait_until 5 route_on wan1
	nsx rt ip route replace default via 203.0.113.1 dev wan2
	wait_until 5 route_on wan1
	grep -q "the default route changed outside gwswitch: now isp2" "$BATS_TEST_TMPDIR/err"
	nsx rt ip route del default
	wait_until 5 route_on wan1
	grep -q "now none of ours" "$BATS_TEST_TMPDIR/err"
	run -0 grep -c "^switch" "$BATS_TEST_TMPDIR/out"
	[ "$output" -eq 3 ]
}
