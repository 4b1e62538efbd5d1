# t/helpers/faults.bash - the fault matrix's sampler: who holds the group,
# every 30 ms, for t/63-hbnode-faults.bats (load after helpers/common and
# helpers/ha; the nodes are ha_lab's n1 and n2, their LAN port lan0).
#
#   fm_sample_start ADDR...   start the sampler (bg_start: killed in
#                             teardown by hk_cleanup, or fm_sample_stop):
#                             every FM_INTERVAL_MS (30: 20 ms to spare
#                             below the 50 ms promised, for a busy
#                             machine's late wake-ups) it reads what
#                             `ip -n NS addr show dev lan0` says for n1
#                             and n2, from the host (no traffic; one
#                             long-lived `ip -batch` per node, no fork
#                             per sample), and appends "MS HOLDER" to
#                             the scope's fm.samples, MS the wall clock
#                             in ms.  It ends by itself after FM_MAX_S
#                             (120) seconds.  ADDR as ip prints it
#                             (192.0.2.100, 2001:db8::100; a /PREFIX is
#                             ignored).  HOLDER is
#                               n1, n2  that node holds every ADDR on a
#                                       link with carrier, the other none
#                               both    each node holds at least one ADDR
#                                       (carrier or not): two holders of
#                                       the group at once
#                               part    one node holds some ADDRs, not
#                                       all, the other none (addresses
#                                       split between the nodes are both)
#                               none    no node holds any ADDR, or one
#                                       holds them all on a link without
#                                       carrier (out of the clients'
#                                       reach)
#                             Other than plain n1, n2 and none, a line
#                             says what was seen: "n1=2/3 n2=0/3", and
#                             "carrier=01" when a lan0 (n1's, n2's) has
#                             no carrier.  none and part count as time
#                             with no holder; both fails the case.
#   fm_sample_stop            stop the sampler (and wait for it)
#   fm_mark TEXT...           a "MS mark TEXT" line among the samples,
#                             shown in the timeline
#   fm_wait_holder SECS WANT  wait (at most SECS) for a sample taken
#                             after the call that says WANT: 0; 2 at
#                             once, the both lines printed, when the
#                             sampler has seen both; 1 when SECS pass or
#                             the sampler is not running (the timeline
#                             printed)
#   fm_steady SECS WANT       every sample for SECS says WANT: 0; 2 at
#                             once on both, 1 at once on another holder
#   fm_check_no_both          1, the offending lines and the timeline
#                             printed, when any sample said both
#   fm_check_sampler          1 when the sampler fell behind (two samples
#                             more than FM_MAX_GAP_MS, 100, apart: a both
#                             that long could have gone unseen, and the
#                             message says when), took no sample, or
#                             ended before fm_sample_stop.  It samples
#                             every 30 ms; on 2 cores running four test
#                             files at once a sample now and then comes
#                             up to ~60 ms after the last, which is
#                             tolerated (the longest interval is in the
#                             FM_REPORT line)
#   fm_interval_ms            print the longest interval between samples
#   fm_gaps                   print each time with no holder: "+START
#                             LENGTH after: MARK", in ms, START from the
#                             first sample, MARK the last before it
#   fm_gap_ms                 print the longest time (ms) with no holder
#                             of the whole group (none or part), counted
#                             only once the group was first held: from
#                             the first such sample to the first with a
#                             holder again (or to the last sample), so
#                             within one interval of the truth
#   fm_assert_gap MAX_MS      1, the timeline printed, when fm_gap_ms is
#                             over MAX_MS
#   fm_move_ms MARK WANT      print the ms from the mark MARK (its whole
#                             text) to the first sample saying WANT
#   fm_assert_move MARK WANT MAX_MS
#                             1, the timeline printed, unless WANT held
#                             the group within MAX_MS of MARK
#   fm_timeline               the samples as runs of one holder, with the
#                             marks, in ms from the first sample
#   fm_done MAX_MS            the end of a case: fm_sample_stop, then
#                             fm_check_no_both, fm_check_sampler and
#                             fm_assert_gap MAX_MS
# With FM_REPORT set, fm_assert_gap also writes the test's gap, bound and
# longest sample interval as a TAP comment ("# fm: ..."), to see the
# figures of a passing run.

