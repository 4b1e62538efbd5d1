#!/usr/bin/env bats
# vipctl(8): add, del, check and list a virtual IP over rtnetlink, IPv4
# and IPv6, labels, leases (kernel address lifetimes), and bad input.
# Every assertion about the system is made with ip(8), from outside.

load helpers/common

# Namespace a with eth0, joined to namespace b by a veth pair.
two() {
	need_netns
	ns_new a b
	ns_veth a eth0 b eth0
	ns_addr a eth0 192.0.2.1/24
	ns_addr b eth0 192.0.2.2/24
	ns_addr a eth0 2001:db8::1/64
	ns_addr b eth0 2001:db8::2/64
}

# CMD inside namespace NAME, under a timeout.
tnsx() {
	local n=$1
	shift
	timeout 10 ip netns exec "$(ns "$n")" "$@"
}

# vipctl inside namespace a.
vip() {
	tnsx a vipctl "$@"
}

# The addresses of a's eth0 as ip(8) shows them, one a line.
ipaddrs() {
	nsx a ip -o addr show dev eth0
}

has_addr() {
	ipaddrs | grep -q " $1 "
}

@test "vipctl without a command exits 2 with the usage" {
	run -2 --separate-stderr timeout 5 vipctl
	[ -z "$output" ]
	[[ $stderr == "vipctl: missing command"* ]]
	[[ $stderr == *"usage: vipctl [-v] add|del|check"* ]]
}

@test "vipctl add puts an IPv4 address on the interface, and a second add succeeds too" {
	two
	run -0 --separate-stderr vip add 192.0.2.100/24 dev eth0
	[ -z "$output" ] && [ -z "$stderr" ]
	has_addr 192.0.2.100/24
	run -0 --separate-stderr vip -v add 192.0.2.100/24 dev eth0
	[ "$stderr" = "vipctl: 192.0.2.100/24 is already on eth0" ]
	[ "$(ipaddrs | grep -c ' 192.0.2.100/24 ')" -eq 1 ]
	# it is the subnet's broadcast address, as ifconfig gives it
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -q 'brd 192.0.2.255'
}

@test "vipctl label is the alias name ip addr shows" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0 label eth0:0
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -q 'eth0:0'
	run -0 vip check 192.0.2.100/24 dev eth0 label eth0:0
	run -1 vip check 192.0.2.100/24 dev eth0 label eth0:1
}

@test "vipctl del removes the address, and a second del succeeds too" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0
	run -0 --separate-stderr vip -v del 192.0.2.100/24 dev eth0
	[ "$stderr" = "vipctl: deleted 192.0.2.100/24 from eth0" ]
	! has_addr 192.0.2.100/24 || false
	run -0 --separate-stderr vip -v del 192.0.2.100/24 dev eth0
	[ "$stderr" = "vipctl: 192.0.2.100/24 is not on eth0" ]
	# the node's own address is untouched
	has_addr 192.0.2.1/24
}

@test "vipctl del of another prefix leaves the address alone" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0
	run -0 vip del 192.0.2.100/32 dev eth0
	has_addr 192.0.2.100/24
}

@test "vipctl del removes an IPv4 address that has a peer, as check sees it" {
	two
	nsx a ip addr add 192.0.2.100 peer 198.51.100.1 dev eth0
	run -0 vip check 192.0.2.100/32 dev eth0
	# a lease goes on that address, not on a second one without the peer
	run -0 vip add 192.0.2.100/32 dev eth0 lease 20s
	[ "$(ipaddrs | grep -c ' 192\.0\.2\.100[ /]')" -eq 1 ]
	ipaddrs | grep ' 192\.0\.2\.100 peer 198\.51\.100\.1/32 ' | grep -Eq 'valid_lft (19|20)sec'
	run -0 vip del 192.0.2.100/32 dev eth0
	! ipaddrs | grep -q ' 192.0.2.100 ' || false
	run -1 vip check 192.0.2.100/32 dev eth0
}

@test "vipctl check exits 0 when the address is there and 1 when it is not" {
	two
	run -1 --separate-stderr vip check 192.0.2.100/24 dev eth0
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 vip add 192.0.2.100/24 dev eth0
	run -0 --separate-stderr vip check 192.0.2.100/24 dev eth0
	[ -z "$output" ]
	run -1 vip check 192.0.2.100/25 dev eth0
	run -1 vip check 2001:db8::100/64 dev eth0
}

