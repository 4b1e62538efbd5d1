#!/usr/bin/env bats
# hbmon(8), the mon replacement: reading mon.cf (errors name file and
# line), running monitors on schedule with mon's monitor protocol, and
# calling alerts as mon 1.3.6 does (argv, stdin, MON_* environment,
# alertafter, alertevery, upalert), plus the shipped monitors and alerts.
# Scripted monitors fail or pass on command through files in the test's
# tmpdir; the real HTTP checks run in network namespaces.

load helpers/common

setup() {
	W=$BATS_TEST_TMPDIR
	mkdir -p "$W/mon" "$W/alert" "$W/state"
	# t.monitor: records each run; fails while $W/fail exists, with the
	# exit code written in it (default 1) and the summary in $W/summary
	# (default: its arguments); sleeps $W/sleep seconds when present.
	cat >"$W/mon/t.monitor" <<-'X'
	#!/bin/sh
	w=${0%/*}/..
	echo "$$ start $(date +%s%N) $*" >>"$w/runs"
	[ ! -e "$w/sleep" ] || sleep "$(cat "$w/sleep")"
	env | grep -E '^(MON_|MYVAR)' | sort >"$w/monenv.$$"
	mv -f "$w/monenv.$$" "$w/monenv"
	if [ -e "$w/fail" ]; then
		rc=$(cat "$w/fail")
		if [ -e "$w/summary" ]; then cat "$w/summary"; else echo "$*"; fi
		[ -e "$w/nodetail" ] || echo "detail for $*"
		echo "$$ end $(date +%s%N) F" >>"$w/runs"
		exit "${rc:-1}"
	fi
	echo "$$ end $(date +%s%N) S" >>"$w/runs"
	exit 0
	X
	# rec.alert: appends one record per call to $W/alerts
	cat >"$W/alert/rec.alert" <<-'X'
	#!/bin/sh
	rec=$(printf 'ARGV'; for a; do printf ' [%s]' "$a"; done; echo
	env | grep -E '^(MON_|MYVAR)' | sort
	sed 's/^/IN /'
	echo END)
	printf '%s\n' "$rec" >>"${0%/*}/../alerts"
	X
	chmod 755 "$W/mon/t.monitor" "$W/alert/rec.alert"
}

# The man page of the wrapper $1 lints clean and its SYNOPSIS holds
# every usage line of "$1 -h" (t/00 checks the C programs alone).
man_ok() {
	local m=$HK_TOP/share/man/$1.8 syn line
	run -0 mandoc -Tlint -W warning "$m"
	syn=$(mandoc -Tascii -O width=1000 "$m" | col -b |
		awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS"); next } on' | tr -s ' \t\n' ' ')
	while IFS= read -r line; do
		line=$(printf '%s\n' "$line" | sed 's/^usage: //' | tr -s ' ' ' ' | sed 's/^ //; s/ $//')
		[[ $syn == *"$line"* ]] || { echo "not in SYNOPSIS: $line"; false; }
	done < <("$1" -h | awk '/^$/ { exit } 1')
}

# cf TEXT: write $W/mon.cf (tabs as in the heredoc are kept)
cf() {
	printf '%s\n' "$1" >"$W/mon.cf"
}

hbmon_n() {
	timeout 10 hbmon -n -c "$W/mon.cf" -m "$W/mon" -a "$W/alert"
}

start_hbmon() {
	bg_start -o "$W/hbmon.out" -e "$W/hbmon.err" \
		timeout 120 hbmon -f -c "$W/mon.cf" -m "$W/mon" -a "$W/alert"
	HBPID=$BG_PID
}

runs() {
	grep -c ' start ' "$W/runs" 2>/dev/null || echo 0
}

nalerts() {
	grep -c '^ARGV' "$W/alerts" 2>/dev/null || echo 0
}

has_alerts() {
	[ "$(nalerts)" -ge "$1" ]
}

has_runs() {
	[ "$(runs)" -ge "$1" ]
}

# the Nth alert record (1-based)
alert_rec() {
	awk -v n="$1" '/^ARGV/ { i++ } i == n' "$W/alerts"
}

# a service "web/http" on t.monitor with the given period lines
svc_cf() {
	cf "statedir = $W/state
hostgroup web 192.0.2.1 192.0.2.2

watch web
	service http
		MYVAR=hello world
		interval ${IV:-500ms}
		monitor t.monitor -p 80
		period wd {Sun-Sat}
$1"
}

# ---------------------------------------------------------------- usage

@test "hbmon -h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr timeout 5 hbmon -h
	[[ ${lines[0]} == "usage: hbmon "* ]]
	[ -z "$stderr" ]
}

@test "hbmon -V prints its version" {
	run -0 timeout 5 hbmon -V
	[ "$output" = "hbmon (hakit) 0.1" ]
}

@test "hbmon exits 2 with the usage on stderr for a bad option" {
	run -2 --separate-stderr timeout 5 hbmon -@
	[ -z "$output" ]
	[[ $stderr == "hbmon: "* ]]
	[[ $stderr == *"usage: hbmon "* ]]
}

@test "hbmon's man page lints clean and its SYNOPSIS holds every usage line" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	man_ok hbmon
}

# ---------------------------------------------------------------- config

@test "hbmon -n reads the howto's mon.cf from examples/ha.d" {
	run -0 --separate-stderr timeout 10 hbmon -n -c "$HK_TOP/examples/ha.d/mon.cf"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "service web http interval=2000ms monitor="*"/http.monitor hosts=192.0.2.100 "* ]]
	[[ ${lines[1]} == "service lan ping interval=1000ms monitor="*"/ping.monitor hosts=192.0.2.254,192.0.2.2 "* ]]
	[[ $stderr == *"mon.cf:30: note: authtype ignored"* ]]
}

@test "continuation lines, comments and hostgroup lines are joined as mon joins them" {
	cf "# comment
hostgroup web 192.0.2.1 \\
	192.0.2.2
	192.0.2.3

watch web
	service http
		# a comment inside a service
		interval \\
			3s
		monitor t.monitor -p 80 \\
			-u /x
		period
			alert rec.alert"
	run -0 hbmon_n
	[ "$output" = "service web http interval=3000ms monitor=$W/mon/t.monitor hosts=192.0.2.1,192.0.2.2,192.0.2.3 periods=1 alerts=1 upalerts=0" ]
}

@test "a watch of an undefined hostgroup watches that single host, with a note" {
	cf "watch 192.0.2.7
	service ping
		interval 1m
		monitor t.monitor
		period
			alert rec.alert"
	run -0 --separate-stderr hbmon_n
	[[ $output == *" hosts=192.0.2.7 "* ]]
	[[ $stderr == *"mon.cf:1: note: no hostgroup 192.0.2.7"* ]]
}

# bad_cf LINE REASON: the current mon.cf must be refused with exit 2 and
# "FILE:LINE: ...REASON..." on stderr, and nothing on stdout.
bad_cf() {
	run -2 --separate-stderr hbmon_n
	[ -z "$output" ]
	[[ $stderr == *"$W/mon.cf:$1: "*"$2"* ]] || { echo "stderr: $stderr"; false; }
}

@test "an unknown global setting is refused with file and line" {
	cf "mondir = /x
frobnicate = 3"
	bad_cf 2 'unknown global setting "frobnicate"'
}

@test "a bad number or duration is refused with file and line" {
	cf "maxprocs = lots"
	bad_cf 1 "maxprocs must be a whole number"
	svc_cf "			alert rec.alert"
	sed -i 's/interval 500ms/interval 2x/' "$W/mon.cf"
	bad_cf 7 'bad interval "2x"'
	svc_cf "			alertevery soon"
	bad_cf 10 'bad alertevery'
	svc_cf "			alertafter 2 fortnights"
	bad_cf 10 'bad alertafter'
}

# use_mawk: awk is mawk, Debian's default awk, from here on
use_mawk() {
	command -v mawk >/dev/null || skip "needs mawk (Debian's default awk)"
	mkdir -p "$W/mawk"
	ln -sf "$(command -v mawk)" "$W/mawk/awk"
	PATH=$W/mawk:$PATH
}

@test "durations over 2^31 ms (up to 365 days) are read in full, with mawk too" {
	use_mawk
	cf "randstart = 30d
hostgroup web 192.0.2.1
watch web
	service http
		interval 30d
		monitor t.monitor
		period wd {Sun-Sat}
			alert rec.alert
			alertevery 25d
			upalertafter 40d"
	run -0 hbmon_n
	[[ $output == *" interval=2592000000ms "* ]]
	run -0 bash -c '. "$1/sh/common.sh"; . "$1/sh/hbmon.sh"; hbmon_parse "$2"' \
	    _ "$HAKIT_SHAREDIR" "$W/mon.cf"
	[[ $output == *"global randstart 2592000000"* ]]
	[[ $output == *" every=2160000000 "* ]]
	[[ $output == *" upafter=3456000000 "* ]]
}

@test "a malformed period is refused with file and line" {
	svc_cf "		period wd {Mon-Funday}
			alert rec.alert"
	bad_cf 10 'malformed period (bad wd value "mon-funday")'
	svc_cf "		period wd {Mon-Fri
			alert rec.alert"
	bad_cf 10 'malformed period'
	svc_cf "		period century {1}
			alert rec.alert"
	bad_cf 10 'unknown scale "century"'
}

@test "alertafter N TIME that can never happen is refused" {
	IV=10s svc_cf "			alert rec.alert
			alertafter 3 15s"
	bad_cf 11 'can never happen'
}

@test "settings in the wrong place are refused with file and line" {
	cf "hostgroup web 192.0.2.1

watch web
	interval 2s"
	bad_cf 4 '"interval" before any service line'
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 1s
		monitor t.monitor
		alert rec.alert"
	bad_cf 7 'alert outside a period'
	cf "service http"
	bad_cf 1 'outside a hostgroup or watch'
	svc_cf "			frobnicate 3"
	bad_cf 10 'unknown setting "frobnicate" in a period'
}

@test "a service without a monitor or interval, or defined twice, is refused" {
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 1s"
	bad_cf 4 'has no monitor line'
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 1s
		monitor t.monitor
	service http"
	bad_cf 7 'service http defined twice'
}

@test "an unbalanced quote in a monitor line is refused" {
	svc_cf "			alert rec.alert"
	sed -i 's/monitor t.monitor -p 80/monitor t.monitor -u "\/x/' "$W/mon.cf"
	bad_cf 8 'unbalanced " quote'
}

@test "a monitor or alert missing from MONDIR and ALERTDIR is refused with its line" {
	svc_cf "			alert nosuch.alert"
	bad_cf 10 'alert nosuch.alert not found in'
	svc_cf "			alert rec.alert"
	sed -i 's/monitor t.monitor/monitor nosuch.monitor/' "$W/mon.cf"
	bad_cf 8 'monitor nosuch.monitor not found in'
}

@test "a garbled mon.cf exits 2 with no control characters in the message" {
	# the same bytes every run
	awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }' >"$W/mon.cf"
	printf '\nhostgroup web \033[31mred\n' >>"$W/mon.cf"
	run -2 --separate-stderr hbmon_n
	[ -z "$output" ]
	[[ $stderr == "$W/mon.cf:"* ]]
	! printf '%s' "$stderr" | tr -d '\n' | grep -q '[[:cntrl:]]'
}

@test "a missing config file exits 2" {
	run -2 --separate-stderr timeout 5 hbmon -n -c "$W/nonexistent.cf"
	[[ $stderr == *"cannot read $W/nonexistent.cf"* ]]
}

# in_period SPEC "YYYY MM DD WDAY HH MM SS YDAY": 0 when inside, as
# hbmond -p reads the period hbmon's parser normalised (the weekday and
# day of the year follow from the date)
in_period() {
	svc_cf "		period $1
			alert rec.alert"
	local spec t
	spec=$(. "$HAKIT_SHAREDIR/sh/hbmon.sh" && hbmon_parse "$W/mon.cf" | sed -n "s/^spec 1 2 //p")
	set -- $2
	t="$1-$2-$3T$5:$6:$7"
	hbmond -p "$spec" -w "$t"
}

not_in_period() {
	if in_period "$@"; then
		echo "inside: $1"
		return 1
	fi
}

@test "periods follow Time::Period: days, hours, ranges that wrap, weeks" {
	# Wednesday 25 November 2026, 14:05:00, day 329, week 4 of the month
	local t="2026 11 25 3 14 05 00 329"
	in_period "wd {Mon-Fri}" "$t"
	not_in_period "wd {Sat Sun}" "$t"
	in_period "wd {Sun-Sat}" "$t"
	in_period "wd {Wednesday}" "$t"
	in_period "wd {Mon-Fri} hr {9am-4pm}" "$t"
	not_in_period "wd {Mon-Fri} hr {3pm-11pm}" "$t"
	in_period "hr {2pm}" "$t"
	not_in_period "hr {12am-11am}" "$t"
	in_period "hr {10pm-2pm}" "$t"
	in_period "mo {Nov-Feb}" "$t"
	not_in_period "mo {Mar-Oct}" "$t"
	in_period "wk {4}" "$t"
	not_in_period "wk {1 3 5}" "$t"
	in_period "md {20-31} min {0-29}" "$t"
	in_period "yr {2026} yd {300-330}" "$t"
	in_period "yr {25-26}" "$t"
	in_period "wd {Sat}, hr {14}" "$t"
	not_in_period "wd {Sat}, hr {15}" "$t"
	not_in_period "none" "$t"
	# Sunday 1 November 2026 is in week 1, Sunday 8 November in week 2
	in_period "wk {1}" "2026 11 01 0 10 00 00 305"
	in_period "wk {2}" "2026 11 08 0 10 00 00 312"
}

# ---------------------------------------------------------------- schedule

@test "a 1s interval runs the monitor every second on a fixed schedule" {
	# the monitor takes 400ms: with "1s after the last run" there would
	# be at most 4 runs in 6 s; on schedule there are 6 or 7
	echo 0.4 >"$W/sleep"
	IV=1s svc_cf "			alert rec.alert"
	start_hbmon
	sleep 6.2
	bg_stop "$HBPID"
	local n
	n=$(runs)
	echo "runs in 6.2 s: $n"
	[ "$n" -ge 6 ]
	[ "$n" -le 8 ]
	# and the starts are about 1 s apart (10ms clock steps, a loaded box)
	awk '/ start / { t = $3 / 1e6; if (p) { d = t - p; if (d < 900 || d > 1400) bad = 1 } p = t }
		END { exit bad }' "$W/runs"
}

@test "a monitor still running when its slot comes is never started twice" {
	echo 1.3 >"$W/sleep"
	IV=500ms svc_cf "			alert rec.alert"
	start_hbmon
	wait_until 15 has_runs 4
	bg_stop "$HBPID"
	# every run ends before the next one starts
	awk '$2 == "start" { if (open) bad = 1; open = 1 } $2 == "end" { open = 0 }
		END { exit bad }' "$W/runs"
}

@test "the hostgroup's hosts are appended to the monitor's arguments" {
	svc_cf "			alert rec.alert"
	start_hbmon
	wait_until 10 has_runs 1
	grep -q ' start [0-9]* -p 80 192.0.2.1 192.0.2.2$' "$W/runs"
}

@test "a monitor line ending in ;; gets no hosts" {
	svc_cf "			alert rec.alert"
	sed -i 's/monitor t.monitor -p 80/monitor t.monitor -p 80 "a b" ;;/' "$W/mon.cf"
	start_hbmon
	wait_until 10 has_runs 1
	grep -q ' start [0-9]* -p 80 a b$' "$W/runs"
}

@test "monitors get the service's VAR=value lines and MON_ variables" {
	svc_cf "			alert rec.alert"
	start_hbmon
	# the second run's environment (the first has no last success);
	# the monitor replaces monenv whole, so it is never read half-written
	wait_until 10 grep -q '^MON_LAST_SUCCESS=[1-9]' "$W/monenv"
	grep -qx 'MYVAR=hello world' "$W/monenv"
	grep -qx 'MON_GROUP=web' "$W/monenv"
	grep -qx 'MON_SERVICE=http' "$W/monenv"
	grep -q '^MON_LAST_SUCCESS=[1-9][0-9]*$' "$W/monenv"
	grep -qx "MON_STATEDIR=$W/state" "$W/monenv"
}

@test "maxprocs 1 never runs two monitors at once" {
	echo 0.3 >"$W/sleep"
	cf "maxprocs = 1
hostgroup web 192.0.2.1

watch web
	service a
		interval 500ms
		monitor t.monitor a
	service b
		interval 500ms
		monitor t.monitor b"
	start_hbmon
	wait_until 15 has_runs 6
	bg_stop "$HBPID"
	grep -q " a 192.0.2.1$" "$W/runs"
	grep -q " b 192.0.2.1$" "$W/runs"
	awk '$2 == "start" { if (open) bad = 1; open = 1 } $2 == "end" { open = 0 }
		END { exit bad }' "$W/runs"
}

@test "a mon-style Perl monitor in MONDIR works unchanged" {
	command -v perl >/dev/null || skip "needs perl"
	cat >"$W/mon/perl.monitor" <<-'X'
	#!/usr/bin/perl
	# mon's protocol: failed hosts on the first line, detail, exit 1
	my @failed = grep { $_ eq "192.0.2.2" } @ARGV;
	exit 0 unless @failed;
	print "@failed\n";
	print "HOST $_: down\n" for @failed;
	exit 1;
	X
	chmod 755 "$W/mon/perl.monitor"
	svc_cf "			alert rec.alert"
	sed -i 's/monitor t.monitor -p 80/monitor perl.monitor/' "$W/mon.cf"
	start_hbmon
	wait_until 15 has_alerts 1
	[ "$(alert_rec 1 | grep '^IN ')" = "IN 192.0.2.2
IN HOST 192.0.2.2: down" ]
	alert_rec 1 | grep -qx 'MON_LAST_SUMMARY=192.0.2.2'
}

# ---------------------------------------------------------------- alerts

@test "alertafter 2 alerts on the second failure in a row, not the first" {
	svc_cf "			alert rec.alert
			alertafter 2"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 1
	# the alert came with the second failed run (the third has not
	# finished yet, or its alert would be a second record)
	local f
	f=$(awk '$2 == "end"' "$W/runs" | head -n 3 | grep -c F)
	[ "$f" -ge 2 ]
	[ "$(awk '$2 == "end"' "$W/runs" | head -n 1 | awk '{ print $4 }')" = F ]
	alert_rec 1 | grep -qx 'MON_ALERTTYPE=failure'
}

@test "without alertevery every failed run alerts; with it, one alert per summary" {
	svc_cf "			alert rec.alert"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 3
	bg_stop "$HBPID"
	rm -f "$W/alerts" "$W/runs"
	svc_cf "			alert rec.alert
			alertevery 1m"
	start_hbmon
	wait_until 15 has_runs 4
	[ "$(nalerts)" -eq 1 ]
	# a new summary alerts at once, alertevery or not
	echo "192.0.2.2" >"$W/summary"
	wait_until 15 has_alerts 2
	alert_rec 2 | grep -qx 'IN 192.0.2.2'
}

@test "alertevery repeats the alert once its time has passed while still failing" {
	svc_cf "			alert rec.alert
			alertevery 2s"
	: >"$W/fail"
	start_hbmon
	wait_until 20 has_alerts 3
	bg_stop "$HBPID"
	# 500ms checks, yet the alerts come at least 2 s apart
	local ts
	ts=$(grep '^ARGV' "$W/alerts" | sed 's/.*\[-t\] \[\([0-9]*\)\].*/\1/')
	awk 'NR > 1 && $1 - p < 2 { bad = 1 } { p = $1 } END { exit bad }' <<<"$ts"
	[ "$(runs)" -ge 8 ]
}

@test "alertevery strict ignores a changed summary" {
	svc_cf "			alert rec.alert
			alertevery 1m strict"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 1
	echo "192.0.2.2" >"$W/summary"
	local n
	n=$(runs)
	wait_until 15 has_runs $((n + 3))
	[ "$(nalerts)" -eq 1 ]
}

@test "alertevery observe_detail alerts again when only the detail changes" {
	svc_cf "			alert rec.alert
			alertevery 1m observe_detail"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 1
	local n
	n=$(runs)
	wait_until 15 has_runs $((n + 2))
	[ "$(nalerts)" -eq 1 ]
	# the same summary, the detail line gone: the output differs
	: >"$W/nodetail"
	wait_until 15 has_alerts 2
	alert_rec 2 | grep -qx 'IN -p 80 192.0.2.1 192.0.2.2'
}

@test "alertafter N TIME alerts on the Nth failure within TIME" {
	svc_cf "			alert rec.alert
			alertafter 3 1m
			alertevery 1m"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 1
	# the alert was due after the third failed run ended
	[ "$(awk '$2 == "end" && $4 == "F"' "$W/runs" | wc -l)" -ge 3 ]
	[ "$(awk '$2 == "end" && $4 == "F"' "$W/runs" | head -n 2 | wc -l)" -eq 2 ]
}

@test "alertafter TIME alerts only once the service has failed that long" {
	svc_cf "			alert rec.alert
			alertafter 2s
			alertevery 1m"
	: >"$W/fail"
	local t0 t1
	t0=$(now_ms)
	start_hbmon
	wait_until 20 has_alerts 1
	t1=$(now_ms)
	[ $((t1 - t0)) -ge 2000 ]
}

@test "the failure alert gets mon's argv, stdin and environment" {
	# the recorded real-mon alert (reference/mon.md): web server down
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 500ms
		monitor t.monitor -p 80 -u /test.html -t 2
		period wd {Sun-Sat}
			alert rec.alert bring-ha-down
			alertafter 2"
	printf '192.0.2.1\nHOST 192.0.2.1: HTTP response code failure\n' >"$W/summary"
	: >"$W/nodetail"
	start_hbmon
	wait_until 10 has_runs 2
	: >"$W/fail"
	wait_until 15 has_alerts 1
	local r
	r=$(alert_rec 1)
	echo "$r"
	[[ $(sed -n 1p <<<"$r") =~ ^ARGV\ \[-s\]\ \[http\]\ \[-g\]\ \[web\]\ \[-h\]\ \[192.0.2.1\]\ \[-t\]\ \[[0-9]{10}\]\ \[bring-ha-down\]$ ]]
	grep -qx 'MON_ALERTTYPE=failure' <<<"$r"
	grep -qx 'MON_RETVAL=1' <<<"$r"
	grep -qx 'MON_OPSTATUS=0' <<<"$r"
	grep -qx 'MON_GROUP=web' <<<"$r"
	grep -qx 'MON_SERVICE=http' <<<"$r"
	grep -qx 'MON_LAST_SUMMARY=192.0.2.1' <<<"$r"
	grep -q '^MON_FIRST_FAILURE=[0-9]\{10\}$' <<<"$r"
	grep -q '^MON_LAST_FAILURE=[0-9]\{10\}$' <<<"$r"
	grep -q '^MON_LAST_SUCCESS=[0-9]\{10\}$' <<<"$r"
	grep -q '^MON_LAST_OUTPUT=' <<<"$r"
	# the first failure came after the last success, the alert after both
	local ff ls t
	ff=$(sed -n 's/^MON_FIRST_FAILURE=//p' <<<"$r")
	ls=$(sed -n 's/^MON_LAST_SUCCESS=//p' <<<"$r")
	t=$(sed -n 1p <<<"$r" | sed 's/.*\[-t\] \[\([0-9]*\)\].*/\1/')
	[ "$ls" -le "$ff" ]
	[ "$ff" -le "$t" ]
	[ "$(grep '^IN ' <<<"$r")" = "IN 192.0.2.1
IN HOST 192.0.2.1: HTTP response code failure" ]
}

@test "after recovery the upalert gets -u and the last failure's output" {
	svc_cf "			alert rec.alert
			upalert rec.alert up1 up2
			alertevery 1m"
	echo "192.0.2.2" >"$W/summary"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 1
	rm -f "$W/fail"
	wait_until 15 has_alerts 2
	local r
	r=$(alert_rec 2)
	echo "$r"
	[[ $(sed -n 1p <<<"$r") =~ ^ARGV\ \[-s\]\ \[http\]\ \[-g\]\ \[web\]\ \[-h\]\ \[192.0.2.1\ 192.0.2.2\]\ \[-t\]\ \[[0-9]+\]\ \[-u\]\ \[up1\]\ \[up2\]$ ]]
	grep -qx 'MON_ALERTTYPE=up' <<<"$r"
	grep -qx 'MON_RETVAL=0' <<<"$r"
	grep -qx 'MON_OPSTATUS=1' <<<"$r"
	grep -qx 'MYVAR=hello world' <<<"$r"
	[ "$(grep '^IN ' <<<"$r")" = "IN 192.0.2.2
IN detail for -p 80 192.0.2.1 192.0.2.2" ]
}

@test "no upalert when no failure alert was sent" {
	svc_cf "			alert rec.alert
			upalert rec.alert
			alertafter 50"
	: >"$W/fail"
	start_hbmon
	wait_until 10 has_runs 2
	rm -f "$W/fail"
	local n
	n=$(runs)
	wait_until 10 has_runs $((n + 3))
	[ "$(nalerts)" -eq 0 ]
}

@test "alert exit=N runs only for that monitor exit code" {
	svc_cf "			alert exit=3 rec.alert three
			alert exit=1-2 rec.alert one-or-two
			alertevery 1m"
	echo 3 >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 1
	local n
	n=$(runs)
	wait_until 10 has_runs $((n + 2))
	[ "$(nalerts)" -eq 1 ]
	alert_rec 1 | grep -q '\[three\]$'
	alert_rec 1 | grep -qx 'MON_RETVAL=3'
}

@test "alerts of a period that excludes today are not sent" {
	local today other
	today=$(date +%a)
	case $today in Mon) other=Tue ;; *) other=Mon ;; esac
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 500ms
		monitor t.monitor
		period wd {$other}
			alert rec.alert not-today
		period today: wd {$today} hr {0-23}
			alert rec.alert today"
	: >"$W/fail"
	start_hbmon
	wait_until 15 has_alerts 2
	bg_stop "$HBPID"
	! grep -q 'not-today' "$W/alerts"
}

@test "the service's state file records the last check" {
	svc_cf "			alert rec.alert"
	start_hbmon
	wait_until 10 test -s "$W/state/hbmon.web.http"
	wait_until 10 grep -q 'opstatus=1 exitval=0' "$W/state/hbmon.web.http"
	# and stays after a stop, alone (hbmon(8), FILES)
	bg_stop "$HBPID"
	[ "$(cd "$W/state" && echo *)" = hbmon.web.http ]
}

@test "SIGTERM ends hbmon and the monitor it is running" {
	echo 30 >"$W/sleep"
	mkdir "$W/tmp"
	export TMPDIR=$W/tmp
	svc_cf "			alert rec.alert"
	start_hbmon
	wait_until 10 has_runs 1
	local mpid spid
	mpid=$(awk '$2 == "start" { print $1; exit }' "$W/runs")
	proc_alive "$mpid"
	wait_until 5 pgrep -P "$mpid" -x sleep
	spid=$(pgrep -P "$mpid" -x sleep)
	kill -TERM "$HBPID"
	wait_until 5 eval '! proc_alive "$HBPID"'
	wait_until 5 eval '! proc_alive "$mpid"'
	# the sleep(1) inside the monitor went with its process group
	wait_until 5 eval '! proc_alive "$spid"'
	# each log line with its time (hbmon.out read after a night)
	grep -Eq '^hbmon: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} stopped$' "$W/hbmon.err" ||
	    { cat "$W/hbmon.err"; false; }
	! grep -Ev '^hbmon: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12} ' "$W/hbmon.err" || false
	# nothing left: no run directory, no state of a check that never
	# ended, no shell job message
	[ -z "$(ls -A "$W/tmp")" ]
	[ -z "$(ls -A "$W/state")" ]
	! grep -i 'terminated\|killed' "$W/hbmon.out" "$W/hbmon.err" || false
}

@test "hbmon SIGKILLed: its service loops stop too, no orphan keeps monitoring" {
	IV=200ms svc_cf "			alert rec.alert"
	start_hbmon
	wait_until 10 has_runs 1
	local hb loops p n
	hb=$(pgrep -P "$HBPID" -x hbmon || pgrep -P "$HBPID")
	loops=$(pgrep -P "$hb")
	[ -n "$loops" ]
	# teardown kills them should this test fail
	for p in $loops; do
		echo "$p" >"$(hk_scope)/.bg.loop$p.pid"
	done
	kill -KILL "$hb"
	for p in $loops; do
		wait_until 10 eval '! proc_alive "$p"'
	done
	# and no monitor runs any more
	n=$(runs)
	sleep 1
	[ "$(runs)" -le $((n + 1)) ]
}

@test "the example init script's stop returns once hbmon is gone" {
	# a monitor that takes a second to end on SIGTERM
	printf '#!/bin/sh\necho "$$ start slow" >>"%s"\ntrap "" TERM\nfor i in 1 2 3 4 5 6; do sleep 0.25; done\n' \
	    "$W/runs" >"$W/mon/slow.monitor"
	chmod 755 "$W/mon/slow.monitor"
	# the script passes no -m or -a
	cf "mondir = $W/mon
alertdir = $W/alert
hostgroup web 192.0.2.1
watch web
	service http
		interval 10s
		monitor slow.monitor
		period wd {Sun-Sat}
			alert rec.alert"
	local init="$HK_TOP/examples/init.d/hbmon" p
	export HBMON="$HAKIT_SHAREDIR/hbmon" MONCF="$W/mon.cf" PIDFILE="$W/hbmon.pid" \
	    LOG="$W/hbmon.log"
	run -0 timeout 10 sh "$init" start
	# "PID STARTTIME" (common.sh's hk_pid_write)
	read -r p _ <"$PIDFILE"
	# teardown stops it should this test fail
	echo "$p" >"$(hk_scope)/.bg.init$p.pid"
	wait_until 10 has_runs 1
	run -0 timeout 20 sh "$init" status
	[ "$output" = "hbmon running" ]
	run -0 timeout 20 sh "$init" stop
	! proc_alive "$p" || false
	run -3 timeout 20 sh "$init" status
}

@test "the example init script never signals a pid its pid file does not prove" {
	local init="$HK_TOP/examples/init.d/hbmon" other
	export HBMON=/bin/false PIDFILE="$W/hbmon.pid"
	sleep 30 3>&- &
	other=$!
	echo "$other" >"$(hk_scope)/.bg.other.pid"
	# a pid file left by a crash, its number now another process's; and
	# an old one with the pid alone
	for content in "$other 1" "$other"; do
		echo "$content" >"$PIDFILE"
		run -3 timeout 20 sh "$init" status
		[ "$output" = "hbmon stopped" ]
		run -0 timeout 20 sh "$init" stop
		proc_alive "$other"
	done
}

@test "SIGHUP reloads a good config and keeps running on a bad one" {
	svc_cf "			alert rec.alert"
	start_hbmon
	wait_until 10 has_runs 1
	local hb
	hb=$(pgrep -P "$HBPID" -x hbmon || pgrep -P "$HBPID")
	echo "garbage line" >>"$W/mon.cf"
	kill -HUP "$hb"
	wait_until 10 grep -q 'has errors: keeping' "$W/hbmon.err"
	svc_cf "			alert rec.alert"
	sed -i 's/-p 80/-p 81/' "$W/mon.cf"
	kill -HUP "$hb"
	wait_until 10 grep -q ' -p 81 ' "$W/runs"
	proc_alive "$hb"
}

# ---------------------------------------------------------------- depend

# dep_cf: routers/ping and web/ssh depending on it, each on s.monitor
# NAME (fails while $W/fail.NAME exists); interval 1m: they run at the
# start and when hbmonctl's "test monitor" asks, nothing else
dep_cf() {
	printf '#!/bin/sh\necho "$$ start $(date +%%s%%N) $*" >>"%s/runs"\nif [ -e "%s/fail.$1" ]; then echo "$1 down"; exit 1; fi\nexit 0\n' \
	    "$W" "$W" >"$W/mon/s.monitor"
	chmod 755 "$W/mon/s.monitor"
	cf "statedir = $W/state
hostgroup routers 192.0.2.254
hostgroup web 192.0.2.1

watch routers
	service ping
		interval 1m
		monitor s.monitor ping ;;
		period
			alert rec.alert ping-down

watch web
	service ssh
		interval 1m
		monitor s.monitor ssh ;;
		depend routers:ping
		period
			alert rec.alert ssh-down
			upalert rec.alert ssh-up"
}

# check GROUP SERVICE: hbmonctl test monitor, and wait until its
# result is taken (the state file's runs= grew)
check() {
	local n
	n=$(sed -n 's/.* runs=\([0-9]*\) .*/\1/p' "$W/state/hbmon.$1.$2")
	run -0 timeout 10 hbmonctl -c "$W/mon.cf" test monitor "$1" "$2"
	wait_until 10 grep -q " runs=$((n + 1)) " "$W/state/hbmon.$1.$2"
}

@test "depend: a failing dependency suppresses the alerts of what depends on it, and releases them when it holds again" {
	dep_cf
	start_hbmon
	wait_until 10 test -s "$W/state/hbmon.web.ssh"
	: >"$W/fail.ping"
	: >"$W/fail.ssh"
	check routers ping
	check web ssh
	# the router's alert, not the ssh one: mon's reason for depend
	wait_until 5 has_alerts 1
	grep -q 'ping-down' "$W/alerts"
	! grep -q 'ssh-down' "$W/alerts" || false
	grep -q 'web/ssh: depend "routers:ping" fails: alert suppressed' "$W/hbmon.err"
	run -0 hbmonctl -c "$W/mon.cf" status
	[[ $output == *"service web ssh status=failing exit=1 "*" alerts=0 disabled=0 depend=failing "* ]] || { echo "$output"; false; }
	# the router answers again; ssh still fails: now it alerts
	rm "$W/fail.ping"
	check routers ping
	check web ssh
	wait_until 5 grep -q 'ssh-down' "$W/alerts"
	alert_rec 2 | grep -qx 'MON_DEPEND_STATUS=1'
	# and an upalert when it is back, as for any failure alerted
	rm "$W/fail.ssh"
	check web ssh
	wait_until 5 grep -q 'ssh-up' "$W/alerts"
}

# ---------------------------------------------------------------- hbmonctl

# As installed: make install into a prefix, hbmon and hbmonctl in a
# clean environment (no HAKIT_*).
@test "hbmonctl, installed, clean environment: every command against a running hbmon" {
	local pre=$BATS_TEST_TMPDIR/usr n
	run -0 make -s -C "$HK_TOP" O="$HAKIT_BINDIR" install PREFIX="$pre"
	ctl() {
		timeout 10 env -i PATH="$pre/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
		    "$pre/sbin/hbmonctl" -c "$W/mon.cf" "$@"
	}
	dep_cf
	sed -i '1i startupalerts_on_reset = yes' "$W/mon.cf"
	sed -i 's/^\(\t\t\talert rec.alert ping-down\)$/\1\n\t\t\tstartupalert rec.alert ping-start/' "$W/mon.cf"
	sed -i 's/^hostgroup web 192.0.2.1$/hostgroup web 192.0.2.1 192.0.2.2/' "$W/mon.cf"
	sed -i 's/monitor s.monitor ssh ;;/monitor s.monitor ssh/' "$W/mon.cf"
	bg_start -o "$W/hbmon.out" -e "$W/hbmon.err" timeout 120 \
	    env -i PATH="$pre/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
	    "$pre/sbin/hbmon" -f -c "$W/mon.cf" -m "$W/mon" -a "$W/alert"
	HBPID=$BG_PID
	wait_until 10 test -s "$W/state/hbmon.web.ssh"
	# root's FIFO alone
	[ "$(stat -c %A "$W/state/hbmon.ctl")" = prw------- ]
	# status: a record a service
	run -0 ctl status
	[ "${#lines[@]}" -eq 2 ] || { echo "$output"; false; }
	[[ ${lines[0]} =~ ^service\ routers\ ping\ status=ok\ exit=0\ last_check=[0-9]{10}\ next_check=[0-9]{10}\ alerts=1\ disabled=0\ depend=-\ running=0\ summary=$ ]] || { echo "$output"; false; }
	[[ ${lines[1]} == "service web ssh status=ok exit=0 "*" alerts=0 disabled=0 depend=ok running=0 summary=" ]]
	# disable service: the failure alerts nothing; enable: it does
	run -0 ctl disable service web ssh
	: >"$W/fail.ssh"
	check web ssh
	run -0 ctl status
	[[ ${lines[1]} == "service web ssh status=failing exit=1 "*" disabled=1 "*"summary=ssh down" ]] || { echo "$output"; false; }
	grep -q 'web/ssh is disabled: no failure alert' "$W/hbmon.err"
	run -0 ctl enable service web ssh
	check web ssh
	wait_until 5 grep -q 'ssh-down' "$W/alerts"
	# disable watch, listed; enable
	run -0 ctl disable watch web
	run -0 ctl status
	[ "${lines[2]}" = "disabled watch web" ]
	[[ ${lines[1]} == *" disabled=1 "* ]]
	run -0 ctl enable watch web
	run -0 ctl status
	[ "${#lines[@]}" -eq 2 ]
	# disable host: left out of the monitor's hosts
	run -0 ctl disable host 192.0.2.2
	check web ssh
	[ "$(grep ' ssh ' "$W/runs" | tail -n 1 | cut -d' ' -f4-)" = "ssh 192.0.2.1" ]
	run -0 ctl status
	[ "${lines[2]}" = "disabled host 192.0.2.2" ]
	run -0 ctl enable host 192.0.2.2
	# test alert and upalert: sent now, with mon's flags
	n=$(nalerts)
	run -0 ctl test alert routers ping
	run -0 ctl test upalert web ssh 0
	wait_until 5 has_alerts $((n + 2))
	grep '^ARGV' "$W/alerts" | grep -q '\[-s\] \[ping\] \[-g\] \[routers\] .*\[ping-down\]$'
	grep '^ARGV' "$W/alerts" | grep -q '\[-s\] \[ssh\] \[-g\] \[web\] .*\[-u\] \[ssh-up\]$'
	# reload keeps the state: ssh still failing, its alert counted
	run -0 ctl reload
	# a bad mon.cf: refused with its first error, the running one kept
	echo "garbage line" >>"$W/mon.cf"
	run -1 ctl reload
	[[ $output == *"has errors: keeping the running configuration ($W/mon.cf:"*"garbage"* ]] ||
	    { echo "$output"; false; }
	# the same from hbmon, when hbmonctl is given the state dir alone
	run -1 timeout 10 env -i PATH="$pre/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
	    "$pre/sbin/hbmonctl" -s "$W/state" reload
	[[ $output == *"has errors: keeping the running configuration ($W/mon.cf:"*"garbage"* ]] ||
	    { echo "$output"; false; }
	sed -i '$d' "$W/mon.cf"
	run -0 ctl status
	[[ ${lines[1]} == "service web ssh status=failing "*" alerts=3 "* ]] || { echo "$output"; false; }
	# reset starts afresh, with start-up alerts (startupalerts_on_reset)
	n=$(grep -c 'ping-start' "$W/alerts")
	run -0 ctl reset
	wait_until 5 eval '[ "$(grep -c ping-start "$W/alerts")" -gt "$n" ]'
	# afresh: its one alert since, not the 3 before
	wait_until 5 eval 'ctl status | grep -q "service web ssh status=failing exit=1 .* alerts=1 "'
	# refusals: 1 with the reason; usage: 2; no hbmon: 3
	run -1 ctl disable service web nope
	[[ $output == *"no service web/nope"* ]]
	run -1 ctl disable host 192.0.2.77
	[[ $output == *"no host 192.0.2.77 in any watch"* ]]
	run -2 ctl frobnicate
	run -2 ctl disable service 'web;rm' x
	run -0 grep -c 'asked: reading' "$W/hbmon.err"
	[ "$output" -eq 3 ]
	# -t takes a duration
	run -0 ctl -t 1.5 status
	run -0 ctl -t 2500ms status
	bg_stop "$HBPID"
	[ ! -e "$W/state/hbmon.ctl" ]
	run -3 ctl status
	[[ $output == *"no hbmon runs with state dir $W/state"* ]]
	# every log line with its time
	! grep -Ev '^hbmon: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12} ' "$W/hbmon.err" || false
}

@test "hbmonctl: -h, its man page's SYNOPSIS holds every usage line; bad usage exits 2" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	man_ok hbmonctl
	run -2 hbmonctl
	[[ $output == *"a command is needed"* ]]
	run -2 hbmonctl test alert web
	run -2 hbmonctl -t 0 status
	run -2 hbmonctl -c "$W/none.cf" status
	[[ $output == *"cannot read $W/none.cf"* ]]
	run -3 hbmonctl -s "$W/state" status
	[[ $output == *"no hbmon runs with state dir $W/state"* ]]
}

