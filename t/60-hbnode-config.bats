#!/usr/bin/env bats
# hbnode(8) reading heartbeat's configuration: ha.cf, haresources and
# authkeys, with heartbeat's rules; every error names the file and line
# and exits 2 before anything is started.  No namespaces needed.

load helpers/common

setup() {
	C=$BATS_TEST_TMPDIR/ha.d
	mkdir -p "$C/resource.d"
	cat >"$C/ha.cf" <<-'X'
	# a two-node cluster
	keepalive 200ms
	deadtime 1
	warntime 500ms
	initdead 2
	udpport 694
	ucast lo 203.0.113.7
	node master
	node slave
	auto_failback on
	crm off
	X
	printf 'auth 1\n1 sha256 s3cret\n#2 crc\n' >"$C/authkeys"
	chmod 600 "$C/authkeys"
	printf 'master 192.0.2.100/24/lo web\n' >"$C/haresources"
	printf '#!/bin/sh\necho "web $*"\n' >"$C/resource.d/web"
	chmod 755 "$C/resource.d/web"
	export HBNODE_STATEDIR=$BATS_TEST_TMPDIR/state
}

hb() {
	timeout 20 hbnode -c "$C" -n master "$@"
}

# refused FILE:LINE: REASON: hbnode check exits 2 and says it, with
# the file's path under $C.
refused() {
	run -2 --separate-stderr hb check
	[[ $stderr == *"$C/$1"* ]] || { echo "stderr: $stderr"; false; }
}

# set_cf LINE...: replace ha.cf
set_cf() {
	printf '%s\n' "$@" >"$C/ha.cf"
}

@test "hbnode -h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr timeout 5 hbnode -h
	[[ ${lines[0]} == "usage: hbnode "* ]]
	[ -z "$stderr" ]
}

@test "hbnode -V prints its version" {
	run -0 timeout 5 hbnode -V
	[ "$output" = "hbnode (hakit) 0.1" ]
}

@test "a bad option or command exits 2 with the usage on stderr only" {
	run -2 --separate-stderr timeout 5 hbnode -@ status
	[ -z "$output" ]
	[[ $stderr == "hbnode: "*"usage: hbnode "* ]]
	run -2 --separate-stderr timeout 5 hbnode frobnicate
	[[ $stderr == *"unknown command"* ]]
}

@test "every usage line is in the man page's SYNOPSIS" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	local syn u
	syn=$(mandoc -Tascii -O width=1000 "$HK_TOP/share/man/hbnode.8" | col -b |
		awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS"); next } on' | tr -s ' \t\n' ' ')
	u=$(timeout 5 hbnode -h | awk '/^$/ { exit } 1' | sed 's/^usage: //' |
		tr -s ' \t\n' ' ')
	[[ $syn == *"${u% }"* ]] || { echo "usage: $u"; echo "synopsis: $syn"; false; }
	run -0 mandoc -Tlint -W warning "$HK_TOP/share/man/hbnode.8"
}

@test "check prints what it read: durations in ms, media, the group" {
	run -0 --separate-stderr hb check
	[[ $output == *"node master"* ]]
	[[ $output == *"peer slave"* ]]
	[[ $output == *"home master"* ]]
	[[ $output == *"keepalive 200"* ]]
	[[ $output == *"deadtime 1000"* ]]
	[[ $output == *"warntime 500"* ]]
	[[ $output == *"initdead 2000"* ]]
	[[ $output == *"send udp:203.0.113.7:694"* ]]
	[[ $output == *"receive udp:694@lo"* ]]
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.100/24/lo"* ]]
	[[ $output == *"resource web $C/resource.d/web"* ]]
}

@test "durations: a bare number is seconds, fractions and ms and s are read" {
	set_cf "keepalive 0.5" "deadtime 1500ms" "warntime 1s" "initdead 3" \
	    "ucast lo 203.0.113.7" "node master slave"
	run -0 hb check
	[[ $output == *"keepalive 500"* ]]
	[[ $output == *"deadtime 1500"* ]]
	[[ $output == *"warntime 1000"* ]]
	[[ $output == *"initdead 3000"* ]]
}

@test "heartbeat's defaults: keepalive 1s, deadtime 30s, initdead from deadtime" {
	set_cf "ucast lo 203.0.113.7" "node master slave"
	run -0 hb check
	[[ $output == *"keepalive 1000"* ]]
	[[ $output == *"deadtime 30000"* ]]
	[[ $output == *"warntime 15000"* ]]
	[[ $output == *"initdead 30000"* ]]
	[[ $output == *"auto_failback on"* ]]
}

@test "durations over 2^31 ms are read in full, with mawk (Debian's awk) too" {
	command -v mawk >/dev/null || skip "needs mawk (Debian's default awk)"
	mkdir -p "$BATS_TEST_TMPDIR/mawk"
	ln -sf "$(command -v mawk)" "$BATS_TEST_TMPDIR/mawk/awk"
	set_cf "keepalive 2" "deadtime 30d" "ucast lo 203.0.113.7" "node master slave"
	PATH=$BATS_TEST_TMPDIR/mawk:$PATH run -0 hb check
	[[ $output == *"deadtime 2592000000"$'\n'* ]]
}

