#!/usr/bin/env bats
# pingcheck(8): concurrent ICMP echo checks, own replies only, mon and
# Nagios output, the -f stream with hysteresis, its state lines and their
# causes, -I/-g through an uplink that is not the default route, -g any,
# -f following an interface that comes, goes and changes its address,
# and the degraded state of -L/-R (nftables drops for loss,
# t/helpers/tunrelay's delay for latency).
#
# Monitor namespace "m", hosts namespace "h" (192.0.2.2, 2001:db8::2):
# behind h, 203.0.113.1-180 answer, 203.0.113.192/27 is blackholed
# (silent), 2001:db8:98::/48 too, 203.0.113.240/28 and 2001:db8:99::/48
# answer ICMP unreachable, 198.51.100.1-200 answer through a lossy path.
# Namespace "t" (198.51.100.242) hangs on its own link, for the -f tests.
# t/helpers/icmpforge forges ICMP errors as an off-path attacker would.

load helpers/common

H=192.0.2.2

setup_file() {
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || return 0
	ns_new m h t
	ns_veth m e0 h e0
	ns_veth m e1 t e0
	ns_addr m e0 192.0.2.1/24
	ns_addr h e0 192.0.2.2/24
	ns_addr m e0 2001:db8::1/64
	ns_addr h e0 2001:db8::2/64
	ns_addr m e1 198.51.100.241/28
	ns_addr t e0 198.51.100.242/28
	nsx m ip route add 203.0.113.0/24 via 192.0.2.2
	nsx m ip route add 198.51.100.0/24 via 192.0.2.2
	nsx h sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
	nsx h ip route add blackhole 203.0.113.192/27
	nsx h ip route add unreachable 203.0.113.240/28
	nsx m ip -6 route add 2001:db8:99::/48 via 2001:db8::2
	nsx h sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0
	nsx h ip -6 route add unreachable 2001:db8:99::/48
	nsx m ip -6 route add 2001:db8:98::/48 via 2001:db8::2
	nsx h ip -6 route add blackhole 2001:db8:98::/48
	local i
	{
		for i in $(seq 1 180); do echo "addr add 203.0.113.$i/32 dev lo"; done
		for i in $(seq 1 200); do echo "addr add 198.51.100.$i/32 dev lo"; done
	} | nsx h ip -batch -
	# Root is outside the default ping group range: raw sockets, unless
	# a test widens it.
	nsx m sysctl -qw net.ipv4.ping_group_range="1 0"
}

pc() {
	nsx m timeout 30 pingcheck "$@"
}

detail_of() {
	printf '%s\n' "$output" | grep -F "$1: "
}

# nft in namespace $1: one table "pc" for this file's rules.
nft_in() {
	local n=$1
	shift
	nsx "$n" nft "$@"
}

teardown() {
	# A failed test leaves no drop rule in h for the next ones.
	if [ "$(id -u)" -eq 0 ]; then
		nsx h nft delete table ip pc 2>/dev/null || true
	fi
	hk_cleanup
}

@test "live hosts pass: exit 0, an empty first line, loss and min/avg/max per host" {
	need_netns
	run -0 --keep-empty-lines pc $H 203.0.113.1
	[ "${lines[0]}" = "" ]
	[[ ${lines[1]} =~ ^192\.0\.2\.2:\ ok\ sent=3\ recv=3\ loss=0%\ rtt=[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}ms$ ]]
	[[ ${lines[2]} == "203.0.113.1: ok sent=3 recv=3 loss=0% rtt="* ]]
}

@test "a blackholed host is no-reply, an ICMP-unreachable one unreachable, in the order given" {
	need_netns
	run -1 pc -t 500ms 203.0.113.200 $H 203.0.113.241
	[ "${lines[0]}" = "203.0.113.200 203.0.113.241" ]
	[ "${lines[1]}" = "203.0.113.200: no-reply sent=3 recv=0 loss=100%" ]
	[[ ${lines[2]} == "$H: ok "* ]]
	[ "${lines[3]}" = "203.0.113.241: unreachable sent=3 recv=0 loss=100%" ]
}

@test "IPv6 hosts are checked too" {
	need_netns
	run -1 pc -t 500ms 2001:db8::2 2001:db8::99 2001:db8:99::1
	[ "${lines[0]}" = "2001:db8::99 2001:db8:99::1" ]
	[ "$(detail_of 2001:db8:99::1)" = "2001:db8:99::1: unreachable sent=3 recv=0 loss=100%" ]
	[[ $(detail_of 2001:db8::2) == "2001:db8::2: ok sent=3 recv=3 loss=0% rtt="* ]]
	[ "$(detail_of 2001:db8::99)" = "2001:db8::99: no-reply sent=3 recv=0 loss=100%" ]
}

@test "the unprivileged ICMP socket is used where ping_group_range allows it, with the same results" {
	need_netns
	run -0 --separate-stderr pc -v $H 2001:db8::2
	[[ $stderr == *"IPv4: raw ICMP socket"* ]]
	nsx m sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	run -1 --separate-stderr pc -v -t 500ms $H 2001:db8::2 203.0.113.242 203.0.113.201 2001:db8:99::2
	nsx m sysctl -qw net.ipv4.ping_group_range="1 0"
	[ "$(detail_of 2001:db8:99::2)" = "2001:db8:99::2: unreachable sent=3 recv=0 loss=100%" ]
	[[ $stderr == *"IPv4: unprivileged datagram ICMP socket"* ]]
	[[ $stderr == *"IPv6: unprivileged datagram ICMP socket"* ]]
	[ "${lines[0]}" = "203.0.113.242 203.0.113.201 2001:db8:99::2" ]
	[[ $(detail_of $H) == "$H: ok sent=3 recv=3 "* ]]
	[[ $(detail_of 2001:db8::2) == "2001:db8::2: ok sent=3 recv=3 "* ]]
	[ "$(detail_of 203.0.113.242)" = "203.0.113.242: unreachable sent=3 recv=0 loss=100%" ]
	[ "$(detail_of 203.0.113.201)" = "203.0.113.201: no-reply sent=3 recv=0 loss=100%" ]
}

# The echo id that pingcheck -v said for IPv$2 in file $1.
echo_id() {
	sed -n "s/^pingcheck: IPv$2: .* echo id \([0-9]*\)\$/\1/p" "$1" | head -1
}