: "${FM_INTERVAL_MS:=30}"
: "${FM_MAX_GAP_MS:=100}"
: "${FM_MAX_S:=120}"

fm__file() {
	printf '%s/fm.samples\n' "$(hk_scope)"
}

fm__ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# fm__now: the same in fm_now, without a fork (for the sampler).
fm__now() {
	fm_now=${EPOCHREALTIME/./}
	fm_now=$((fm_now / 1000))
}

# The sampler's own state (in its background shell): fm_out (the samples
# file), fm_scope, and per node I (1, 2) the batch ip's pid fm_pid[I], the
# descriptors fm_w[I] (its commands) and fm_r[I] (its answers).

# fm__ip_start I NS: start `ip -n NS -force -batch -` for node I,
# reading commands from the FIFO fm_out.inI and answering on fm_out.outI:
# no fork per sample.  It holds none of our other descriptors, so that
# each batch ip ends when we end (end of its input).  The fm-ip pid files
# have hk_cleanup kill it too.
fm__ip_start() {
	local i=$1 ns=$2 in=$fm_out.in$1 out=$fm_out.out$1 w r x
	rm -f "$in" "$out"
	mkfifo "$in" "$out" || return 1
	exec {w}<>"$in"
	(
		for x in "$fd" "$of" "${fm_w[@]}" "${fm_r[@]}" "$w"; do
			[ -z "$x" ] || eval "exec $x>&-"
		done
		exec ip -n "$ns" -force -batch - <"$in" >"$out" 2>&1
	) &
	fm_pid[i]=$!
	echo "$!" >"$fm_scope/.bg.fm-ip$i.pid"
	# read-only: its end is an end of file at once; this open waits for
	# the child's, which comes before it runs ip
	exec {r}<"$out"
	fm_w[i]=$w fm_r[i]=$r
}

# fm__ip_stop I: close node I's batch ip (it ends) and forget it.
fm__ip_stop() {
	local i=$1
	[ -z "${fm_w[i]}" ] || eval "exec ${fm_w[i]}>&-"
	[ -z "${fm_r[i]}" ] || eval "exec ${fm_r[i]}<&-"
	fm_w[i]="" fm_r[i]=""
	kill "${fm_pid[i]}" 2>/dev/null
	wait "${fm_pid[i]}" 2>/dev/null
}

# fm__query I: what `ip addr show dev lan0` says now on node I (the
# link's flags, LOWER_UP when it has carrier, then one line per
# address), in fm_o, from its batch ip.  The error about a device named fm-end ends
# the answer (ip flushes each command's output, and an error changes
# nothing: a "link show" would have later "addr show"s list links).  1
# when the batch ip is gone (ha_kill_all kills what runs in the
# namespace, ip too) or does not answer within a second.
fm__query() {
	local i=$1 line
	fm_o=""
	[ -n "${fm_r[i]}" ] || return 1
	printf 'addr show dev lan0\naddr show dev fm-end\n' >&"${fm_w[i]}" || return 1
	while read -r -t 1 -u "${fm_r[i]}" line; do
		case $line in
		*'"fm-end"'*) return 0 ;;
		esac
		fm_o+=" $line"
	done
	return 1
}