@test "a second hbmon with the same state dir exits 1; the first runs on" {
	dep_cf
	start_hbmon
	wait_until 10 test -p "$W/state/hbmon.ctl"
	run -1 timeout 10 hbmon -f -c "$W/mon.cf" -m "$W/mon" -a "$W/alert"
	[[ $output == *"another hbmon runs with state dir $W/state"* ]]
	run -0 timeout 10 hbmonctl -c "$W/mon.cf" status
	proc_alive "$HBPID"
}

@test "a state dir wiped by a reboot is made again at start, with its lock: a second hbmon still exits 1" {
	dep_cf
	rm -rf "$W/state"
	start_hbmon
	wait_until 10 test -p "$W/state/hbmon.ctl"
	[ "$(stat -c %a "$W/state")" = 700 ]
	run -1 timeout 10 hbmon -f -c "$W/mon.cf" -m "$W/mon" -a "$W/alert"
	[[ $output == *"another hbmon runs with state dir $W/state"* ]]
}

@test "a FIFO another user planted is not taken; a state dir others may write to gets none" {
	dep_cf
	# planted before the start, open to all: made again, 600
	mkfifo -m 666 "$W/state/hbmon.ctl"
	chmod 666 "$W/state/hbmon.ctl"
	start_hbmon
	wait_until 10 test -s "$W/state/hbmon.web.ssh"
	[ "$(stat -c %A "$W/state/hbmon.ctl")" = prw------- ]
	grep -q "hbmon.ctl is not this user's alone: made again" "$W/hbmon.err"
	run -0 timeout 10 hbmonctl -c "$W/mon.cf" status
	bg_stop "$HBPID"
	# a state dir anyone may write to: no FIFO, no state files there
	rm -rf "$W/state"
	mkdir -m 1777 "$W/state"
	start_hbmon
	wait_until 10 grep -q "others may write to it: no state files and no hbmonctl" "$W/hbmon.err"
	# shellcheck disable=SC2016 # the inner bash expands it
	stays_true 1 bash -c '[ -z "$(ls -- "$1")" ]' _ "$W/state"
	[ ! -e "$W/state/hbmon.ctl" ]
	proc_alive "$HBPID"
}