@test "forged ICMP errors: one quoting another cookie is ignored, one quoting 8 bytes makes a lost request unreachable" {
	need_netns
	local f="$BATS_TEST_TMPDIR/o" kind id4 id6 pid rc
	for kind in raw dgram; do
		[ "$kind" = raw ] ||
			nsx m sysctl -qw net.ipv4.ping_group_range="0 2147483647"
		bg_start -n m -o "$f.$kind" -e "$f.$kind.err" pingcheck -v -c 3 -i 200ms -t 2s \
		    203.0.113.211 203.0.113.212 2001:db8:98::1 2001:db8:98::2
		pid=$BG_PID
		wait_until 5 grep -q 'IPv6: .*echo id' "$f.$kind.err"
		nsx m sysctl -qw net.ipv4.ping_group_range="1 0"
		id4=$(echo_id "$f.$kind.err" 4)
		id6=$(echo_id "$f.$kind.err" 6)
		# From h, with the echo id and the rounds' numbers, while the
		# requests (blackholed) are awaited: -q 24 quotes the whole
		# request, with a cookie that is not pingcheck's; -q 0 the 8
		# bytes RFC 792 promises, no cookie at all.
		bg_start -n h icmpforge -q 24 -i 1m -t 1500ms 192.0.2.1 203.0.113.211 "$id4" 0
		bg_start -n h icmpforge -q 0 -i 1m -t 1500ms 192.0.2.1 203.0.113.212 "$id4" 0
		bg_start -n h icmpforge -q 24 -i 1m -t 1500ms 2001:db8::1 2001:db8:98::1 "$id6" 0
		bg_start -n h icmpforge -q 0 -i 1m -t 1500ms 2001:db8::1 2001:db8:98::2 "$id6" 0
		rc=0
		wait "$pid" || rc=$?
		cat "$f.$kind"
		[ "$rc" -eq 1 ]
		grep -qx '203.0.113.211: no-reply sent=3 recv=0 loss=100%' "$f.$kind"
		grep -qx '203.0.113.212: unreachable sent=3 recv=0 loss=100%' "$f.$kind"
		grep -qx '2001:db8:98::1: no-reply sent=3 recv=0 loss=100%' "$f.$kind"
		grep -qx '2001:db8:98::2: unreachable sent=3 recv=0 loss=100%' "$f.$kind"
	done
	grep -q 'IPv4: unprivileged datagram' "$f.dgram.err"
}

@test "replies to another pingcheck are never counted as ours" {
	need_netns
	local err="$BATS_TEST_TMPDIR/a.err" aid
	bg_start -n m -e "$err" pingcheck -v -f -i 50ms 203.0.113.2
	wait_until 5 grep -q 'echo id' "$err"
	aid=$(sed -n 's/.*echo id \([0-9]*\).*/\1/p' "$err")
	# h answers only the first pingcheck: every other echo reply is lost.
	nft_in h add table ip pc
	nft_in h add chain ip pc out '{ type filter hook output priority 0; }'
	nft_in h add rule ip pc out icmp type echo-reply icmp id != "$aid" drop
	run -1 pc -c 5 -i 100ms -t 500ms 203.0.113.2
	nft_in h delete table ip pc
	[ "$(detail_of 203.0.113.2)" = "203.0.113.2: no-reply sent=5 recv=0 loss=100%" ]
}

@test "two pingchecks at once to one host each count their own replies once" {
	need_netns
	local o1="$BATS_TEST_TMPDIR/1" o2="$BATS_TEST_TMPDIR/2"
	nsx m timeout 30 pingcheck -c 10 -i 50ms 203.0.113.3 >"$o1" &
	nsx m timeout 30 pingcheck -c 10 -i 50ms 203.0.113.3 >"$o2" &
	wait
	grep -q "^203.0.113.3: ok sent=10 recv=10 loss=0%" "$o1"
	grep -q "^203.0.113.3: ok sent=10 recv=10 loss=0%" "$o2"
}

@test "-l sets the loss a host may have; by default only a total loss fails" {
	need_netns
	# Drop round 1 of 3 (the echo sequence is the round number): 33% loss.
	nft_in h add table ip pc
	nft_in h add chain ip pc in '{ type filter hook input priority 0; }'
	nft_in h add rule ip pc in icmp type echo-request icmp sequence 1 drop
	run -0 pc -t 500ms 203.0.113.4
	[[ $(detail_of 203.0.113.4) == "203.0.113.4: ok sent=3 recv=2 loss=33% rtt="* ]]
	run -1 pc -t 500ms -l 30 203.0.113.4
	[[ $(detail_of 203.0.113.4) == "203.0.113.4: loss sent=3 recv=2 loss=33% rtt="* ]]
	run -0 pc -t 500ms -l 40% 203.0.113.4
	nft_in h delete table ip pc
}

@test "Nagios mode: OK 0, a dead host CRITICAL 2, over -w WARNING 1, bad usage UNKNOWN 3" {
	need_netns
	run -0 pc -N $H
	[[ $output =~ ^PING\ OK\ -\ 192\.0\.2\.2:\ loss\ 0%,\ rta\ [0-9]+\.[0-9]{3}ms\|rta=[0-9]+\.[0-9]{3}ms\;\;\;0\;\ pl=0%\;\;\;0\;100$ ]]
	run -2 pc -N -t 300ms $H 203.0.113.202
	[[ $output == "PING CRITICAL - 1 of 2 hosts not ok: 203.0.113.202: no-reply sent=3 recv=0 loss=100%|$H"_rta=*"ms;;;0; $H"_pl=0%";;;0;100 203.0.113.202_rta=U;;;0; 203.0.113.202_pl=100%;;;0;100" ]]
	run -1 pc -N -w 0,50% -C 1000,100% $H
	[[ $output == "PING WARNING - "*"|rta="*"ms;0.000;1000.000;0; pl=0%;50.000;100.000;0;100" ]]
	run -3 --separate-stderr pc -c 0 -N $H
	[ "$output" = "PING UNKNOWN - bad count (1 to 10000): 0" ]
}

