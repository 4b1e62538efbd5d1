#!/usr/bin/env bats
# hakit's OCF resource agents (hakit-ocf(7)) as installed (make install
# into a prefix, a clean environment), driven by the real tools of
# Debian's packages: ocf-tester (resource-agents) and Pacemaker's
# crm_resource --validate/--force-* (pacemaker-cli-utils), inside network
# namespaces a and b joined by a veth pair.  crm_resource looks for
# provider hakit only in /usr/lib/ocf/resource.d: a directory holding a
# link hakit -> PREFIX/lib/ocf/resource.d/hakit (through which the agents
# find PREFIX) is bind-mounted there in the mount namespace that ip
# netns exec makes for each command, never in the host's.  Then hbnode
# export (hbnode(8)): the CIB it prints checked by crm_verify --xml-file,
# its placement by crm_simulate (no root needed).  .ci/run installs the
# packages.

load helpers/common

ENV0=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin)

setup_file() {
	[ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1 || return 0
	# ocf-tester runs meta-data as nobody: the prefix must be
	# reachable by all, which the bats tmpdir (mode 700) is not
	PRE=$(mktemp -d /tmp/hk69.XXXXXX)
	chmod 755 "$PRE"
	echo "$PRE" >"$BATS_FILE_TMPDIR/pre"
	make -s -C "$HK_TOP" O="$HAKIT_BINDIR" install PREFIX="$PRE/usr" >&2
	mkdir -p "$PRE/rsctmp" "$PRE/rd"
	ln -s "$PRE/usr/lib/ocf/resource.d/hakit" "$PRE/rd/hakit"
	ns_new a b
	ns_veth a lan0 b lan0
	ns_addr a lan0 192.0.2.1/24
	ns_addr b lan0 192.0.2.2/24
	ns_addr a lan0 2001:db8::1/64
	ns_addr b lan0 2001:db8::2/64
	# b keeps what a gratuitous ARP says (an entry it did not have)
	ip netns exec "$(ns b)" sysctl -qw net.ipv4.conf.lan0.arp_accept=1
}

teardown_file() {
	local pre
	pre=$(cat "$BATS_FILE_TMPDIR/pre" 2>/dev/null) || pre=""
	case $pre in
	/tmp/hk69.*) rm -rf -- "$pre" ;;
	esac
	hk_cleanup
}

setup() {
	# hbnode export needs no root
	case $BATS_TEST_DESCRIPTION in
	"hbnode export"*) export_conf; return 0 ;;
	esac
	need_netns
	[ -s "$BATS_FILE_TMPDIR/.netns" ] || skip "the namespaces of setup_file are missing"
	PRE=$(cat "$BATS_FILE_TMPDIR/pre")
	RA=$PRE/usr/lib/ocf/resource.d/hakit
	[ -x "$RA/IPaddr" ] && [ -x "$RA/check" ] || {
		echo "make install put no agents in $RA" >&2
		return 1
	}
}

teardown() {
	local v
	if [ -s "$BATS_FILE_TMPDIR/.netns" ]; then
		for v in 192.0.2.100/24 2001:db8::100/64; do
			ip netns exec "$(ns a)" "$HAKIT_BINDIR/vipctl" del "$v" dev lan0 || true
			ip netns exec "$(ns b)" "$HAKIT_BINDIR/vipctl" del "$v" dev lan0 || true
		done
		rm -f "$PRE"/rsctmp/hakit/check.* || true
	fi
	hk_cleanup
}

