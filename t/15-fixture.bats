#!/usr/bin/env bats
# The test fixture itself: namespaces, veth pairs, a bridge, background
# processes and bounded waits, all gone after teardown.

load helpers/common

@test "wait_until returns as soon as the command succeeds" {
	touch "$BATS_TEST_TMPDIR/flag"
	run -0 wait_until 2 test -e "$BATS_TEST_TMPDIR/flag"
}

@test "wait_until gives up after its timeout" {
	local t0 t1
	t0=$(now_ms)
	run -1 wait_until 0.3 false
	t1=$(now_ms)
	[ $((t1 - t0)) -ge 300 ]
	[ $((t1 - t0)) -lt 3000 ]
}

@test "bg_start records a process that teardown kills" {
	bg_start sleep 30
	proc_alive "$BG_PID"
	hk_cleanup
	! proc_alive "$BG_PID"
}

@test "two namespaces joined by a veth pair exchange traffic" {
	need_netns
	ns_new a b
	ns_veth a eth0 b eth0
	ns_addr a eth0 192.0.2.1/24
	ns_addr b eth0 192.0.2.2/24
	run -0 nsx a ping -c 1 -W 2 192.0.2.2
	# and nothing of it is in the host's namespace
	! ip -o addr show | grep -q '192.0.2.1/24'
}

@test "three namespaces on a bridge reach each other" {
	need_netns
	ns_bridge sw
	ns_new n1 n2 cl
	ns_port sw n1 lan0
	ns_port sw n2 lan0
	ns_port sw cl lan0
	ns_addr n1 lan0 192.0.2.1/24
	ns_addr n2 lan0 192.0.2.2/24
	ns_addr cl lan0 192.0.2.9/24
	run -0 nsx cl ping -c 1 -W 2 192.0.2.1
	run -0 nsx cl ping -c 1 -W 2 192.0.2.2
	run -0 nsx n1 ping -c 1 -W 2 192.0.2.2
}

@test "teardown deletes the namespaces and the processes inside them" {
	need_netns
	ns_new a
	bg_start -n a sleep 30
	local pid=$BG_PID full
	full=$(ns a)
	ip netns list | grep -q "^$full"
	hk_cleanup
	! proc_alive "$pid" || false
	! ip netns list | grep -q "^$full"
}

@test "namespaces made in setup_file are seen by every test of the file" {
	need_netns
	[ -n "$(ip netns list | grep "^$(ns filewide)" || true)" ]
	run -0 nsx filewide ip -o addr show dev lo
	[[ $output == *"127.0.0.1"* ]]
}

setup_file() {
	if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1; then
		ns_new filewide
	fi
}