@test "200 targets with 20 dead are decided within one timeout plus a margin" {
	need_netns
	local hosts=() i t0 el
	for i in $(seq 1 180); do hosts+=("203.0.113.$i"); done
	for i in $(seq 200 219); do hosts+=("203.0.113.$i"); done
	t0=$(now_ms)
	run -1 pc -c 3 -i 200ms -t 1s "${hosts[@]}"
	el=$(($(now_ms) - t0))
	echo "elapsed ${el}ms"
	# 2 intervals + 1 timeout = 1.4 s; a loaded box gets 1.5 s more.
	[ "$el" -lt 2900 ]
	[ "${lines[0]}" = "$(seq -s ' ' -f '203.0.113.%g' 200 219)" ]
	[ "$(printf '%s\n' "$output" | grep -c ': ok sent=3 recv=3 ')" -eq 180 ]
}

@test "2000 targets: the replies that come back during the burst of requests are not lost" {
	need_netns
	local hosts=() i
	# Loopback answers at once, and a raw socket sees the requests too:
	# the worst case for the receive buffer.
	for i in $(seq 0 1999); do hosts+=("127.0.$((i / 250)).$((i % 250 + 1))"); done
	run -0 pc -c 1 -t 1s "${hosts[@]}"
	[ "$(printf '%s\n' "$output" | grep -c ': ok sent=1 recv=1 ')" -eq 2000 ]
}

@test "under 20% random loss, 3 probes give (almost) no false dead over 200 decisions" {
	need_netns
	local hosts=() i
	for i in $(seq 1 200); do hosts+=("198.51.100.$i"); done
	nft_in h add table ip pc
	nft_in h add chain ip pc in '{ type filter hook input priority 0; }'
	nft_in h add rule ip pc in ip daddr 198.51.100.0/24 icmp type echo-request numgen random mod 10 \< 2 drop
	run pc -c 3 -i 200ms -t 1s "${hosts[@]}"
	nft_in h delete table ip pc
	local dead lossy
	dead=$(printf '%s\n' "${lines[0]}" | wc -w)
	[[ ${lines[0]} == *" "* ]] || [[ ${lines[0]} == 198.* ]] || dead=0
	lossy=$(printf '%s\n' "$output" | grep -c 'recv=[12] ' || true)
	echo "false dead: $dead of 200; hosts with some loss: $lossy"
	# Each request is lost with p=0.2: all three with p=0.008, 1.6 of 200
	# expected (fping -C3 does the same); 7 or more happens 1 in 700.
	[ "$dead" -le 6 ]
	# ...and the loss was real.
	[ "$lossy" -ge 40 ]
}

@test "-f: a SIGTERM that comes just before poll still ends it (no lost wake-up)" {
	need_netns
	command -v strace >/dev/null 2>&1 || skip "strace is not installed"
	local out="$BATS_TEST_TMPDIR/w.out" st pid
	# strace holds the first round's line for 2 s; the signal lands then,
	# after the loop looked at its flag and before its poll, which would
	# sleep until the next round, a minute away
	# (LeakSanitizer cannot run under ptrace: off, for the ASan build)
	bg_start -n m -o "$out" env \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -o /dev/null -e trace=write \
	    -e inject=write:delay_exit=2000000:when=1 \
	    pingcheck -f -i 1m -t 200ms $H
	st=$BG_PID
	wait_until 10 eval 'pid=$(pgrep -P "$st")'
	# the first round ends within its 200 ms timeout; its line is held
	sleep 0.7
	kill -s TERM "$pid"
	run -0 timeout 10 sh -c "while kill -0 $st 2>/dev/null; do sleep 0.05; done"
}

@test "-f writes one line per round and exits 0 on SIGTERM" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out" pid
	bg_start -n m -o "$out" pingcheck -f -i 100ms -t 1s $H 203.0.113.203
	pid=$BG_PID
	wait_until 10 grep -q '^state up' "$out"
	local rc=0
	kill -TERM "$pid"
	timeout 5 tail --pid="$pid" -f /dev/null
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	head -1 "$out" | grep -Eq '^[0-9]{13} up alive=1/2 loss=50 rtt=[0-9]+\.[0-9]{3}$'
	# -a 2: both must answer, so every round is down.
	bg_start -n m -o "$out.2" pingcheck -f -a 2 -i 100ms -t 1s $H 203.0.113.203
	wait_until 10 grep -q '^state down' "$out.2"
	head -1 "$out.2" | grep -Eq '^[0-9]{13} down alive=1/2 loss=50 rtt=[0-9.]+$'
	bg_start -n m -o "$out.3" pingcheck -f -i 100ms -t 300ms 203.0.113.204
	wait_until 10 grep -q '^state down' "$out.3"
	head -1 "$out.3" | grep -Eq '^[0-9]{13} down alive=0/1 loss=100 rtt=-$'
}

@test "-f state lines carry why, the last round's alive, the window's loss and rtt, and the failed hosts" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out"
	bg_start -n m -o "$out" pingcheck -f -i 100ms -t 300ms -u 3 $H 203.0.113.206
	wait_until 10 grep -q '^state up' "$out"
	# The window (1s: 10 rounds) holds 3 to 5 rounds, half lost.
	grep -Eq '^state up why=rounds alive=1/2 loss=50 rtt=[0-9]+\.[0-9]{3} failed=203\.0\.113\.206$' "$out" ||
		{ cat "$out"; false; }
	bg_start -n m -o "$out.2" pingcheck -f -a 2 -i 100ms -t 300ms $H 203.0.113.206
	wait_until 10 grep -q '^state down' "$out.2"
	grep -Eq '^state down why=rounds alive=1/2 loss=50 rtt=[0-9]+\.[0-9]{3} failed=203\.0\.113\.206$' "$out.2" ||
		{ cat "$out.2"; false; }
	bg_start -n m -o "$out.3" pingcheck -f -i 100ms -t 300ms 203.0.113.207 203.0.113.208
	wait_until 10 grep -q '^state down' "$out.3"
	grep -qx 'state down why=rounds alive=0/2 loss=100 rtt=- failed=203.0.113.207,203.0.113.208' "$out.3" ||
		{ cat "$out.3"; false; }
	# None failed: no failed= at all.
	bg_start -n m -o "$out.4" pingcheck -f -i 100ms -t 300ms -u 2 $H
	wait_until 10 grep -q '^state up' "$out.4"
	grep -Eq '^state up why=rounds alive=1/1 loss=0 rtt=[0-9]+\.[0-9]{3}$' "$out.4" ||
		{ cat "$out.4"; false; }
}

