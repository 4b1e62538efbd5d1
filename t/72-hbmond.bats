#!/usr/bin/env bats
# hbmond: mon's scheduling and alert rules, one case a line, without
# root.  Each row of hbmond(8)'s RULES table has a case here; the last
# tests check that none is missing, and the configuration checks.

load helpers/common

# The cases: ROW | CONFIG | EVENTS | ACTIONS
#
# CONFIG names a set of records below, read at @0 with the wall clock
# at Wednesday 25 November 2026, 14:05:00 UTC (1795615500), then "end":
# every service's first run goes out at @0.  EVENTS are hbmond's input
# lines after that, " ; " between them, each with @MS (the time);
# {records} stands for the CONFIG's records again (reset, reload).
# ACTIONS are what the LAST event gives, " ; " between them, "-" for
# none; state lines and info logs are left out (a test checks them).
cases() {
	cat <<'X'
S1 | base | @0 tick | -
S1 | base | @10 done 1 0 0 ; @1000 tick | run 1 hosts=192.0.2.1,192.0.2.2 last_success=1795615500 last_failure=0 first_failure=- depend=-
S2 | base | @1000 tick | -
S2 | base | @2500 done 1 0 0 ; @3000 tick | run 1 hosts=192.0.2.1,192.0.2.2 last_success=1795615502 last_failure=0 first_failure=- depend=-
S3 | maxprocs | @10 done 1 0 0 | run 2 hosts=192.0.2.1 last_success=0 last_failure=0 first_failure=- depend=-
S4 | excl | @1000 tick | -
S5 | depm | @10 done 1 1 0 r1 ; @20 done 2 0 0 ; @1000 tick | run 1 hosts=r1 last_success=0 last_failure=1795615500 first_failure=1795615500 depend=- ; log notice web/ssh: depend "routers:ping" fails: monitor waits
S5 | depm | @10 done 1 1 0 r1 ; @20 done 2 0 0 ; @1000 tick ; @1010 done 1 0 0 | log notice routers/ping ok again after 1s ; dtlog 1795615501 routers ping 1795615500 1 1 r1 ; run 2 hosts=h1,h2 last_success=1795615500 last_failure=0 first_failure=- depend=1
S6 | base | @10 done 1 0 0 ; @20 cmd x disable host 192.0.2.1 ; @30 cmd y disable host 192.0.2.2 ; @1000 tick | log notice web/http: not run: no host left to monitor (disabled or dep_behavior hm)
R1 | base | @10 done 1 0 0 | -
R2 | base | @10 done 1 1 0 192.0.2.1 | log crit web/http failed (exit 1): 192.0.2.1 ; alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
R2 | base | @10 done 1 1 0 | log crit web/http failed (exit 1): (NO SUMMARY) ; alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
R3 | base | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615501 first_failure=1795615500 last_failure=1795615501 last_success=- depend=-
R4 | base | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 0 0 | log notice web/http ok again after 1s ; dtlog 1795615501 web http 1795615500 1 1 a ; alert 1 1 1 up retval=0 opstatus=1 last_opstatus=0 t=1795615501 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
A1 | base | @5 cmd x disable service web http ; @10 done 1 1 0 a | log crit web/http failed (exit 1): a ; log notice web/http is disabled: no failure alert
A1 | base | @5 cmd x disable watch web ; @10 done 1 1 0 a | log crit web/http failed (exit 1): a ; log notice web/http is disabled: no failure alert
A1 | base | @5 cmd x disable watch web ; @6 cmd y enable watch web ; @10 done 1 1 0 a | log crit web/http failed (exit 1): a ; alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
A2 | dep | @10 done 1 1 0 r1 ; @20 done 2 1 0 h1 | log crit web/ssh failed (exit 1): h1 ; log notice web/ssh: depend "routers:ping" fails: alert suppressed
A2 | dep | @10 done 1 1 0 r1 ; @20 done 2 1 0 h1 ; @1000 tick ; @1010 done 1 0 0 ; @1020 done 2 1 0 h1 | alert 2 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615501 first_failure=1795615500 last_failure=1795615501 last_success=- depend=1
A2 | dep | @10 done 1 1 0 r1 ; @20 done 2 1 0 h1 ; @1000 tick ; @1010 done 1 0 0 ; @1020 done 2 0 0 | log notice web/ssh ok again after 1s ; dtlog 1795615501 web ssh 1795615500 1 1 h1
A3 | num2 | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a ; @2000 tick ; @2010 done 1 1 0 a | -
A4 | every | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a | -
A4 | every | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 b | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615501 first_failure=1795615500 last_failure=1795615501 last_success=- depend=-
A4 | every | @10 done 1 1 0 a ; @10000 tick ; @10010 done 1 1 0 a | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615510 first_failure=1795615500 last_failure=1795615510 last_success=- depend=-
A4 | strict | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 b | -
A4 | detail | @10 done 1 1 7 a ; @1000 tick ; @1010 done 1 1 7 b | -
A4 | detail | @10 done 1 1 7 a ; @1000 tick ; @1010 done 1 1 8 a | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615501 first_failure=1795615500 last_failure=1795615501 last_success=- depend=-
A5 | after2 | @10 done 1 1 0 a | log crit web/http failed (exit 1): a
A5 | after2 | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615501 first_failure=1795615500 last_failure=1795615501 last_success=- depend=-
A6 | afterT | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a ; @2000 tick ; @2010 done 1 1 0 a | -
A6 | afterT | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a ; @2000 tick ; @2010 done 1 1 0 a ; @3000 tick ; @3010 done 1 1 0 a | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615503 first_failure=1795615500 last_failure=1795615503 last_success=- depend=-
A6 | afterNT | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a | -
A6 | afterNT | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 1 0 a ; @2000 tick ; @2010 done 1 1 0 a | alert 1 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615502 first_failure=1795615500 last_failure=1795615502 last_success=- depend=-
A7 | period | @10 done 1 1 0 a | log crit web/http failed (exit 1): a
A8 | exit | @10 done 1 3 0 a | log crit web/http failed (exit 3): a ; alert 1 1 1 failure retval=3 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
A8 | exit | @10 done 1 2 0 a | log crit web/http failed (exit 2): a ; alert 1 1 2 failure retval=2 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
U1 | after2 | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 0 0 | log notice web/http ok again after 1s ; dtlog 1795615501 web http 1795615500 1 1 a
U1 | nocomp | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 0 0 ; @2000 tick ; @2010 done 1 1 0 a ; @3000 tick ; @3010 done 1 0 0 | log notice web/http ok again after 1s ; dtlog 1795615503 web http 1795615502 1 1 a
U1 | base | @10 done 1 0 0 | -
U2 | upafter | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 0 0 | log notice web/http ok again after 1s ; dtlog 1795615501 web http 1795615500 1 1 a
U2 | upafter | @10 done 1 1 0 a ; @3000 tick ; @3010 done 1 0 0 | log notice web/http ok again after 3s ; dtlog 1795615503 web http 1795615500 3 1 a ; alert 1 1 1 up retval=0 opstatus=1 last_opstatus=0 t=1795615503 first_failure=1795615500 last_failure=1795615500 last_success=- depend=-
U3 | base | @10 done 1 1 0 a ; @1000 tick ; @1010 done 1 0 0 ; @2000 tick ; @2010 done 1 0 0 | -
D1 | dep | @10 done 1 0 0 ; @20 done 2 1 0 h1 | log crit web/ssh failed (exit 1): h1 ; alert 2 1 1 failure retval=1 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=1
D2 | depmem | @10 done 1 1 0 r1 ; @1000 tick ; @1010 done 1 0 0 ; @1020 done 2 1 0 h1 | log crit web/ssh failed (exit 1): h1 ; log notice web/ssh: depend "routers:ping" fails: alert suppressed
D2 | depmem | @10 done 1 1 0 r1 ; @1000 tick ; @1010 done 1 0 0 ; @1020 done 2 1 0 h1 ; @5000 tick ; @5020 done 2 1 0 h1 | alert 2 1 1 failure retval=1 opstatus=0 last_opstatus=0 t=1795615505 first_failure=1795615501 last_failure=1795615505 last_success=- depend=1
D3 | chain | @10 done 1 1 0 a ; @20 done 2 0 0 ; @30 done 3 1 0 c | log crit lan/c failed (exit 1): c ; log notice lan/c: depend "lan:b" fails: alert suppressed
D3 | depor | @10 done 1 1 0 r1 ; @20 done 2 1 0 h1 | log crit web/ssh failed (exit 1): h1 ; alert 2 1 1 failure retval=1 opstatus=0 last_opstatus=7 t=1795615500 first_failure=1795615500 last_failure=1795615500 last_success=- depend=1
D3 | depor | @10 done 1 1 0 r1 ; @15 done 3 1 0 x ; @20 done 2 1 0 h1 | log crit web/ssh failed (exit 1): h1 ; log notice web/ssh: depend "routers:ping || lan:ping" fails: alert suppressed
D4 | loop | @10 reset ; {records} ; @10 end | log err the new configuration has errors: keeping the running one
D5 | dephm | @10 done 1 1 0 h1 ; @20 done 2 0 0 ; @1000 tick | run 1 hosts=r1 last_success=0 last_failure=1795615500 first_failure=1795615500 depend=- ; run 2 hosts=h2 last_success=1795615500 last_failure=0 first_failure=- depend=1
C1 | base | @10 done 1 1 0 a b ; @20 cmd x status | reply x service web http status=failing exit=1 last_check=1795615500 next_check=1795615501 alerts=1 disabled=0 depend=- running=0 summary=a b ; reply x end 0
C1 | base | @20 cmd x status | reply x service web http status=untested exit=0 last_check=- next_check=running alerts=0 disabled=0 depend=- running=1 summary= ; reply x end 0
C2 | base | @20 cmd x disable service web nope | reply x end 1 no service web/nope
C2 | base | @20 cmd x disable host 192.0.2.9 | reply x end 1 no host 192.0.2.9 in any watch
C2 | base | @20 cmd x disable watch web ; @30 cmd y status | reply y service web http status=untested exit=0 last_check=- next_check=running alerts=0 disabled=1 depend=- running=1 summary= ; reply y disabled watch web ; reply y end 0
C3 | base | @20 cmd x test alert web http | alert 1 1 1 failure retval=1 opstatus=7 last_opstatus=7 t=1795615500 first_failure=- last_failure=- last_success=- depend=- ; reply x sent 1 ; reply x end 0
C3 | base | @20 cmd x test upalert web http 0 1 | alert 1 1 1 up retval=0 opstatus=7 last_opstatus=7 t=1795615500 first_failure=- last_failure=- last_success=- depend=- ; reply x sent 1 ; reply x end 0
C3 | base | @20 cmd x test startupalert web http | reply x end 1 web/http has no startupalert
C3 | base | @10 done 1 0 0 ; @20 cmd x test monitor web http | reply x end 0 ; run 1 hosts=192.0.2.1,192.0.2.2 last_success=1795615500 last_failure=0 first_failure=- depend=-
C4 | base | @20 cmd x reset | kill 1 ; reload x reset
C4 | startup | @20 cmd x reset ; @30 reset ; {records} ; @30 end | alert 1 1 1 startup retval=0 opstatus=7 last_opstatus=7 t=1795615500 first_failure=- last_failure=- last_success=- depend=- ; run 1 hosts=192.0.2.1,192.0.2.2 last_success=0 last_failure=0 first_failure=- depend=-
C5 | base | @10 done 1 1 0 a ; @20 cmd x reload ; @30 reload ; {records} ; @30 end ; @40 cmd y status | reply y service web http status=failing exit=1 last_check=1795615500 next_check=1795615501 alerts=1 disabled=0 depend=- running=0 summary=a ; reply y end 0
C6 | base | @20 cmd x frobnicate | reply x end 1 unknown command (status, disable|enable watch|service|host, test alert|upalert|startupalert|monitor, reset, reload)
X
}