@test "a malformed duration exits 2 with file and line" {
	set_cf "keepalive 2" "deadtime 10x" "ucast lo 203.0.113.7" "node master slave"
	refused "ha.cf:2: deadtime: bad duration '10x'"
}

@test "deadtime must be more than twice keepalive, as heartbeat demands" {
	set_cf "keepalive 2" "deadtime 4" "ucast lo 203.0.113.7" "node master slave"
	refused "ha.cf:2: deadtime (4000ms) must be more than twice keepalive (2000ms)"
}

@test "udpport after the media lines it applies to is an error" {
	set_cf "ucast lo 203.0.113.7" "udpport 695" "node master slave"
	refused "ha.cf:2: udpport must come before"
}

@test "udpport before the media applies to them" {
	set_cf "udpport 695" "ucast lo 203.0.113.7" "node master slave"
	run -0 hb check
	[[ $output == *"send udp:203.0.113.7:695"* ]]
	[[ $output == *"receive udp:695@lo"* ]]
}

@test "baud after a serial line is an error; before it, it applies" {
	set_cf "serial /dev/null" "baud 38400" "node master slave"
	refused "ha.cf:2: baud must come before the serial lines"
	set_cf "baud 38400" "serial /dev/null" "node master slave"
	run -0 hb check
	[[ $output == *"send serial:/dev/null:38400"* ]]
	[[ $output == *"receive serial:/dev/null:38400"* ]]
}

@test "a bad baud rate exits 2" {
	set_cf "baud 12345" "serial /dev/null" "node master slave"
	refused "ha.cf:1: bad baud rate '12345'"
}

@test "media that cannot work: missing interface, serial that is no device" {
	set_cf "bcast nosuch0" "node master slave"
	refused "ha.cf:1: no interface 'nosuch0'"
	set_cf "node master slave" "serial $C/ha.cf"
	refused "ha.cf:2: serial: $C/ha.cf is not a character device"
	set_cf "node master slave" "mcast lo 192.0.2.1 694 1 0"
	refused "ha.cf:2: mcast: 192.0.2.1 is not a multicast group"
	set_cf "node master slave" "mcast lo 239.0.0.1 694"
	refused "ha.cf:2: mcast takes: IFACE GROUP PORT TTL LOOP"
	set_cf "node master slave" "ucast lo 300.1.1.1"
	refused "ha.cf:2: ucast: '300.1.1.1' is not an IPv4 address"
}

@test "bcast and mcast become hbsend media and hbrecv sources" {
	set_cf "udpport 700" "bcast lo" "mcast lo 239.0.0.1 694 1 0" "node master slave"
	run -0 hb check
	[[ $output == *"send bcast:lo:700 mcast:239.0.0.1:694@lo,ttl=1,loop=0"$'\n'* ]]
	[[ $output == *"receive udp:700@lo mcast:239.0.0.1:694@lo"$'\n'* ]]
}

@test "mcast: the TTL and LOOP of the line go to hbsend, without a warning" {
	set_cf "mcast lo 239.0.0.1 694 2 1" "node master slave"
	run -0 --separate-stderr hb check
	[[ $output == *"send mcast:239.0.0.1:694@lo,ttl=2,loop=1"$'\n'* ]]
	[[ $output == *"receive mcast:239.0.0.1:694@lo"$'\n'* ]]
	[[ $stderr != *TTL* ]]
	set_cf "mcast lo 239.0.0.1 694 255 0" "node master slave"
	run -0 --separate-stderr hb check
	[[ $output == *"send mcast:239.0.0.1:694@lo,ttl=255,loop=0"$'\n'* ]]
	set_cf "mcast lo 239.0.0.1 694 256 0" "node master slave"
	refused "ha.cf:1: mcast: bad TTL '256' (1-255)"
}

@test "UDP media: one hbrecv source per interface, one for two lines on the same" {
	need_netns
	ns_new x
	ns_veth x eth0 x eth1
	set_cf "bcast eth0" "ucast eth1 203.0.113.7" "node master slave"
	run -0 --separate-stderr timeout 20 ip netns exec "$(ns x)" hbnode -c "$C" -n master check
	[[ $output == *"send bcast:eth0:694 udp:203.0.113.7:694"$'\n'* ]]
	[[ $output == *"receive udp:694@eth0 udp:694@eth1"$'\n'* ]]
	set_cf "bcast eth0 eth1" "ucast eth1 203.0.113.7" "node master slave"
	run -0 --separate-stderr timeout 20 ip netns exec "$(ns x)" hbnode -c "$C" -n master check
	[[ $output == *"receive udp:694@eth0 udp:694@eth1"$'\n'* ]]
}

@test "no medium at all exits 2" {
	set_cf "node master slave"
	refused "ha.cf:1: no heartbeat medium"
}

@test "a ucast line naming one of this host's addresses is skipped (a shared ha.cf)" {
	set_cf "ucast lo 127.0.0.1" "ucast lo 203.0.113.7" "node master slave"
	run -0 hb check
	[[ $output == *"send udp:203.0.113.7:694"$'\n'* ]]
}