# export_conf: a two-node CONFDIR in $C (hbnode's own tests' way: ucast
# on lo), group 1 "master 192.0.2.100/24/lo:web web", group 2 "slave
# 2001:db8::100 Filesystem::/dev/sdb1::/srv::ext4"; heartbeat's
# Filesystem wrapper from Debian's heartbeat when there, else a stand-in.
export_conf() {
	C=$BATS_TEST_TMPDIR/ha.d
	mkdir -p "$C/resource.d"
	printf '%s\n' "keepalive 200ms" "deadtime 2" "ucast lo 203.0.113.7" \
	    "node master" "node slave" >"$C/ha.cf"
	printf 'auth 1\n1 sha256 s3cret\n' >"$C/authkeys"
	chmod 600 "$C/authkeys"
	printf '%s\n' "master 192.0.2.100/24/lo:web web" \
	    "slave 2001:db8::100 Filesystem::/dev/sdb1::/srv::ext4" >"$C/haresources"
	printf '#!/bin/sh\necho "web $*"\n' >"$C/resource.d/web"
	printf '#!/bin/sh\nexit 0\n' >"$C/resource.d/Filesystem"
	chmod 755 "$C/resource.d/web" "$C/resource.d/Filesystem"
}

# simulate FILE NODE...: crm_simulate on FILE (given quorum) with NODEs
# up, each "NAME" or "NAME=PINGD" (a pingd node attribute); the
# placement in $output.
simulate() {
	local f=$1 n nodes="" i=0
	shift
	for n; do
		i=$((i + 1))
		nodes="$nodes<node id=\"$i\" uname=\"${n%%=*}\">"
		[ "$n" = "${n#*=}" ] || nodes="$nodes<instance_attributes id=\"na$i\"><nvpair id=\"np$i\" name=\"pingd\" value=\"${n#*=}\"/></instance_attributes>"
		nodes="$nodes</node>"
	done
	sed -e "s|<nodes/>|<nodes>$nodes</nodes>|" -e 's|<cib |<cib have-quorum="1" |' \
	    "$f" >"$f.sim"
	local up=()
	for n; do
		up+=(--node-up "${n%%=*}")
	done
	run -0 timeout 30 crm_simulate --xml-file "$f.sim" "${up[@]}" --simulate
}

# need TOOL PACKAGE: fail, naming who installs it, when TOOL is missing.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "$1 is missing: .ci/run installs Debian's $2 (apt-get install --no-install-recommends $2)" >&2
	return 1
}

# ra NS ARGS...: ARGS in namespace NS with a clean environment, hakit's
# provider directory where Pacemaker looks, and agents' state in the
# prefix; under a timeout.
ra() {
	local n=$1
	shift
	timeout 60 ip netns exec "$(ns "$n")" "${ENV0[@]}" HA_RSCTMP="$PRE/rsctmp" \
	    sh -c 'mount --bind "$1" /usr/lib/ocf/resource.d && shift && exec "$@"' \
	    _ "$PRE/rd" "$@"
}

# crm OP AGENT [OPTION=VALUE...]: crm_resource --OP on ocf:hakit:AGENT
# in namespace a; $output holds its report, $rc the agent's OCF code
# (crm_resource's "returned N").
crm() {
	local op=$1 agent=$2 o
	shift 2
	local args=(crm_resource "--$op" --class ocf --provider hakit --agent "$agent" --timeout 6s)
	for o; do
		args+=(--option "$o")
	done
	run ra a "${args[@]}"
	rc=$(printf '%s\n' "$output" | sed -n 's/.* returned \([0-9]*\) .*/\1/p' | head -n 1)
	[ -n "$rc" ] || { echo "no result from crm_resource: $output"; return 1; }
}

# on NS ADDR: ADDR is on namespace NS's lan0.
on() {
	ip -n "$(ns "$1")" addr show dev lan0 | grep -q " $2/"
}

@test "IPaddr passes ocf-tester: IPv4 with a lease, IPv6 with nic and prefix" {
	need ocf-tester resource-agents
	need xmllint libxml2-utils
	run -0 ra a ocf-tester -n vip4 -o ip=192.0.2.100 -o lease=5s "$RA/IPaddr"
	[[ $output == *"passed all tests"* ]] || { echo "$output"; false; }
	run -0 ra a ocf-tester -n vip6 -o ip=2001:db8::100 -o cidr_netmask=64 -o nic=lan0 "$RA/IPaddr"
	[[ $output == *"passed all tests"* ]] || { echo "$output"; false; }
	! on a 192.0.2.100 || false
	! on a 2001:db8::100
}

