#!/usr/bin/env bats
# httpcheck(8): concurrent HTTP checks, each failure told apart, mon and
# Nagios output.  A monitor namespace "m" checks servers (hkhttpd) in a
# hosts namespace "h"; 203.0.113.64/28 is blackholed behind h (silent),
# 203.0.113.80/28 answers ICMP unreachable.

load helpers/common

H=192.0.2.2

setup_file() {
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null || return 0
	ns_new m h
	ns_veth m e0 h e0
	ns_addr m e0 192.0.2.1/24
	ns_addr h e0 192.0.2.2/24
	ns_addr m e0 2001:db8::1/64
	ns_addr h e0 2001:db8::2/64
	nsx m ip route add 203.0.113.0/24 via 192.0.2.2
	nsx h sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
	nsx h ip route add blackhole 203.0.113.64/28
	nsx h ip route add unreachable 203.0.113.80/28
	bg_start -n h hkhttpd -p 80 -b "hello world"
	bg_start -n h hkhttpd -p 81 -m hang
	bg_start -n h hkhttpd -p 82 -c 500 -b "server error"
	bg_start -n h hkhttpd -p 83 -m chunked -b "the quick brown fox jumps over"
	bg_start -n h hkhttpd -p 84 -m slow
	bg_start -n h hkhttpd -p 85 -m close
	bg_start -n h hkhttpd -p 86 -m garbage
	bg_start -n h hkhttpd -a :: -p 8080 -b "six"
	bg_start -n m hkhttpd -a 127.0.0.1 -p 80 -b "local"
	local p
	for p in 80 81 82 83 84 85 86 8080; do
		wait_until 5 listening h "$p"
	done
	wait_until 5 listening m 80
}

listening() {
	[ -n "$(nsx "$1" ss -Htln "sport = :$2")" ]
}

check() {
	nsx m timeout 20 httpcheck "$@"
}

# The detail line of one host.
detail_of() {
	printf '%s\n' "$output" | grep -F "$1: "
}

@test "a healthy host passes: exit 0, empty first line, an ok line with time and status" {
	need_netns
	run -0 --keep-empty-lines check $H
	# (--keep-empty-lines also keeps an empty element after the last line)
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "" ]
	[[ ${lines[1]} =~ ^192\.0\.2\.2:\ ok\ time=[0-9]+\.[0-9]{3}ms\ status=200$ ]]
}

@test "a closed port is reported as refused" {
	need_netns
	run -1 check -p 87 $H
	[ "${lines[0]}" = "$H" ]
	[[ $(detail_of $H) == "$H: refused time="* ]]
}

@test "a server that accepts and never answers is a response timeout, after the timeout" {
	need_netns
	local t0
	t0=$(now_ms)
	run -1 check -t 500ms -p 81 $H
	[[ $(detail_of $H) == "$H: response-timeout time="* ]]
	[ $(($(now_ms) - t0)) -ge 450 ]
	[ $(($(now_ms) - t0)) -lt 3000 ]
}

@test "status 500 is a bad status, with the code" {
	need_netns
	run -1 check -p 82 $H
	[[ $(detail_of $H) =~ ^192\.0\.2\.2:\ bad-status\ time=[0-9.]+ms\ status=500$ ]]
}

@test "-e sets the codes that pass: lists, ranges and classes" {
	need_netns
	run -0 check -e 500 -p 82 $H
	run -0 check -e 200,5xx -p 82 $H
	run -0 check -e 404,499-501 -p 82 $H
	run -1 check -e 200-299 -p 82 $H
}

@test "a 200 answer without the string is string-missing; with it, ok" {
	need_netns
	run -1 check -s "goodbye" $H
	[[ $(detail_of $H) == "$H: string-missing time="*" status=200" ]]
	run -0 check -s "lo wor" $H
}

@test "a chunked body is decoded before the search" {
	need_netns
	# The server sends 5-byte chunks: "brown fox" spans three of them.
	run -0 check -s "brown fox jumps" -p 83 $H
	run -1 check -s "brownfox" -p 83 $H
	[[ $(detail_of $H) == "$H: string-missing "* ]]
	# The chunk framing itself is not part of the body.
	run -1 check -s $'\r\n5' -p 83 $H
}