@test "an unknown directive is a warning naming file and line, and the nearest known one" {
	printf 'keepalvie 2\nfrobnicate 1\n' >>"$C/ha.cf"
	run -0 --separate-stderr hb check
	[[ $stderr == *"hbnode: $C/ha.cf:12: unknown directive 'keepalvie', ignored (did you mean 'keepalive'?)"* ]]
	[[ $stderr == *"hbnode: $C/ha.cf:13: unknown directive 'frobnicate', ignored"$'\n'* ||
	    $stderr == *"hbnode: $C/ha.cf:13: unknown directive 'frobnicate', ignored" ]]
	[[ $stderr != *"frobnicate', ignored ("* ]]
}

@test "crm: only off is accepted" {
	printf 'crm on\n' >>"$C/ha.cf"
	refused "ha.cf:12: crm on: only 'crm off'"
}

@test "auto_failback: on, off, legacy (= on); anything else exits 2" {
	sed -i 's/^auto_failback.*/auto_failback off/' "$C/ha.cf"
	run -0 hb check
	[[ $output == *"auto_failback off"* ]]
	sed -i 's/^auto_failback.*/auto_failback legacy/' "$C/ha.cf"
	run -0 hb check
	[[ $output == *"auto_failback on"* ]]
	sed -i 's/^auto_failback.*/auto_failback sometimes/' "$C/ha.cf"
	refused "ha.cf:10: auto_failback: 'sometimes' is not on, off or legacy"
}

@test "garp_master_delay and garp_master_refresh: durations, 0 is never, defaults 5s and 0" {
	run -0 hb check
	[[ $output == *"garp_master_delay 5000"*"garp_master_refresh 0"* ]]
	printf 'garp_master_delay 0\ngarp_master_refresh 1m\n' >>"$C/ha.cf"
	run -0 hb check
	[[ $output == *"garp_master_delay 0"*"garp_master_refresh 60000"* ]]
	printf 'garp_master_refresh soon\n' >>"$C/ha.cf"
	refused "ha.cf:14: garp_master_refresh: bad duration 'soon'"
}

@test "no node line naming this host exits 2 with file and line" {
	run -2 --separate-stderr timeout 20 hbnode -c "$C" -n elsewhere check
	[[ $stderr == *"$C/ha.cf:8: no node line names this host, 'elsewhere'"* ]]
}

@test "the node name comes from -n, else HBNODE_NODE, else uname -n" {
	HBNODE_NODE=slave run -0 timeout 20 hbnode -c "$C" check
	[[ $output == *"node slave"* ]]
	[[ $output == *"peer master"* ]]
}

@test "hbnode runs two-node clusters: three nodes exit 2" {
	printf 'node third\n' >>"$C/ha.cf"
	refused "ha.cf:8: hbnode runs two-node clusters"
}

@test "an authkeys readable by group or others is refused, with the fix" {
	chmod 640 "$C/authkeys"
	run -2 --separate-stderr hb check
	[[ $stderr == *"$C/authkeys: bad permissions 640"*"chmod 600"* ]]
}

@test "authkeys errors name the line: unknown method, missing secret, missing key" {
	printf 'auth 1\n1 sha256 s\n2 rot13 x\n' >"$C/authkeys"
	refused "authkeys:3: unknown method 'rot13'"
	printf 'auth 1\n1 md5\n' >"$C/authkeys"
	refused "authkeys:2: md5 needs one secret"
	printf '# keys\nauth 3\n1 crc\n' >"$C/authkeys"
	refused "authkeys:2: auth 3: no key 3 in the file"
	printf '1 crc\n' >"$C/authkeys"
	refused "authkeys:1: no 'auth N' line"
}

@test "authkeys: a secret is the rest of its line, blanks and '#' too, as hbsend reads it" {
	printf 'auth 1 # the key in use\n  # keys\n1 sha256 a long secret #phrase\n' >"$C/authkeys"
	run -0 hb check
	run -0 timeout 5 hbsend -k "$C/authkeys" -n master -c 1 -g "$BATS_TEST_TMPDIR/gen" - </dev/null
	printf 'auth 1\n1 crc # line noise only\n' >"$C/authkeys"
	refused "authkeys:2: crc takes no secret"
	run -2 timeout 5 hbsend -k "$C/authkeys" -n master -c 1 -g "$BATS_TEST_TMPDIR/gen" - </dev/null
}

@test "authkeys: 'auth N M...' accepts keys M too, each one listed, as hbsend reads it" {
	printf 'auth 1 2 # a key change\n1 sha256 old secret\n2 sha256 new secret\n' >"$C/authkeys"
	run -0 --separate-stderr hb check
	[ -z "$stderr" ]
	printf '# keys\nauth 1 4\n1 sha256 s\n3 sha256 t\n' >"$C/authkeys"
	refused "authkeys:2: auth accepts key 4, but the file does not list it"
	run -2 --separate-stderr timeout 5 hbsend -k "$C/authkeys" -n master -c 1 - </dev/null
	[[ $stderr == *"$C/authkeys:2: "* ]]
	printf 'auth 1 x\n1 sha256 s\n' >"$C/authkeys"
	refused "authkeys:1: auth: 'x' is not a key number (1 to 15)"
	printf 'auth\n1 sha256 s\n' >"$C/authkeys"
	refused "authkeys:1: auth takes a key number"
}

