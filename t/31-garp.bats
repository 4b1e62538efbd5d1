#!/usr/bin/env bats
# garp(8): gratuitous ARP and unsolicited NA announcements, RFC 5227 and
# RFC 4862 probes, and the takeover of a virtual IP on a LAN as it
# happens: three namespaces a, b, c on one bridge, c a client whose
# neighbour table is checked from outside, with nft counters.  The router
# flag tests make a LAN of their own (ra_lan) where a client learns its
# default route from a router advertisement.

load helpers/common

# Virtual IPs the tests use; teardown removes them from a and b.
VIPS="192.0.2.100/24 192.0.2.101/24 192.0.2.102/24 192.0.2.103/24
2001:db8::100/64 2001:db8::101/64 2001:db8::102/64"

setup_file() {
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1 || return 0
	ns_bridge sw
	ns_new a b c
	ns_port sw a lan0
	ns_port sw b lan0
	ns_port sw c lan0
	ns_addr a lan0 192.0.2.1/24
	ns_addr b lan0 192.0.2.2/24
	ns_addr c lan0 192.0.2.9/24
	ns_addr a lan0 2001:db8::1/64
	ns_addr b lan0 2001:db8::2/64
	ns_addr c lan0 2001:db8::9/64
	# No link-local DAD still running in c when NS are counted there.
	wait_until 10 eval '! ip -n "$(ns c)" addr show dev lan0 | grep -q tentative'
}

teardown() {
	local n v
	if [ "$(id -u)" -eq 0 ] && [ -s "$BATS_FILE_TMPDIR/.netns" ]; then
		for n in a b; do
			for v in $VIPS; do
				ip netns exec "$(ns $n)" vipctl del "$v" dev lan0 || true
			done
		done
		ip -n "$(ns c)" neigh flush dev lan0 || true
		ip netns exec "$(ns c)" nft flush ruleset || true
	fi
	hk_cleanup
}

# CMD inside namespace NAME, under a timeout.
tnsx() {
	local n=$1
	shift
	timeout 10 ip netns exec "$(ns "$n")" "$@"
}

need_lan() {
	need_netns
	[ -s "$BATS_FILE_TMPDIR/.netns" ] || skip "the LAN of setup_file is missing"
}

# c's neighbour entry for an address: its MAC, or nothing.
neigh_mac() {
	ip -n "$(ns c)" neigh show dev lan0 to "$1" | awk '/lladdr/ { print $3 }'
}

# nft_count FAMILY TABLE TEXT: the packet count of the rule in c's table
# whose text holds TEXT.
nft_count() {
	ip netns exec "$(ns c)" nft list table "$1" "$2" |
		grep -F -- "$3" | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}

# inject_while PID KIND ADDRESS MAC: c sends garp-inject's KIND frame
# every 100ms while PID runs (100 at most); prints how many it sent.
inject_while() {
	local pid=$1 n=0
	shift
	while proc_alive "$pid" && [ "$n" -lt 100 ]; do
		tnsx c garp-inject send lan0 "$@" >/dev/null || return 1
		n=$((n + 1))
		sleep 0.1
	done
	echo "$n"
}

# Counts, in c, ARP packets received per operation for one sender.
count_arp_in() {
	local ip=$1
	tnsx c nft -f - <<EOF
table arp cnt {
	chain in {
		type filter hook input priority 0;
		arp operation request arp saddr ip $ip counter
		arp operation reply arp saddr ip $ip counter
	}
}
EOF
}

@test "garp -h and bad usage follow hakit(7)" {
	run -0 --separate-stderr timeout 5 garp -h
	[[ ${lines[0]} == "usage: garp [-c COUNT] [-i INTERVAL] [-m request|reply|both] [-R] [-D] [-S] [-t TIMEOUT] [-v] -I IFACE ADDRESS" ]]
	run -2 --separate-stderr timeout 5 garp 192.0.2.100
	[[ $stderr == "garp: missing -I IFACE"* ]]
	[ -z "$output" ]
}