# Is there a "state WORD" line after line FROM of FILE?
state_after() {
	sed -n "$(($2 + 1)),\$p" "$1" | grep -Eq "^state $3( |\$)"
}

# Prints the N round lines before the first "state WORD" line after
# line FROM, and that line's number, as "NUMBER VERDICT...".
before_state() {
	awk -v w="$2" -v from="$3" -v n="$4" '
		NR > from && $1 == "state" && $2 == w { printf "%d", NR; for (i = NR - n - 1; i < NR; i++) printf " %s", v[i]; print ""; exit }
		{ v[NR] = ($1 == "state") ? "S" : $2 }' "$1"
}

@test "-f goes down after -d failed rounds when the link goes, up after -u good ones when it comes back" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out" r at
	bg_start -n m -o "$out" pingcheck -f -i 100ms -t 1s -d 3 -u 5 198.51.100.242
	wait_until 10 grep -q '^state up' "$out"
	# The first state line came after exactly 5 good rounds.
	r=$(before_state "$out" up 0 4)
	[ "${r#* }" = "up up up up up" ] || { echo "$r"; cat "$out"; false; }
	at=${r%% *}
	nsx t ip link set e0 down
	wait_until 10 grep -q '^state down' "$out"
	r=$(before_state "$out" down "$at" 3)
	# Three down rounds, and an up one (or the state line) before them.
	[[ ${r#* } =~ ^(up|S)\ down\ down\ down$ ]] || { echo "$r"; cat "$out"; false; }
	at=${r%% *}
	nsx t ip link set e0 up
	wait_until 15 state_after "$out" "$at" up
	r=$(before_state "$out" up "$at" 5)
	[[ ${r#* } =~ ^(down|S)\ up\ up\ up\ up\ up$ ]] || { echo "$r"; cat "$out"; false; }
	# No state line but these three.
	[ "$(grep -c '^state' "$out")" -eq 3 ]
}

# A router "r" with two uplinks: eth1 to isp1 (198.51.100.1, the main
# default route) and eth2 to isp2 (203.0.113.1).  192.0.2.53 is reachable
# only through isp2, which, like a real ISP, drops packets from other
# ISPs' addresses and answers ARP only for its own.
uplinks() {
	ns_new r i1 i2
	ns_veth r eth1 i1 e0
	ns_veth r eth2 i2 e0
	ns_addr r eth1 198.51.100.2/24
	ns_addr i1 e0 198.51.100.1/24
	ns_addr r eth2 203.0.113.2/24
	ns_addr i2 e0 203.0.113.1/24
	nsx r ip route add default via 198.51.100.1
	nsx i2 ip addr add 192.0.2.53/32 dev lo
	nsx i2 sysctl -qw net.ipv4.conf.all.arp_ignore=1
	nft_in i2 add table ip pc
	nft_in i2 add chain ip pc in '{ type filter hook input priority 0; }'
	nft_in i2 add rule ip pc in ip saddr != 203.0.113.0/24 counter drop
}

@test "-I/-g probes through a non-default uplink once its policy routing is there, never the wrong way" {
	need_netns
	uplinks
	# Without the rule the probe would not go via the gateway: not sent.
	run -1 --separate-stderr nsx r timeout 20 pingcheck -I eth2 -g 203.0.113.1 -t 300ms 192.0.2.53
	[ "${lines[1]}" = "192.0.2.53: no-route sent=3 recv=0 loss=100%" ]
	[[ $stderr == *"route does not leave via 203.0.113.1 dev eth2"* ]]
	# What pingcheck(8) asks for.
	nsx r ip rule add from 203.0.113.2 lookup 102
	nsx r ip route add default via 203.0.113.1 dev eth2 table 102
	# Strict reverse-path filtering, too.
	nsx r sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth2.rp_filter=1
	run -0 nsx r timeout 20 pingcheck -I eth2 -g 203.0.113.1 -t 500ms 192.0.2.53
	[[ ${lines[0]} == "192.0.2.53: ok sent=3 recv=3 loss=0% "* ]]
	# The main table still points at isp1; isp2 never saw a foreign source.
	nsx r ip route show default | grep -q 'via 198.51.100.1 dev eth1'
	run -0 nft_in i2 list table ip pc
	[[ $output == *"counter packets 0 bytes 0 drop"* ]]
	# A wrong gateway is refused, not probed through the real one.
	run -1 --separate-stderr nsx r timeout 20 pingcheck -I eth2 -g 203.0.113.9 -t 300ms 192.0.2.53
	[ "${lines[1]}" = "192.0.2.53: no-route sent=3 recv=0 loss=100%" ]
}

@test "-f -I/-g keeps probing the backup uplink and follows its rule appearing later" {
	need_netns
	uplinks
	nsx r sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	local out="$BATS_TEST_TMPDIR/f.out"
	bg_start -n r -o "$out" pingcheck -f -I eth2 -g 203.0.113.1 -i 100ms -t 300ms -d 3 -u 5 192.0.2.53
	wait_until 10 grep -q '^state down' "$out"
	# Nothing was sent: the route check refused every target.
	grep -qx 'state down why=noroute alive=0/1 loss=100 rtt=- failed=192.0.2.53' "$out" ||
		{ cat "$out"; false; }
	nsx r ip rule add from 203.0.113.2 lookup 102
	nsx r ip route add default via 203.0.113.1 dev eth2 table 102
	wait_until 10 grep -q '^state up' "$out"
	grep -Eq '^[0-9]+ up alive=1/1 loss=0 rtt=' "$out"
	grep -Eq '^state up why=rounds alive=1/1 loss=0 rtt=[0-9.]+$' "$out"
}

@test "-g any: via some gateway on a broadcast interface, never on-link there" {
	need_netns
	uplinks
	nsx r ip rule add from 203.0.113.2 lookup 102
	nsx r ip route add default via 203.0.113.1 dev eth2 table 102
	run -0 nsx r timeout 20 pingcheck -I eth2 -g any -t 500ms 192.0.2.53
	[[ ${lines[0]} == "192.0.2.53: ok sent=3 recv=3 loss=0% "* ]]
	# On-link on eth2 would mean asking ARP for the target: refused.
	nsx r ip route replace default dev eth2 table 102
	run -1 --separate-stderr nsx r timeout 20 pingcheck -I eth2 -g any -t 300ms 192.0.2.53
	[ "${lines[1]}" = "192.0.2.53: no-route sent=3 recv=0 loss=100%" ]
	[[ $stderr == *"192.0.2.53: route does not leave via a gateway dev eth2: not probed"* ]]
	# Through another interface: refused too.
	nsx r ip route del default table 102
	run -1 --separate-stderr nsx r timeout 20 pingcheck -I eth2 -g any -t 300ms 192.0.2.53
	[ "${lines[1]}" = "192.0.2.53: no-route sent=3 recv=0 loss=100%" ]
}

# A point-to-point link like PPP's: t/helpers/tunrelay carries packets
# between tun devices pp0 in c (203.0.113.66, peer 203.0.113.65) and pps0
# in s (the other way round); s has 192.0.2.53, c reaches it through
# table 103 for its pp0 address, by "default dev pp0", no gateway.
# tunrelay's control FIFO is $CTL, its stdout $ROUT.
p2p_up() {
	command -v tunrelay >/dev/null || skip "needs t/helpers/tunrelay (make)"
	CTL=$BATS_TEST_TMPDIR/ctl
	ROUT=$BATS_TEST_TMPDIR/relay.out
	ns_new c s
	mkfifo "$CTL"
	bg_start -o "$ROUT" tunrelay -c "$CTL" "$(ns c):pp0" "$(ns s):pps0"
	wait_until 3 grep -qx ready "$ROUT"
	nsx c ip addr add 203.0.113.66 peer 203.0.113.65/32 dev pp0
	nsx c ip link set pp0 up
	nsx s ip addr add 203.0.113.65 peer 203.0.113.66/32 dev pps0
	nsx s ip link set pps0 up
	nsx s ip addr add 192.0.2.53/32 dev lo
	nsx c ip rule add from 203.0.113.66 lookup 103
	nsx c ip route add default dev pp0 table 103
}

# A control line to tunrelay; waits for its answer.
p2p_ctl() {
	local n
	n=$(grep -c '^set ' "$ROUT" || true)
	timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' sh "$1" "$CTL"
	wait_until 5 eval '[ "$(grep -c "^set " "$ROUT")" -gt "$n" ]'
}

@test "-g any on a point-to-point interface needs no gateway; -g GATEWAY there still refuses" {
	need_netns
	p2p_up
	run -0 nsx c ip -o link show pp0
	[[ $output == *POINTOPOINT* ]]
	run -0 --separate-stderr nsx c timeout 20 pingcheck -I pp0 -g any -t 500ms 192.0.2.53
	[[ ${lines[0]} == "192.0.2.53: ok sent=3 recv=3 loss=0% "* ]]
	[ -z "$stderr" ]
	run -1 --separate-stderr nsx c timeout 20 pingcheck -I pp0 -g 203.0.113.65 -t 300ms 192.0.2.53
	[ "${lines[1]}" = "192.0.2.53: no-route sent=3 recv=0 loss=100%" ]
}

# Round lines after line FROM of FILE before the first "up" one.
rounds_to_up() {
	awk -v from="$2" 'NR > from && $1 != "state" { n++; if ($2 == "up") { print n - 1; exit } }' "$1"
}

@test "-f -I follows its interface deleted and made again with new addresses: replies within a couple of rounds" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out" err="$BATS_TEST_TMPDIR/f.err" at n
	ns_new w x
	ns_veth w wan2 x e0
	ns_addr x e0 203.0.113.1/24
	ns_addr x e0 2001:db8:5::1/64
	ns_addr w wan2 203.0.113.5/24
	ns_addr w wan2 2001:db8:5::5/64
	bg_start -n w -o "$out" -e "$err" pingcheck -f -I wan2 -a 2 -i 100ms -t 300ms -d 3 -u 2 203.0.113.1 2001:db8:5::1
	wait_until 10 grep -q '^state up' "$out"
	# The link drops: the interface goes.
	nsx w ip link del wan2
	wait_until 10 grep -q '^state down' "$out"
	grep -Eq '^state down why=noif alive=0/2 loss=[0-9]+ rtt=([0-9.]+|-) failed=203\.0\.113\.1,2001:db8:5::1$' "$out" ||
		{ cat "$out"; false; }
	wait_until 5 grep -q 'wan2: no such interface' "$err"
	# ...and comes back under the same name with other addresses.
	ns_veth w wan2 x e0
	ns_addr x e0 203.0.113.1/24
	ns_addr x e0 2001:db8:5::1/64
	ns_addr w wan2 2001:db8:5::6/64
	at=$(wc -l <"$out")
	ns_addr w wan2 203.0.113.6/24
	wait_until 10 state_after "$out" "$at" up
	n=$(rounds_to_up "$out" "$at")
	echo "rounds lost after the address came: $n"
	# The requests on their way then (3 with -t 300ms), and one more.
	[ "$n" -le 5 ] || { cat "$out"; false; }
	grep -q '^pingcheck: wan2: probing from 203.0.113.6 now$' "$err"
	grep -q '^pingcheck: wan2: probing from 2001:db8:5::6 now$' "$err"
	# Said once each time, not each round.
	[ "$(grep -c 'no such interface' "$err")" -eq 1 ] || { cat "$err"; false; }
}

@test "-f -I follows a new address on its interface, and a missing one is noaddr" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out" err="$BATS_TEST_TMPDIR/f.err" at
	ns_new w x
	ns_veth w wan2 x e0
	ns_addr x e0 203.0.113.1/24
	ns_addr w wan2 203.0.113.5/24
	bg_start -n w -o "$out" -e "$err" pingcheck -f -I wan2 -i 100ms -t 300ms -d 5 -u 2 203.0.113.1
	wait_until 10 grep -q '^state up' "$out"
	# A new lease: the old address goes and another comes at once.
	at=$(wc -l <"$out")
	printf '%s\n' "addr del 203.0.113.5/24 dev wan2" "addr add 203.0.113.7/24 dev wan2" |
		nsx w ip -batch -
	wait_until 5 grep -q 'probing from 203.0.113.7 now' "$err"
	# Replies to the new address; fewer lost than -d: the state stayed up.
	wait_until 10 eval '[ "$(sed -n "$((at + 1)),\$p" "$out" | grep -c "^[0-9]")" -ge 10 ]'
	tail -1 "$out" | grep -Eq '^[0-9]+ up alive=1/1 ' || { cat "$out"; false; }
	[ "$(grep -c '^state' "$out")" -eq 1 ] || { cat "$out"; false; }
	nsx w ip addr del 203.0.113.7/24 dev wan2
	wait_until 10 grep -q '^state down' "$out"
	grep -Eq '^state down why=noaddr alive=0/1 loss=[0-9]+ rtt=([0-9.]+|-) failed=203\.0\.113\.1$' "$out" ||
		{ cat "$out"; false; }
	grep -q '^pingcheck: wan2: no IPv4 address: ' "$err"
	ns_addr w wan2 203.0.113.8/24
	wait_until 10 state_after "$out" "$(wc -l <"$out")" up
	grep -q 'probing from 203.0.113.8 now' "$err"
}

@test "-f -I keeps its IPv6 source while it lasts: a newer address of another prefix (a rogue RA's) is not taken until the old one goes" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out" err="$BATS_TEST_TMPDIR/f.err" at
	ns_new w x
	ns_veth w wan2 x e0
	ns_addr x e0 2001:db8:5::1/64
	# The oldest, but deprecated (preferred lifetime 0): not the first
	# choice; cstamp counts hundredths of a second.
	ns_addr w wan2 2001:db8:5::4/64 preferred_lft 0
	sleep 0.05
	ns_addr w wan2 2001:db8:5::5/64
	bg_start -n w -o "$out" -e "$err" pingcheck -v -f -I wan2 -i 100ms -t 300ms -d 3 -u 2 2001:db8:5::1
	wait_until 10 grep -q '^state up' "$out"
	grep -qx 'pingcheck: wan2: probing from 2001:db8:5::5 now' "$err" || { cat "$err"; false; }
	# A rogue router advertisement's prefix: SLAAC adds an address, which
	# the kernel lists first.  The ISP (x here) drops what comes from it.
	at=$(wc -l <"$out")
	ns_addr w wan2 2001:db8:6::5/64
	wait_until 10 eval '[ "$(sed -n "$((at + 1)),\$p" "$out" | grep -c "^[0-9]* up alive=1/1 ")" -ge 15 ]' ||
		{ cat "$out" "$err"; false; }
	! grep -q 'probing from 2001:db8:6::5' "$err" || { cat "$err"; false; }
	[ "$(grep -c '^state' "$out")" -eq 1 ] || { cat "$out"; false; }
	# The address it probes from goes: it moves to the best left, the
	# new one (not deprecated, not link-local).
	nsx w ip -6 addr del 2001:db8:5::5/64 dev wan2
	wait_until 5 grep -qx 'pingcheck: wan2: probing from 2001:db8:6::5 now' "$err" ||
		{ cat "$err"; false; }
}

@test "-f -I started before its interface exists waits for it, then for its address" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out" err="$BATS_TEST_TMPDIR/f.err"
	ns_new w x
	bg_start -n w -o "$out" -e "$err" pingcheck -f -I wan3 -i 100ms -t 300ms -d 3 -u 2 203.0.113.1
	wait_until 10 grep -q '^state down' "$out"
	grep -qx 'state down why=noif alive=0/1 loss=100 rtt=- failed=203.0.113.1' "$out" ||
		{ cat "$out"; false; }
	grep -qx 'pingcheck: wan3: no such interface: its probes count as lost until it appears' "$err"
	ns_veth w wan3 x e0
	wait_until 5 grep -q 'wan3: no IPv4 address' "$err"
	ns_addr x e0 203.0.113.1/24
	ns_addr w wan3 203.0.113.9/24
	wait_until 10 grep -q '^state up why=rounds' "$out"
	grep -qx 'pingcheck: wan3: probing from 203.0.113.9 now' "$err"
	# One-shot mode: a missing interface is still a usage error.
	run -2 --separate-stderr nsx w timeout 5 pingcheck -I wan4 203.0.113.1
	[[ $stderr == "pingcheck: no such interface: wan4"* ]]
}

@test "-L: random loss makes the state degraded, its end makes it up again (recovered)" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out"
	# Four targets, -a 1: a round is bad only when all four are lost.
	bg_start -n m -o "$out" pingcheck -f -i 50ms -t 500ms -u 5 -L 20 -W 1s \
	    203.0.113.11 203.0.113.12 203.0.113.13 203.0.113.14
	wait_until 10 grep -q '^state up' "$out"
	nft_in h add table ip pc
	nft_in h add chain ip pc in '{ type filter hook input priority 0; }'
	nft_in h add rule ip pc in ip daddr 203.0.113.11-203.0.113.14 icmp type echo-request numgen random mod 100 \< 40 drop
	wait_until 15 grep -q '^state degraded' "$out"
	nft_in h delete table ip pc
	wait_until 15 grep -q '^state up why=recovered' "$out"
	# Every host lossy: none good, fewer than MIN.
	grep -Eq '^state degraded why=loss alive=[0-4]/4 loss=[0-9]+ rtt=[0-9.]+( failed=[0-9.,]+)? lossy=203\.0\.113\.1[1-4](,203\.0\.113\.1[1-4])*$' "$out" ||
		{ cat "$out"; false; }
	# Recovered: one host's (MIN's) window loss at most half of 20%;
	# another may still be lossy.
	grep -Eq '^state up why=recovered alive=[0-4]/4 loss=[0-9]+ rtt=[0-9.]+( failed=[0-9.,]+)?( lossy=[0-9.,]+)?$' "$out" ||
		{ cat "$out"; false; }
	# Never down: a degraded link is not a dead one.
	! grep -q '^state down' "$out" || { cat "$out"; false; }
}

