#!/usr/bin/env bats
# pingcheck(8): concurrent ICMP echo checks, own replies only, mon and
# Nagios output, the -f stream with hysteresis, -I/-g through an uplink
# that is not the default route.
#
# Monitor namespace "m", hosts namespace "h" (192.0.2.2, 2001:db8::2):
# behind h, 203.0.113.1-180 answer, 203.0.113.192/27 is blackholed
# (silent), 203.0.113.240/28 and 2001:db8:99::/48 answer ICMP
# unreachable, 198.51.100.1-200 answer through a lossy path.  Namespace "t" (198.51.100.242) hangs on
# its own link, for the -f tests.

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

# Is there a "state WORD" line after line FROM of FILE?
state_after() {
	sed -n "$(($2 + 1)),\$p" "$1" | grep -q "^state $3\$"
}

# Prints the N round lines before the first "state WORD" line after
# line FROM, and that line's number, as "NUMBER VERDICT...".
before_state() {
	awk -v w="$2" -v from="$3" -v n="$4" '
		NR > from && $0 == "state " w { printf "%d", NR; for (i = NR - n - 1; i < NR; i++) printf " %s", v[i]; print ""; exit }
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
	nsx r ip rule add from 203.0.113.2 lookup 102
	nsx r ip route add default via 203.0.113.1 dev eth2 table 102
	wait_until 10 grep -q '^state up' "$out"
	grep -Eq '^[0-9]+ up alive=1/1 loss=0 rtt=' "$out"
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
	    "-i 10ms -t 5s" "-I lo -S 192.0.2.1 -g 2001:db8::1"; do
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