# svc I GROUP SERVICE [KEY=VALUE...]: a service record (interval 1s)
svc() {
	local i=$1 g=$2 s=$3
	shift 3
	echo "service $i $g $s $((10 * i)) interval=1000 finterval=0 delay=0 nohosts=0 allowempty=0 monline=1 descset=0 dep_behavior=a dep_memory=0 $*"
}

# per I [KEY=VALUE...]: period 1 of service I, an alert and an upalert
per() {
	local i=$1
	shift
	echo "period $i 1 $((10 * i + 1)) label=- every=0 emode=summary aftern=0 afterms=0 numalerts=0 upafter=0 nocomp=0 $*"
	echo "alert $i 1 1 a - $((10 * i + 2)) rec.alert"
	echo "alert $i 1 1 u - $((10 * i + 3)) rec.alert"
}

# base PERIOD-FIELDS: web/http on two hosts, one period
base() {
	svc 1 web http
	echo "monhosts 1 192.0.2.1 192.0.2.2"
	per 1 "$@"
}

# deps KIND DEPEND [SERVICE-1-FIELDS]: routers/ping (no alerts) and
# web/ssh depending on it (alert and upalert)
deps() {
	svc 1 routers ping "${3:-}"
	echo "monhosts 1 r1"
	svc 2 web ssh "dep_behavior=$1"
	echo "monhosts 2 h1 h2"
	echo "depend 2 20 $2"
	per 2
}