@test "-L and -R on a clean link: nothing degraded over 60 rounds" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out"
	# The lab's round trip is well under a millisecond; 50 ms is far.
	bg_start -n m -o "$out" pingcheck -f -i 20ms -t 500ms -u 3 -L 5 -R 50ms -W 200ms $H 203.0.113.15
	wait_until 15 eval '[ "$(grep -c "^[0-9]* up " "$out")" -ge 60 ]'
	[ "$(grep -c '^state' "$out")" -eq 1 ] || { cat "$out"; false; }
	grep -Eq '^state up why=rounds alive=2/2 loss=0 rtt=[0-9.]+$' "$out"
}

@test "-L/-R judge each host: one target blackholed, -a 1, the other clean: up, never degraded" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out"
	# Down for maintenance: 203.0.113.22 never answers, from the start.
	nft_in h add table ip pc
	nft_in h add chain ip pc in '{ type filter hook input priority 0; }'
	nft_in h add rule ip pc in ip daddr 203.0.113.22 icmp type echo-request drop
	# A window of 10 rounds, full after 10: 30 rounds is 3 windows.
	bg_start -n m -o "$out" pingcheck -f -i 50ms -t 300ms -u 5 -a 1 -L 20 -R 300 -W 500ms \
	    203.0.113.21 203.0.113.22
	wait_until 15 eval '[ "$(grep -c "^[0-9]* up alive=1/2 loss=50 " "$out")" -ge 30 ]'
	# Aggregated, the window's loss is 50%; per host one of one is good.
	[ "$(grep -c '^state' "$out")" -eq 1 ] || { cat "$out"; false; }
	grep -Eq '^state up why=rounds alive=1/2 loss=50 rtt=[0-9.]+ failed=203\.0\.113\.22 lossy=203\.0\.113\.22$' "$out" ||
		{ cat "$out"; false; }
}

