#!/usr/bin/env bats
# Two pieces of hbnode(8), sourced shell libraries: share/sh/respawn.sh
# (ha.cf's "respawn USER PROGRAM": run as USER, restarted unless it exits
# 100, heartbeat's rate limit, never outliving its caller) and
# share/sh/hbhooks.sh (hooks.d: scripts run on every transition, in
# order, in the background, bounded by a timeout).  The caller is a dash
# script ($W/drv) that sources them as hbnode does, with set -eu and
# FIFOs open on descriptors 3-9; the supervised program is /bin/sh -c,
# which says "start PID UID" on its stderr (the caller's: $W/drv.err).

load helpers/common

setup() {
	W=$BATS_TEST_TMPDIR
	cat >"$W/drv" <<-'X'
	# drv rsp USER PROGRAM [ARGS...] | drv hooks DIR EVENT GROUP DETAIL... |
	# drv check DIR | drv rspcheck USER PROGRAM
	set -eu
	HK_NAME=drv
	. "$HAKIT_SHAREDIR/sh/common.sh"
	. "$HAKIT_SHAREDIR/sh/respawn.sh"
	. "$HAKIT_SHAREDIR/sh/hbhooks.sh"
	w=${0%/*}
	if [ -n "${DRV_LOG:-}" ]; then
		log() { printf 'LOG %s %s\n' "$1" "$2" >>"$w/log"; }
	fi
	echo "$$" >"$w/drv.pid"
	[ -p "$w/fifo" ] || mkfifo "$w/fifo"
	exec 3<>"$w/fifo" 4<>"$w/fifo" 5>"$w/f5" 6>"$w/f6" 7<>"$w/fifo" \
	    8>"$w/f8" 9<>"$w/fifo"
	mode=$1
	shift
	case $mode in
	rsp)
		rsp_start "$@"
		echo "$rsp_pid" >"$w/sup.pid"
		wait "$rsp_pid" || :
		;;
	rspcheck)
		r=0
		rsp_check "$@" || r=$?
		echo "$r ipfail=$rsp_ipfail err=$rsp_err"
		;;
	hooks)
		while [ $# -ge 4 ]; do
			t0=$(date +%s%N)
			hooks_run "$1" "$2" "$3" "$4"
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000000)) >>"$w/took"
			shift 4
		done
		;;
	check)
		hooks_check "$1"
		;;
	esac
	X
	mkdir -p "$W/hooks"
	# rec: every hook records "NAME ARGS | ENVIRONMENT", hangs on
	# the event "hang" (its pid in $W/hung) and holds on "hold"
	# ($W/held: its pid, to look at its descriptors)
	cat >"$W/rec" <<-'X'
	#!/bin/sh
	w=${0%/*}/..
	echo "${0##*/} $1 $2 $3 | $HBNODE_EVENT $HBNODE_GROUP $HBNODE_DETAIL" >>"$w/rec.out"
	echo "said by ${0##*/}"
	case $1 in
	hang) echo "$$" >"$w/hung"; exec sleep 100 ;;
	hold) echo "$$" >"$w/held"; exec sleep 3 ;;
	esac
	X
	chmod 755 "$W/rec"
	export HBNODE_HOOK_SPOOL="$W/spool"
}

teardown() {
	local p
	if [ -s "$W/sup.pid" ]; then
		kill -s TERM "$(cat "$W/sup.pid")" 2>/dev/null || true
	fi
	for p in $(awk '/^start /{print $2}' "$W/drv.err" 2>/dev/null) \
	    $(cat "$W/hung" "$W/held" "$W/sup.pid" 2>/dev/null); do
		wait_until 5 gone "$p" || kill -s KILL "$p" 2>/dev/null || true
	done
	if [ -s "$W/user" ]; then
		userdel -f "$(cat "$W/user")" 2>/dev/null || true
	fi
	hk_cleanup
}

gone() {
	! proc_alive "$1"
}

# rsp USER PROGRAM [ARGS]: the caller, in the background
rsp() {
	bg_start -o "$W/drv.out" -e "$W/drv.err" timeout 60 sh "$W/drv" rsp "$@"
	wait_until 5 test -s "$W/sup.pid"
	SUP=$(cat "$W/sup.pid")
}

starts() {
	grep -c '^start ' "$W/drv.err" || true
}

starts_ge() {
	[ "$(starts)" -ge "$1" ]
}