config() {
	case $1 in
	base) base ;;
	after2) base aftern=2 ;;
	every) base every=10000 ;;
	strict) base every=10000 emode=strict ;;
	detail) base every=10000 emode=detail ;;
	afterT) base afterms=2500 ;;
	afterNT) base aftern=3 afterms=5000 ;;
	num2) base numalerts=2 ;;
	upafter) base upafter=3000 ;;
	nocomp) base aftern=2 nocomp=1 ;;
	period) base; echo "spec 1 1 wd=1-1" ;;
	exit)
		svc 1 web http
		echo "monhosts 1 192.0.2.1"
		echo "period 1 1 11 label=- every=0 emode=summary aftern=0 afterms=0 numalerts=0 upafter=0 nocomp=0"
		echo "alert 1 1 1 a 3-3 12 rec.alert"
		echo "alert 1 1 2 a 1-2 13 rec.alert"
		;;
	startup) base; echo "alert 1 1 1 s - 14 rec.alert"
		echo "global startupalerts_on_reset 1" ;;
	maxprocs) echo "global maxprocs 1"; base; svc 2 web ssh
		echo "monhosts 2 192.0.2.1" ;;
	excl) base; echo "exclper 1 wd=1-7" ;;
	dep) deps a routers:ping ;;
	depm) deps m routers:ping ;;
	dephm) deps hm routers:ping ;;
	depmem) deps a routers:ping dep_memory=5000 ;;
	depor) deps a "routers:ping || lan:ping"; svc 3 lan ping
		echo "monhosts 3 192.0.2.254" ;;
	chain|loop)
		svc 1 lan a; echo "monhosts 1 a"; per 1
		svc 2 lan b; echo "monhosts 2 b"; per 2
		svc 3 lan c; echo "monhosts 3 c"; per 3
		echo "depend 2 21 lan:a"
		echo "depend 3 31 lan:b"
		[ "$1" = chain ] || echo "depend 1 11 lan:c"
		;;
	*) echo "no config $1" >&2; return 1 ;;
	esac
}