@test "-L per host: -a 2, one target at 40% random loss: degraded why=loss naming it, recovered without it" {
	need_netns
	local out="$BATS_TEST_TMPDIR/f.out"
	# -d 40: a round with .24 lost is bad under -a 2, but never 40 in a row.
	bg_start -n m -o "$out" pingcheck -f -i 50ms -t 300ms -d 40 -u 5 -a 2 -L 25 -W 1s \
	    203.0.113.23 203.0.113.24
	wait_until 10 grep -q '^state up' "$out"
	nft_in h add table ip pc
	nft_in h add chain ip pc in '{ type filter hook input priority 0; }'
	nft_in h add rule ip pc in ip daddr 203.0.113.24 icmp type echo-request numgen random mod 100 \< 40 drop
	wait_until 15 grep -q '^state degraded' "$out"
	nft_in h delete table ip pc
	wait_until 15 grep -q '^state up why=recovered' "$out"
	# 20% over both, under 25; 40% for .24 alone, which alone is lossy.
	grep -Eq '^state degraded why=loss alive=[12]/2 loss=[0-9]+ rtt=[0-9.]+( failed=203\.0\.113\.24)? lossy=203\.0\.113\.24$' "$out" ||
		{ cat "$out"; false; }
	grep -Eq '^state up why=recovered alive=[12]/2 loss=[0-9]+ rtt=[0-9.]+( failed=203\.0\.113\.24)?$' "$out" ||
		{ cat "$out"; false; }
	! grep -q '^state down' "$out" || { cat "$out"; false; }
}