# lines_ge FILE N: FILE has N lines or more
lines_ge() {
	[ -e "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

# is_sleep PID: PID runs sleep (the program's exec is done)
is_sleep() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]
}

# prog_pid: the pid of the last start
prog_pid() {
	awk '/^start /{p = $2} END {print p}' "$W/drv.err"
}

# P_EXIT: says start, exits with status $1; P_SLEEP: says start, sleeps
P_EXIT='echo "start $$ $(id -u)" >&2; exit "$1"'
P_SLEEP='echo "start $$ $(id -u)" >&2; exec sleep 100'

hooks() {
	timeout 10 sh "$W/drv" hooks "$@"
}

# --- respawn -----------------------------------------------------------

@test "respawn: rsp_check: an absolute path to an executable file of an existing user" {
	run -0 sh "$W/drv" rspcheck root /bin/true
	[ "$output" = "0 ipfail= err=" ]
	run -0 sh "$W/drv" rspcheck 0 /bin/true
	[ "$output" = "0 ipfail= err=" ]
}

@test "respawn: rsp_check fails with the reason: no such user, relative path, not executable" {
	run -0 sh "$W/drv" rspcheck hk-no-such-user /bin/true
	[[ "$output" == "1 ipfail= err=no user 'hk-no-such-user' on this host"* ]]
	run -0 sh "$W/drv" rspcheck root bin/true
	[ "$output" = "1 ipfail= err='bin/true' is not an absolute path" ]
	: >"$W/plain"
	run -0 sh "$W/drv" rspcheck root "$W/plain"
	[ "$output" = "1 ipfail= err=$W/plain is not an executable file" ]
	run -0 sh "$W/drv" rspcheck root /etc
	[ "$output" = "1 ipfail= err=/etc is not an executable file" ]
	run -0 sh "$W/drv" rspcheck root
	[ "$output" = "1 ipfail= err=respawn takes a user and a program" ]
}

@test "respawn: rsp_check passes ipfail with rsp_ipfail=1, whatever its user and path" {
	run -0 sh "$W/drv" rspcheck hacluster-not-here /usr/lib/heartbeat/ipfail
	[ "$output" = "0 ipfail=1 err=" ]
}

@test "respawn: rsp_start refuses a user that does not exist, and starts nothing" {
	run -1 --separate-stderr timeout 10 sh "$W/drv" rsp hk-no-such-user /bin/sh -c "$P_SLEEP"
	[ -z "$output" ]
	[[ "$stderr" == *"respawn /bin/sh: no user 'hk-no-such-user' on this host"*"not started"* ]]
	[ "$(cat "$W/sup.pid")" = "" ]
}

@test "respawn: the program is restarted after it exits (1s later: a short run)" {
	t0=$(now_ms)
	rsp root /bin/sh -c "$P_EXIT" sh 0
	wait_until 5 starts_ge 3
	# two restarts, each HBNODE_RESPAWN_DELAY (1s) after a short run
	[ $(($(now_ms) - t0)) -ge 1900 ]
	grep -q 'exited (status 0)' "$W/drv.err"
	[ ! -s "$W/drv.out" ]
	proc_alive "$SUP"
}

@test "respawn: a program that exits 100 is not restarted" {
	rsp root /bin/sh -c "$P_EXIT" sh 100
	wait_until 5 grep -q 'exit status 100: not restarted' "$W/drv.err"
	sleep 1.5
	[ "$(starts)" -eq 1 ]
	# the supervisor waits for its TERM: its pid stays the caller's
	proc_alive "$SUP"
	kill -s TERM "$SUP"
	wait_until 5 gone "$SUP"
}

@test "respawn: more than HBNODE_RESPAWN_MAX short runs in a row: respawning too fast, not restarted" {
	HBNODE_RESPAWN_MAX=2 HBNODE_RESPAWN_WINDOW=10 HBNODE_RESPAWN_DELAY=0 \
	    rsp root /bin/sh -c "$P_EXIT" sh 1
	wait_until 5 grep -q 'respawning too fast (3 runs in a row shorter than 10000ms): not restarted' \
	    "$W/drv.err"
	sleep 1
	[ "$(starts)" -eq 3 ]
	[ "$(grep -c 'exited with status 1' "$W/drv.err")" -eq 3 ]
	proc_alive "$SUP"
}

