# t/helpers/netns.bash - the network-namespace fixture (loaded by common.bash).
#
#   need_netns                  skip the test, saying why, unless we can make
#                               namespaces (root, ip(8), a working netns)
#   ns_new NAME...              make namespaces, lo up; NAME is short ("a")
#   ns NAME                     the real name of namespace NAME
#   nsx NAME CMD...             run CMD inside namespace NAME
#   ns_veth A IFA B IFB         a veth pair: IFA in A, IFB in B, both up
#   ns_bridge BR                namespace BR with a bridge br0, up
#   ns_port BR NODE IF          veth from NODE (named IF) to BR's br0
#   ns_addr NAME IF ADDR/LEN    add an address (nodad for IPv6)
#   ns_mac NAME IF              print IF's MAC address
#
# Names are unique per test file (hk<ID>-NAME), and every namespace
# made is recorded in the scope's tmpdir and deleted by hk_cleanup, with
# any process still inside it, even after a failure.  Veth pairs are made
# straight inside their namespaces: nothing touches the host's own.

need_netns() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "needs root to create network namespaces"
	fi
	if ! command -v ip >/dev/null 2>&1; then
		skip "needs ip(8) from iproute2 to create network namespaces"
	fi
	if [ -z "${HK_NETNS_OK:-}" ]; then
		local probe="hkprobe$$"
		if ! ip netns add "$probe" 2>/dev/null; then
			skip "cannot create network namespaces here (ip netns add failed)"
		fi
		ip netns del "$probe"
		HK_NETNS_OK=1
	fi
}

# One id per test file, shared by setup_file and the tests, so that "a"
# names the same namespace in both; files run at once get different ids.
ns() {
	if [ -z "${HK_NSID:-}" ]; then
		if [ -s "$BATS_FILE_TMPDIR/.nsid" ]; then
			HK_NSID=$(cat "$BATS_FILE_TMPDIR/.nsid")
		else
			HK_NSID=$$
			echo "$HK_NSID" >"$BATS_FILE_TMPDIR/.nsid"
		fi
	fi
	printf 'hk%s-%s\n' "$HK_NSID" "$1"
}

nsx() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

ns_new() {
	local scope full n
	scope=$(hk_scope)
	for n in "$@"; do
		full=$(ns "$n")
		# A namespace of that name left by a killed earlier run is ours.
		ip netns del "$full" 2>/dev/null || true
		ip netns add "$full" || return 1
		echo "$full" >>"$scope/.netns"
		ip -n "$full" link set lo up || return 1
	done
}

ns_veth() {
	ip link add name "$2" netns "$(ns "$1")" type veth \
		peer name "$4" netns "$(ns "$3")" || return 1
	ip -n "$(ns "$1")" link set "$2" up &&
		ip -n "$(ns "$3")" link set "$4" up
}

ns_bridge() {
	ns_new "$1" || return 1
	ip -n "$(ns "$1")" link add br0 type bridge || return 1
	# Forward at once: no STP learning delay in tests.
	ip -n "$(ns "$1")" link set br0 type bridge forward_delay 0 stp_state 0
	ip -n "$(ns "$1")" link set br0 up
}

ns_port() {
	local br=$1 node=$2 ifname=$3 port
	port="p-$node"
	port=${port:0:15}
	ns_veth "$node" "$ifname" "$br" "$port" || return 1
	ip -n "$(ns "$br")" link set "$port" master br0
}

ns_addr() {
	local n=$1 ifname=$2 a=$3
	shift 3
	case $a in
	*:*) ip -n "$(ns "$n")" addr add "$a" dev "$ifname" nodad "$@" ;;
	*) ip -n "$(ns "$n")" addr add "$a" dev "$ifname" "$@" ;;
	esac
}

ns_mac() {
	nsx "$1" cat "/sys/class/net/$2/address"
}

# Deletes the namespaces recorded in scope dir $1, killing what runs there.
ns_cleanup() {
	local scope=$1 full pids
	[ -f "$scope/.netns" ] || return 0
	while IFS= read -r full; do
		[ -n "$full" ] || continue
		pids=$(ip netns pids "$full" 2>/dev/null || true)
		if [ -n "$pids" ]; then
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null || true
		fi
		ip netns del "$full" 2>/dev/null || true
	done <"$scope/.netns"
	rm -f "$scope/.netns"
}