@test "-R: a slow line makes the state degraded (latency), a fast one up again (tunrelay's delay)" {
	need_netns
	p2p_up
	local out="$BATS_TEST_TMPDIR/f.out"
	bg_start -n c -o "$out" pingcheck -f -I pp0 -g any -i 100ms -t 2s -u 3 -R 150ms -W 1s 192.0.2.53
	wait_until 10 grep -q '^state up' "$out"
	grep -Eq '^state up why=rounds alive=1/1 loss=0 rtt=[0-9.]+$' "$out"
	# 100 ms each way: 200 ms a round trip.
	p2p_ctl "delay 100"
	wait_until 15 grep -q '^state degraded' "$out"
	grep -Eq '^state degraded why=latency alive=1/1 loss=0 rtt=(1[5-9][0-9]|[2-9][0-9][0-9])\.[0-9]{3} slow=192\.0\.2\.53$' "$out" ||
		{ cat "$out"; false; }
	p2p_ctl "delay 0"
	wait_until 15 grep -q '^state up why=recovered' "$out"
	# Recovered: the window's average at most half of 150 ms.
	grep -Eq '^state up why=recovered alive=1/1 loss=0 rtt=([0-9]|[1-6][0-9]|7[0-5])\.[0-9]{3}$' "$out" ||
		{ cat "$out"; false; }
	! grep -q '^state down' "$out" || { cat "$out"; false; }
}

# InDestUnreachs of namespace $1's ICMP (IPv4) counters.
in_unreach() {
	nsx "$1" awk '$1 == "Icmp:" { if (!n) { for (i = 2; i <= NF; i++) if ($i == "InDestUnreachs") n = i; next } print $n; exit }' /proc/net/snmp
}

@test "-f: forged ICMP unreachable errors about an answering target's requests leave the uplink up, every round alive" {
	need_netns
	p2p_up
	# The attacker, a hop behind s: its errors come in through pp0, as
	# from anywhere on the internet.  It never sees the requests.
	ns_new a
	ns_veth s e1 a e0
	ns_addr s e1 198.51.100.1/24
	ns_addr a e0 198.51.100.66/24
	nsx a ip route add default via 198.51.100.1
	nsx s sysctl -qw net.ipv4.ip_forward=1
	# 200 ms a round trip: an error can come before the reply.
	p2p_ctl "delay 100"
	local f="$BATS_TEST_TMPDIR/f" kind u0 u1 n bad
	local -A at
	bg_start -n c -o "$f.raw" -e "$f.raw.err" pingcheck -v -f -I pp0 -g any -i 100ms -t 1s -d 3 -u 3 192.0.2.53
	wait_until 5 grep -q 'echo id' "$f.raw.err"
	# The unprivileged socket's echo id comes from a counter: the
	# attacker's guess.
	nsx c sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	bg_start -n c -o "$f.dgram" -e "$f.dgram.err" pingcheck -v -f -I pp0 -g any -i 100ms -t 1s -d 3 -u 3 192.0.2.53
	wait_until 10 grep -q '^state up' "$f.raw"
	wait_until 10 grep -q '^state up' "$f.dgram"
	grep -q 'IPv4: raw' "$f.raw.err"
	grep -q 'IPv4: unprivileged datagram' "$f.dgram.err"
	u0=$(in_unreach c)
	for kind in raw dgram; do
		at[$kind]=$(wc -l <"$f.$kind")
		# The round due now: those reported, and two on their way.
		n=$(($(grep -c '^[0-9]' "$f.$kind") + 2))
		bg_start -n a -o "$f.$kind.forge" icmpforge -q 0,24 -i 100ms -w 3 -p 25ms -t 4s \
		    203.0.113.66 192.0.2.53 "$(echo_id "$f.$kind.err" 4)" "$n"
	done
	wait_until 8 grep -q '^sent' "$f.raw.forge"
	wait_until 3 grep -q '^sent' "$f.dgram.forge"
	u1=$(in_unreach c)
	echo "forged errors that came in: $((u1 - u0))"
	[ $((u1 - u0)) -ge 1000 ]
	for kind in raw dgram; do
		n=$(sed -n "$((at[$kind] + 1)),\$p" "$f.$kind" | grep -c '^[0-9]* up alive=1/1 ' || true)
		bad=$(sed -n "$((at[$kind] + 1)),\$p" "$f.$kind" | grep -vc '^[0-9]* up alive=1/1 ' || true)
		echo "$kind: $n rounds alive, $bad other lines"
		# 4 s at 100 ms; one lost on a loaded machine, never a state line.
		[ "$n" -ge 30 ] && [ "$bad" -le 1 ] || { cat "$f.$kind"; false; }
		! sed -n "$((at[$kind] + 1)),\$p" "$f.$kind" | grep -q '^state' || { cat "$f.$kind"; false; }
	done
}