@test "vipctl list prints ADDRESS/PREFIX IFACE label=LABEL, one a line" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0 label eth0:0
	run -0 vip add 2001:db8::100/64 dev eth0
	run -0 --separate-stderr vip list dev eth0
	[ -z "$stderr" ]
	[[ $output == *"192.0.2.1/24 eth0"* ]]
	printf '%s\n' "$output" | grep -qx '192.0.2.1/24 eth0'
	printf '%s\n' "$output" | grep -qx '192.0.2.100/24 eth0 label=eth0:0'
	printf '%s\n' "$output" | grep -qx '2001:db8::100/64 eth0'
	printf '%s\n' "$output" | grep -q '^fe80::.*/64 eth0$'
	# one line per address that ip(8) shows
	[ "${#lines[@]}" -eq "$(ipaddrs | wc -l)" ]
}

@test "vipctl list without dev lists every interface" {
	two
	run -0 vip list
	printf '%s\n' "$output" | grep -qx '127.0.0.1/8 lo'
	printf '%s\n' "$output" | grep -qx '::1/128 lo'
	printf '%s\n' "$output" | grep -qx '192.0.2.1/24 eth0'
}

@test "vipctl list is whole and consistent when addresses change while it lists" {
	two
	local d=$BATS_TEST_TMPDIR k n i st=0
	for k in 1 2 3 4; do
		nsx a ip link add "v$k" type veth peer name "q$k"
		for n in 192.0.2 198.51.100 203.0.113; do
			for i in $(seq 1 254); do
				echo "addr add $n.$i/32 dev v$k label v$k:abcdefghij"
			done
		done
	done >"$d/batch"
	nsx a ip -batch "$d/batch"
	# vipctl writes into a pipe nobody reads yet and stops there (mid-dump
	# when it printed as it read)
	mkfifo "$d/pipe"
	bg_start -n a -o "$d/pipe" timeout 30 vipctl list
	exec 6<"$d/pipe"
	wait_until 10 eval 'grep -qs pipe_write "/proc/$(pgrep -P "$BG_PID" -x vipctl)/wchan"'
	# addresses go meanwhile: a dump resumed after this skips one
	for k in 1 2 3 4; do
		nsx a ip addr del 192.0.2.1/32 dev "v$k"
	done
	cat <&6 >"$d/list"
	exec 6<&-
	wait "$BG_PID" || st=$?
	[ "$st" -eq 0 ]
	# a snapshot from before the change or from after it, nothing else
	awk '{ print $3, $5, "label=" $7 }' "$d/batch" | sort >"$d/before"
	grep -v '^192\.0\.2\.1/32 ' "$d/before" >"$d/after"
	grep ' label=v' "$d/list" | sort >"$d/got"
	cmp -s "$d/before" "$d/got" || cmp -s "$d/after" "$d/got" || {
		diff "$d/before" "$d/got" | head
		false
	}
}

@test "vipctl IPv6: add twice, check, list, del twice" {
	two
	run -0 vip add 2001:db8::100/64 dev eth0
	run -0 --separate-stderr vip -v add 2001:db8::100/64 dev eth0
	[ "$stderr" = "vipctl: 2001:db8::100/64 is already on eth0" ]
	has_addr 2001:db8::100/64
	run -0 vip check 2001:db8::100/64 dev eth0
	run -0 vip list dev eth0
	printf '%s\n' "$output" | grep -qx '2001:db8::100/64 eth0'
	run -0 vip del 2001:db8::100/64 dev eth0
	! has_addr 2001:db8::100/64 || false
	run -0 vip del 2001:db8::100/64 dev eth0
	run -1 vip check 2001:db8::100/64 dev eth0
}

@test "vipctl IPv6 address is usable at once: no kernel DAD, not tentative" {
	two
	run -0 vip add 2001:db8::100/64 dev eth0
	! ipaddrs | grep ' 2001:db8::100/64 ' | grep -q tentative || false
	run -0 tnsx b ping -c 1 -W 2 2001:db8::100
}

@test "vipctl accepts and ignores a label for IPv6" {
	two
	run -0 --separate-stderr vip -v add 2001:db8::100/64 dev eth0 label eth0:0
	[[ $stderr == *"IPv6 addresses have no label"* ]]
	has_addr 2001:db8::100/64
}

