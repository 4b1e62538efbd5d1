#!/usr/bin/env bats
# bin-src/lib through t/helpers/libtest.c: strict numbers, durations,
# addresses, the monotonic clock, messages, and the netlink helper.

load helpers/common

@test "durations: units ms, s, m, h, d and a bare number of seconds" {
	local pair
	for pair in 250ms:250 2s:2000 1m:60000 1h:3600000 1d:86400000 \
		2:2000 0:0 1.5:1500 0.1s:100 0.25:250 10ms:10 1.5m:90000 \
		0.0004:0 0.0005:1 007:7000; do
		run -0 libtest dur "${pair%%:*}"
		[ "$output" = "${pair#*:}" ] || { echo "${pair%%:*} -> $output"; false; }
	done
}

@test "durations: garbage, signs, blanks, unknown units and overflow are rejected with exit 2" {
	local bad
	for bad in "" " 2s" "2s " -1 +1 s ms . .s 1.2.3 2sec 2S 3x 1e3 0x10 \
		"1 s" 366d 99999999999999999999 18446744073709551616ms 1..5; do
		run -2 libtest dur "$bad"
		[[ $output == "libtest: bad duration '$bad': "* ]] || { echo "[$bad] $output"; false; }
	done
}

@test "durations: 365 days is the largest accepted" {
	run -0 libtest dur 365d
	[ "$output" = 31536000000 ]
	run -2 libtest dur 31536000001ms
}

@test "numbers: strict decimal inside the bounds only" {
	run -0 libtest num 42 1 100
	[ "$output" = 42 ]
	run -0 libtest num 0 0 0
	local bad
	for bad in "" -1 +1 " 1" "1 " 1x 0x1 101 18446744073709551616; do
		run -2 libtest num "$bad" 1 100
	done
}

@test "addresses: IPv4 and IPv6, numeric only" {
	run -0 libtest addr 192.0.2.1
	[ "$output" = "inet 192.0.2.1/32" ]
	run -0 libtest addr 2001:db8::1
	[ "$output" = "inet6 2001:db8::1/128" ]
	run -0 libtest addr 2001:DB8:0:0::0:1
	[ "$output" = "inet6 2001:db8::1/128" ]
	local bad
	for bad in "" 300.1.1.1 192.0.2 192.0.2.1.5 localhost 1.2.3.4/24 \
		"192.0.2.1 " 2001:db8:::1 0x7f.0.0.1; do
		run -2 libtest addr "$bad"
	done
}

@test "prefixes: ADDR/LEN within the family's length" {
	run -0 libtest prefix 192.0.2.100/24
	[ "$output" = "inet 192.0.2.100/24" ]
	run -0 libtest prefix 198.51.100.7
	[ "$output" = "inet 198.51.100.7/32" ]
	run -0 libtest prefix 2001:db8::5/64 need
	[ "$output" = "inet6 2001:db8::5/64" ]
	run -0 libtest prefix 0.0.0.0/0
	local bad
	for bad in 192.0.2.1/33 192.0.2.1/ 192.0.2.1/-1 192.0.2.1/24x \
		192.0.2.1/024x 2001:db8::1/129 300.1.1.1/24 /24 192.0.2.1/2/4; do
		run -2 libtest prefix "$bad"
	done
	run -2 libtest prefix 192.0.2.1 need
}

@test "prefixes: subnet membership" {
	run -0 libtest innet 192.0.2.0/24 192.0.2.77
	run -1 libtest innet 192.0.2.0/24 198.51.100.1
	run -0 libtest innet 192.0.2.128/25 192.0.2.200
	run -1 libtest innet 192.0.2.128/25 192.0.2.100
	run -0 libtest innet 0.0.0.0/0 203.0.113.9
	run -0 libtest innet 2001:db8::/32 2001:db8:1::1
	run -1 libtest innet 2001:db8::/33 2001:db8:8000::1
	run -1 libtest innet 192.0.2.0/24 2001:db8::1
}

@test "die() with a format ending in ':' appends the errno text" {
	run -3 --separate-stderr libtest die-errno
	[ "$stderr" = "libtest: open /nonexistent: No such file or directory" ]
}

@test "usage errors exit 2 with a reason and the usage text on stderr" {
	run -2 --separate-stderr libtest frobnicate
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "libtest: unknown command or wrong arguments: frobnicate" ]
	[[ ${stderr_lines[1]} == "usage: libtest "* ]]
}

@test "the clock is monotonic" {
	run -0 libtest clock
	[ "$output" = monotonic ]
}

@test "a failed write to stdout turns success into exit 3" {
	[ -w /dev/full ] || skip "needs /dev/full"
	run -3 --separate-stderr sh -c 'libtest dur 2s >/dev/full'
	[[ $stderr == "libtest: write error on stdout: No space left on device" ]]
}

@test "netlink: a dump lists the links of a namespace" {
	need_netns
	ns_new a b
	ns_veth a v-a b v-b
	run -0 nsx a libtest nl-links
	[[ $output == *" lo"* ]]
	[[ $output == *" v-a"* ]]
	[[ $output != *" v-b"* ]]
}

@test "netlink: a refused request returns the kernel's errno and message" {
	need_netns
	ns_new a
	run -3 nsx a libtest nl-bad-request
	[[ $output == "errno=19 No such device msg="* ]]
}

