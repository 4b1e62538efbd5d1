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

@test "an unknown directive is a warning naming file and line" {
	printf 'respawn hacluster /usr/lib/heartbeat/ipfail\n' >>"$C/ha.cf"
	run -0 --separate-stderr hb check
	[[ $stderr == *"hbnode: $C/ha.cf:12: unknown directive 'respawn', ignored"* ]]
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

@test "haresources: scripts are found in CONFDIR/resource.d before hakit's own" {
	printf '#!/bin/sh\necho OK\n' >"$C/resource.d/IPaddr"
	chmod 755 "$C/resource.d/IPaddr"
	run -0 hb check
	[[ $output == *"resource IPaddr $C/resource.d/IPaddr 192.0.2.100/24/lo"* ]]
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
	printf 'master 192.0.2.100\nslave 192.0.2.101\n' >"$C/haresources"
	refused "haresources:2: a second resource group"
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