@test "bad input: malformed addresses, prefixes and non-unicast addresses exit 2" {
	local bad
	for bad in 300.1.1.1 192.0.2.100/24 host.example "" 0.0.0.0 \
		255.255.255.255 224.0.0.1 127.0.0.1 :: ::1 ff02::1 2001:db8::/64; do
		run -2 --separate-stderr timeout 5 garp -I nosuch0 "$bad"
		[[ $stderr == "garp: "*"'$bad'"* ]] || { echo "[$bad] $stderr"; false; }
	done
}

@test "bad input: bad option values exit 2" {
	run -2 timeout 5 garp -c 0 -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -c x -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -c 1000001 -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -i 2x -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -D -t 0 -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -D -i 0 -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -D -t soon -I nosuch0 192.0.2.100
	run -2 --separate-stderr timeout 5 garp -m gratuitous -I nosuch0 192.0.2.100
	[[ $stderr == "garp: bad mode 'gratuitous' (request, reply or both)"* ]]
	run -2 timeout 5 garp -I nosuch0 192.0.2.100 192.0.2.101
	run -2 timeout 5 garp -I nosuch0
}

@test "bad input: -t without -D, -m with -D or with IPv6 exit 2" {
	run -2 --separate-stderr timeout 5 garp -t 1s -I nosuch0 192.0.2.100
	[[ $stderr == "garp: -t is the probe's timeout: it needs -D"* ]]
	run -2 timeout 5 garp -D -m reply -I nosuch0 192.0.2.100
	run -2 timeout 5 garp -m reply -I nosuch0 2001:db8::100
}

@test "bad input: -S without -D, -R with -D or with IPv4 exit 2" {
	run -2 --separate-stderr timeout 5 garp -S -I nosuch0 192.0.2.100
	[[ $stderr == "garp: -S is for the probe: it needs -D"* ]]
	run -2 --separate-stderr timeout 5 garp -D -R -I nosuch0 2001:db8::100
	[[ $stderr == "garp: -R is for announcements: a probe sends no advertisement"* ]]
	run -2 --separate-stderr timeout 5 garp -R -I nosuch0 192.0.2.100
	[[ $stderr == "garp: -R is for IPv6: ARP has no router flag"* ]]
}

@test "bad input: an unknown interface exits 2, a non-Ethernet one too" {
	run -2 --separate-stderr timeout 5 garp -I nosuch0 192.0.2.100
	[[ $stderr == "garp: unknown interface 'nosuch0'"* ]]
	need_lan
	run -2 --separate-stderr tnsx b garp -I lo 192.0.2.100
	[[ $stderr == "garp: lo is not an Ethernet interface"* ]]
}

@test "garp exits 3 when not root" {
	need_lan
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	run -3 --separate-stderr tnsx b setpriv --reuid=65534 --regid=65534 \
		--clear-groups garp -c 1 -I lan0 192.0.2.101
	[[ $stderr == "garp: cannot open a packet socket on lan0: Operation not permitted"* ]]
}

@test "garp exits 3 when the interface is down" {
	need_lan
	ip -n "$(ns b)" link add down0 type veth peer name down1
	run -3 --separate-stderr tnsx b garp -c 1 -I down0 192.0.2.101
	[[ $stderr == "garp: cannot send gratuitous ARP request for 192.0.2.101 on down0: "* ]]
	ip -n "$(ns b)" link del down0
}

@test "garp announces COUNT rounds of ARP request and reply, from IFACE's MAC" {
	need_lan
	local mac
	mac=$(ns_mac b lan0)
	count_arp_in 192.0.2.101
	run -0 --separate-stderr tnsx b garp -c 3 -i 50ms -v -I lan0 192.0.2.101
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | grep -c "sent gratuitous ARP request for 192.0.2.101 on lan0 from $mac")" -eq 3 ]
	[ "$(printf '%s\n' "$stderr" | grep -c "sent gratuitous ARP reply for 192.0.2.101 on lan0 from $mac")" -eq 3 ]
	# what c received
	wait_until 5 eval '[ "$(nft_count arp cnt "operation request")" = 3 ]'
	wait_until 5 eval '[ "$(nft_count arp cnt "operation reply")" = 3 ]'
}