# ---------------------------------------------------------------- alert scripts

@test "mail.alert appends to its log when no mail can be sent, and exits 0" {
	mkdir -p "$W/bin"
	printf '#!/bin/sh\nexit 1\n' >"$W/bin/sendmail"
	chmod 755 "$W/bin/sendmail"
	MAIL_ALERT_LOG=$W/mail.log PATH=$W/bin:$PATH run -0 --separate-stderr \
		timeout 10 "$HAKIT_SHAREDIR/alert.d/mail.alert" -s http -g web \
		-h "192.0.2.1" -t 1795574819 root@localhost \
		<<<$'192.0.2.1\nHOST 192.0.2.1: HTTP response code failure'
	[[ $stderr == *"sending failed"*"logged to $W/mail.log"* ]]
	grep -q '^Subject: ALERT web/http: 192.0.2.1 (' "$W/mail.log"
	grep -q '^HOST 192.0.2.1: HTTP response code failure$' "$W/mail.log"
	# nowhere to log at all: still 0, with a note
	MAIL_ALERT_LOG=$W/no/such/dir/log PATH=$W/bin:$PATH run -0 --separate-stderr \
		timeout 10 "$HAKIT_SHAREDIR/alert.d/mail.alert" -s http -g web \
		-h "192.0.2.1" -t 1795574819 -u root@localhost <<<"x"
	[[ $stderr == "mail.alert: "*"UPALERT web/http: x"* ]]
}