@test "respawn: a run longer than HBNODE_RESPAWN_WINDOW clears the count" {
	HBNODE_RESPAWN_MAX=1 HBNODE_RESPAWN_WINDOW=200ms HBNODE_RESPAWN_DELAY=0 \
	    rsp root /bin/sh -c 'echo "start $$" >&2; sleep 0.4; exit 1'
	wait_until 10 starts_ge 4
	run -1 grep -q 'too fast' "$W/drv.err"
}

@test "respawn: the program runs as USER (nobody), its groups those of USER" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a program as another user"
	getent passwd nobody >/dev/null || skip "no user nobody on this host"
	rsp nobody /bin/sh -c "$P_SLEEP"
	wait_until 5 starts_ge 1
	p=$(prog_pid)
	wait_until 5 is_sleep "$p"
	[ "$(awk '/^start /{print $3}' "$W/drv.err")" = "$(id -u nobody)" ]
	run -0 awk '/^Uid:/{print $2, $3, $4, $5} /^Gid:/{print $2, $3, $4, $5}' "/proc/$p/status"
	u=$(id -u nobody) g=$(id -g nobody)
	[ "${lines[0]}" = "$u $u $u $u" ]
	[ "${lines[1]}" = "$g $g $g $g" ]
	grep -q "respawn /bin/sh (user nobody): started, pid $p" "$W/drv.err"
}

@test "respawn: a user deleted meanwhile is said, the program not started until the user is back" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to add a user"
	command -v useradd >/dev/null || skip "needs useradd (passwd)"
	U=hkrsp$$
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U"
	echo "$U" >"$W/user"
	rsp "$U" /bin/sh -c "$P_SLEEP"
	wait_until 5 starts_ge 1
	userdel -f "$U" 2>/dev/null
	kill "$(prog_pid)"
	wait_until 5 grep -q "respawn /bin/sh (user $U): no user '$U' on this host (getent passwd $U): not started until it is back" "$W/drv.err"
	# not counted as runs: no "respawning too fast", no second start
	sleep 1
	[ "$(starts)" -eq 1 ]
	! grep -q "too fast" "$W/drv.err"
	useradd --system --no-create-home --shell /usr/sbin/nologin "$U"
	wait_until 10 starts_ge 2
}

@test "respawn: TERM to the supervisor ends the program and all of its process group" {
	rsp root /bin/sh -c 'echo "start $$" >&2; sleep 100 & echo "child $!" >&2; wait'
	wait_until 5 grep -q '^child ' "$W/drv.err"
	p=$(prog_pid)
	c=$(awk '/^child /{print $2}' "$W/drv.err")
	kill -s TERM "$SUP"
	wait_until 5 gone "$p"
	wait_until 5 gone "$c"
	wait_until 5 gone "$SUP"
	grep -q "stopping pid $p" "$W/drv.err"
	[ "$(starts)" -eq 1 ]
}

@test "respawn: a program that ignores TERM is killed 2s after it" {
	rsp root /bin/sh -c 'trap "" TERM; echo "start $$" >&2; while :; do sleep 0.2; done'
	wait_until 5 starts_ge 1
	p=$(prog_pid)
	kill -s TERM "$SUP"
	sleep 1
	proc_alive "$p"
	wait_until 4 gone "$p"
	grep -q "pid $p still there 2s after TERM: KILL" "$W/drv.err"
	grep -q "pid $p killed by signal SIGKILL" "$W/drv.err"
}

@test "respawn: the program ends when its caller is killed (KILL leaves no stop of its own)" {
	rsp root /bin/sh -c "$P_SLEEP"
	wait_until 5 starts_ge 1
	p=$(prog_pid)
	kill -s KILL "$(cat "$W/drv.pid")"
	wait_until 5 gone "$p"
	wait_until 5 gone "$SUP"
	grep -q 'is gone: stopping' "$W/drv.err"
	[ "$(starts)" -eq 1 ]
}

@test "respawn: the program ends when its supervisor is killed (parent-death signal)" {
	command -v setpriv >/dev/null || skip "needs setpriv(1) for the parent-death signal"
	rsp root /bin/sh -c "$P_SLEEP"
	wait_until 5 starts_ge 1
	p=$(prog_pid)
	wait_until 5 is_sleep "$p"
	kill -s KILL "$SUP"
	wait_until 3 gone "$p"
}