@test "garp sends 5 rounds by default, like IPaddr2" {
	need_lan
	count_arp_in 192.0.2.101
	run -0 tnsx b garp -i 10ms -I lan0 192.0.2.101
	wait_until 5 eval '[ "$(nft_count arp cnt "operation request")" = 5 ]'
	wait_until 5 eval '[ "$(nft_count arp cnt "operation reply")" = 5 ]'
}

@test "garp -m request sends only requests, -m reply only replies" {
	need_lan
	count_arp_in 192.0.2.101
	run -0 tnsx b garp -c 2 -i 10ms -m request -I lan0 192.0.2.101
	wait_until 5 eval '[ "$(nft_count arp cnt "operation request")" = 2 ]'
	run -0 tnsx b garp -c 1 -m reply -I lan0 192.0.2.101
	wait_until 5 eval '[ "$(nft_count arp cnt "operation reply")" = 1 ]'
	[ "$(nft_count arp cnt "operation request")" = 2 ]
}

@test "garp spaces its rounds INTERVAL apart" {
	need_lan
	local t0 t1
	t0=$(now_ms)
	run -0 tnsx b garp -c 3 -i 400ms -I lan0 192.0.2.101
	t1=$(now_ms)
	[ $((t1 - t0)) -ge 780 ] || { echo "took $((t1 - t0)) ms"; false; }
}

@test "garp for IPv6 sends an unsolicited NA with the override flag to all-nodes" {
	need_lan
	command -v tcpdump >/dev/null || skip "needs tcpdump"
	local out=$BATS_TEST_TMPDIR/td.out err=$BATS_TEST_TMPDIR/td.err mac
	mac=$(ns_mac b lan0)
	bg_start -n c -o "$out" -e "$err" timeout 20 tcpdump -i lan0 -n -e -vv -l \
		'icmp6 and ip6[40] == 136'
	wait_until 10 grep -q 'listening on' "$err"
	run -0 tnsx b garp -c 1 -I lan0 2001:db8::101
	wait_until 5 grep -q 'tgt is 2001:db8::101' "$out"
	grep -q "$mac > 33:33:00:00:00:01" "$out"
	grep -q '2001:db8::101 > ff02::1: \[icmp6 sum ok\]' "$out"
	grep -q 'hlim 255' "$out"
	grep -q 'tgt is 2001:db8::101, Flags \[override\]$' "$out"
	grep -q "destination link-address option (2), length 8 (1): $mac" "$out"
}

@test "garp -D exits 1 and prints the holder's MAC when a host holds the address" {
	need_lan
	run -0 tnsx a vipctl add 192.0.2.102/24 dev lan0
	run -1 --separate-stderr tnsx b garp -D -I lan0 192.0.2.102
	[ "$output" = "$(ns_mac a lan0)" ]
	[ -z "$stderr" ]
}

@test "garp -D exits 3 when the holder's MAC cannot be written" {
	need_lan
	run -0 tnsx a vipctl add 192.0.2.102/24 dev lan0
	run -3 --separate-stderr bash -c "timeout 10 ip netns exec $(ns b) garp -D -I lan0 192.0.2.102 >/dev/full"
	[[ $stderr == "garp: write error on stdout"* ]]
}

@test "garp -D exits 0 when no host answers within TIMEOUT" {
	need_lan
	local t0 t1
	t0=$(now_ms)
	run -0 --separate-stderr tnsx b garp -D -t 500ms -I lan0 192.0.2.102
	t1=$(now_ms)
	[ -z "$output" ] && [ -z "$stderr" ]
	[ $((t1 - t0)) -ge 450 ] || { echo "took $((t1 - t0)) ms"; false; }
}