@test "check names a crc or md5 key as a risk in hbsend's words; the howto's 'auth 1' / '1 crc' still passes" {
	local f
	for f in 'auth 1\n1 crc\n' 'auth 2 1\n1 crc\n2 sha256 s\n' \
		'auth 1 3\n1 sha256 s\n3 md5 m\n' 'auth 2\n1 sha256 s\n2 md5 m\n'; do
		# shellcheck disable=SC2059 # the file is the format
		printf "$f" >"$C/authkeys"
		run -0 --separate-stderr hb check
		[[ $output == *"home master"* ]]
		[[ $stderr == "hbnode: $C/authkeys: key "* ]] || { echo "$f: $stderr"; false; }
		[ "${#stderr_lines[@]}" -eq 1 ]
		# the same line as hbsend's, but for the name
		local want=$stderr
		run -0 --separate-stderr timeout 5 hbsend -k "$C/authkeys" -n master -c 1 - </dev/null
		[ "hbnode: ${stderr#hbsend: }" = "$want" ] || { echo "$f: $stderr"; false; }
	done
	printf 'auth 1\n1 crc\n' >"$C/authkeys"
	run -0 --separate-stderr hb check
	[ "$stderr" = "hbnode: $C/authkeys: key 1 is crc: it only guards against line noise; anyone on the LAN can forge heartbeats and take the cluster down; use '1 sha256 SECRET' (see hbsend(8))" ]
}

@test "check says nothing of sha256 or sha1 keys, nor of a weak key listed but not accepted" {
	local f
	for f in 'auth 1\n1 sha256 s\n' 'auth 1 2\n1 sha1 s\n2 sha256 t\n' \
		'auth 1\n1 sha256 s\n2 crc\n3 md5 m\n'; do
		# shellcheck disable=SC2059
		printf "$f" >"$C/authkeys"
		run -0 --separate-stderr hb check
		[ -z "$stderr" ] || { echo "$f: $stderr"; false; }
	done
}

@test "haresources: a bare address is IPaddr, NAME::A::B passes arguments, \\ continues" {
	printf '# the group\nmaster 192.0.2.100 \\\n\tweb::a::b \\\n\tIPaddr::198.51.100.5/24/lo\n' \
	    >"$C/haresources"
	run -0 hb check
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.100"$'\n'* ]]
	[[ $output == *"resource web $C/resource.d/web a b"* ]]
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 198.51.100.5/24/lo"* ]]
}

@test "haresources: a bare IPv6 address is IPaddr too" {
	printf 'master 2001:db8::100/64 IPaddr::2001:db8:1::5/64/lo web\n' >"$C/haresources"
	run -0 hb check
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 2001:db8::100/64"$'\n'* ]]
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 2001:db8:1::5/64/lo"$'\n'* ]]
}

@test "haresources: IPaddr is hakit's own even where CONFDIR/resource.d has one (heartbeat's)" {
	printf '#!/bin/sh\necho OK\n' >"$C/resource.d/IPaddr"
	chmod 755 "$C/resource.d/IPaddr"
	run -0 hb check
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.100/24/lo"* ]]
}

@test "haresources errors name the line: unknown node, missing script, bad address" {
	printf '\nnobody 192.0.2.100\n' >"$C/haresources"
	refused "haresources:2: 'nobody' is not a node named in ha.cf"
	printf 'master 192.0.2.100 \\\n  apache-hk-none\n' >"$C/haresources"
	refused "haresources:1: no resource script 'apache-hk-none' in $C/resource.d, /etc/init.d or"
	printf 'master 300.1.1.1/24\n' >"$C/haresources"
	run -2 --separate-stderr hb check
	[[ $stderr == *"$C/haresources:1: "*"300.1.1.1"* ]]
	printf 'master IPaddr::192.0.2.100/33\n' >"$C/haresources"
	refused "haresources:1: IPaddr::192.0.2.100/33: prefix length 33 out of range"
	printf 'master 192.0.2.100\nslave 192.0.2.100 web\n' >"$C/haresources"
	refused "haresources:2: 192.0.2.100 is in an earlier resource group too"
	for i in 1 2 3 4 5 6 7; do printf 'master 192.0.2.%s\n' "$i"; done >"$C/haresources"
	refused "haresources:7: a seventh resource group: hbnode runs at most 6"
	printf 'master\n' >"$C/haresources"
	refused "haresources:1: node master has no resources"
}

@test "start with a configuration error exits 2 and starts nothing" {
	printf 'nobody 192.0.2.100\n' >"$C/haresources"
	run -2 --separate-stderr hb start
	[[ $stderr == *"$C/haresources:1:"* ]]
	[ ! -e "$HBNODE_STATEDIR" ]
}