@test "respawn: neither the program nor its supervisor holds the caller's descriptors 3-9" {
	rsp root /bin/sh -c "$P_SLEEP"
	wait_until 5 starts_ge 1
	p=$(prog_pid)
	wait_until 5 is_sleep "$p"
	# the caller has them all
	for fd in 3 4 5 6 7 8 9; do
		[ -e "/proc/$(cat "$W/drv.pid")/fd/$fd" ]
	done
	for fd in 3 4 5 6 7 8 9; do
		[ ! -e "/proc/$p/fd/$fd" ]
		[ ! -e "/proc/$SUP/fd/$fd" ]
	done
	[ "$(readlink "/proc/$p/fd/0")" = /dev/null ]
}

# --- hooks -------------------------------------------------------------

@test "hooks: each event's hooks run in name order, events in call order, with arguments and environment" {
	cp "$W/rec" "$W/hooks/20-b"
	cp "$W/rec" "$W/hooks/10-a"
	cp "$W/rec" "$W/hooks/3-c"
	DRV_LOG=1 hooks "$W/hooks" taking g1 "peer dead" \
	    "$W/hooks" master g1 "took it: it's \"done\"" \
	    "$W/hooks" peer-up - 'node2 $HOME'
	wait_until 10 lines_ge "$W/rec.out" 9
	sleep 0.3
	cat >"$W/want" <<-'X'
	10-a taking g1 peer dead | taking g1 peer dead
	20-b taking g1 peer dead | taking g1 peer dead
	3-c taking g1 peer dead | taking g1 peer dead
	10-a master g1 took it: it's "done" | master g1 took it: it's "done"
	20-b master g1 took it: it's "done" | master g1 took it: it's "done"
	3-c master g1 took it: it's "done" | master g1 took it: it's "done"
	10-a peer-up - node2 $HOME | peer-up - node2 $HOME
	20-b peer-up - node2 $HOME | peer-up - node2 $HOME
	3-c peer-up - node2 $HOME | peer-up - node2 $HOME
	X
	diff "$W/want" "$W/rec.out"
	# output logged through the caller's log, with the hook's name
	[ "$(grep -c '^LOG info hook 20-b: said by 20-b$' "$W/log")" -eq 3 ]
}

@test "hooks: hooks_run returns at once (under 100ms) while a hook sleeps" {
	printf '#!/bin/sh\nsleep 1\necho "$1" >>"${0%%/*}/../rec.out"\n' >"$W/hooks/10-slow"
	chmod 755 "$W/hooks/10-slow"
	hooks "$W/hooks" master g1 x "$W/hooks" backup g1 y "$W/hooks" fault g1 z
	cat "$W/took"
	[ "$(wc -l <"$W/took")" -eq 3 ]
	while read -r ms; do
		[ "$ms" -lt 100 ]
	done <"$W/took"
	[ ! -e "$W/rec.out" ]
	wait_until 6 lines_ge "$W/rec.out" 3
	[ "$(cat "$W/rec.out")" = "$(printf 'master\nbackup\nfault')" ]
}

@test "hooks: a hanging hook is killed after HBNODE_HOOK_TIMEOUT, the next event's hooks still run" {
	cp "$W/rec" "$W/hooks/10-a"
	cp "$W/rec" "$W/hooks/20-b"
	DRV_LOG=1 HBNODE_HOOK_TIMEOUT=1 hooks "$W/hooks" hang g1 x "$W/hooks" backup g1 y
	wait_until 3 test -s "$W/hung"
	h=$(cat "$W/hung")
	wait_until 5 grep -q '^20-b backup g1 y' "$W/rec.out"
	gone "$h"
	grep -q '^LOG warn hook 10-a (hang g1): still running after 1s: killed$' "$W/log"
	# 20-b of the hung event ran after 10-a was killed, before backup
	run -0 cut -d' ' -f1,2 "$W/rec.out"
	[ "$output" = "$(printf '10-a hang\n20-b hang\n10-a backup\n20-b backup')" ]
}

@test "hooks: not executable, backup and dot files are skipped; hooks_check warns about the first" {
	cp "$W/rec" "$W/hooks/10-a"
	for f in 20-plain 30-old~ 40-x.dpkg-old 50-x.rpmnew 60-x.swp .hidden; do
		cp "$W/rec" "$W/hooks/$f"
	done
	chmod 644 "$W/hooks/20-plain"
	run -0 --separate-stderr sh "$W/drv" check "$W/hooks"
	[ -z "$output" ]
	[ "$stderr" = "drv: $W/hooks/20-plain: not executable, never run as a hook (chmod +x to run it)" ]
	hooks "$W/hooks" master g1 x "$W/hooks" backup g1 y
	wait_until 5 grep -q '^10-a backup' "$W/rec.out"
	sleep 0.3
	[ "$(cut -d' ' -f1 "$W/rec.out" | sort -u)" = 10-a ]
	run -0 sh "$W/drv" check "$W/no-such-dir"
}