@test "check passes ocf-tester with httpcheck and with pingcheck" {
	need ocf-tester resource-agents
	need xmllint libxml2-utils
	bg_start -n a hkhttpd -a 127.0.0.1 -p 8080 -b healthy
	wait_until 5 nsx a "$HAKIT_BINDIR/httpcheck" -p 8080 127.0.0.1
	run -0 ra a ocf-tester -n web -o program=httpcheck -o hosts=127.0.0.1 \
	    -o "options=-p 8080 -s healthy" "$RA/check"
	[[ $output == *"passed all tests"* ]] || { echo "$output"; false; }
	run -0 ra a ocf-tester -n gw -o program=pingcheck -o "hosts=192.0.2.2 2001:db8::2" \
	    -o "options=-c 1" "$RA/check"
	[[ $output == *"passed all tests"* ]] || { echo "$output"; false; }
}

@test "crm_resource drives IPaddr: validate, force-start probes, adds with a lease and announces; force-check renews; force-stop removes" {
	need crm_resource pacemaker-cli-utils
	local mac
	crm validate IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0 iflabel=vip lease=4s
	[ "$rc" = 0 ] || { echo "$output"; false; }
	crm force-start IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0 iflabel=vip lease=4s
	[ "$rc" = 0 ] || { echo "$output"; false; }
	run -0 nsx a "$HAKIT_BINDIR/vipctl" list dev lan0
	[[ $output == *"192.0.2.100/24 lan0 label=lan0:vip lease="* ]] || { echo "$output"; false; }
	# the gratuitous ARP reached b: its entry is a's MAC
	mac=$(ns_mac a lan0)
	wait_until 3 eval 'ip -n "$(ns b)" neigh show dev lan0 to 192.0.2.100 | grep -q "lladdr $mac"'
	# a monitor renews the lease: the address outlives its first 4 s
	crm force-check IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0 iflabel=vip lease=4s
	[ "$rc" = 0 ] || { echo "$output"; false; }
	sleep 2.5
	crm force-check IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0 iflabel=vip lease=4s
	[ "$rc" = 0 ] || { echo "$output"; false; }
	sleep 2.5
	on a 192.0.2.100
	crm force-stop IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0 iflabel=vip lease=4s
	[ "$rc" = 0 ] || { echo "$output"; false; }
	! on a 192.0.2.100 || false
	crm force-check IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0 iflabel=vip lease=4s
	[ "$rc" = 7 ] || { echo "$output"; false; }
	# stop of a stopped address succeeds (OCF's idempotence)
	crm force-stop IPaddr ip=192.0.2.100 cidr_netmask=24 nic=lan0
	[ "$rc" = 0 ] || { echo "$output"; false; }
}

@test "crm_resource: an IPv6 address without nic or prefix goes on the interface of its subnet" {
	need crm_resource pacemaker-cli-utils
	crm force-start IPaddr ip=2001:db8::100
	[ "$rc" = 0 ] || { echo "$output"; false; }
	run -0 nsx a "$HAKIT_BINDIR/vipctl" check 2001:db8::100/64 dev lan0
	crm force-check IPaddr ip=2001:db8::100
	[ "$rc" = 0 ] || { echo "$output"; false; }
	crm force-stop IPaddr ip=2001:db8::100
	[ "$rc" = 0 ] || { echo "$output"; false; }
	! on a 2001:db8::100
}

@test "IPaddr start refuses an address another host answers for: OCF_ERR_GENERIC with the reason, nothing added" {
	need crm_resource pacemaker-cli-utils
	run -0 nsx b "$HAKIT_BINDIR/vipctl" add 192.0.2.100/24 dev lan0
	crm force-start IPaddr ip=192.0.2.100 nic=lan0 probe_wait=500ms
	[ "$rc" = 1 ] || { echo "$output"; false; }
	[[ $output == *"answered by"* ]] || { echo "$output"; false; }
	! on a 192.0.2.100
}