@test "shell durations (share/sh/common.sh) read like the C parser" {
	local pair
	for pair in 250ms:250 2s:2000 1m:60000 2:2000 1.5:1500 0.1s:100 10ms:10 1h:3600000; do
		run -0 sh -c '. "$HAKIT_SHAREDIR/sh/common.sh"; hk_dur_ms "$1"' sh "${pair%%:*}"
		[ "$output" = "${pair#*:}" ] || { echo "${pair%%:*} -> $output"; false; }
	done
	local bad
	for bad in "" 2sec -1 " 2" 1.2.3 s 3x 366d; do
		run -1 sh -c '. "$HAKIT_SHAREDIR/sh/common.sh"; hk_dur_ms "$1"' sh "$bad"
		[ -z "$output" ]
	done
}

# lib SCRIPT ARG...: SCRIPT run by sh with share/sh/common.sh sourced.
lib() {
	local script=$1
	shift
	sh -c '. "$HAKIT_SHAREDIR/sh/common.sh"; '"$script" sh "$@"
}

@test "hk_now_ms: monotonic milliseconds, in 10 ms steps, no jump back" {
	run -0 lib 'hk_now_ms a; sleep 0.2; hk_now_ms b
		echo "$a $b"; [ $((b - a)) -ge 190 ] && [ $((b - a)) -lt 2000 ] &&
		[ $((a % 10)) -eq 0 ]'
	local up
	read -r up _ </proc/uptime
	set -- $output
	[ $(($1 / 1000)) -le "${up%.*}" ]
	[ $(($1 / 1000)) -ge $((${up%.*} - 5)) ]
}

@test "hk_pid_read accepts our own pid file and gives the pid" {
	run -0 lib 'hk_pid_write "$1" && hk_pid_read "$1" >"$1.out" &&
		[ "$hk_pid" = $$ ] && [ "$(cat "$1.out")" = $$ ] && cat "$1"' \
		"$BATS_TEST_TMPDIR/p"
	[[ $output =~ ^[0-9]+\ [0-9]+$ ]]
	[ ! -e "$BATS_TEST_TMPDIR/p.tmp" ]
}

@test "hk_pid_read refuses a live pid with another start time, or a pid alone" {
	local f=$BATS_TEST_TMPDIR/p start
	sleep 30 3>&- &
	local pid=$!
	echo "$pid" >"$BATS_TEST_TMPDIR/.bg.0.pid"
	run -0 lib 'hk_pid_write "$1" "$2" && cat "$1"' "$f" "$pid"
	start=${output#* }
	run -0 lib 'hk_pid_read "$1"' "$f"
	[ "$output" = "$pid" ]
	# the same number, started at another time: a reused pid, not ours
	echo "$pid $((start + 1))" >"$f"
	run -1 lib 'hk_pid_read "$1"' "$f"
	[ -z "$output" ]
	# an old file, a pid alone: not proven
	echo "$pid" >"$f"
	run -1 lib 'hk_pid_read "$1"' "$f"
	run -1 lib 'hk_pid_read "$1"' "$BATS_TEST_TMPDIR/none"
}

@test "hk_pid_read refuses a zombie; hk_pstate reads Z past a name with ') '" {
	local f=$BATS_TEST_TMPDIR/p
	# "a) b" (a sleep) ends after its parent has become a sleep that
	# never waits: a zombie whose command name holds ") ".
	cp "$(type -P sleep)" "$BATS_TEST_TMPDIR/a) b"
	sh -c '"$1" 0.5 & echo "$!" >"$2"; exec sleep 30' sh \
		"$BATS_TEST_TMPDIR/a) b" "$f.z" 3>&- &
	echo "$!" >"$BATS_TEST_TMPDIR/.bg.0.pid"
	wait_until 5 test -s "$f.z"
	local z
	z=$(cat "$f.z")
	wait_until 5 lib 'hk_pstate "$1"; [ "$hk_ps" = Z ]' "$z"
	run -1 lib 'hk_alive "$1"' "$z"
	# its start time is still readable: only the state refuses it
	run -0 lib 'hk_pid_write "$1" "$2"' "$f" "$z"
	run -1 --separate-stderr lib 'hk_pid_read "$1"' "$f"
	[ -z "$output" ] && [ -z "$stderr" ]
	# a pid that is gone: no state, nothing on stderr
	run -0 --separate-stderr lib 'hk_pstate 999999999; echo "[$hk_ps]"; ! hk_alive 999999999'
	[ "$output" = "[]" ] && [ -z "$stderr" ]
}

@test "hk_lock: a second holder is refused (1), an unopenable file is 2" {
	local l=$BATS_TEST_TMPDIR/lock
	command -v flock >/dev/null || skip "needs flock(1)"
	# the holder: sh takes the lock and execs a sleep that keeps it
	sh -c '. "$HAKIT_SHAREDIR/sh/common.sh"; hk_lock 8 "$1" || exit 9
		echo locked >"$1.ok"; exec sleep 30' sh "$l" 3>&- &
	echo "$!" >"$BATS_TEST_TMPDIR/.bg.0.pid"
	wait_until 5 test -s "$l.ok"
	run -1 lib 'hk_lock 9 "$1" || { st=$?; hk_die "$st" "already running"; }' "$l"
	[ "$output" = "sh: already running" ]
	run -2 lib 'hk_lock 9 "$1"; exit $?' "$BATS_TEST_TMPDIR/no/such/dir/lock"
	[ -z "$output" ]
	# the holder gone, the lock is free again
	kill "$(cat "$BATS_TEST_TMPDIR/.bg.0.pid")"
	wait_until 5 lib 'hk_lock 9 "$1"' "$l"
}