# fm__read I NS: fm_o for node I; when its batch ip is gone, once with
# a plain ip (a fork), and a new batch ip for the next sample.
fm__read() {
	fm__query "$1" && return 0
	fm__ip_stop "$1"
	fm_o=$(ip -n "$2" addr show dev lan0 2>/dev/null) || fm_o=""
	fm_o=${fm_o//$'\n'/ }
	fm__ip_start "$1" "$2" || true
}

# fm__loop OUT NS1 NS2 ADDR...: the sampler (run by fm_sample_start in
# the background).  It sleeps with read -t on a FIFO nobody writes: no
# fork in a sample (but when a batch ip was killed).
fm__loop() {
	local fm_out=$1 ns1=$2 ns2=$3 fd of t0 now next c1 c2 l1 l2 a h d n rem
	local fm_scope fm_o="" fm_now=0
	local -a fm_w=() fm_r=() fm_pid=()
	shift 3
	# not the test's traps and errexit: a failed read is a sample too
	trap - DEBUG ERR EXIT
	set +eET
	fm_scope=${fm_out%/*}
	n=$#
	# It mostly sleeps: let it (and its batch ips) run before the
	# programs under test when the machine is busy, where we may.
	chrt -f -p 10 "$BASHPID" >/dev/null 2>&1 ||
	    renice -n -10 -p "$BASHPID" >/dev/null 2>&1 || true
	rm -f "$fm_out.tick"
	mkfifo "$fm_out.tick" || return 3
	exec {fd}<>"$fm_out.tick" {of}>>"$fm_out"
	fm__ip_start 1 "$ns1" || return 3
	fm__ip_start 2 "$ns2" || return 3
	fm__now
	t0=$fm_now
	next=$t0
	while :; do
		fm__now
		now=$fm_now
		if [ $((now - t0)) -ge $((FM_MAX_S * 1000)) ]; then
			printf '%s end after %ss\n' "$now" "$FM_MAX_S" >&"$of"
			break
		fi
		c1=0 c2=0
		fm__read 1 "$ns1"
		for a in "$@"; do
			[[ $fm_o != *" ${a%%/*}/"* ]] || c1=$((c1 + 1))
		done
		l1=0
		[[ $fm_o != *LOWER_UP* ]] || l1=1
		fm__read 2 "$ns2"
		for a in "$@"; do
			[[ $fm_o != *" ${a%%/*}/"* ]] || c2=$((c2 + 1))
		done
		l2=0
		[[ $fm_o != *LOWER_UP* ]] || l2=1
		d=""
		if [ "$c1" -gt 0 ] && [ "$c2" -gt 0 ]; then
			h=both
		elif [ "$c1" -eq "$n" ] && [ "$l1" = 1 ]; then
			h=n1
		elif [ "$c2" -eq "$n" ] && [ "$l2" = 1 ]; then
			h=n2
		elif [ "$c1" -eq 0 ] && [ "$c2" -eq 0 ]; then
			h=none
		elif [ "$c1" -lt "$n" ] && [ "$c2" -lt "$n" ]; then
			h=part
		else
			# the whole group on a link without carrier: out of reach
			h=none
		fi
		[ "$h$c1$c2" = none00 ] || [ "$h" = n1 ] || [ "$h" = n2 ] ||
		    d=" n1=$c1/$n n2=$c2/$n"
		[ "$l1$l2" = 11 ] || d="$d carrier=$l1$l2"
		printf '%s %s%s\n' "$now" "$h" "$d" >&"$of"
		if [ "$h" = both ] && [ ! -e "$fm_out.both" ]; then
			printf '%s %s%s\n' "$now" "$h" "$d" >"$fm_out.both"
		fi
		next=$((next + FM_INTERVAL_MS))
		fm__now
		rem=$((next - fm_now))
		if [ "$rem" -le 0 ]; then
			# behind: start again from now (the interval shows it)
			next=$fm_now
		else
			printf -v rem '%d.%03d' $((rem / 1000)) $((rem % 1000))
			read -r -t "$rem" -u "$fd" _ || true
		fi
	done
	fm__ip_stop 1
	fm__ip_stop 2
}

fm_sample_start() {
	local f
	[ $# -gt 0 ] || { echo "fm_sample_start: no address" >&2; return 2; }
	f=$(fm__file)
	rm -f "$f" "$f.both" "$f.died" "$f.tick"
	: >"$f"
	bg_start -o "$f.out" -e "$f.err" fm__loop "$f" "$(ns n1)" "$(ns n2)" "$@"
	FM_PID=$BG_PID
	echo "$FM_PID" >"$f.pid"
	# Real-time, best effort: it sleeps between samples, and under the
	# load of a sanitizer build and four test files on 2 cores a plain
	# one fell 120 ms behind.  What it starts later inherits it.
	if command -v chrt >/dev/null 2>&1; then
		local p
		for p in "$FM_PID" $(pgrep -P "$FM_PID" 2>/dev/null); do
			chrt -f -p 5 "$p" >/dev/null 2>&1 || true
		done
	fi
	# its first sample, so that a test starts sampled
	wait_until 5 test -s "$f" || { cat "$f.err" >&2; return 1; }
}

fm_sample_stop() {
	local f pid
	f=$(fm__file)
	[ -r "$f.pid" ] || return 0
	pid=$(cat "$f.pid")
	rm -f "$f.pid"
	if proc_alive "$pid"; then
		bg_stop "$pid" TERM
	else
		# it ended on its own: what it did not sample is unknown
		tail -n 1 "$f" >"$f.died"
	fi
	rm -f "$f.tick" "$f.in1" "$f.out1" "$f.in2" "$f.out2"
}

fm_mark() {
	printf '%s mark %s\n' "$(fm__ms)" "$*" >>"$(fm__file)"
}

# fm__sampling: 0 while the sampler runs (1, saying so, when it ended).
fm__sampling() {
	local f
	f=$(fm__file)
	if [ ! -r "$f.pid" ] || ! proc_alive "$(cat "$f.pid")"; then
		echo "fm: the sampler is not running" >&2
		tail -n 3 "$f" "$f.err" >&2 2>/dev/null
		return 1
	fi
}

fm__both() {
	local f
	f=$(fm__file)
	[ -e "$f.both" ] || return 1
	echo "fm: both nodes held the group:" >&2
	grep ' both' "$f" | head -n 20 >&2
}

fm_wait_holder() {
	local secs=$1 want=$2 f t0 deadline h
	f=$(fm__file)
	t0=$(fm__ms)
	deadline=$((t0 + secs * 1000))
	while :; do
		fm__both && return 2
		h=$(awk -v t0="$t0" '$1 >= t0 && $2 != "mark" && $2 != "end" { h = $2 }
		    END { print h }' "$f")
		[ "$h" != "$want" ] || return 0
		fm__sampling || return 1
		if [ "$(fm__ms)" -ge "$deadline" ]; then
			echo "fm_wait_holder: the holder is ${h:-unknown}, not $want, after ${secs}s" >&2
			fm_timeline >&2
			return 1
		fi
		sleep 0.04
	done
}

fm_steady() {
	local secs=$1 want=$2 f t0 end bad
	f=$(fm__file)
	t0=$(fm__ms)
	end=$((t0 + secs * 1000))
	while :; do
		fm__both && return 2
		bad=$(awk -v t0="$t0" -v w="$want" \
		    '$1 >= t0 && $2 != "mark" && $2 != "end" && $2 != w { print; exit }' "$f")
		if [ -n "$bad" ]; then
			echo "fm_steady: the holder became $bad, not $want" >&2
			fm_timeline >&2
			return 1
		fi
		fm__sampling || return 1
		[ "$(fm__ms)" -lt "$end" ] || return 0
		sleep 0.1
	done
}

fm_check_no_both() {
	fm__both || return 0
	fm_timeline >&2
	return 1
}

fm_interval_ms() {
	awk '$2 == "mark" || $2 == "end" { next }
	    p != "" && $1 - p > m { m = $1 - p }
	    { p = $1 } END { print m + 0 }' "$(fm__file)"
}

fm_check_sampler() {
	local f n over m
	f=$(fm__file)
	n=$(awk '$2 != "mark" && $2 != "end"' "$f" | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "fm: the sampler took no sample" >&2
		cat "$f.err" >&2 2>/dev/null
		return 1
	fi
	if [ -e "$f.died" ]; then
		echo "fm: the sampler ended before the test did, after: $(cat "$f.died")" >&2
		cat "$f.err" >&2 2>/dev/null
		return 1
	fi
	m=$(fm_interval_ms)
	[ "$m" -gt "$FM_MAX_GAP_MS" ] || return 0
	over=$(awk -v lim="$FM_MAX_GAP_MS" '$2 == "mark" || $2 == "end" { next }
	    p != "" && $1 - p > lim { printf "%s+%d ", p, $1 - p }
	    { p = $1 }' "$f")
	echo "fm: the sampler fell behind: $n samples, up to $m ms apart" \
	    "(over ${FM_MAX_GAP_MS} ms after: $over); two holders for that" \
	    "long would have gone unseen" >&2
	return 1
}

# fm_gaps: each time with no holder (after the group was first held), one
# line "+START LENGTH" in ms, START from the first sample, after the
# last mark before it ("+START LENGTH after: MARK").
fm_gaps() {
	awk 'NR == 1 { t0 = $1 }
	    $2 == "mark" { mk = substr($0, index($0, "mark ") + 5); next }
	    $2 == "end" { next }
	    { held = ($2 == "n1" || $2 == "n2" || $2 == "both") }
	    held { seen = 1; if (g != "") { printf "+%d %d after: %s\n", g - t0, $1 - g, gm; g = "" } }
	    !held && seen && g == "" { g = $1; gm = mk }
	    { last = $1 }
	    END { if (g != "") printf "+%d %d after: %s (to the end)\n", g - t0, last - g, gm }' "$(fm__file)"
}

# fm_move_ms MARK WANT: ms from the mark whose text is MARK to the first
# sample after it that says WANT (empty when none did).
fm_move_ms() {
	awk -v mk="$1" -v w="$2" '$2 == "mark" && substr($0, index($0, "mark ") + 5) == mk { t = $1; next }
	    t != "" && $2 == w { print $1 - t; exit }' "$(fm__file)"
}

# fm_assert_move MARK WANT MAX_MS: 1, the timeline printed, unless WANT
# held the group within MAX_MS of MARK.
fm_assert_move() {
	local ms
	ms=$(fm_move_ms "$1" "$2")
	if [ -n "${FM_REPORT:-}" ]; then
		printf '#   %s: %s holds after %s ms (bound %s)\n' "$1" "$2" "${ms:-never}" "$3" >&3
	fi
	[ -n "$ms" ] && [ "$ms" -le "$3" ] && return 0
	echo "fm: $2 held the group ${ms:+$ms ms after}${ms:-never after} '$1', bound $3 ms" >&2
	fm_timeline >&2
	return 1
}

fm_gap_ms() {
	fm_gaps | awk '$2 > m { m = $2 } END { print m + 0 }'
}

fm_timeline() {
	local f
	f=$(fm__file)
	echo "fm: timeline (ms from the first sample; runs of one holder):"
	# a run lasts from its first sample to the next run's first (or to
	# a mark, which starts a new run)
	awk 'function flush(t) {
		if (h != "") printf "  +%6d %-5s %4d samples, %5d ms%s\n", s - t0, h, n, t - s, d
		h = ""
	    }
	    NR == 1 { t0 = $1 }
	    $2 == "mark" || $2 == "end" {
		flush($1)
		printf "  +%6d %s\n", $1 - t0, substr($0, index($0, " ") + 1)
		next
	    }
	    $2 != h { flush($1); h = $2; s = $1; n = 0; d = "" }
	    { n++; l = $1; if (NF > 2 && d == "") { d = " "; for (i = 3; i <= NF; i++) d = d " " $i } }
	    END { flush(l) }' "$f"
	echo "fm: longest interval between samples $(fm_interval_ms) ms"
}

fm_assert_gap() {
	local max=$1 gap
	gap=$(fm_gap_ms)
	if [ -n "${FM_REPORT:-}" ]; then
		printf '# fm: %s: no holder for %s ms (bound %s), samples up to %s ms apart\n' \
		    "${BATS_TEST_DESCRIPTION:-?}" "$gap" "$max" "$(fm_interval_ms)" >&3
		fm_gaps | sed 's/^/#   gap /' >&3
	fi
	[ "$gap" -gt "$max" ] || return 0
	echo "fm: no holder for $gap ms, over the bound of $max ms" >&2
	fm_timeline >&2
	return 1
}

fm_done() {
	fm_sample_stop
	fm_check_no_both || return 1
	fm_check_sampler || { fm_timeline >&2; return 1; }
	fm_assert_gap "$1"
}