@test "the agents' bad parameters are OCF_ERR_CONFIGURED, a missing interface OCF_ERR_INSTALLED, other actions OCF_ERR_UNIMPLEMENTED" {
	run -6 ra a env OCF_RESKEY_ip=192.0.2.300 "$RA/IPaddr" validate-all
	[[ $output == *"ocf-exit-reason:"*"192.0.2.300"* ]] || { echo "$output"; false; }
	run -6 ra a env OCF_RESKEY_ip=192.0.2.100 OCF_RESKEY_lease=soon "$RA/IPaddr" start
	[[ $output == *"lease: bad duration 'soon'"* ]]
	run -6 ra a env OCF_RESKEY_ip=2001:db8::100 OCF_RESKEY_nic=lan0 OCF_RESKEY_iflabel=x "$RA/IPaddr" validate-all
	run -5 ra a env OCF_RESKEY_ip=192.0.2.100 OCF_RESKEY_nic=eth9 "$RA/IPaddr" validate-all
	run -5 ra a env OCF_RESKEY_ip=192.0.2.100 OCF_RESKEY_nic=eth9 "$RA/IPaddr" start
	run -0 ra a env OCF_RESKEY_ip=192.0.2.100 OCF_RESKEY_nic=eth9 "$RA/IPaddr" stop
	# no subnet for ip: said in OCF's terms; the host's own address refused
	run -5 ra a env OCF_RESKEY_ip=198.51.100.5 "$RA/IPaddr" start
	[[ $output == *"no interface holds a subnet of 198.51.100.5: set nic= and cidr_netmask="* ]] || { echo "$output"; false; }
	run -5 ra a env OCF_RESKEY_ip=192.0.2.1 "$RA/IPaddr" start
	[[ $output == *"192.0.2.1 is this host's own address"* ]] || { echo "$output"; false; }
	on a 192.0.2.1
	run -7 ra a env OCF_RESKEY_ip=192.0.2.100 OCF_RESKEY_nic=eth9 "$RA/IPaddr" monitor
	run -6 ra a env OCF_RESKEY_program=curl OCF_RESKEY_hosts=x "$RA/check" validate-all
	run -6 ra a env OCF_RESKEY_program=httpcheck "$RA/check" validate-all
	run -6 ra a env OCF_RESKEY_program=httpcheck OCF_RESKEY_hosts=127.0.0.1 \
	    OCF_RESKEY_options=-Z "$RA/check" start
	[[ $output == *"httpcheck refused its options"* ]] || { echo "$output"; false; }
	run -3 ra a "$RA/IPaddr" promote
	run -3 ra a "$RA/check" migrate_to
	! on a 192.0.2.100
}

@test "IPaddr without garp: monitor and stop of an address not here answer 7 and 0 (no fencing for it), start 5" {
	local m s t
	mv "$PRE/usr/sbin/garp" "$PRE/usr/sbin/garp.away"
	m=0 s=0 t=0
	ra a env OCF_RESKEY_ip=192.0.2.100 "$RA/IPaddr" monitor >/dev/null 2>&1 || m=$?
	ra a env OCF_RESKEY_ip=192.0.2.100 "$RA/IPaddr" stop >/dev/null 2>&1 || s=$?
	run ra a env OCF_RESKEY_ip=192.0.2.100 "$RA/IPaddr" start
	t=$status
	mv "$PRE/usr/sbin/garp.away" "$PRE/usr/sbin/garp"
	[ "$m" = 7 ] && [ "$s" = 0 ] && [ "$t" = 5 ] || { echo "monitor $m stop $s start $t"; false; }
	[[ $output == *"garp not found"* ]]
}