@test "start refuses a state dir or LIBDIR that is another user's or a link (exit 3), writing nothing in them" {
	[ "$(id -u)" = 0 ] || skip "needs root (chown)"
	local lib=$BATS_TEST_TMPDIR/lib
	mkdir -m 777 "$HBNODE_STATEDIR"
	chown nobody "$HBNODE_STATEDIR"
	run -3 --separate-stderr hb -l "$lib" start
	[[ $stderr == *"$HBNODE_STATEDIR is not this user's own directory"* ]] || { echo "$stderr"; false; }
	[ -z "$(ls -A "$HBNODE_STATEDIR")" ]
	rmdir "$HBNODE_STATEDIR"
	ln -s "$BATS_TEST_TMPDIR" "$HBNODE_STATEDIR"
	run -3 --separate-stderr hb -l "$lib" start
	[[ $stderr == *"is not this user's own directory"* ]]
	rm "$HBNODE_STATEDIR"
	mkdir -m 755 "$lib"
	chown nobody "$lib"
	run -3 --separate-stderr hb -l "$lib" start
	[[ $stderr == *"LIBDIR $lib is not this user's own directory"* ]]
	[ ! -e "$lib/master.lock" ]
}

@test "a missing configuration file exits 2 naming it" {
	rm "$C/haresources"
	refused "haresources: cannot read it"
}

@test "status, standby and takeover say when no hbnode runs, naming node and state dir; stop succeeds" {
	local why="hbnode: no hbnode runs for node master with state dir $HBNODE_STATEDIR (no live pid in $HBNODE_STATEDIR/pid; give the -n and -s that start had)"
	run -1 --separate-stderr hb status
	[ -z "$output" ]
	[ "$stderr" = "$why" ]
	run -1 --separate-stderr hb standby
	[ "$stderr" = "$why" ]
	run -1 --separate-stderr hb takeover
	[ "$stderr" = "$why" ]
	run -0 --separate-stderr hb stop
	[ "$stderr" = "$why" ]
}

@test "status where no hbnode runs prints the last transitions, not the status a stopped one left" {
	# what a stopped hbnode leaves in its state dir
	mkdir -p "$HBNODE_STATEDIR"
	echo "node master state=stopped rsc=none ask=0 home=master" >"$HBNODE_STATEDIR/status"
	echo "2026-11-25T03:40:01Z master stopped (stop asked)" >"$HBNODE_STATEDIR/transitions"
	echo 999999999 >"$HBNODE_STATEDIR/pid"
	run -1 --separate-stderr hb status
	[ "$output" = "transition 2026-11-25T03:40:01Z master stopped (stop asked)" ]
	[[ $stderr == "hbnode: no hbnode runs for node master with state dir $HBNODE_STATEDIR "* ]]
}

@test "IPaddr refuses a malformed address with exit 2" {
	run -2 --separate-stderr timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 300.1.1.1/24 status
	[[ $stderr == *"not an IPv4 or IPv6 address: 300.1.1.1"* ]]
	run -2 timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 192.0.2.1/24 frob
	run -2 timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 192.0.2.1/24
}

@test "the howto's example files pass the check (interfaces made local)" {
	local e=$BATS_TEST_TMPDIR/ex
	cp -R "$HK_TOP/examples/ha.d" "$e"
	chmod 600 "$e/authkeys"
	sed -i -e 's/\beth0\b/lo/g' -e 's|/dev/ttyS0|/dev/null|' "$e/ha.cf"
	mkdir -p "$e/resource.d"
	printf '#!/bin/sh\necho OK\n' >"$e/resource.d/apache"
	printf '#!/bin/sh\necho OK\n' >"$e/resource.d/mon"
	chmod 755 "$e/resource.d/apache" "$e/resource.d/mon"
	run -0 --separate-stderr timeout 20 hbnode -c "$e" -n master check
	[[ $output == *"home master"* ]]
	[[ $output == *"keepalive 2000"* ]]
	[[ $output == *"deadtime 10000"* ]]
	[[ $output == *"resource IPaddr "*" 192.0.2.100"* ]]
	[[ $output == *"resource apache $e/resource.d/apache"* ]]
	[[ $output == *"resource mon $e/resource.d/mon"* ]]
}

@test "booleans in any case, as heartbeat reads them: auto_failback Off, crm OFF, LEGACY" {
	local v want
	for v in Off OFF no No FALSE n N 0 On YES True y Y 1 Legacy LEGACY; do
		set_cf "ucast lo 203.0.113.7" "node master slave" "auto_failback $v" "crm OFF" "pacemaker No"
		run -0 --separate-stderr hb check
		case $v in
		[Oo][Ff][Ff]|[Nn]|[Nn][Oo]|[Ff]*|0) want=off ;;
		*) want=on ;;
		esac
		[[ $output == *"auto_failback $want"$'\n'* ]] || { echo "$v: $output"; false; }
		[ -z "$stderr" ] || { echo "$v: $stderr"; false; }
	done
	set_cf "ucast lo 203.0.113.7" "node master slave" "crm On"
	refused "ha.cf:3: crm On: only 'crm off'"
}

@test "nice_failback, auto_failback's old name: on is auto_failback off, with a warning; a disagreeing pair is refused" {
	set_cf "ucast lo 203.0.113.7" "node master slave" "nice_failback on"
	run -0 --separate-stderr hb check
	[[ $output == *"auto_failback off"$'\n'* ]]
	[ "$stderr" = "hbnode: $C/ha.cf:3: nice_failback is heartbeat's old name; write 'auto_failback off' instead" ]
	set_cf "ucast lo 203.0.113.7" "node master slave" "nice_failback Off"
	run -0 --separate-stderr hb check
	[[ $output == *"auto_failback on"$'\n'* ]]
	[[ $stderr == *"write 'auto_failback legacy' instead"* ]]
	# agreeing lines pass; disagreeing ones name both lines
	set_cf "ucast lo 203.0.113.7" "node master slave" "auto_failback off" "nice_failback yes"
	run -0 hb check
	set_cf "ucast lo 203.0.113.7" "node master slave" "auto_failback off" "nice_failback off"
	refused "ha.cf:4: nice_failback says 'auto_failback legacy', line 3 said 'off'"
	set_cf "ucast lo 203.0.113.7" "node master slave" "nice_failback maybe"
	refused "ha.cf:3: nice_failback takes on or off"
}