@test "mail.alert hands the message to sendmail when there is one" {
	mkdir -p "$W/bin"
	printf '#!/bin/sh\necho "$*" >"%s/sm.args"; cat >"%s/sm.msg"\n' "$W" "$W" >"$W/bin/sendmail"
	chmod 755 "$W/bin/sendmail"
	PATH=$W/bin:$PATH run -0 timeout 10 "$HAKIT_SHAREDIR/alert.d/mail.alert" \
		-s http -g web -h "192.0.2.1" -t 1795574819 -u a@example.org b@example.org \
		<<<$'192.0.2.1\ndetail'
	[ "$(cat "$W/sm.args")" = "-oi -- a@example.org b@example.org" ]
	grep -qx 'To: a@example.org, b@example.org' "$W/sm.msg"
	grep -q '^Subject: UPALERT web/http: 192.0.2.1 (' "$W/sm.msg"
}

@test "log.alert appends one line per alert and the detail indented" {
	MON_ALERTTYPE=failure MON_RETVAL=1 run -0 timeout 10 \
		"$HAKIT_SHAREDIR/alert.d/log.alert" -s http -g web -h "192.0.2.1 192.0.2.2" \
		-t 1795574819 -f "$W/log" <<<$'192.0.2.2\nHOST 192.0.2.2: refused'
	run -0 timeout 10 "$HAKIT_SHAREDIR/alert.d/log.alert" -s http -g web \
		-h 192.0.2.1 -t 1795574830 -u -f "$W/log" </dev/null
	[ "$(cat "$W/log")" = "1795574819 failure web/http retval=1 hosts=\"192.0.2.1 192.0.2.2\" 192.0.2.2
	HOST 192.0.2.2: refused
1795574830 up web/http retval= hosts=\"192.0.2.1\" (NO SUMMARY)" ]
}

