#!/usr/bin/env bats
# gwswitch's rules, one case a line, without root (gwswitch -C: no
# netlink, time and the kernel's events as lines).  Each row of
# gwswitch(8)'s RULES table has a case here; a test checks that none is
# missing.

load helpers/common

# The cases: ROW | OPTIONS | EVENTS | OUTPUT
#
# OPTIONS are gwswitch's arguments; "." is {isp}, and the macros are
# {isp}  isp1=198.51.100.1@wan1 isp2=203.0.113.1@wan2
# {dhcp} isp1=198.51.100.1@wan1 isp2=dhcp@wan2
# EVENTS are gwswitch -C's input lines, separated by " ; "; {up} is
# "@0 isp1 up ; @0 isp2 up" (the route on isp1).  OUTPUT is what the
# LAST event writes on stdout, " ; " between lines, "-" for nothing.
cases() {
	cat <<'X'
H1 | . | {up} ; @100 isp1 down | switch isp1 isp2 why=down ; route isp2 203.0.113.1 wan2
H1 | . | {up} ; @100 isp1 state down why=loss alive=0/2 loss=100 rtt=- | switch isp1 isp2 why=down detail=loss ; route isp2 203.0.113.1 wan2
H1 | . | {up} ; @100 isp1 state degraded why=latency alive=2/2 loss=0 rtt=310.250 failed=192.0.2.200 | switch isp1 isp2 why=degraded detail=latency ; route isp2 203.0.113.1 wan2
H1 | . | {up} ; @100 isp1 degraded ; @200 isp1 state up why=recovered alive=2/2 loss=0 rtt=1.000 | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
H1 | . | @0 isp1 carrier down ; @100 isp1 carrier up ; @200 isp2 down ; @300 isp1 up | switch - isp1 why=better ; route isp1 198.51.100.1 wan1
H1 | . | @0 isp1 carrier down ; @100 isp1 carrier up ; @200 isp2 down ; @300 isp1 degraded | switch - isp1 why=better ; route isp1 198.51.100.1 wan1
H1 | . | {up} ; @100 isp1 carrier down ; @200 isp1 up | -
H2 | -u 2 {isp} | {up} ; @100 isp1 carrier down ; @200 isp1 carrier up ; @300 isp1 1700000000300 up alive=2/2 loss=0 rtt=1.000 | -
H2 | -u 2 {isp} | {up} ; @100 isp1 carrier down ; @200 isp1 carrier up ; @300 isp1 1700000000300 up alive=2/2 loss=0 rtt=1.000 ; @400 isp1 1700000000400 up alive=2/2 loss=0 rtt=1.000 | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
H2 | -u 2 {isp} | {up} ; @100 isp1 carrier down ; @200 isp1 carrier up ; @300 isp1 1700000000300 up alive=2/2 loss=0 rtt=1.000 ; @400 isp1 1700000000400 down alive=0/2 loss=100 rtt=- ; @500 isp1 1700000000500 up alive=2/2 loss=0 rtt=1.000 | -
H2 | -u 2 {isp} | {up} ; @100 isp1 carrier down ; @200 isp1 carrier up ; @300 isp2 down ; @400 isp1 1700000000400 up alive=2/2 loss=0 rtt=1.000 ; @500 isp1 1700000000500 degraded alive=2/2 loss=0 rtt=400.000 | switch isp2 isp1 why=down ; route isp1 198.51.100.1 wan1
H2 | . | {up} ; @100 isp1 1700000000100 down alive=0/2 loss=100 rtt=- | -
H3 | . | {up} ; @100 isp9 down | -
H3 | . | {up} ; @100 isp1 sideways | -
H3 | . | {up} ; @100 isp1 down down | -
L1 | . | {up} ; @100 isp1 carrier down | switch isp1 isp2 why=carrier ; route isp2 203.0.113.1 wan2
L1 | . | {up} ; @100 isp2 carrier down ; @200 isp1 down | all-down kept=isp1
L2 | . | {up} ; @100 isp1 carrier down ; @200 isp1 carrier up | -
L3 | . | {up} ; @100 isp1 link gone | switch isp1 isp2 why=carrier ; route isp2 203.0.113.1 wan2
L3 | . | {up} ; @100 isp1 link gone ; @200 isp1 carrier up ; @300 isp1 up | -
L4 | . | {up} ; @100 isp1 link gone ; @200 isp1 link new ; @300 isp1 carrier up ; @400 isp1 up | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
L4 | . | {up} ; @100 isp1 link new | switch isp1 isp2 why=carrier ; route isp2 203.0.113.1 wan2
G1 | {dhcp} | @0 isp2 up ; @0 isp1 down | all-down kept=-
G1 | {dhcp} | @0 isp1 up | switch - isp1 why=start ; route isp1 198.51.100.1 wan1
G2 | {dhcp} | @0 isp1 down ; @0 isp2 up ; @100 isp2 gateway 203.0.113.1 | gateway isp2 203.0.113.1 ; switch - isp2 why=better ; route isp2 203.0.113.1 wan2
G2 | {dhcp} | @0 isp1 up ; @0 isp2 up ; @100 isp2 gateway 203.0.113.1 | gateway isp2 203.0.113.1
G2 | {dhcp} | @0 isp1 down ; @0 isp2 up ; @100 isp2 gateway 203.0.113.1 ; @200 isp2 gateway 203.0.113.1 | -
G3 | {dhcp} | @0 isp1 down ; @0 isp2 up ; @100 isp2 gateway 203.0.113.1 ; @200 isp2 gateway 203.0.113.5 | gateway isp2 203.0.113.5 ; route isp2 203.0.113.5 wan2
P1 | . | {up} ; @100 isp1 down ; @200 isp1 up | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
P1 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @5000 isp1 down | damp isp1 penalty=1797 reuse=18914 ; switch isp1 isp2 why=down ; route isp2 203.0.113.1 wan2
P1 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @15000 isp1 down | damp isp1 penalty=1502 reuse=15034 ; switch isp1 isp2 why=down ; route isp2 203.0.113.1 wan2
P1 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @15200 isp1 down | switch isp1 isp2 why=down ; route isp2 203.0.113.1 wan2
P1 | . | {up} ; @100 isp1 degraded ; @200 isp1 up ; @300 isp1 degraded ; @400 isp1 up ; @500 isp1 degraded | switch isp1 isp2 why=degraded ; route isp2 203.0.113.1 wan2
P1 | . | {up} ; @100 isp1 degraded ; @200 isp1 up ; @300 isp1 degraded ; @400 isp1 up ; @500 isp1 degraded ; @600 isp1 up ; @700 isp1 degraded | damp isp1 penalty=1973 reuse=20927 ; switch isp1 isp2 why=degraded ; route isp2 203.0.113.1 wan2
P1 | . | {up} ; @100 isp1 degraded ; @200 isp1 down ; @300 isp1 up ; @400 isp1 down | damp isp1 penalty=1989 reuse=21101 ; switch isp1 isp2 why=down ; route isp2 203.0.113.1 wan2
P1 | . | {up} ; @100 isp1 carrier down ; @200 isp1 carrier up ; @300 isp1 up ; @400 isp1 link gone | damp isp1 penalty=1986 reuse=21077 ; switch isp1 isp2 why=carrier ; route isp2 203.0.113.1 wan2
P1 | -D 0 {isp} | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
P2 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up | -
P2 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp2 down | switch isp2 isp1 why=down ; route isp1 198.51.100.1 wan1
P2 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp2 degraded | -
P2 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp1 down | -
P3 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @21425 tick | -
P3 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @21426 tick | undamp isp1 ; switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
P3 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp1 down ; @600 isp1 up ; @21426 tick | -
P3 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @30000 isp2 down | undamp isp1 ; all-down kept=isp2
P3 | -D 15s,1500,750,20s {isp} | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp1 down ; @600 isp1 up ; @700 isp1 down ; @800 isp1 up ; @20699 tick | -
P3 | -D 15s,1500,750,20s {isp} | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp1 down ; @600 isp1 up ; @700 isp1 down ; @800 isp1 up ; @20700 tick | undamp isp1 ; switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
C1 | . | @0 isp1 degraded ; @0 isp2 up | switch - isp2 why=start ; route isp2 203.0.113.1 wan2
C1 | . | @0 isp1 degraded ; @0 isp2 degraded | switch - isp1 why=start ; route isp1 198.51.100.1 wan1
C1 | vpn=@ppp0 {isp} | @0 isp1 up ; @0 isp2 up ; @0 vpn degraded | switch - isp1 why=start ; route isp1 198.51.100.1 wan1
C1 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp2 down ; @600 isp2 degraded | switch isp1 isp2 why=damped ; route isp2 203.0.113.1 wan2
C2 | . | @0 isp2 up | -
C2 | . | @0 isp2 up ; @100 isp1 down | switch - isp2 why=start ; route isp2 203.0.113.1 wan2
C2 | . | @0 isp1 up | switch - isp1 why=start ; route isp1 198.51.100.1 wan1
C2 | . | route isp2 ; @0 isp2 up | -
C2 | . | @0 isp1 carrier down ; @100 isp2 up | switch - isp2 why=start ; route isp2 203.0.113.1 wan2
C3 | . | {up} ; @100 isp1 down ; @200 isp2 down | all-down kept=isp2
C3 | . | {up} ; @100 isp1 down ; @200 isp2 down ; @300 isp2 down | -
C3 | . | @0 isp1 down ; @0 isp2 down | all-down kept=-
C4 | . | {up} ; @100 isp2 down | -
C4 | . | route isp1 ; @0 isp2 up | -
C5 | . | @0 isp1 up | switch - isp1 why=start ; route isp1 198.51.100.1 wan1
C5 | vpn=@ppp0 {isp} | @0 vpn up | switch - vpn why=start ; route vpn - ppp0
C6 | . | @0 isp1 refuse ; @0 isp1 up ; @0 isp2 up | switch - isp2 why=start ; route isp2 203.0.113.1 wan2
C6 | . | @0 isp1 refuse ; @0 isp1 up ; @0 isp2 up ; @100 isp1 up | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
C6 | . | @0 isp1 refuse ; @0 isp2 refuse ; @0 isp1 up ; @0 isp2 up | all-down kept=-
C7 | . | {up} ; @100 route isp2 | switch isp2 isp1 why=outside ; route isp1 198.51.100.1 wan1
C7 | . | {up} ; @100 route - | switch - isp1 why=outside ; route isp1 198.51.100.1 wan1
C7 | . | {up} ; @100 route isp1 | -
W1 | . | route isp2 ; @0 isp1 up | switch isp2 isp1 why=start ; route isp1 198.51.100.1 wan1
W2 | . | {up} ; @100 isp1 down ; @200 route - | switch - isp2 why=outside ; route isp2 203.0.113.1 wan2
W3 | . | {up} ; @100 isp1 link gone | switch isp1 isp2 why=carrier ; route isp2 203.0.113.1 wan2
W4 | isp1=198.51.100.1@wan1 isp2=dhcp@wan2 isp3=192.0.2.1@wan3 | @0 isp1 down ; @0 isp2 up ; @0 isp3 up ; @10 isp2 gateway 203.0.113.1 ; @20 isp2 refuse ; @30 isp2 gateway 203.0.113.5 | gateway isp2 203.0.113.5 ; switch isp2 isp3 why=refused ; route isp3 192.0.2.1 wan3
W5 | . | {up} ; @100 isp1 state down why=rounds alive=0/2 loss=100 rtt=- | switch isp1 isp2 why=down detail=rounds ; route isp2 203.0.113.1 wan2
W5 | . | {up} ; @100 isp1 down | switch isp1 isp2 why=down ; route isp2 203.0.113.1 wan2
W6 | . | {up} ; @100 isp1 down ; @200 isp1 up ; @300 isp1 down ; @400 isp1 up ; @500 isp2 down ; @600 isp2 up | switch isp1 isp2 why=damped ; route isp2 203.0.113.1 wan2
W7 | . | {up} ; @100 isp1 degraded | switch isp1 isp2 why=degraded ; route isp2 203.0.113.1 wan2
W8 | . | {up} ; @100 isp1 down ; @20000 isp1 up | switch isp2 isp1 why=better ; route isp1 198.51.100.1 wan1
W8 | . | @0 isp1 down ; @0 isp2 down ; @100 isp2 up | switch - isp2 why=better ; route isp2 203.0.113.1 wan2
X
}