@test "vipctl add refuses an IPv6 address that is there with another prefix" {
	two
	run -0 vip add 2001:db8::100/64 dev eth0
	run -3 --separate-stderr vip add 2001:db8::100/80 dev eth0
	[[ $stderr == *"with prefix /64"* ]]
	has_addr 2001:db8::100/64
	! ipaddrs | grep -q '2001:db8::100/80' || false
}

@test "vipctl refuses an IPv6 address whose kernel DAD failed: check 1, add 3" {
	two
	# added by hand with the kernel's DAD, while b holds it
	nsx a ip addr add 2001:db8::2/64 dev eth0
	run -0 wait_until 10 eval 'ipaddrs | grep " 2001:db8::2/64 " | grep -q dadfailed'
	run -1 vip check 2001:db8::2/64 dev eth0
	run -3 --separate-stderr vip add 2001:db8::2/64 dev eth0
	[[ $stderr == *"failed duplicate address detection"* ]]
	run -0 vip del 2001:db8::2/64 dev eth0
	! has_addr 2001:db8::2/64 || false
}

@test "vipctl add with lease 2s: the address disappears by itself within about 3s" {
	two
	local t0 t1
	t0=$(now_ms)
	run -0 vip add 192.0.2.100/24 dev eth0 lease 2s
	run -0 vip add 2001:db8::100/64 dev eth0 lease 2s
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -q 'valid_lft [12]sec'
	run -0 wait_until 8 eval '! has_addr 192.0.2.100/24 && ! has_addr 2001:db8::100/64'
	t1=$(now_ms)
	# not before the lease ran out (the kernel rounds to whole seconds)
	[ $((t1 - t0)) -ge 1000 ] || { echo "gone after $((t1 - t0)) ms"; false; }
	run -1 vip check 192.0.2.100/24 dev eth0
}

@test "vipctl add with lease 2s, renewed every half second, stays" {
	two
	local i
	for i in $(seq 1 10); do
		run -0 vip add 192.0.2.100/24 dev eth0 lease 2s
		has_addr 192.0.2.100/24
		sleep 0.5
	done
	has_addr 192.0.2.100/24
	# and once no longer renewed it goes
	run -0 wait_until 8 eval '! has_addr 192.0.2.100/24'
}

@test "vipctl list shows the time left of a lease as lease=MS" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0 label eth0:0 lease 30s
	run -0 vip add 2001:db8::100/64 dev eth0 lease 1m
	run -0 vip list dev eth0
	printf '%s\n' "$output" | grep -Eqx '192.0.2.100/24 eth0 label=eth0:0 lease=(29|30)000'
	printf '%s\n' "$output" | grep -Eqx '2001:db8::100/64 eth0 lease=(59|60)000'
	printf '%s\n' "$output" | grep -qx '192.0.2.1/24 eth0'
}

@test "vipctl add with lease on an address there without one sets the lease" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0 label eth0:0
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -q 'valid_lft forever'
	run -0 --separate-stderr vip -v add 192.0.2.100/24 dev eth0 label eth0:0 lease 20s
	[ "$stderr" = "vipctl: renewed 192.0.2.100/24 on eth0, lease 20s" ]
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -Eq 'valid_lft (19|20)sec preferred_lft (19|20)sec'
	run -0 vip add 2001:db8::100/64 dev eth0
	run -0 vip add 2001:db8::100/64 dev eth0 lease 20s
	ipaddrs | grep ' 2001:db8::100/64 ' | grep -Eq 'valid_lft (19|20)sec'
}

@test "vipctl add without lease makes a leased address permanent" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0 lease 20s
	run -0 vip add 192.0.2.100/24 dev eth0
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -q 'valid_lft forever'
	run -0 vip list dev eth0
	printf '%s\n' "$output" | grep -qx '192.0.2.100/24 eth0'
}

@test "vipctl rounds a lease up to whole seconds" {
	two
	run -0 vip add 192.0.2.100/24 dev eth0 lease 1500ms
	ipaddrs | grep ' 192.0.2.100/24 ' | grep -Eq 'valid_lft [12]sec'
}

@test "bad input: an unknown interface exits 2 and changes nothing" {
	two
	run -2 --separate-stderr vip add 192.0.2.100/24 dev nosuch0
	[[ $stderr == "vipctl: unknown interface 'nosuch0'"* ]]
	run -2 vip check 192.0.2.100/24 dev nosuch0
	run -2 vip list dev nosuch0
	! nsx a ip -o addr | grep -q 192.0.2.100 || false
}