@test "crm_resource drives check: start waits for the service, a failed check fails the monitor, not running after stop" {
	need crm_resource pacemaker-cli-utils
	local o=(program=httpcheck hosts=127.0.0.1 "options=-p 8080 -s healthy -t 500ms")
	# nothing answers yet: start gives up within half its 6 s timeout
	crm force-start check "${o[@]}"
	[ "$rc" = 1 ] || { echo "$output"; false; }
	[[ $output == *"httpcheck failed: 127.0.0.1"* ]] || { echo "$output"; false; }
	crm force-check check "${o[@]}"
	[ "$rc" = 7 ] || { echo "$output"; false; }
	# the service comes a second after start began: start waits for it
	(sleep 1; exec ip netns exec "$(ns a)" "$HAKIT_BINDIR/t/hkhttpd" -a 127.0.0.1 -p 8080 \
	    -b healthy) </dev/null >/dev/null 2>&1 3>&- &
	echo "$!" >"$(hk_scope)/.bg.web.pid"
	crm force-start check "${o[@]}"
	[ "$rc" = 0 ] || { echo "$output"; false; }
	crm force-check check "${o[@]}"
	[ "$rc" = 0 ] || { echo "$output"; false; }
	bg_stop "$(cat "$(hk_scope)/.bg.web.pid")"
	crm force-check check "${o[@]}"
	[ "$rc" = 1 ] || { echo "$output"; false; }
	crm force-stop check "${o[@]}"
	[ "$rc" = 0 ] || { echo "$output"; false; }
	crm force-check check "${o[@]}"
	[ "$rc" = 7 ] || { echo "$output"; false; }
}

@test "hbnode export prints the cluster's CIB, valid for crm_verify: groups of hakit's and the system's agents, the home node, stickiness" {
	need crm_verify pacemaker-cli-utils
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n master export
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/cib.xml"
	run -0 timeout 20 crm_verify --xml-file "$BATS_TEST_TMPDIR/cib.xml" -V
	[ -z "$output" ] || { echo "$output"; false; }
	local x
	x=$(cat "$BATS_TEST_TMPDIR/cib.xml")
	[[ $x == *'<group id="group_1">'*'type="IPaddr"'*'name="ip" value="192.0.2.100"'*'name="cidr_netmask" value="24"'*'name="nic" value="lo"'*'name="iflabel" value="web"'*'name="lease" value="3000ms"'*'class="service" type="web"'*'<group id="group_2">'*'value="2001:db8::100"'*'provider="heartbeat" type="Filesystem"'*'name="directory" value="/srv"'* ]] ||
	    { echo "$x"; false; }
	[[ $x == *'<rsc_location id="group_1-home" rsc="group_1" node="master" score="100"/>'* ]]
	[[ $x == *'<rsc_location id="group_2-home" rsc="group_2" node="slave" score="100"/>'* ]]
	# auto_failback on (heartbeat's default, legacy): no stickiness
	[[ $x == *'name="resource-stickiness" value="0"'* ]]
	[[ $x != *ping* ]]
	# web is no init script: said, and exported all the same
	[[ $stderr == *"web: $C/resource.d/web is not in /etc/init.d"* ]] || { echo "$stderr"; false; }
	echo "auto_failback off" >>"$C/ha.cf"
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n master export
	[[ $output == *'name="resource-stickiness" value="200"'* ]]
	# as installed, with a clean environment
	if [ -s "$BATS_FILE_TMPDIR/pre" ]; then
		run -0 --separate-stderr env -i PATH=/usr/bin:/bin \
		    "$(cat "$BATS_FILE_TMPDIR/pre")/usr/sbin/hbnode" -c "$C" -n master export
		[[ $output == *'<cib '* ]]
	fi
}