@test "bring-ha-down.alert mails, then runs hbnode -c CONFDIR stop" {
	mkdir -p "$W/bin"
	printf '#!/bin/sh\necho "$*" >>"%s/hbnode.calls"\n' "$W" >"$W/bin/hbnode"
	chmod 755 "$W/bin/hbnode"
	HBNODE_CONFDIR=$W/ha.d MAIL_ALERT_LOG=$W/mail.log PATH=$W/bin:$PATH \
		run -0 --separate-stderr timeout 10 \
		"$HAKIT_SHAREDIR/alert.d/bring-ha-down.alert" -s http -g web \
		-h 192.0.2.1 -t 1795574819 <<<$'192.0.2.1\ndown'
	[ "$(cat "$W/hbnode.calls")" = "-c $W/ha.d stop" ]
	grep -q '^Subject: ALERT web/http: 192.0.2.1' "$W/mail.log"
	# -C in the alert line wins; an upalert only mails
	PATH=$W/bin:$PATH MAIL_ALERT_LOG=$W/mail.log run -0 timeout 10 \
		"$HAKIT_SHAREDIR/alert.d/bring-ha-down.alert" -s http -g web \
		-h 192.0.2.1 -t 1795574819 -C /etc/other <<<"x"
	[ "$(sed -n 2p "$W/hbnode.calls")" = "-c /etc/other stop" ]
	PATH=$W/bin:$PATH MAIL_ALERT_LOG=$W/mail.log run -0 timeout 10 \
		"$HAKIT_SHAREDIR/alert.d/bring-ha-down.alert" -s http -g web \
		-h 192.0.2.1 -t 1795574819 -u <<<"x"
	[ "$(wc -l <"$W/hbnode.calls")" -eq 2 ]
	grep -q '^Subject: UPALERT web/http: x' "$W/mail.log"
}