# feed CONFIG EVENTS: hbmond's input
feed() {
	local recs
	recs=$(config "$1") || return 1
	echo "@0 wall 1795615500"
	printf '%s\n' "$recs"
	echo "@0 end"
	[ -z "$2" ] || printf '%s\n' "${2//\{records\}/$recs}" | sed 's/ ; /\n/g'
}

# actions CONFIG EVENTS: the actions of the last event (state lines and
# info logs left out), " ; " between them
actions() {
	local cfg=$1 events=$2 prefix n
	prefix=""
	[ "${events% ; *}" = "$events" ] || prefix=${events% ; *}
	n=$(feed "$cfg" "$prefix" | TZ=UTC hbmond 2>/dev/null | wc -l)
	feed "$cfg" "$events" | TZ=UTC hbmond 2>/dev/null | tail -n "+$((n + 1))" |
	    grep -v -e '^state ' -e '^log info ' |
	    awk 'BEGIN { s = "" } { s = s (NR > 1 ? " ; " : "") $0 }
		END { print (s == "" ? "-" : s) }'
}

@test "every case of the rules table gives its actions" {
	local row cfg events want got bad=0 n=0 t0
	t0=$(now_ms)
	while IFS='|' read -r row cfg events want; do
		row=${row// /} cfg=${cfg// /}
		events=${events# } events=${events% } want=${want# } want=${want% }
		got=$(actions "$cfg" "$events")
		n=$((n + 1))
		if [ "$got" != "$want" ]; then
			printf '%s (%s): %s\n  want: %s\n  got:  %s\n' "$row" "$cfg" \
			    "$events" "$want" "$got"
			bad=$((bad + 1))
		fi
	done < <(cases)
	echo "$n cases, $bad wrong, $(($(now_ms) - t0)) ms"
	[ "$n" -ge 50 ]
	[ "$bad" -eq 0 ]
}

@test "every row of hbmond(8)'s RULES table has a case, and every case a row" {
	local rows cases
	rows=$(sed -n '/^\.Sh RULES/,/^\.Sh /p' "$HAKIT_SHAREDIR/man/hbmond.8" |
	    grep -Eo '^\.It (\\&)?[A-Z][0-9]+\b' | sed 's/\\&//' | awk '{ print $2 }' | sort -u)
	cases=$(cases | awk '{ print $1 }' | sort -u)
	[ "$(echo "$rows" | wc -l)" -ge 25 ]
	diff <(echo "$rows") <(echo "$cases")
}

@test "a state line after each result, and the same lines give the same actions" {
	run -0 bash -c "$(declare -f feed config base svc per); feed base '@10 done 1 1 0 192.0.2.1' | TZ=UTC hbmond | grep '^state '"
	[ "$output" = "state 1 group=web service=http opstatus=0 exitval=1 last_check=1795615500 last_success=0 last_failure=1795615500 first_failure=1795615500 consec_failures=1 runs=1 summary=192.0.2.1" ]
	run -0 bash -c "$(declare -f feed config base svc per); diff <(feed base '@10 done 1 1 0 a ; @1010 done 1 0 0' | hbmond) <(feed base '@10 done 1 1 0 a ; @1010 done 1 0 0' | hbmond)"
}

@test "-n refuses a dependency on no service, a bad expression, a loop, with file and line" {
	run -2 bash -c "printf '%s\n' 'service 1 web ssh 3 interval=1000' 'depend 1 7 routers:ping' | hbmond -n -c mon.cf"
	[[ $output == *"mon.cf:7: depend: routers:ping is not a service"* ]]
	run -2 bash -c "printf '%s\n' 'service 1 web ssh 3 interval=1000' 'depend 1 7 web:ssh &&' | hbmond -n -c mon.cf"
	[[ $output == *"mon.cf:7: depend: cannot read \"web:ssh &&\""* ]]
	run -2 bash -c "printf '%s\n' 'service 1 web ssh 3 interval=1000' 'depend 1 7 (web:ssh' | hbmond -n -c mon.cf"
	[[ $output == *"mon.cf:7: depend: cannot read"* ]]
	run -2 bash -c "printf '%s\n' 'service 1 web ssh 3 interval=1000' 'depend 1 7 web:ssh + 1' | hbmond -n -c mon.cf"
	[[ $output == *"mon.cf:7: depend: cannot read"* ]]
	run -2 bash -c "$(declare -f config svc per); config loop | hbmond -n -c mon.cf"
	[[ $output == *"mon.cf:11: depend: the dependencies of lan/a loop, or go deeper than dep_recur_limit 10"* ]]
	run -0 bash -c "$(declare -f config svc per deps); config depor | hbmond -n -c mon.cf"
	run -0 bash -c "printf '%s\n' 'service 1 web ssh 3 interval=1000' 'service 2 web http 4 interval=1000' 'depend 1 7 !(web:http and not 0) or 1' | hbmond -n -c mon.cf"
}

@test "-p: inside a period or not, at -w's time; bad input exits 2" {
	run -0 env TZ=UTC hbmond -p 'wd=4-4 hr=14-14' -w 2026-11-25T14:05:00
	run -1 env TZ=UTC hbmond -p 'wd=4-4 hr=15-23' -w 2026-11-25T14:05:00
	run -0 env TZ=UTC hbmond -p 'wd=7-7;hr=14-14' -w 2026-11-25T14:05:00
	run -1 hbmond -p none
	run -0 hbmond -p ''
	run -2 hbmond -p 'wd=x'
	[[ $output == *"bad period 'wd=x'"* ]]
	run -2 hbmond -p 'wd=1-2' -w yesterday
	[[ $output == *"bad time 'yesterday'"* ]]
	run -2 hbmond -w 2026-11-25T14:05:00
	[[ $output == *"-w needs -p"* ]]
}

@test "garbled, overlong and unknown lines change nothing; time never goes back" {
	local long
	long=$(head -c 3000 /dev/zero | tr '\0' x)
	run -0 bash -c "$(declare -f feed config base svc per); { feed base ''; printf '%s\n' 'nonsense' '$long' 'done' 'done 9 1 0 x' 'done 1 x 0 y' '@oops tick' '@5 tick' '@20 cmd' '' '@30 done 1 1 0 a'; } | TZ=UTC hbmond 2>&1"
	[[ $output == *"line longer than 1022 bytes dropped"* ]]
	[[ $output == *"bad time '@oops'"* ]]
	[[ $output == *"ignored: nonsense"* ]]
	# only the last line's result counted: one failure, one alert
	[ "$(grep -c '^alert ' <<<"$output")" -eq 1 ]
	[[ $output == *"consec_failures=1 runs=1 "* ]]
}

@test "-C and -T: hbmond ticks by itself and runs the monitor again" {
	run -0 bash -c "$(declare -f config base svc per); { config base; echo end; echo 'done 1 0 0'; sleep 1.3; } |
	    timeout 5 hbmond -C -T 100ms | grep -c '^run 1 '"
	[ "$output" -eq 2 ]
	run -2 hbmond -T 100ms
	[[ $output == *"-T needs -C"* ]]
}