UPLINKS="isp1=198.51.100.1@wan1 isp2=203.0.113.1@wan2"

# gw_rules OPTIONS: gwswitch -C with OPTIONS (macros expanded) reading
# stdin, stdout only.
gw_rules() {
	local opts=$1
	[ "$opts" = . ] && opts="{isp}"
	opts=${opts//\{isp\}/$UPLINKS}
	opts=${opts//\{dhcp\}/isp1=198.51.100.1@wan1 isp2=dhcp@wan2}
	# shellcheck disable=SC2086 # OPTIONS are words
	timeout 5 gwswitch -C $opts 2>/dev/null
}

# run_case OPTIONS EVENTS: the output of the last event, " ; " between
# lines: all the events' output less that of all but the last.
run_case() {
	local opts=$1 events=$2 n
	events=${events//\{up\}/@0 isp1 up ; @0 isp2 up}
	events=$(printf '%s\n' "$events" | sed 's/ ; /\n/g')
	n=$(printf '%s\n' "$events" | sed '$d' | gw_rules "$opts" | wc -l)
	printf '%s\n' "$events" | gw_rules "$opts" | tail -n +"$((n + 1))" |
	    awk 'BEGIN { s = "" } { s = s (NR > 1 ? " ; " : "") $0 }
		END { print (s == "" ? "-" : s) }'
}

# flapper [-c] END: isp1 off 0.6 s and on 1.2 s from 1 s to END ms,
# isp2 up; -c: by its carrier, back by pingcheck rounds every 200 ms
# (5 good rounds: 1 s); else by state lines.  Then a tick a second to
# 90 s.
flapper() {
	local carrier=0 t r
	if [ "$1" = -c ]; then
		carrier=1
		shift
	fi
	echo "@0 isp1 up"
	echo "@0 isp2 up"
	for ((t = 1000; t < $1; t += 1800)); do
		if [ "$carrier" = 1 ]; then
			echo "@$t isp1 carrier down"
			echo "@$((t + 600)) isp1 carrier up"
			for ((r = t + 800; r < t + 1800; r += 200)); do
				echo "@$r isp1 1700000$r up alive=2/2 loss=0 rtt=1.000"
			done
		else
			echo "@$t isp1 state down why=rounds alive=0/2 loss=100 rtt=-"
			echo "@$((t + 600)) isp1 state up why=recovered alive=2/2 loss=0 rtt=1.000"
		fi
	done
	for ((t = $1 + 1000; t <= 90000; t += 1000)); do
		echo "@$t tick"
	done
}

@test "every case of the rules table gives its output" {
	local row opts events want got bad=0 n=0
	while IFS='|' read -r row opts events want; do
		row=${row// /} opts=${opts# } opts=${opts% }
		events=${events# } events=${events% } want=${want# } want=${want% }
		got=$(run_case "$opts" "$events")
		n=$((n + 1))
		if [ "$got" != "$want" ]; then
			printf '%s: %s\n  want: %s\n  got:  %s\n' "$row" "$events" \
			    "$want" "$got"
			bad=$((bad + 1))
		fi
	done < <(cases)
	echo "$n cases, $bad wrong"
	[ "$n" -ge 60 ]
	[ "$bad" -eq 0 ]
}

@test "every row of gwswitch(8)'s RULES table has a case, and every case a row" {
	local rows cases
	rows=$(sed -n '/^\.Sh RULES/,/^\.Sh /p' "$HAKIT_SHAREDIR/man/gwswitch.8" |
	    grep -Eo '^\.It [A-Z][0-9]+\b' | awk '{ print $2 }' | sort -u)
	cases=$(cases | awk '{ print $1 }' | sort -u)
	[ "$(echo "$rows" | wc -l)" -ge 25 ]
	diff <(echo "$rows") <(echo "$cases")
}

@test "a flapper (off 0.6 s, on 1.2 s, 12 s) by its verdicts: 3 moves, not 14; back after the decay" {
	run -0 bash -c "$(declare -f flapper); flapper 13000 |
	    timeout 5 gwswitch -C $UPLINKS 2>/dev/null"
	local out=$output
	# without damping: every change moves the route
	run -0 bash -c "$(declare -f flapper); flapper 13000 |
	    timeout 5 gwswitch -C -D 0 $UPLINKS 2>/dev/null | grep -v why=start | grep -c '^switch'"
	[ "$output" -eq 14 ]
	run -0 grep -c "^switch" <<<"$out"
	# the start, isp1 down, back, down again (damped); back after the decay
	[ "$output" -eq 5 ] || { echo "$out"; false; }
	[ "$(grep '^switch' <<<"$out" | sed -n 2,4p | tr '\n' '|')" = \
	    "switch isp1 isp2 why=down detail=rounds|switch isp2 isp1 why=better|switch isp1 isp2 why=down detail=rounds|" ]
	[ "$(grep -c '^damp isp1 ' <<<"$out")" -eq 1 ]
	[ "$(grep -A1 '^undamp isp1' <<<"$out" | tail -n 1)" = "switch isp2 isp1 why=better" ]
}

@test "a flapper by its carrier, back by pingcheck rounds: at most 3 moves while it flaps" {
	run -0 bash -c "$(declare -f flapper); flapper -c 13000 |
	    timeout 5 gwswitch -C $UPLINKS 2>/dev/null"
	local out=$output
	run -0 bash -c "$(declare -f flapper); flapper -c 13000 |
	    timeout 5 gwswitch -C -D 0 $UPLINKS 2>/dev/null | grep -v why=start | grep -c '^switch'"
	[ "$output" -eq 14 ]
	# the moves before the release: the start and at most 3
	run -0 bash -c "sed '/^undamp/,\$d' <<<'$out' | grep -c '^switch'"
	[ "$output" -le 4 ] || { echo "$out"; false; }
	[[ $out == *"switch isp1 isp2 why=carrier"* ]]
	[[ $out == *"undamp isp1"* ]]
}

@test "the release comes HALFLIFE x log2(penalty/REUSE) after the last fall: 43 s for the flapper, 20 s after two falls" {
	local t
	# the flapper's last fall is at 11800 ms; its release at 55 s
	for t in 54000 56000; do
		run -0 bash -c "$(declare -f flapper); flapper 13000 | awk -v t=$t '
		    { n = substr(\$1, 2) + 0 } n <= t' |
		    timeout 5 gwswitch -C $UPLINKS 2>/dev/null | grep -c '^undamp' || true"
		if [ "$t" = 54000 ]; then [ "$output" -eq 0 ]; else [ "$output" -eq 1 ]; fi
	done
	run -0 bash -c "printf '%s\n' '@0 isp1 up' '@0 isp2 up' '@1000 isp1 down' \
	    '@1600 isp1 up' '@2800 isp1 down' | timeout 5 gwswitch -C $UPLINKS 2>/dev/null"
	[[ $output == *"damp isp1 penalty=1920 reuse=20345"* ]]
}

@test "a single outage is never damped, however short or long" {
	local d
	for d in 1 100 600 5000 60000; do
		run -0 bash -c "printf '%s\n' '@0 isp1 up' '@0 isp2 up' '@1000 isp1 down' \
		    '@$((1000 + d)) isp1 up' '@400000 tick' |
		    timeout 5 gwswitch -C $UPLINKS 2>/dev/null"
		[[ $output != *damp* ]] || { echo "$d: $output"; false; }
		[ "${lines[-1]}" = "route isp1 198.51.100.1 wan1" ]
	done
}

@test "-C reads no kernel: interfaces that are not there are taken as there, with carrier" {
	run -0 --separate-stderr bash -c "printf '%s\n' '@0 a up' |
	    timeout 5 gwswitch -C a=192.0.2.1@nosuch0 b=dhcp@nosuch1 c=@nosuch2"
	[ "$output" = "switch - a why=start
route a 192.0.2.1 nosuch0" ]
	[ "$stderr" = "gwswitch: b: no gateway on nosuch1 yet" ]
	# IPv6 by -6 alone; at start no gateway: all-down (G1)
	run -0 --separate-stderr bash -c "printf '%s\n' '@0 b gateway fe80::1' '@0 b up' |
	    timeout 5 gwswitch -C -6 b=dhcp@wan2"
	[ "$output" = "all-down kept=-
gateway b fe80::1
switch - b why=better
route b fe80::1 wan2" ]
}

@test "-C: time never goes back; bad lines change nothing and are said on stderr" {
	run -0 --separate-stderr bash -c "printf '%s\n' '@100 isp1 up' '@50 isp1 down' \
	    '@oops isp1 down' 'isp1 gateway 192.0.2.9' 'route isp7' 'tick tock' \
	    '@200 isp1 carrier sideways' '@300 isp1 link gone' '@400 isp1 carrier up' \
	    '@500 isp2 up' | timeout 5 gwswitch -C $UPLINKS"
	[[ $stderr == *"line 2: bad time '@50': want @MS, not going back"* ]]
	[[ $stderr == *"line 3: bad time '@oops'"* ]]
	[[ $stderr == *"line 4: isp1 is not a dhcp uplink"* ]]
	[[ $stderr == *"line 5: unknown uplink 'isp7'"* ]]
	[[ $stderr == *"line 6: unknown uplink 'tick'"* ]]
	[[ $stderr == *"line 7: not a health line, ignored"* ]]
	[[ $stderr == *"line 9: isp1 has no interface; carrier up ignored"* ]]
	[ "$output" = "switch - isp1 why=start
route isp1 198.51.100.1 wan1
switch isp1 isp2 why=carrier
route isp2 203.0.113.1 wan2" ] || { echo "$output"; false; }
}

@test "-C: a dhcp uplink's gateway of the other family is refused; the same lines give the same output" {
	run -0 --separate-stderr bash -c "printf '%s\n' '@0 isp2 gateway 2001:db8::1' '@0 isp2 up' |
	    timeout 5 gwswitch -C isp2=dhcp@wan2"
	[[ $stderr == *"line 1: bad gateway '2001:db8::1'"* ]]
	[ "$output" = "all-down kept=-" ]
	local a b
	a=$(bash -c "$(declare -f flapper); flapper -c 13000 | gwswitch -C $UPLINKS 2>&1")
	b=$(bash -c "$(declare -f flapper); flapper -c 13000 | gwswitch -C $UPLINKS 2>&1")
	[ "$a" = "$b" ]
}