@test "garp -D sends RFC 5227 probes, sender 0.0.0.0, that leave caches alone" {
	need_lan
	count_arp_in 0.0.0.0
	run -0 tnsx b garp -D -t 500ms -i 200ms -I lan0 192.0.2.102
	wait_until 5 eval '[ "$(nft_count arp cnt "operation request")" = 3 ]'
	[ -z "$(neigh_mac 192.0.2.102)" ]
	# -c caps the probes
	run -0 tnsx b garp -D -c 1 -t 300ms -I lan0 192.0.2.102
	wait_until 5 eval '[ "$(nft_count arp cnt "operation request")" = 4 ]'
}

@test "garp -D does not count this host's own address as a conflict" {
	need_lan
	run -0 tnsx b vipctl add 192.0.2.102/24 dev lan0
	run -0 tnsx b vipctl add 2001:db8::102/64 dev lan0
	run -0 --separate-stderr tnsx b garp -D -t 400ms -I lan0 192.0.2.102
	[ -z "$output" ]
	run -0 --separate-stderr tnsx b garp -D -t 400ms -I lan0 2001:db8::102
	[ -z "$output" ]
	# while another host sees it held
	run -1 tnsx a garp -D -t 1s -I lan0 2001:db8::102
	[ "$output" = "$(ns_mac b lan0)" ]
}

@test "garp -D does not count an answer from another interface of this host" {
	need_netns
	ns_new h
	ns_veth h h0 h h1
	ns_addr h h0 192.0.2.100/24
	# h1 hears the probe and the kernel answers through it, with h1's MAC
	run -0 --separate-stderr tnsx h garp -D -t 400ms -I h0 192.0.2.100
	[ -z "$output" ]
}

@test "garp -D for IPv6 exits 1 with the holder's MAC, 0 when it is free" {
	need_lan
	run -0 tnsx a vipctl add 2001:db8::102/64 dev lan0
	run -1 --separate-stderr tnsx b garp -D -I lan0 2001:db8::102
	[ "$output" = "$(ns_mac a lan0)" ]
	run -0 tnsx a vipctl del 2001:db8::102/64 dev lan0
	run -0 --separate-stderr tnsx b garp -D -t 500ms -I lan0 2001:db8::102
	[ -z "$output" ]
}

@test "garp -D -S backs off when another host probes for the same address" {
	need_lan
	local out=$BATS_TEST_TMPDIR/b.out err=$BATS_TEST_TMPDIR/b.err st=0
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -S -v -c 1 -t 5s -I lan0 192.0.2.103
	local pid=$BG_PID
	wait_until 5 grep -q 'sent ARP probe' "$err"
	# a's probe comes after b's only one: b backs off, a sees no one
	run -0 tnsx a garp -D -c 1 -t 300ms -I lan0 192.0.2.103
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(cat "$out")" = "$(ns_mac a lan0)" ]
}

@test "garp -D ignores garbled frames and forgeries of its own MAC, and heeds a valid claim" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0 own k
	own=$(ns_mac b lan0)
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 2s -I lan0 192.0.2.103
	local pid=$BG_PID
	wait_until 5 grep -q 'sent ARP probe' "$err"
	for k in arp-short arp-badhln; do
		run -0 tnsx c garp-inject send lan0 "$k" 192.0.2.103 02:00:00:00:00:01
	done
	run -0 tnsx c garp-inject send lan0 arp-reply 192.0.2.103 "$own"
	wait "$pid" || st=$?
	[ "$st" -eq 0 ] || { cat "$out" "$err"; false; }
	[ ! -s "$out" ]

	out=$out.2 err=$err.2
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 3s -I lan0 192.0.2.103
	pid=$BG_PID
	wait_until 5 grep -q 'sent ARP probe' "$err"
	run -0 tnsx c garp-inject send lan0 arp-reply 192.0.2.103 02:00:00:00:00:01
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(cat "$out")" = 02:00:00:00:00:01 ]
}

