#!/usr/bin/env bats
# Heartbeat configurations as people wrote them (t/configs/*): hbnode
# check reads each one without an "unknown" or an error, and two nodes
# in network namespaces run it: each group on its home node, and on the
# survivor when the other dies.  The lab: node1, node2 and a client cl
# on one LAN (eth0, 192.0.2.0/24), node1 and node2 also on a second one
# (eth1, 198.51.100.0/24), as a crossover cable.

load helpers/common
load helpers/ha

CONFIGS=$BATS_TEST_DIRNAME/configs

setup() {
	ha_need hbsend hbrecv vipctl garp pingcheck
	ns_bridge sw
	ns_bridge xo
	ns_new node1 node2 cl
	ns_port sw node1 eth0
	ns_port sw node2 eth0
	ns_port sw cl eth0
	ns_port xo node1 eth1
	ns_port xo node2 eth1
	ns_addr node1 eth0 192.0.2.1/24 brd +
	ns_addr node2 eth0 192.0.2.2/24 brd +
	ns_addr cl eth0 192.0.2.9/24 brd +
	ns_addr node1 eth1 198.51.100.1/24 brd +
	ns_addr node2 eth1 198.51.100.2/24 brd +
}

# install_conf NAME NODE: t/configs/NAME as NODE's CONFDIR, unchanged but
# for the log files' place; an authkeys with Windows line ends; the
# services web and db as pid-file scripts answering NODE.
install_conf() {
	local d
	d=$(ha_dir "$2")
	mkdir -p "$d/ha.d/resource.d" "$d/run"
	cp "$CONFIGS/$1/ha.cf" "$CONFIGS/$1/haresources" "$d/ha.d/"
	sed -i "s|/var/log/|$d/|" "$d/ha.d/ha.cf"
	printf 'auth 1\r\n1 sha1 Not So Secret\r\n' >"$d/ha.d/authkeys"
	chmod 600 "$d/ha.d/authkeys"
	ha_pid_resource "$d" web "hkhttpd -p 80 -b WEB-$2 </dev/null >/dev/null 2>>$d/web.err"
	ha_pid_resource "$d" db "hkhttpd -p 81 -b DB-$2 </dev/null >/dev/null 2>>$d/db.err"
}

cf_hb() {
	local n=$1 d
	shift
	d=$(ha_dir "$n")
	nsx "$n" timeout 70 hbnode -c "$d/ha.d" -n "$n" -s "$d/run" -l "$d/lib" "$@"
}

cf_start() {
	local d
	d=$(ha_dir "$1")
	bg_start -n "$1" -o "$d/out" -e "$d/err" \
	    hbnode -c "$d/ha.d" -n "$1" -s "$d/run" -l "$d/lib" start
}

# on NODE ADDR: ADDR is on NODE's eth0.
on() {
	nsx "$1" ip -o -4 addr show dev eth0 2>/dev/null | grep -q " $2/"
}

# only NODE ADDR: on NODE and not on the other.
only() {
	local other=node1
	[ "$1" = node1 ] && other=node2
	on "$1" "$2" && ! on "$other" "$2"
}

# answer ADDR PORT: what the client gets.
answer() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	nsx cl timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
	    printf "GET / HTTP/1.0\r\n\r\n" >&3; sed -n "\$p" <&3' _ "$1" "$2" 2>/dev/null
}

logs() {
	cat "$(ha_dir node1)/ha-log" "$(ha_dir node1)/err" \
	    "$(ha_dir node2)/ha-log" "$(ha_dir node2)/err" 2>/dev/null || true
}

# checked NAME: both nodes' check reads it: no error, no "unknown".
checked() {
	local n
	for n in node1 node2; do
		install_conf "$1" "$n"
		run -0 --separate-stderr cf_hb "$n" check
		[[ $stderr != *unknown* ]] || { echo "$stderr"; false; }
	done
}

@test "every configuration in t/configs is read by check without an error or an unknown directive" {
	local c n
	for c in "$CONFIGS"/*/; do
		c=${c%/}
		checked "${c##*/}"
	done
}

@test "active/active (mixed-case names and booleans, CRLF haresources, labels, a broadcast): each node its group, the survivor both" {
	checked active-active
	cf_start node1
	cf_start node2
	wait_until 20 eval 'only node1 192.0.2.100 && only node2 192.0.2.101' || { logs; false; }
	wait_until 10 eval '[ "$(answer 192.0.2.100 80)" = WEB-node1 ]'
	wait_until 10 eval '[ "$(answer 192.0.2.101 81)" = DB-node2 ]'
	# the label heartbeat's IPaddr gave it
	nsx node1 ip -o -4 addr show dev eth0 | grep -q "192.0.2.100/24 .*eth0:0"
	cf_hb node2 stop
	wait_until 20 eval 'only node1 192.0.2.101' || { logs; false; }
	wait_until 10 eval '[ "$(answer 192.0.2.101 81)" = DB-node1 ]'
	# back (auto_failback On): the database returns to node2
	cf_start node2
	wait_until 25 eval 'only node2 192.0.2.101 && only node1 192.0.2.100' || { logs; false; }
}

@test "ping nodes with ipfail's respawn line: ipfail is not needed; the node cut from the router hands over" {
	checked ping-nodes
	[[ $stderr == *"ipfail"*"not needed"* ]]
	cf_start node1
	cf_start node2
	wait_until 20 only node1 192.0.2.100 || { logs; false; }
	wait_until 15 grep -q "node2 reaches 1 of its 1 ping node" "$(ha_dir node2)/ha-log" || { logs; false; }
	nsx node1 nft add table inet cut
	nsx node1 nft add chain inet cut out '{ type filter hook output priority 0; }'
	nsx node1 nft add rule inet cut out ip daddr 192.0.2.9 icmp type echo-request drop
	wait_until 20 only node2 192.0.2.100 || { logs; false; }
	wait_until 10 eval '[ "$(answer 192.0.2.100 80)" = WEB-node2 ]'
}

@test "two media (bcast eth0, mcast eth1): the crossover cut is a link event, not a failover" {
	checked two-media
	cf_start node1
	cf_start node2
	wait_until 20 only node1 192.0.2.100 || { logs; false; }
	wait_until 10 grep -q "node node2: is up" "$(ha_dir node1)/ha-log"
	ip -n "$(ns xo)" link set p-node1 down
	wait_until 10 grep -q "link node2 .*eth1 dead" "$(ha_dir node1)/ha-log" || { logs; false; }
	stays_true 2 only node1 192.0.2.100
	! grep -q "node2 taking over" "$(ha_dir node2)/ha-log"
}