@test "hbmon runs bring-ha-down.alert from the howto's alert line" {
	mkdir -p "$W/bin"
	printf '#!/bin/sh\necho "$*" >>"%s/hbnode.calls"\n' "$W" >"$W/bin/hbnode"
	chmod 755 "$W/bin/hbnode"
	cf "logdir = $W
hostgroup web 192.0.2.1

watch web
	service http
		HBNODE_CONFDIR=$W/ha.d
		interval 500ms
		monitor t.monitor
		period wd {Sun-Sat}
			alert bring-ha-down.alert root@localhost
			alertafter 2"
	: >"$W/fail"
	PATH=$W/bin:$PATH start_hbmon
	wait_until 15 test -s "$W/hbnode.calls"
	[ "$(cat "$W/hbnode.calls")" = "-c $W/ha.d stop" ]
	# no sendmail here: mail.alert logged it under MON_LOGDIR
	if ! command -v sendmail >/dev/null && [ ! -x /usr/sbin/sendmail ]; then
		wait_until 5 grep -q '^Subject: ALERT web/http: 192.0.2.1 (' "$W/mail.alert.log"
	fi
}

# ---------------------------------------------------------------- real checks

need_http() {
	need_netns
	[ -x "$HAKIT_BINDIR/httpcheck" ] || skip "httpcheck is not built"
	[ -x "$HAKIT_BINDIR/t/hkhttpd" ] || skip "t/helpers/hkhttpd is not built"
}