@test "bad input: 300.1.1.1/24 exits 2" {
	run -2 --separate-stderr timeout 5 vipctl add 300.1.1.1/24 dev nosuch0
	[[ $stderr == "vipctl: bad address '300.1.1.1/24'"* ]]
	[ -z "$output" ]
}

@test "bad input: prefix 33 on IPv4 and 129 on IPv6 exit 2" {
	run -2 --separate-stderr timeout 5 vipctl add 192.0.2.100/33 dev nosuch0
	[[ $stderr == "vipctl: bad address '192.0.2.100/33'"* ]]
	run -2 timeout 5 vipctl add 2001:db8::100/129 dev nosuch0
}

@test "bad input: a missing dev exits 2" {
	run -2 --separate-stderr timeout 5 vipctl add 192.0.2.100/24
	[[ $stderr == "vipctl: missing dev IFACE"* ]]
	run -2 --separate-stderr timeout 5 vipctl del 192.0.2.100/24 dev
	[[ $stderr == "vipctl: dev needs a value"* ]]
}

@test "bad input: a missing prefix, a multicast address, junk words exit 2" {
	run -2 --separate-stderr timeout 5 vipctl add 192.0.2.100 dev nosuch0
	[[ $stderr == "vipctl: missing /PREFIX in '192.0.2.100'"* ]]
	run -2 timeout 5 vipctl add 224.0.0.1/24 dev nosuch0
	run -2 timeout 5 vipctl add 0.0.0.0/0 dev nosuch0
	run -2 timeout 5 vipctl add ff02::1/64 dev nosuch0
	run -2 timeout 5 vipctl add host.example/24 dev nosuch0
	run -2 timeout 5 vipctl add 192.0.2.100/24 dev nosuch0 frob 1
	run -2 timeout 5 vipctl add 192.0.2.100/24 dev nosuch0 dev nosuch0
	run -2 timeout 5 vipctl frob 192.0.2.100/24 dev nosuch0
}

@test "bad input: a bad lease, or lease on del, exits 2" {
	local bad
	for bad in 0 -1 2x "" 1e3 366d; do
		run -2 --separate-stderr timeout 5 vipctl add 192.0.2.100/24 dev nosuch0 lease "$bad"
		[[ $stderr == "vipctl: bad lease '$bad'"* ]] || { echo "[$bad] $stderr"; false; }
	done
	run -2 --separate-stderr timeout 5 vipctl del 192.0.2.100/24 dev nosuch0 lease 2s
	[[ $stderr == "vipctl: lease is for add only"* ]]
}

@test "bad input: a label that is not IFACE or IFACE:SUFFIX exits 2 and changes nothing" {
	two
	run -2 --separate-stderr vip add 192.0.2.100/24 dev eth0 label foo
	[[ $stderr == "vipctl: label 'foo' must be eth0 or start with 'eth0:'"* ]]
	run -2 vip add 192.0.2.100/24 dev eth0 label eth0x
	run -2 vip add 192.0.2.100/24 dev eth0 label eth0:0123456789ab
	! has_addr 192.0.2.100/24 || false
}

@test "not root: add and del exit 3 with the kernel's reason and change nothing" {
	two
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	local nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	run -0 vip add 192.0.2.50/24 dev eth0
	run -3 --separate-stderr tnsx a $nobody vipctl add 192.0.2.100/24 dev eth0
	[[ $stderr == "vipctl: cannot add 192.0.2.100/24 on eth0: Operation not permitted"* ]]
	! has_addr 192.0.2.100/24 || false
	run -3 --separate-stderr tnsx a $nobody vipctl del 192.0.2.50/24 dev eth0
	has_addr 192.0.2.50/24
	# reading needs no privilege
	run -0 tnsx a $nobody vipctl check 192.0.2.50/24 dev eth0
	run -0 tnsx a $nobody vipctl list dev eth0
}

@test "kernel refusal exits 3 with the kernel's message" {
	two
	nsx a sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
	run -3 --separate-stderr vip add 2001:db8::100/64 dev eth0
	[[ $stderr == "vipctl: cannot add 2001:db8::100/64 on eth0: "* ]]
	[[ $stderr == *"IPv6 is disabled on this device"* ]]
}

@test "vipctl fails with exit 3 when stdout cannot be written" {
	two
	run -3 --separate-stderr bash -c "timeout 10 ip netns exec $(ns a) vipctl list >/dev/full"
	[[ $stderr == "vipctl: write error on stdout"* ]]
}