@test "garp -D for IPv6 ignores invalid advertisements, and heeds a valid one" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0 own k
	own=$(ns_mac b lan0)
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 2s -I lan0 2001:db8::102
	local pid=$BG_PID
	wait_until 5 grep -q 'sent neighbour solicitation' "$err"
	for k in na-badsum na-hop64 na-badopt na-short na-solicited; do
		run -0 tnsx c garp-inject send lan0 "$k" 2001:db8::102 02:00:00:00:00:02
	done
	run -0 tnsx c garp-inject send lan0 na 2001:db8::102 "$own"
	wait "$pid" || st=$?
	[ "$st" -eq 0 ] || { cat "$out" "$err"; false; }
	[ ! -s "$out" ]

	out=$out.2 err=$err.2
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 3s -I lan0 2001:db8::102
	pid=$BG_PID
	wait_until 5 grep -q 'sent neighbour solicitation' "$err"
	run -0 tnsx c garp-inject send lan0 na 2001:db8::102 02:00:00:00:00:02
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(cat "$out")" = 02:00:00:00:00:02 ]
}

@test "garp -D -S for IPv6 backs off when another host does DAD for the address" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -S -v -t 3s -I lan0 2001:db8::102
	local pid=$BG_PID
	wait_until 5 grep -q 'sent neighbour solicitation' "$err"
	run -0 tnsx c garp-inject send lan0 ns-dad 2001:db8::102 02:00:00:00:00:03
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	# a DAD probe has no link-layer option: the frame's source is named
	[ "$(cat "$out")" = "$(ns_mac c lan0)" ]
}

@test "garp -D without -S exits 0 while another host only sends ARP probes for the address" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0 n
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 1500ms -I lan0 192.0.2.103
	local pid=$BG_PID
	wait_until 5 grep -q 'sent ARP probe' "$err"
	n=$(inject_while "$pid" arp-probe 192.0.2.103 02:00:00:00:00:04)
	wait "$pid" || st=$?
	[ "$st" -eq 0 ] || { cat "$out" "$err"; false; }
	[ ! -s "$out" ]
	[ "$n" -ge 3 ] || { echo "only $n probes while garp ran"; false; }
	# the same probes with -S: the first one is a conflict
	out=$out.2 err=$err.2 st=0
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -S -v -t 1500ms -I lan0 192.0.2.103
	pid=$BG_PID
	wait_until 5 grep -q 'sent ARP probe' "$err"
	inject_while "$pid" arp-probe 192.0.2.103 02:00:00:00:00:04
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(cat "$out")" = 02:00:00:00:00:04 ]
}

@test "garp -D without -S exits 1 when a host answers, though another host probes too" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0
	run -0 tnsx a vipctl add 192.0.2.103/24 dev lan0
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 1500ms -I lan0 192.0.2.103
	local pid=$BG_PID
	wait_until 5 grep -q 'sent ARP probe' "$err"
	inject_while "$pid" arp-probe 192.0.2.103 02:00:00:00:00:04
	wait "$pid" || st=$?
	[ "$st" -eq 1 ] || { cat "$out" "$err"; false; }
	[ "$(cat "$out")" = "$(ns_mac a lan0)" ]
}

@test "garp -D for IPv6 without -S exits 0 while another host only does DAD for the address" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0 n
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 1500ms -I lan0 2001:db8::102
	local pid=$BG_PID
	wait_until 5 grep -q 'sent neighbour solicitation' "$err"
	n=$(inject_while "$pid" ns-dad 2001:db8::102 02:00:00:00:00:03)
	wait "$pid" || st=$?
	[ "$st" -eq 0 ] || { cat "$out" "$err"; false; }
	[ ! -s "$out" ]
	[ "$n" -ge 3 ] || { echo "only $n solicitations while garp ran"; false; }
	# the same solicitations with -S: the first one is a conflict
	out=$out.2 err=$err.2 st=0
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -S -v -t 1500ms -I lan0 2001:db8::102
	pid=$BG_PID
	wait_until 5 grep -q 'sent neighbour solicitation' "$err"
	inject_while "$pid" ns-dad 2001:db8::102 02:00:00:00:00:03
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(cat "$out")" = "$(ns_mac c lan0)" ]
}