@test "http.monitor checks through httpcheck with mon's options and protocol" {
	need_http
	ns_new mon web
	ns_veth mon eth0 web eth0
	ns_addr mon eth0 192.0.2.9/24
	ns_addr web eth0 192.0.2.1/24
	ns_addr web eth0 192.0.2.2/24
	bg_start -n web hkhttpd -a 192.0.2.1 -p 80
	wait_until 5 nsx mon timeout 3 httpcheck -t 1 192.0.2.1
	run -0 nsx mon timeout 10 "$HAKIT_SHAREDIR/mon.d/http.monitor" -p 80 -u /test.html -t 2 192.0.2.1
	run -1 nsx mon timeout 10 "$HAKIT_SHAREDIR/mon.d/http.monitor" -p 80 -u /test.html -t 2 192.0.2.1 192.0.2.2
	[ "${lines[0]}" = "192.0.2.2" ]
	[[ $output == *"192.0.2.2"*"refused"* ]]
}

@test "hbmon alerts when the web server stops and upalerts when it is back" {
	need_http
	ns_new mon web
	ns_veth mon eth0 web eth0
	ns_addr mon eth0 192.0.2.9/24
	ns_addr web eth0 192.0.2.1/24
	bg_start -n web hkhttpd -a 192.0.2.1 -p 80
	local web=$BG_PID
	wait_until 5 nsx mon timeout 3 httpcheck -t 1 192.0.2.1
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 500ms
		monitor http.monitor -p 80 -u /test.html -t 2
		period wd {Sun-Sat}
			alert rec.alert bring-ha-down
			upalert rec.alert mail-would-go-here
			alertevery 600s
			alertafter 2"
	bg_start -n mon -o "$W/hbmon.out" -e "$W/hbmon.err" \
		timeout 120 hbmon -f -c "$W/mon.cf" -m "$W/mon" -a "$W/alert"
	sleep 1.2
	[ "$(nalerts)" -eq 0 ]
	bg_stop "$web"
	wait_until 15 has_alerts 1
	local r
	r=$(alert_rec 1)
	echo "$r"
	[[ $(sed -n 1p <<<"$r") =~ \[-h\]\ \[192.0.2.1\]\ \[-t\]\ \[[0-9]+\]\ \[bring-ha-down\]$ ]]
	[ "$(grep '^IN ' <<<"$r" | head -n 1)" = "IN 192.0.2.1" ]
	grep -q '^IN 192.0.2.1.*refused' <<<"$r"
	bg_start -n web hkhttpd -a 192.0.2.1 -p 80
	wait_until 15 has_alerts 2
	r=$(alert_rec 2)
	[[ $(sed -n 1p <<<"$r") == *"[-u] [mail-would-go-here]" ]]
	grep -qx 'MON_ALERTTYPE=up' <<<"$r"
	[ "$(grep '^IN ' <<<"$r" | head -n 1)" = "IN 192.0.2.1" ]
}