@test "a slow server passes with a long enough timeout and times out with a short one" {
	need_netns
	run -1 check -t 1s -p 84 $H
	[[ $(detail_of $H) == "$H: response-timeout "* ]]
	run -0 check -t 5s -p 84 $H
	[[ $(detail_of $H) =~ time=(2|3|4)[0-9]{3}\.[0-9]{3}ms ]]
}

@test "a server that closes at once, or answers garbage, is malformed" {
	need_netns
	run -1 check -p 85 $H
	[[ $(detail_of $H) == "$H: malformed "*"why="* ]]
	run -1 check -p 86 $H
	[[ $(detail_of $H) == "$H: malformed "*"why=bad-status-line" ]]
}

@test "a silent dead address is a connect timeout; an ICMP unreachable one is unreachable at once" {
	need_netns
	local t0
	t0=$(now_ms)
	run -1 check -t 1s 203.0.113.65 203.0.113.81
	[ "${lines[0]}" = "203.0.113.65 203.0.113.81" ]
	[[ $(detail_of 203.0.113.65) == "203.0.113.65: connect-timeout "* ]]
	[[ $(detail_of 203.0.113.81) =~ ^203\.0\.113\.81:\ unreachable\ time=[0-9]{1,3}\.[0-9]{3}ms$ ]]
	[ $(($(now_ms) - t0)) -lt 3000 ]
}

@test "URLs carry their own port and path, IPv6 in brackets" {
	need_netns
	run -0 --keep-empty-lines check -p 8080 http://$H/ http://$H:83/x "http://[2001:db8::2]:8080/" 2001:db8::2
	[ "${lines[0]}" = "" ]
	[ "${#lines[@]}" -eq 6 ]
	run -1 check -p 8080 2001:db8::2 http://$H:82/
	[ "${lines[0]}" = "http://$H:82/" ]
	[[ $(detail_of 2001:db8::2) == "2001:db8::2: ok "* ]]
}