@test "hbnode export: crm_simulate puts each group on its home node, ping nodes move it to the node reaching more, never to one reaching none" {
	need crm_simulate pacemaker-cli-utils
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n slave export
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/cib.xml"
	simulate "$BATS_TEST_TMPDIR/cib.xml" master slave third
	[[ $output == *"Revised Cluster Status"*"IPaddr_192.0.2.100"*"Started master"*"IPaddr_2001_db8__100"*"Started slave"* ]] ||
	    { echo "$output"; false; }
	printf '%s\n' "ping 198.51.100.1" "ping_group gw 198.51.100.2 198.51.100.3" >>"$C/ha.cf"
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n slave export
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/cib.xml"
	run -0 timeout 20 crm_verify --xml-file "$BATS_TEST_TMPDIR/cib.xml" -V
	[[ $(cat "$BATS_TEST_TMPDIR/cib.xml") == *'type="ping"'*'name="host_list" value="198.51.100.1 198.51.100.2 198.51.100.3"'* ]]
	# master reaches one ping host, slave two, third none
	simulate "$BATS_TEST_TMPDIR/cib.xml" master=1000 slave=2000 third=0
	[[ $output == *"Revised Cluster Status"*"IPaddr_192.0.2.100"*"Started slave"*"IPaddr_2001_db8__100"*"Started slave"* ]] ||
	    { echo "$output"; false; }
	# both reach them all: home again; third never
	simulate "$BATS_TEST_TMPDIR/cib.xml" master=3000 slave=3000 third=0
	[[ $output == *"Revised Cluster Status"*"IPaddr_192.0.2.100"*"Started master"*"IPaddr_2001_db8__100"*"Started slave"* ]] ||
	    { echo "$output"; false; }
	simulate "$BATS_TEST_TMPDIR/cib.xml" third=0
	[[ $output == *"Revised Cluster Status"*"IPaddr_192.0.2.100"*"Stopped"* ]] || { echo "$output"; false; }
}

@test "hbnode export: a node name with -- keeps the XML well formed (its comment)" {
	need xmllint libxml2-utils
	sed -i 's/^node master$/node a--b/' "$C/ha.cf"
	sed -i 's/^master /a--b /' "$C/haresources"
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n slave export
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/cib.xml"
	xmllint --noout "$BATS_TEST_TMPDIR/cib.xml"
	crm_verify --xml-file "$BATS_TEST_TMPDIR/cib.xml"
}

@test "hbnode export refuses a script with arguments it knows no agent for: the haresources line, exit 2, nothing printed" {
	printf '#!/bin/sh\nexit 0\n' >"$C/resource.d/db"
	chmod 755 "$C/resource.d/db"
	printf '%s\n' "master 192.0.2.100 web" "slave 192.0.2.101 db::main::5432" >"$C/haresources"
	run -2 --separate-stderr timeout 20 hbnode -c "$C" -n master export
	[ -z "$output" ]
	[[ $stderr == *"$C/haresources:2: db::main::5432: no Pacemaker agent known"* ]] || { echo "$stderr"; false; }
	run -2 --separate-stderr timeout 20 hbnode -c "$C" -n master export now
	[[ $stderr == *"export takes no argument"* ]]
}

@test "hbnode export: the howto's mon resource is said not to carry over, with ocf:hakit:check as the way" {
	cp "$HK_TOP/examples/init.d/hbmon" "$C/resource.d/mon"
	chmod 755 "$C/resource.d/mon"
	printf '%s\n' "master 192.0.2.100 web mon" >"$C/haresources"
	run -0 --separate-stderr timeout 20 hbnode -c "$C" -n master export
	[[ $stderr == *"mon: hbmon and bring-ha-down.alert do not carry over to Pacemaker"*"ocf:hakit:check"* ]] ||
	    { echo "$stderr"; false; }
	[[ $stderr != *"mon: $C/resource.d/mon is not in /etc/init.d"* ]]
}

@test "hakit-ocf(7) has an entry for every parameter and names every action of the agents' meta-data, and lints clean" {
	command -v mandoc >/dev/null || skip "needs mandoc (apt-get install mandoc)"
	local src=$HK_TOP/share/man/hakit-ocf.7 a p
	run -0 mandoc -Tlint -W warning "$src"
	for a in IPaddr check; do
		run -0 "$HK_TOP/share/ocf/$a" meta-data
		for p in $(printf '%s\n' "$output" | sed -n 's/.*<parameter name="\([a-z_]*\)".*/\1/p'); do
			grep -qx ".It Ar $p" "$src" || { echo "$a: no entry '.It Ar $p' in hakit-ocf(7)"; false; }
		done
		for p in $(printf '%s\n' "$output" | sed -n 's/.*<action name="\([a-z-]*\)".*/\1/p'); do
			grep -q "Cm $p" "$src" || { echo "$a: action $p not in hakit-ocf(7)"; false; }
		done
	done
}