@test "ping.monitor checks through pingcheck: exit 1 and the dead host first" {
	need_netns
	[ -x "$HAKIT_BINDIR/pingcheck" ] || skip "pingcheck is not built"
	ns_new mon web
	ns_veth mon eth0 web eth0
	ns_addr mon eth0 192.0.2.9/24
	ns_addr web eth0 192.0.2.1/24
	run -0 nsx mon timeout 10 "$HAKIT_SHAREDIR/mon.d/ping.monitor" 192.0.2.1
	run -1 nsx mon timeout 10 "$HAKIT_SHAREDIR/mon.d/ping.monitor" -c 2 -t 500ms 192.0.2.1 192.0.2.3
	[ "${lines[0]}" = "192.0.2.3" ]
}

@test "hbmon runs Debian mon's own Perl http.monitor when it is installed" {
	need_netns
	[ -x /usr/lib/mon/mon.d/http.monitor ] || skip "mon's monitors are not installed (apt-get install mon)"
	[ -x "$HAKIT_BINDIR/t/hkhttpd" ] || skip "t/helpers/hkhttpd is not built"
	ns_new mon web
	ns_veth mon eth0 web eth0
	ns_addr mon eth0 192.0.2.9/24
	ns_addr web eth0 192.0.2.1/24
	cf "hostgroup web 192.0.2.1

watch web
	service http
		interval 500ms
		monitor http.monitor -p 80 -u /test.html -t 2
		period wd {Sun-Sat}
			alert rec.alert bring-ha-down
			alertafter 2"
	bg_start -n mon -o "$W/hbmon.out" -e "$W/hbmon.err" \
		timeout 120 hbmon -f -c "$W/mon.cf" -m /usr/lib/mon/mon.d -a "$W/alert"
	wait_until 20 has_alerts 1
	local r
	r=$(alert_rec 1)
	echo "$r"
	[ "$(grep '^IN ' <<<"$r" | head -n 1)" = "IN 192.0.2.1" ]
	grep -q '^IN HOST 192.0.2.1: ' <<<"$r"
}