@test "-p and -u are for bare hosts: a URL without a port is port 80, without a path /" {
	need_netns
	run -0 check -p 87 http://$H
	[[ $(detail_of http://$H) == "http://$H: ok time="* ]]
	bg_start -n h -o "$BATS_TEST_TMPDIR/req" hkhttpreq -p 99
	wait_until 5 listening h 99
	run -0 check -u /test.html -p 87 http://$H:99
	wait_until 5 grep -q 'Connection' "$BATS_TEST_TMPDIR/req"
	grep -q "^GET / HTTP/1.1" "$BATS_TEST_TMPDIR/req"
}

teardown() {
	# ip netns exec's per-namespace resolv.conf, made by a test below.
	if [ -n "${RESOLV_DIR:-}" ]; then
		rm -rf "$RESOLV_DIR"
	fi
	hk_cleanup
}

@test "a slow resolver does not give the hosts before it more than their timeout" {
	need_netns
	# Namespace d resolves names through a server that never answers
	# (its queries are dropped), in 1 s; it serves a hang on 127.0.0.1:81.
	ns_new d
	RESOLV_DIR=/etc/netns/$(ns d)
	mkdir -p "$RESOLV_DIR"
	printf 'nameserver 127.0.0.53\noptions timeout:1 attempts:1\n' >"$RESOLV_DIR/resolv.conf"
	nsx d nft add table ip rs
	nsx d nft add chain ip rs in '{ type filter hook input priority 0; }'
	nsx d nft add rule ip rs in meta l4proto '{ tcp, udp }' th dport 53 drop
	bg_start -n d hkhttpd -a 127.0.0.1 -p 81 -m hang
	wait_until 5 listening d 81
	run -1 --separate-stderr nsx d timeout 20 httpcheck -t 1s http://127.0.0.1:81/ slow.example.org
	[[ $stderr == *"slow.example.org: "* ]]
	local t
	t=$(detail_of http://127.0.0.1:81/)
	[[ $t =~ ^http://127\.0\.0\.1:81/:\ response-timeout\ time=1[0-8][0-9]{2}\.[0-9]{3}ms$ ]] || { echo "$t"; false; }
}

@test "host names resolve through getaddrinfo" {
	need_netns
	run -0 check -s local localhost
	[[ $output == *"localhost: ok "* ]]
}

@test "the request is an HTTP/1.1 GET with Host, the path and Connection: close" {
	need_netns
	bg_start -n h -o "$BATS_TEST_TMPDIR/req" hkhttpreq -p 90
	wait_until 5 listening h 90
	run -0 check -u /test.html -p 90 $H
	wait_until 5 grep -q 'Connection' "$BATS_TEST_TMPDIR/req"
	tr -d '\r' <"$BATS_TEST_TMPDIR/req" >"$BATS_TEST_TMPDIR/r"
	run -0 head -1 "$BATS_TEST_TMPDIR/r"
	[ "$output" = "GET /test.html HTTP/1.1" ]
	grep -qx "Host: $H:90" "$BATS_TEST_TMPDIR/r"
	grep -qix "Connection: close" "$BATS_TEST_TMPDIR/r"

	bg_start -n h -o "$BATS_TEST_TMPDIR/req2" hkhttpreq -p 91
	wait_until 5 listening h 91
	run -0 check -H www.example.org http://$H:91/a?b=c
	wait_until 5 grep -q 'Connection' "$BATS_TEST_TMPDIR/req2"
	grep -q "^GET /a?b=c HTTP/1.1" "$BATS_TEST_TMPDIR/req2"
	tr -d '\r' <"$BATS_TEST_TMPDIR/req2" | grep -qx "Host: www.example.org"
}

@test "mon format: failed hosts on line 1 in the order given, one detail line per host" {
	need_netns
	run -1 check -t 1s http://$H:82/ http://$H/ http://$H:87/ http://$H:81/
	[ "${lines[0]}" = "http://$H:82/ http://$H:87/ http://$H:81/" ]
	[ "${#lines[@]}" -eq 5 ]
	[[ ${lines[1]} =~ ^http://192\.0\.2\.2:82/:\ bad-status\ time=[0-9]+\.[0-9]{3}ms\ status=500$ ]]
	[[ ${lines[2]} =~ ^http://192\.0\.2\.2/:\ ok\ time=[0-9]+\.[0-9]{3}ms\ status=200$ ]]
	[[ ${lines[3]} =~ ^http://192\.0\.2\.2:87/:\ refused\ time=[0-9]+\.[0-9]{3}ms$ ]]
	[[ ${lines[4]} =~ ^http://192\.0\.2\.2:81/:\ response-timeout\ time=[0-9]+\.[0-9]{3}ms$ ]]
}

@test "Nagios mode: OK exits 0, a failed host CRITICAL 2, slower than -w WARNING 1, bad usage UNKNOWN 3" {
	need_netns
	run -0 check -N $H
	[[ $output =~ ^HTTP\ OK\ -\ 1\ of\ 1\ hosts\ ok,\ status\ 200\ in\ [0-9.]+ms\|time=[0-9]+\.[0-9]{6}s\;\;\;0\;$ ]]
	run -2 check -N $H http://$H:87/
	[[ $output == "HTTP CRITICAL - 1 of 2 hosts not ok: http://$H:87/: refused time="*"|$H"_time=*" $H:87__time="* ]]
	run -1 check -N -t 5s -w 1s -c 4s -p 84 $H
	[[ $output == "HTTP WARNING - 1 of 1 hosts not ok: $H: slow time="*"|time="*"s;1.000;4.000;0;" ]]
	run -2 check -N -t 5s -w 1s -c 1500ms -p 84 $H
	[[ $output == "HTTP CRITICAL - "* ]]
	# Slower than -c alone: named in the text too.
	run -2 check -N -t 5s -c 1s -p 84 $H
	[[ $output == "HTTP CRITICAL - 1 of 1 hosts not ok: $H: slow time="*"|time="*"s;;1.000;0;" ]]
	run -3 --separate-stderr check -N -p 0 $H
	[ "$output" = "HTTP UNKNOWN - bad port: 0" ]
	run -3 --separate-stderr check -p 0 -N $H
	[ "$output" = "HTTP UNKNOWN - bad port: 0" ]
}

@test "100 URLs, 20 of them hanging, are decided within one timeout plus a margin" {
	need_netns
	local urls=() i t0 el
	for i in $(seq 1 80); do urls+=("http://$H/$i"); done
	for i in $(seq 1 20); do urls+=("http://$H:81/$i"); done
	t0=$(now_ms)
	run -1 check -t 1s "${urls[@]}"
	el=$(($(now_ms) - t0))
	echo "elapsed ${el}ms"
	[ "$el" -lt 2500 ]
	[ "$(printf '%s\n' "${lines[0]}" | wc -w)" -eq 20 ]
	[ "$(printf '%s\n' "$output" | grep -c ': ok ')" -eq 80 ]
	[ "$(printf '%s\n' "$output" | grep -c ': response-timeout ')" -eq 20 ]
}

# Serves the bytes printf makes of FORMAT, as they are, on port PORT of h.
raw_server() {
	local port=$1 f="$BATS_TEST_TMPDIR/raw.$1"
	# shellcheck disable=SC2059
	printf "$2" >"$f"
	bg_start -n h hkhttpd -p "$port" -r "$f"
	wait_until 5 listening h "$port"
}

@test "interim 1xx answers (100 Continue, 103 Early Hints) are skipped: the final status counts" {
	need_netns
	raw_server 92 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'
	run -0 check -s hello -p 92 $H
	[[ $(detail_of $H) == "$H: ok time="*" status=200" ]]
	raw_server 93 'HTTP/1.1 103 Early Hints\n\nHTTP/1.1 503 Busy\n\n'
	run -1 check -p 93 $H
	[[ $(detail_of $H) == "$H: bad-status time="*" status=503" ]]
}

@test "a chunked body in small chunks is searched through its first 64 KiB of data" {
	need_netns
	local f="$BATS_TEST_TMPDIR/small"
	# 20000 one-byte chunks (with extensions) before the string: 20 KB
	# of data in some 900 KB of framing.
	{
		printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
		printf '1;ext=%040d\r\nx\r\n' $(seq 1 20000)
		printf '5\r\nhello\r\n0\r\n\r\n'
	} >"$f"
	bg_start -n h hkhttpd -p 97 -r "$f"
	wait_until 5 listening h 97
	run -0 check -t 5s -s hello -p 97 $H
	[[ $(detail_of $H) == "$H: ok time="*" status=200" ]]
	# Without the string: missing (not "truncated"), once 64 KiB are in.
	{
		printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
		printf '2\r\nxx\r\n%.0s' $(seq 1 40000)
		printf '0\r\n\r\n'
	} >"$f.2"
	bg_start -n h hkhttpd -p 98 -r "$f.2"
	wait_until 5 listening h 98
	run -1 check -t 5s -s hello -p 98 $H
	[[ $(detail_of $H) == "$H: string-missing time="*" status=200" ]]
}

@test "a head longer than 16 KiB is malformed however it arrives, a shorter one passes" {
	need_netns
	local big
	big=$(printf '%*s' 20000 '' | tr ' ' a)
	raw_server 94 "HTTP/1.1 200 OK\r\nX-Big: $big\r\n\r\nhello"
	run -1 check -p 94 $H
	[[ $(detail_of $H) == "$H: malformed time="*" status=200 why=headers-too-long" ]]
	raw_server 95 "HTTP/1.1 200 $big\r\n\r\nhello"
	run -1 check -p 95 $H
	[[ $(detail_of $H) == "$H: malformed time="*" why=status-line-too-long" ]]
	raw_server 96 "HTTP/1.1 200 OK\r\nX-Big: ${big:0:16000}\r\n\r\nhello"
	run -0 check -s hello -p 96 $H
}

# Runs httpcheck ARGS... with the open-file limit at 64 and fds 10-59
# taken when $1 is "busy", as a crowded process would have them.
low_fds() {
	local busy=$1 i
	shift
	ulimit -n 64
	if [ "$busy" = busy ]; then
		for i in $(seq 10 59); do eval "exec $i</dev/null"; done
	fi
	exec timeout 20 httpcheck "$@"
}

@test "more hosts than the open-file limit allows is a system error (exit 3), never failed hosts" {
	local hosts=() i
	for i in $(seq 1 100); do hosts+=(127.0.0.1); done
	run -3 --separate-stderr low_fds free -p 9 "${hosts[@]}"
	[ -z "$output" ]
	[ "$stderr" = "httpcheck: 100 hosts need 108 open files at once; ulimit -n allows 64" ]
	run -3 --separate-stderr low_fds free -N -p 9 "${hosts[@]}"
	[ "$output" = "HTTP UNKNOWN - 100 hosts need 108 open files at once; ulimit -n allows 64" ]
}

@test "running out of file descriptors while connecting is a system error (exit 3)" {
	need_netns
	local hosts=() i
	for i in $(seq 1 56); do hosts+=(127.0.0.1); done
	run -3 --separate-stderr nsx m bash -c "$(declare -f low_fds); low_fds busy -t 2s ${hosts[*]}"
	[ -z "$output" ]
	[[ $stderr == "httpcheck: 127.0.0.1: out of file descriptors with 56 hosts to check at once (ulimit -n is 64): "* ]]
}

@test "an unknown host is a failed host, named on stderr" {
	run -1 --separate-stderr timeout 20 httpcheck nonexistent.invalid
	[ "${lines[0]}" = "nonexistent.invalid" ]
	[ "${lines[1]}" = "nonexistent.invalid: unknown-host time=${lines[1]##*time=}" ]
	[[ $stderr == "httpcheck: nonexistent.invalid: "* ]]
}

@test "bad URLs, ports, paths, codes and timeouts are usage errors (exit 2, nothing on stdout)" {
	local a
	for a in "http://" "http:///x" "http://[2001:db8::1/" "ftp://192.0.2.9/" \
	    "https://192.0.2.9/" "http://192.0.2.9:0/" "http://192.0.2.9:65536/" \
	    "http://192.0.2.9:x/" "http://192.0.2.9:/" "-p 0 192.0.2.9" \
	    "-p -1 192.0.2.9" "-p 80x 192.0.2.9" "-u x 192.0.2.9" \
	    "-u /a\ b 192.0.2.9" "-e 600 192.0.2.9" "-e 200- 192.0.2.9" \
	    "-e 300-200 192.0.2.9" "-t 0 192.0.2.9" "-t -1 192.0.2.9" \
	    "-t 1x 192.0.2.9" "-s '' 192.0.2.9" "-w x 192.0.2.9"; do
		eval "run -2 --separate-stderr timeout 5 httpcheck $a"
		[ -z "$output" ] || { echo "stdout for $a: $output"; false; }
		[[ $stderr == "httpcheck: "* ]] || { echo "$a: $stderr"; false; }
	done
	run -2 --separate-stderr timeout 5 httpcheck
	[[ $stderr == "httpcheck: no host to check"* ]]
	run -2 --separate-stderr timeout 5 httpcheck https://192.0.2.9/
	[[ $stderr == *"no TLS"* ]]
	# No header injection through -H.
	run -2 --separate-stderr timeout 5 httpcheck -H $'a[\r\nX: y' 192.0.2.9
	[[ $stderr == "httpcheck: bad Host header"* ]]
}

@test "real mon runs httpcheck as its monitor and hands its output to the alert" {
	need_netns
	[ -x /usr/sbin/mon ] || skip "needs Debian's mon (apt-get install mon)"
	local w="$BATS_TEST_TMPDIR/mon"
	mkdir -p "$w/mon.d" "$w/alert.d" "$w/log" "$w/state"
	ln -s "$(command -v httpcheck)" "$w/mon.d/httpcheck"
	cat >"$w/alert.d/rec.alert" <<EOT
#!/bin/sh
{ echo "argv: \$*"; cat; echo "--"; } >>"$w/alerts"
EOT
	chmod +x "$w/alert.d/rec.alert"
	cat >"$w/mon.cf" <<EOT
hostgroup web $H 203.0.113.66

watch web
	service http
		interval 1s
		monitor httpcheck -p 80 -u /test.html -t 500ms
		period wd {Sun-Sat}
			alert rec.alert
			alertafter 1
EOT
	bg_start -n m /usr/sbin/mon -c "$w/mon.cf" -s "$w/mon.d" -a "$w/alert.d" \
		-L "$w/log" -D "$w/state" -P "$w/mon.pid"
	wait_until 30 grep -q '^--' "$w/alerts"
	run -0 sed -n '1,/^--/p' "$w/alerts"
	[[ ${lines[0]} == "argv: -s http -g web -h $H 203.0.113.66 -t "* ]]
	[ "${lines[1]}" = "203.0.113.66" ]
	[[ ${lines[2]} == "$H: ok time="*" status=200" ]]
	[[ ${lines[3]} == "203.0.113.66: connect-timeout time="* ]]
}

@test "httpcheck -h says line 1 is empty when every host passed, for mon" {
	run -0 timeout 5 httpcheck -h
	[[ $output == *"line 1 names the failed hosts and is empty"*"when all passed (mon's summary line"* ]]
}