@test "garp -D for IPv6 without -S exits 1 when a host answers, though another host does DAD too" {
	need_lan
	local err=$BATS_TEST_TMPDIR/b.err out=$BATS_TEST_TMPDIR/b.out st=0
	run -0 tnsx a vipctl add 2001:db8::102/64 dev lan0
	bg_start -n b -o "$out" -e "$err" timeout 20 garp -D -v -t 1500ms -I lan0 2001:db8::102
	local pid=$BG_PID
	wait_until 5 grep -q 'sent neighbour solicitation' "$err"
	inject_while "$pid" ns-dad 2001:db8::102 02:00:00:00:00:03
	wait "$pid" || st=$?
	[ "$st" -eq 1 ] || { cat "$out" "$err"; false; }
	[ "$(cat "$out")" = "$(ns_mac a lan0)" ]
}

@test "the packet parsers survive random and mutated packets" {
	run -0 timeout 60 garp-inject fuzz 300000 7
	[[ $output =~ ^arp=[1-9][0-9]*\ nd=[1-9][0-9]*$ ]]
}

@test "takeover on a LAN: c's ARP entry moves to b's MAC without c sending an ARP request" {
	need_lan
	local amac bmac
	amac=$(ns_mac a lan0)
	bmac=$(ns_mac b lan0)
	# a holds the VIP and c has talked to it
	run -0 tnsx a vipctl add 192.0.2.100/24 dev lan0 label lan0:0
	run -0 tnsx c ping -c 1 -W 2 192.0.2.100
	[ "$(neigh_mac 192.0.2.100)" = "$amac" ]
	# from here on, count every ARP request c sends for the VIP
	tnsx c nft -f - <<'EOF'
table arp out {
	chain out {
		type filter hook output priority 0;
		arp operation request arp daddr ip 192.0.2.100 counter
	}
}
EOF
	# b probes: held by a
	run -1 tnsx b garp -D -t 1s -I lan0 192.0.2.100
	[ "$output" = "$amac" ]
	# a releases; b probes again: free
	run -0 tnsx a vipctl del 192.0.2.100/24 dev lan0
	run -0 tnsx b garp -D -t 1s -I lan0 192.0.2.100
	[ -z "$output" ]
	run -0 tnsx b vipctl add 192.0.2.100/24 dev lan0 label lan0:0 lease 30s
	# adding the address told c nothing; garp does
	[ "$(neigh_mac 192.0.2.100)" = "$amac" ]
	run -0 tnsx b garp -I lan0 192.0.2.100
	wait_until 5 eval '[ "$(neigh_mac 192.0.2.100)" = "$bmac" ]'
	# c reaches b at the VIP
	run -0 tnsx c ping -c 1 -W 2 192.0.2.100
	[ "$(neigh_mac 192.0.2.100)" = "$bmac" ]
	[ "$(nft_count arp out "arp operation request")" = 0 ]
	run -1 tnsx a vipctl check 192.0.2.100/24 dev lan0
}

@test "takeover on a LAN, IPv6: c's neighbour entry moves to b's MAC without c sending an NS" {
	need_lan
	local amac bmac
	amac=$(ns_mac a lan0)
	bmac=$(ns_mac b lan0)
	run -0 tnsx a vipctl add 2001:db8::100/64 dev lan0
	run -0 tnsx c ping -c 1 -W 2 2001:db8::100
	[ "$(neigh_mac 2001:db8::100)" = "$amac" ]
	# count every neighbour solicitation c sends for the VIP (its target)
	tnsx c nft -f - <<'EOF'
table ip6 out {
	chain out {
		type filter hook output priority 0;
		icmpv6 type nd-neighbor-solicit @th,64,128 0x20010db8000000000000000000000100 counter
	}
}
EOF
	run -1 tnsx b garp -D -t 1s -I lan0 2001:db8::100
	[ "$output" = "$amac" ]
	run -0 tnsx a vipctl del 2001:db8::100/64 dev lan0
	run -0 tnsx b garp -D -t 1s -I lan0 2001:db8::100
	[ -z "$output" ]
	run -0 tnsx b vipctl add 2001:db8::100/64 dev lan0 lease 30s
	[ "$(neigh_mac 2001:db8::100)" = "$amac" ]
	run -0 tnsx b garp -I lan0 2001:db8::100
	wait_until 5 eval '[ "$(neigh_mac 2001:db8::100)" = "$bmac" ]'
	run -0 tnsx c ping -c 1 -W 2 2001:db8::100
	[ "$(neigh_mac 2001:db8::100)" = "$bmac" ]
	[ "$(nft_count ip6 out "nd-neighbor-solicit")" = 0 ]
}