@test "an unknown host is a failed host, named on stderr" {
	run -1 --separate-stderr timeout 20 pingcheck -t 200ms nonexistent.invalid
	[ "${lines[0]}" = "nonexistent.invalid" ]
	[ "${lines[1]}" = "nonexistent.invalid: unknown-host sent=0 recv=0 loss=100%" ]
	[[ $stderr == "pingcheck: nonexistent.invalid: "* ]]
}

@test "bad counts, durations, losses, addresses and combinations are usage errors (exit 2)" {
	local a
	for a in "-c -1" "-c 0" "-c x" "-c 10001" "-c ''" "-i 0" "-i -1s" \
	    "-i 2x" "-t 0" "-t 1w" "-l 101" "-l -1" "-l 5%%" "-a 0" "-a 3" \
	    "-d 0" "-u -2" "-S 192.0.2.300" "-S foo" "-g 192.0.2.1" \
	    "-I nosuchif0" "-I lo -g 192.0.2.x" "-w 100" "-C 100,200%" \
	    "-i 10ms -t 5s" "-I lo -S 192.0.2.1 -g 2001:db8::1" "-g any" \
	    "-I lo -g anyway" "-L 20" "-R 100" "-W 2s" "-f -L 0" "-f -L 101" \
	    "-f -L 20:20" "-f -L 20:30" "-f -L x" "-f -L 20:" "-f -R 0" \
	    "-f -R 100:100" "-f -R 1x" "-f -W 0" "-f -W x" \
	    "-f -i 1ms -W 2s"; do
		eval "run -2 --separate-stderr timeout 5 pingcheck $a 192.0.2.9 192.0.2.10"
		[ -z "$output" ] || { echo "stdout for $a: $output"; false; }
		[[ $stderr == "pingcheck: "* ]] || { echo "$a: $stderr"; false; }
	done
	run -2 --separate-stderr timeout 5 pingcheck
	[[ $stderr == "pingcheck: no host to ping"* ]]
	# With -N, Nagios's UNKNOWN.
	run -3 --separate-stderr timeout 5 pingcheck -f -N 192.0.2.9
	[ "$output" = "PING UNKNOWN - -f and -N do not go together" ]
	run -2 --separate-stderr timeout 5 pingcheck -c -1 192.0.2.9
	[[ $stderr == "pingcheck: bad count"* ]]
	# check_ping's thresholds: decimal milliseconds.
	run -2 --separate-stderr timeout 5 pingcheck -w 1.2.3,4% 192.0.2.9
	[[ $stderr == "pingcheck: bad warning threshold"* ]]
	# A source address that is not this machine's (found when binding,
	# before anything is sent).
	if [ "$(id -u)" -eq 0 ]; then
		run -2 --separate-stderr timeout 5 pingcheck -S 192.0.2.77 192.0.2.9
		[[ $stderr == "pingcheck: bind to 192.0.2.77: "* ]]
	fi
}

@test "real mon runs pingcheck as its monitor and hands its output to the alert" {
	need_netns
	[ -x /usr/sbin/mon ] || skip "needs Debian's mon (apt-get install mon)"
	local w="$BATS_TEST_TMPDIR/mon"
	mkdir -p "$w/mon.d" "$w/alert.d" "$w/log" "$w/state"
	ln -s "$(command -v pingcheck)" "$w/mon.d/pingcheck"
	cat >"$w/alert.d/rec.alert" <<EOT
#!/bin/sh
{ echo "argv: \$*"; cat; echo "--"; } >>"$w/alerts"
EOT
	chmod +x "$w/alert.d/rec.alert"
	cat >"$w/mon.cf" <<EOT
hostgroup routers $H 203.0.113.205

watch routers
	service ping
		interval 1s
		monitor pingcheck -t 300ms
		period wd {Sun-Sat}
			alert rec.alert
			alertafter 1
EOT
	bg_start -n m /usr/sbin/mon -c "$w/mon.cf" -s "$w/mon.d" -a "$w/alert.d" \
		-L "$w/log" -D "$w/state" -P "$w/mon.pid"
	wait_until 30 grep -q '^--' "$w/alerts"
	run -0 sed -n '1,/^--/p' "$w/alerts"
	[[ ${lines[0]} == "argv: -s ping -g routers -h $H 203.0.113.205 -t "* ]]
	[ "${lines[1]}" = "203.0.113.205" ]
	[[ ${lines[2]} == "$H: ok sent=3 recv=3 loss=0% rtt="* ]]
	[ "${lines[3]}" = "203.0.113.205: no-reply sent=3 recv=0 loss=100%" ]
}

@test "pingcheck -h says line 1 is empty when every host passed, for mon" {
	run -0 timeout 5 pingcheck -h
	[[ $output == *"line 1 names the failed hosts and is empty"*"when all passed (mon's summary line"* ]]
}