@test "node names ignore case, as heartbeat compares them: node lines, -n and uname -n are one spelling" {
	set_cf "ucast lo 203.0.113.7" "node Master SLAVE"
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n MASTER check
	[[ $output == "node master"$'\n'"peer slave"$'\n'"home master"$'\n'* ]]
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n Slave check
	[[ $output == "node slave"$'\n'"peer master"$'\n'* ]]
	# two lines naming one node in two spellings are one node
	set_cf "ucast lo 203.0.113.7" "node master slave" "node MASTER"
	run -0 hb check
	[[ $output == "node master"$'\n'"peer slave"$'\n'* ]]
	# the home node of haresources too
	printf 'MASTER 192.0.2.100/24/lo web\n' >"$C/haresources"
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n slave check
	[[ $output == "node slave"$'\n'"peer master"$'\n'"home master"$'\n'* ]]
	run -0 sh -c '. "$1/sh/hbnode.sh" && hb_nodename Node-1.Example' sh "$HAKIT_SHAREDIR"
	[ "$output" = node-1.example ]
}

@test "node names ignore case: uname -n 'Master' is node master" {
	[ "$(id -u)" = 0 ] || skip "needs root (unshare --uts to set the host name)"
	command -v unshare >/dev/null || skip "needs unshare(1)"
	unshare --uts true 2>/dev/null || skip "cannot make a UTS namespace here"
	run -0 --separate-stderr timeout 20 unshare --uts sh -c \
	    'hostname Master && exec hbnode -c "$1" check' sh "$C"
	[[ $output == "node master"$'\n'"peer slave"$'\n'* ]]
}

