#!/usr/bin/env bats
# The router half of make demo (t/demo-router): it runs the failover in
# its own namespaces, tells what the client saw, and removes everything,
# also when it is stopped half-way.

load helpers/common

setup() {
	need_netns
	command -v nft >/dev/null 2>&1 || skip "needs nft(8) (the demo's ISP stops forwarding with it)"
	OUT=$BATS_TEST_TMPDIR/demo.out
	# the demo's mktemp directory lands here, so a leftover shows
	mkdir -p "$BATS_TEST_TMPDIR/tmp"
}

# The demo's namespace prefix, from its second line "(hkwanPID-client, ...".
demo_id() {
	sed -n 's/^ *(\(hkwan[0-9]*\)-client,.*/\1/p' "$OUT" | head -n 1
}

demo_netns() {
	local id
	id=$(demo_id)
	[ -n "$id" ] || return 0
	ip netns list | awk '{ print $1 }' | grep "^$id-" || true
}

teardown() {
	local n p
	# A safety net: what a broken demo left, this removes.
	for n in $(demo_netns); do
		p=$(ip netns pids "$n")
		# shellcheck disable=SC2086
		[ -z "$p" ] || kill -KILL $p 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	hk_cleanup
}

demo_start() {
	TMPDIR=$BATS_TEST_TMPDIR/tmp timeout 60 sh "$HK_TOP/t/demo-router" \
		>"$OUT" 2>&1 </dev/null 3>&- &
	DEMO_PID=$!
}

@test "router demo: the route moves to ISP2 and back, the client's outage is told, nothing is left" {
	local st=0
	demo_start
	wait "$DEMO_PID" || st=$?
	[ "$st" -eq 0 ] || { cat "$OUT"; false; }
	run -0 cat "$OUT"
	[[ $output == *"router: default via 198.51.100.1 dev wan1"* ]]
	[[ $output == *"wanfailover moved the route"*"router: default via 203.0.113.1 dev wan2"* ]]
	[[ $output == *"default route moved from isp1 (via 198.51.100.1 dev wan1) to isp2"* ]]
	[[ $output == *"route moves back"*"router: default via 198.51.100.1 dev wan1"* ]]
	[[ $output == *"default route moved from isp2 (via 203.0.113.1 dev wan2) to isp1"* ]]
	# the summary says what was counted and what it meant
	[[ $output == *"What the client saw: it started a request to http://192.0.2.200/ every"* ]]
	[[ $output =~ [0-9]+\ in\ all:\ [0-9]+\ answered,\ [0-9]+\ failed ]]
	[[ $output =~ without\ an\ answer\ (once|[0-9]+\ times),\ for\ [0-9.]+\ s ]]
	[ "${lines[${#lines[@]} - 1]}" = "Cleaning up namespaces and processes." ]
	[ -n "$(demo_id)" ]
	[ -z "$(demo_netns)" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ]
}

@test "router demo stopped half-way (SIGTERM): namespaces, processes and files are removed" {
	local st=0
	demo_start
	wait_until 20 grep -q "ISP1 stops forwarding" "$OUT"
	[ -n "$(demo_netns)" ]
	kill -TERM "$DEMO_PID"
	wait_until 10 eval "! proc_alive $DEMO_PID"
	wait "$DEMO_PID" || st=$?
	[ "$st" -eq 143 ]
	[ -z "$(demo_netns)" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ]
	run -1 grep -q "What the client saw" "$OUT"
}