@test "hooks: a hook holds none of the caller's descriptors 3-9, reads /dev/null" {
	cp "$W/rec" "$W/hooks/10-a"
	hooks "$W/hooks" hold g1 x
	wait_until 5 test -s "$W/held"
	p=$(cat "$W/held")
	wait_until 5 is_sleep "$p"
	for fd in 3 4 5 6 7 8 9; do
		[ ! -e "/proc/$p/fd/$fd" ]
	done
	[ "$(readlink "/proc/$p/fd/0")" = /dev/null ]
}

@test "hooks: without HBNODE_HOOK_SPOOL the spool is TMPDIR/hbhooks.PID, removed once the caller is gone" {
	unset HBNODE_HOOK_SPOOL
	mkdir "$W/tmp"
	printf '#!/bin/sh\nsleep 0.5\necho "$1" >>"%s/rec.out"\n' "$W" >"$W/hooks/10-slow"
	chmod 755 "$W/hooks/10-slow"
	TMPDIR=$W/tmp hooks "$W/hooks" master g1 x
	q=$W/tmp/hbhooks.$(cat "$W/drv.pid")
	[ "$(stat -c %a "$q")" = 700 ]
	wait_until 5 test -s "$W/rec.out"
	wait_until 5 test ! -e "$q"
}

@test "hooks: a spool that is not ours alone is refused, with an error, and the caller goes on" {
	mkdir -m 755 "$W/spool"
	cp "$W/rec" "$W/hooks/10-a"
	run -0 --separate-stderr sh "$W/drv" hooks "$W/hooks" master g1 x
	[[ "$stderr" == *"hooks: spool $W/spool is not a directory of ours, mode 700"* ]]
	sleep 0.5
	[ ! -e "$W/rec.out" ]
}

# --- ha.cf -------------------------------------------------------------

@test "ha.cf: respawn lines are checked and recorded (cf_respawn_n, cf_respawn_N), ipfail is a warning" {
	printf '%s\n' 'respawn root /bin/true -x  y' '# a comment' \
	    'respawn hacluster /usr/lib/heartbeat/ipfail' \
	    'respawn nobody /bin/sleep 10 # why' >"$W/ha.cf"
	cat >"$W/hacf" <<-'X'
	set -eu
	HK_NAME=hbnode
	. "$HAKIT_SHAREDIR/sh/common.sh"
	. "$HAKIT_SHAREDIR/sh/ipaddr.sh"
	. "$HAKIT_SHAREDIR/sh/hbnode.sh"
	. "$HAKIT_SHAREDIR/sh/respawn.sh"
	hb_read_hacf "$1"
	echo "$cf_respawn_n"
	i=1
	while [ "$i" -le "$cf_respawn_n" ]; do
		eval "echo \"\$cf_respawn_$i\""
		i=$((i + 1))
	done
	X
	run -0 --separate-stderr sh "$W/hacf" "$W/ha.cf"
	[ "$output" = "$(printf '2\nroot /bin/true -x y\nnobody /bin/sleep 10')" ]
	[ "$stderr" = "hbnode: $W/ha.cf:3: respawn ipfail: not needed, not started: hbnode's ping nodes rule replaces ipfail (see hbnode(8), Ping nodes)" ]
	printf '# first\nrespawn root bin/true\n' >"$W/ha.cf"
	run -2 --separate-stderr sh "$W/hacf" "$W/ha.cf"
	[ "$stderr" = "hbnode: $W/ha.cf:2: respawn: 'bin/true' is not an absolute path" ]
	printf 'respawn hk-no-such-user /bin/true\n' >"$W/ha.cf"
	run -2 --separate-stderr sh "$W/hacf" "$W/ha.cf"
	[[ "$stderr" == "hbnode: $W/ha.cf:1: respawn: no user 'hk-no-such-user' on this host"* ]]
	printf 'respawn root\n' >"$W/ha.cf"
	run -2 --separate-stderr sh "$W/hacf" "$W/ha.cf"
	[ "$stderr" = "hbnode: $W/ha.cf:1: respawn takes a user and a program: respawn USER PROGRAM [ARGS]" ]
}