# A LAN of the test's own: r1 holds the link-local fe80::1 and sends a
# router advertisement from it (lifetime 1800 s), rc is a host
# (accept_ra 1, forwarding 0) that takes fe80::1 as its default router,
# r2 is the node that takes fe80::1 over.  Returns when rc has the route.
ra_lan() {
	ns_bridge rsw
	ns_new r1 r2 rc
	ns_port rsw r1 lan0
	ns_port rsw r2 lan0
	ns_port rsw rc lan0
	tnsx rc sysctl -q -w net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.lan0.forwarding=0 net.ipv6.conf.lan0.accept_ra=1
	ns_addr r1 lan0 fe80::1/64
	R1MAC=$(ns_mac r1 lan0)
	# one RA is enough; another each poll in case the first was early
	wait_until 5 eval 'tnsx r1 garp-inject send lan0 ra fe80::1 "$R1MAC" && rc_default'
	[ "$(rc_neigh)" = "$R1MAC router" ]
}

# rc's default route via fe80::1, learned from the advertisement.
rc_default() {
	ip -n "$(ns rc)" -6 route show default |
		grep -q '^default via fe80::1 dev lan0 proto ra '
}

# rc's neighbour entry for fe80::1: its MAC, and "router" when flagged so.
rc_neigh() {
	ip -n "$(ns rc)" neigh show dev lan0 to fe80::1 |
		awk '/lladdr/ { print $3 ($4 == "router" ? " router" : "") }'
}

@test "garp for IPv6 without -R: a client drops its RA-learned default route through the address" {
	need_netns
	ra_lan
	local r2mac
	r2mac=$(ns_mac r2 lan0)
	run -0 tnsx r2 garp -c 1 -I lan0 fe80::1
	# the advertisement arrived: rc's entry moved to r2
	wait_until 5 eval '[[ "$(rc_neigh)" == "$r2mac"* ]]'
	wait_until 5 eval '! rc_default'
	[ "$(rc_neigh)" = "$r2mac" ]
}

@test "garp -R: a client keeps its RA-learned default route through the address" {
	need_netns
	ra_lan
	local r2mac
	r2mac=$(ns_mac r2 lan0)
	run -0 tnsx r2 garp -R -c 1 -I lan0 fe80::1
	# the advertisement arrived, and was handled at once, route and all
	wait_until 5 eval '[[ "$(rc_neigh)" == "$r2mac"* ]]'
	rc_default || { ip -n "$(ns rc)" -6 route; false; }
	[ "$(rc_neigh)" = "$r2mac router" ]
}

@test "garp -R for IPv6 sets the router flag in its NA" {
	need_lan
	command -v tcpdump >/dev/null || skip "needs tcpdump"
	local out=$BATS_TEST_TMPDIR/td.out err=$BATS_TEST_TMPDIR/td.err
	bg_start -n c -o "$out" -e "$err" timeout 20 tcpdump -i lan0 -n -e -vv -l \
		'icmp6 and ip6[40] == 136'
	wait_until 10 grep -q 'listening on' "$err"
	run -0 tnsx b garp -R -c 1 -I lan0 2001:db8::101
	wait_until 5 grep -q 'tgt is 2001:db8::101' "$out"
	grep -q '2001:db8::101 > ff02::1: \[icmp6 sum ok\]' "$out"
	grep -q 'tgt is 2001:db8::101, Flags \[router, override\]$' "$out"
}
