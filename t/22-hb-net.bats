#!/usr/bin/env bats
# hbsend and hbrecv between two network namespaces joined by two veth
# pairs: UDP unicast (IPv4, IPv6), broadcast, multicast, and one medium
# of two cut with the node staying up.

load helpers/common

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v ip >/dev/null 2>&1 || return 0
	ns_new a b
	ns_veth a eth0 b eth0
	ns_veth a eth1 b eth1
	ns_addr a eth0 192.0.2.1/24
	ns_addr b eth0 192.0.2.2/24
	ns_addr a eth0 2001:db8::1/64
	ns_addr b eth0 2001:db8::2/64
	ns_addr a eth1 198.51.100.1/24
	ns_addr b eth1 198.51.100.2/24
}

setup() {
	need_netns
	T=$BATS_TEST_TMPDIR
	# A real key: without one, hbsend and hbrecv warn on stderr.
	KEYS=$T/authkeys
	printf 'auth 1\n1 sha256 net test secret\n' >"$KEYS"
	chmod 600 "$KEYS"
}

# cut_eth1 SOURCE: node a's eth1 down until hbrecv's events say SOURCE
# is dead, then up until they say it is up again.
cut_eth1() {
	ip -n "$(ns a)" link set eth1 down
	wait_until 5 has "$T/ev" "^link na $1 dead$"
	ip -n "$(ns a)" link set eth1 up
	wait_until 8 has_n 2 "$T/ev" "^link na $1 up$"
}

has() {
	grep -Eq -- "$2" "$1"
}

has_n() {
	[ "$(grep -Ec -- "$3" "$2")" -eq "$1" ]
}

# sees SENDER-MEDIUM RECEIVER-SOURCE: b hears a's heartbeats.
sees() {
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms "$1"
	run -0 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 5s -n nb "$2"
	[[ ${lines[0]} == "up na st=active gen="* ]]
	[ "${lines[1]}" = "link na $2 up" ]
}

@test "UDP unicast over IPv4 between two namespaces" {
	sees udp:192.0.2.2:7001 udp:7001
}

@test "UDP unicast over IPv6, and a receiver bound to one address" {
	sees "udp:[2001:db8::2]:7002" "udp:[2001:db8::2]:7002"
}

@test "broadcast on an interface reaches a udp:PORT receiver" {
	sees bcast:eth0:7003 udp:7003
	# and on the wire it went to the subnet's broadcast address
	run -0 --separate-stderr timeout 5 ip netns exec "$(ns b)" tcpdump -c 1 -n -i eth0 udp port 7003
	[[ $output == *" IP 192.0.2.1."*" > 192.0.2.255.7003:"* ]]
}

@test "IPv4 multicast on an interface" {
	sees mcast:239.0.0.43:7004@eth0 mcast:239.0.0.43:7004@eth0
}

@test "IPv6 multicast on an interface" {
	sees "mcast:[ff02::1:43]:7005@eth0" "mcast:[ff02::1:43]:7005@eth0"
}

@test "a unicast receiver ignores datagrams to another port" {
	bg_start -n a hbsend -k "$KEYS" -n na -i 50ms udp:192.0.2.2:7006
	run -1 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 700ms -n nb udp:7007
}

@test "two media, one veth down: a link dead event, no dead node, then the link comes back" {
	bg_start -n b -o "$T/ev" hbrecv -k "$KEYS" -n nb -d 1s mcast:239.0.0.44:7008@eth0 udp:7009
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms mcast:239.0.0.44:7008@eth0 udp:198.51.100.2:7009
	wait_until 5 has "$T/ev" '^link na udp:7009 up$'
	wait_until 5 has "$T/ev" '^link na mcast:239.0.0.44:7008@eth0 up$'
	cut_eth1 udp:7009
	run ! has "$T/ev" '^(warn|dead) na'
}

@test "both media cut: the node is dead, without link events" {
	bg_start -n b -o "$T/ev" hbrecv -k "$KEYS" -n nb -d 800ms udp:7010 udp:7011
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms udp:192.0.2.2:7010 udp:198.51.100.2:7011
	wait_until 5 has_n 2 "$T/ev" '^link na udp:701[01] up$'
	# both at once (one ip call): under load two calls can be far apart
	printf 'link set eth0 down\nlink set eth1 down\n' | ip -n "$(ns a)" -batch -
	wait_until 5 has "$T/ev" '^dead na silent=[0-9]+$'
	printf 'link set eth0 up\nlink set eth1 up\n' | ip -n "$(ns a)" -batch -
	run ! has "$T/ev" ' dead$'
}

@test "multicast out of an interface made anew under its name: the sender finds it again" {
	ns_veth a eth2 b eth2
	ns_addr a eth2 203.0.113.1/24
	ns_addr b eth2 203.0.113.2/24
	bg_start -n a -e "$T/serr" hbsend -k "$KEYS" -n na -i 100ms mcast:239.0.0.45:7012@eth2
	run -0 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 5s -n nb mcast:239.0.0.45:7012@eth2
	ip -n "$(ns a)" link del eth2
	wait_until 5 has "$T/serr" 'eth2: send: '
	# the same name, a new interface index
	ns_veth a eth2 b eth2
	ns_addr a eth2 203.0.113.1/24
	ns_addr b eth2 203.0.113.2/24
	run -0 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 5s -n nb mcast:239.0.0.45:7012@eth2
	[[ ${lines[0]} == "up na st=active gen="* ]]
	wait_until 5 has "$T/serr" 'eth2: working again'
}