@test "Windows line ends and a byte order mark in ha.cf, haresources and authkeys are read as Unix ones" {
	local bom
	bom=$(printf '\357\273\277')
	# every line ends in CR LF; each file begins with a byte order mark
	{ printf '%s' "$bom"; sed 's/$/\r/' "$C/ha.cf"; } >"$C/ha.cf.new"
	mv "$C/ha.cf.new" "$C/ha.cf"
	printf '%sauth 1\r\n1 sha256 s3cret\r\n' "$bom" >"$C/authkeys"
	printf '%smaster 192.0.2.100/24/lo \\\r\n  web::a::b\r\n' "$bom" >"$C/haresources"
	run -0 --separate-stderr hb check
	[ -z "$stderr" ] || { echo "$stderr"; false; }
	[[ $output == *"auto_failback on"$'\n'* ]]
	[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr 192.0.2.100/24/lo"$'\n'* ]]
	[[ $output == *"resource web $C/resource.d/web a b"* ]]
	[[ $output != *$'\r'* ]]
	# the key is the one of the Unix file: hbsend signs alike with both
	local crlf unix
	crlf=$(timeout 5 hbsend -k "$C/authkeys" -n master -c 1 -g "$BATS_TEST_TMPDIR/gen" - </dev/null)
	printf 'auth 1\n1 sha256 s3cret\n' >"$BATS_TEST_TMPDIR/unix"
	chmod 600 "$BATS_TEST_TMPDIR/unix"
	unix=$(timeout 5 hbsend -k "$BATS_TEST_TMPDIR/unix" -n master -c 1 -g "$BATS_TEST_TMPDIR/gen2" - </dev/null)
	# same line but for gen: recompute the MAC of the CRLF line with the Unix key
	run -0 timeout 5 authtest check "$BATS_TEST_TMPDIR/unix" "$crlf"
	[ -n "$unix" ]
	# an error still names the right line
	printf 'auth 1\r\n1 sha256 s3cret\r\n2 rot13 x\r\n' >"$C/authkeys"
	refused "authkeys:3: unknown method 'rot13' (sha256"
}

# form: an IPaddr argument as heartbeat's haresources had it
@test "IPaddr: every form heartbeat accepted passes check and shows in its dump" {
	local f
	for f in 192.0.2.10 192.0.2.10/24 192.0.2.10/24/lo 192.0.2.10/24/192.0.2.255 \
		192.0.2.10/24/lo/192.0.2.255 192.0.2.10/24/lo:1 192.0.2.10/24/lo:1/ \
		192.0.2.10/24/lo:vip/192.0.2.255 192.0.2.10//lo 192.0.2.10/24//192.0.2.255 \
		192.0.2.10/24/ 2001:db8::10/64/lo 2001:db8::10/64/lo:1; do
		printf 'master IPaddr::%s web\n' "$f" >"$C/haresources"
		run -0 --separate-stderr hb check
		[[ $output == *"resource IPaddr $HAKIT_SHAREDIR/resource.d/IPaddr $f"$'\n'* ]] ||
		    { echo "$f: $output"; false; }
		[ -z "$stderr" ] || { echo "$f: $stderr"; false; }
	done
}

@test "IPaddr: an interface that is not on this host is an error at check, naming it" {
	printf 'master web \\\n  IPaddr::192.0.2.10/24/eth9\n' >"$C/haresources"
	refused "haresources:1: IPaddr::192.0.2.10/24/eth9: no interface 'eth9' on this host"
	printf 'master 192.0.2.10/24/nosuch0:1/ web\n' >"$C/haresources"
	refused "haresources:1: 192.0.2.10/24/nosuch0:1/: no interface 'nosuch0' on this host"
	printf 'master 192.0.2.10/24/lo/192.0.2.256\n' >"$C/haresources"
	refused "haresources:1: 192.0.2.10/24/lo/192.0.2.256: bad broadcast address"
	printf 'master 192.0.2.10/24/lo:/\n' >"$C/haresources"
	refused "haresources:1: 192.0.2.10/24/lo:/: bad alias label"
	printf 'master 192.0.2.10/24/lo/192.0.2.255/x\n' >"$C/haresources"
	refused "haresources:1: 192.0.2.10/24/lo/192.0.2.255/x: too many '/' fields"
	printf 'master 2001:db8::10/64/lo/192.0.2.255\n' >"$C/haresources"
	refused "haresources:1: 2001:db8::10/64/lo/192.0.2.255: an IPv6 address has no broadcast"
	# the resource script says the same at start, exit 6 (LSB: not configured)
	run -6 --separate-stderr timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 192.0.2.10/24/eth9:1 start
	[[ $stderr == *"no interface 'eth9' on this host"* ]]
	export HAKIT_RUNDIR=$BATS_TEST_TMPDIR/run
	run -3 timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 192.0.2.10/24/eth9:1 status
	run -0 timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 192.0.2.10/24/eth9:1 stop
	# a held address whose interface went: as a lost carrier (hbnode moves the group)
	run -4 timeout 5 "$HAKIT_SHAREDIR/resource.d/IPaddr" 192.0.2.10/24/eth9:1 renew
}

@test "IPaddr: a broadcast that is not the subnet's is a warning naming the one the address gets" {
	printf 'master 192.0.2.10/25/lo/192.0.2.255 web\n' >"$C/haresources"
	run -0 --separate-stderr hb check
	[ "$stderr" = "hbnode: $C/haresources:1: 192.0.2.10/25/lo/192.0.2.255: broadcast 192.0.2.255 is not the one of 192.0.2.10/25: the address gets 192.0.2.127" ]
}

# ipa_ns: namespace x with eth0 (192.0.2.1/24, carrier through a veth
# to y) and IPaddr's run directory
ipa_ns() {
	need_netns
	ns_new x y
	ns_veth x eth0 y eth0
	ns_addr x eth0 192.0.2.1/24
	ns_addr y eth0 192.0.2.2/24
	export HAKIT_RUNDIR=$BATS_TEST_TMPDIR/run HAKIT_PROBE_TIMEOUT=50ms
}

ipa() {
	timeout 10 ip netns exec "$(ns x)" "$HAKIT_SHAREDIR/resource.d/IPaddr" "$@" 3>&-
}

@test "IPaddr IP/bits/iface:label/ starts on the device with that label, status and stop follow" {
	ipa_ns
	run -0 ipa 192.0.2.10/24/eth0:1/ start
	[ "$output" = "192.0.2.10: running on eth0 as eth0:1" ]
	run -0 nsx x ip -o -4 addr show dev eth0
	[[ $output == *"inet 192.0.2.10/24 "*" eth0:1"* ]] || { echo "$output"; false; }
	# it answers the peer
	run -0 timeout 10 ip netns exec "$(ns y)" ping -c 1 -W 2 192.0.2.10
	run -0 ipa 192.0.2.10/24/eth0:1/ status
	run -0 ipa 192.0.2.10/24/eth0:1/ stop
	run -0 nsx x ip -o -4 addr show dev eth0
	[[ $output != *192.0.2.10* ]]
	run -3 ipa 192.0.2.10/24/eth0:1/ status
}

@test "IPaddr IP/bits/iface/broadcast and IP/bits/broadcast start with the subnet's broadcast" {
	ipa_ns
	run -0 ipa 192.0.2.11/24/eth0/192.0.2.255 start
	run -0 ipa 192.0.2.12/24/192.0.2.255 start
	[ "$output" = "192.0.2.12: running on eth0 as eth0:12" ]
	run -0 nsx x ip -o -4 addr show dev eth0
	[[ $output == *"inet 192.0.2.11/24 brd 192.0.2.255 "*"eth0:11"* ]] || { echo "$output"; false; }
	[[ $output == *"inet 192.0.2.12/24 brd 192.0.2.255 "*"eth0:12"* ]] || { echo "$output"; false; }
	run -0 ipa 192.0.2.11/24/eth0/192.0.2.255 stop
	run -0 ipa 192.0.2.12/24/192.0.2.255 stop
	# IP//iface: the prefix of the interface's subnet
	run -0 ipa 192.0.2.13//eth0 start
	run -0 nsx x ip -o -4 addr show dev eth0
	[[ $output == *"inet 192.0.2.13/24 "* ]] || { echo "$output"; false; }
	run -0 ipa 192.0.2.13//eth0 stop
}

@test "heartbeat's mcast6 is IPv6 multicast for hbsend and hbrecv" {
	set_cf "mcast6 lo ff02::1:4 694 1 0" "node master slave"
	run -0 --separate-stderr hb check
	[[ $output == *"send mcast:[ff02::1:4]:694@lo,ttl=1,loop=0"$'\n'* ]]
	[[ $output == *"receive mcast:[ff02::1:4]:694@lo"$'\n'* ]]
	set_cf "mcast6 lo 239.0.0.1 694 1 0" "node master slave"
	refused "ha.cf:1: mcast6: '239.0.0.1' is not an IPv6 multicast group"
}

# Every directive of heartbeat 3.0.6's ha.cf (but ping, ping_group,
# respawn and deadping: their own tests), with a value as people wrote
# it: hbnode reads it, or says what it does instead, never "unknown".
@test "every heartbeat directive is read or named in a plain message, never 'unknown'" {
	local l d
	while IFS= read -r l; do
		d=${l%% *}
		set_cf "$l" "ucast lo 203.0.113.7" "node master slave"
		case $d in
		stonith|stonith_host)
			refused "ha.cf:1: $d: not supported; see hbnode(8) FENCING" ;;
		*)
			run -0 --separate-stderr hb check
			[[ $output == *"home master"* ]] || { echo "$l: $output"; false; } ;;
		esac
		[[ $stderr != *nknown* ]] || { echo "$l: $stderr"; false; }
		# a message, when there is one, names the line and the directive
		[ -z "$stderr" ] || [[ $stderr == "hbnode: $C/ha.cf:1: $d"* ]] ||
		    { echo "$l: $stderr"; false; }
	done <<-'X'
	debugfile /var/log/ha-debug
	logfile /var/log/ha-log
	logfacility local0
	use_logd yes
	use_logd off
	conn_logd_time 60
	keepalive 2
	deadtime 30
	warntime 10
	initdead 120
	hopfudge 1
	baud 19200
	udpport 694
	serial /dev/null
	bcast lo
	mcast lo 239.0.0.1 694 1 0
	mcast6 lo ff02::1:2 694 1 0
	ucast lo 203.0.113.8
	node master
	auto_failback legacy
	nice_failback on
	stonith baytech /etc/ha.d/conf/stonith.baytech
	stonith_host * baytech 10.0.0.3 mylogin mysecretpassword
	watchdog /dev/watchdog
	client_child hacluster /usr/lib/heartbeat/ipfail
	msgfmt netstring
	hbgenmethod file
	generation_method time
	realtime on
	rtprio 50
	debug 1
	apiauth ipfail gid=haclient uid=hacluster
	traditional_compression false
	compression bz2
	compression_threshold 2
	crm off
	pacemaker false
	autojoin none
	uuidfrom nodename
	coredumps true
	max_rexmit_delay 250
	register_to_apphbd no
	record_config_changes on
	record_pengine_inputs off
	enable_config_writes on
	memreserve 6500
	quorum_server 192.0.2.50
	syslogmsgfmt true
	X
}

@test "directives hbnode refuses say why: autojoin other or any, crm on, a bad debug level" {
	set_cf "ucast lo 203.0.113.7" "node master slave" "autojoin any"
	refused "ha.cf:3: autojoin any: not supported: the cluster is the two nodes of the node lines"
	set_cf "ucast lo 203.0.113.7" "node master slave" "debug lots"
	refused "ha.cf:3: debug takes a level, 0 to 255"
	set_cf "ucast lo 203.0.113.7" "node master slave" "use_logd maybe"
	refused "ha.cf:3: use_logd takes on or off"
}

@test "hbnode(8) has an entry for every directive hbnode reads" {
	local d missing=""
	for d in $(sed -n '/^hb_directives="/,/"$/p' "$HAKIT_SHAREDIR/sh/hbnode.sh" |
	    tr -d '"' | sed 's/hb_directives=//'); do
		grep -q "Ic $d\b" "$HAKIT_SHAREDIR/man/hbnode.8" || missing="$missing $d"
	done
	[ -z "$missing" ] || { echo "not in hbnode(8):$missing"; false; }
	# the whole list, not a part of it
	[ "$(sed -n '/^hb_directives="/,/"$/p' "$HAKIT_SHAREDIR/sh/hbnode.sh" | wc -w)" -ge 50 ]
}

@test "check warns about a hook that is not executable, and skips editors' copies" {
	mkdir -p "$C/hooks.d"
	printf '#!/bin/sh\n' >"$C/hooks.d/10-mail"
	printf '#!/bin/sh\n' >"$C/hooks.d/20-log~"
	run -0 --separate-stderr hb check
	[[ $stderr == *"$C/hooks.d/10-mail: not executable, never run as a hook (chmod +x to run it)"* ]]
	[[ $stderr != *"20-log~"* ]]
	chmod 755 "$C/hooks.d/10-mail"
	run -0 --separate-stderr hb check
	[[ $stderr != *"hooks.d"* ]]
}