@test "multicast on an interface made anew under its name: the receiver joins again" {
	ns_veth a eth3 b eth3
	ns_addr a eth3 203.0.113.5/30
	ns_addr b eth3 203.0.113.6/30
	bg_start -n b -o "$T/ev" -e "$T/rerr" hbrecv -k "$KEYS" -n nb -d 500ms mcast:239.0.0.46:7014@eth3
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms mcast:239.0.0.46:7014@eth3
	wait_until 5 has "$T/ev" '^up na '
	ip -n "$(ns a)" link del eth3
	wait_until 5 has "$T/ev" '^dead na '
	ns_veth a eth3 b eth3
	ns_addr a eth3 203.0.113.5/30
	ns_addr b eth3 203.0.113.6/30
	wait_until 8 has_n 2 "$T/ev" '^up na '
	has "$T/rerr" 'eth3: interface (gone|made anew), joining again'
	has "$T/rerr" 'eth3: working again'
}

@test "bcast on eth0 and ucast on eth1, one source per interface: copies are no replays, a cut is a link event" {
	bg_start -n b -o "$T/ev" -e "$T/rerr" hbrecv -k "$KEYS" -n nb -d 1s udp:7015@eth0 udp:7015@eth1
	local r=$BG_PID
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms bcast:eth0:7015 udp:198.51.100.2:7015
	wait_until 5 has "$T/ev" '^link na udp:7015@eth0 up$'
	wait_until 5 has "$T/ev" '^link na udp:7015@eth1 up$'
	cut_eth1 udp:7015@eth1
	run ! has "$T/ev" '^(warn|dead) na|@eth0 dead'
	# every line came twice, the copy over the second medium no replay;
	# hbrecv gives its drop counts, if any, when it ends
	bg_stop "$r"
	run ! has "$T/rerr" 'replayed=[1-9]'
}

@test "a source on one interface takes nothing that arrives on another" {
	bg_start -n a hbsend -k "$KEYS" -n na -i 50ms udp:198.51.100.2:7016
	run -1 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 700ms -n nb udp:7016@eth0
	run -0 --separate-stderr timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 5s -n nb udp:7016@eth1
	[ "${lines[1]}" = "link na udp:7016@eth1 up" ]
	run -0 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 5s -n nb udp:198.51.100.2:7016@eth1
}

@test "a UDP source on an interface made anew under its name: the receiver listens again" {
	ns_veth a eth4 b eth4
	ns_addr a eth4 203.0.113.9/30
	ns_addr b eth4 203.0.113.10/30
	bg_start -n b -o "$T/ev" -e "$T/rerr" hbrecv -k "$KEYS" -n nb -d 500ms udp:7017@eth4
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms udp:203.0.113.10:7017
	wait_until 5 has "$T/ev" '^up na '
	ip -n "$(ns a)" link del eth4
	wait_until 5 has "$T/ev" '^dead na '
	ns_veth a eth4 b eth4
	ns_addr a eth4 203.0.113.9/30
	ns_addr b eth4 203.0.113.10/30
	wait_until 8 has_n 2 "$T/ev" '^up na '
	has "$T/rerr" 'eth4: interface (gone|made anew), listening again'
	has "$T/rerr" 'eth4: working again'
}

# ttl_on_wire SENDER-MEDIUM PORT: tcpdump -v in b, one datagram.
ttl_on_wire() {
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms "$1"
	run -0 --separate-stderr timeout 5 ip netns exec "$(ns b)" tcpdump -v -c 1 -n -i eth0 udp port "$2"
}

@test "multicast goes out with the TTL given, 1 by default" {
	command -v tcpdump >/dev/null || skip "needs tcpdump"
	ttl_on_wire mcast:239.0.0.47:7018@eth0,ttl=2 7018
	[[ $output == *"ttl 2,"*" > 239.0.0.47.7018: UDP"* ]]
	hk_cleanup
	ttl_on_wire mcast:239.0.0.47:7019@eth0 7019
	[[ $output == *"ttl 1,"*" > 239.0.0.47.7019: UDP"* ]]
	hk_cleanup
	ttl_on_wire "mcast:[ff02::1:47]:7020@eth0,ttl=3" 7020
	[[ $output == *"hlim 3,"*" > ff02::1:47.7020: "* ]]
}

@test "multicast loop=0 keeps the sender's own host from hearing it; loop=1, the default, does not" {
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms mcast:239.0.0.48:7021@eth0
	run -0 timeout 10 ip netns exec "$(ns a)" hbrecv -k "$KEYS" -1 -t 5s -n nb mcast:239.0.0.48:7021@eth0
	hk_cleanup
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms mcast:239.0.0.48:7022@eth0,loop=1,ttl=1
	run -0 timeout 10 ip netns exec "$(ns a)" hbrecv -k "$KEYS" -1 -t 5s -n nb mcast:239.0.0.48:7022@eth0
	hk_cleanup
	bg_start -n a hbsend -k "$KEYS" -n na -i 100ms mcast:239.0.0.48:7023@eth0,loop=0
	run -1 timeout 10 ip netns exec "$(ns a)" hbrecv -k "$KEYS" -1 -t 1s -n nb mcast:239.0.0.48:7023@eth0
	# it is sent all the same: the other host hears it
	run -0 timeout 10 ip netns exec "$(ns b)" hbrecv -k "$KEYS" -1 -t 5s -n nb mcast:239.0.0.48:7023@eth0
}
