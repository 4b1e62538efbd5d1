# shellcheck shell=sh
# share/sh/wanfailover.sh - the body of wanfailover(8), sourced by
# share/wanfailover after common.sh:
#
#   wf_load FILE    read and check the configuration; exit 2 with
#                   "FILE:LINE: reason" on any fault, before anything
#                   is changed
#   wf_check        check it against the system as it is now (each
#                   gateway on its uplink's subnet, not our own address;
#                   every uplink has an IPv4 address), the same way
#   wf_setup        wf_check, then forwarding, NAT, LAN forwarding rules,
#                   probe routes; idempotent, prints what it changed
#   wf_start        wf_setup, then pingcheck per uplink | gwswitch | hooks,
#                   in the foreground until SIGTERM
#   wf_stop         stop a running wf_start
#   wf_status       each uplink's state, RTT, loss, and the route holder

# Set by wf_get (and wf_load), read everywhere.
name="" iface="" gw="" targets="" ntg=""

# --- checking words -------------------------------------------------------

wf_is_ipv4() {
	case $1 in
	*[!0-9.]*|*..*|.*|*.) return 1 ;;
	esac
	printf '%s\n' "$1" | awk -F. 'NF != 4 { exit 1 }
	    { for (i = 1; i <= 4; i++)
		if (length($i) > 3 || $i + 0 > 255 ||
		    (length($i) > 1 && substr($i, 1, 1) == "0")) exit 1 }'
}

wf_is_net() {
	case $1 in
	*/*) ;;
	*) return 1 ;;
	esac
	wf_is_ipv4 "${1%/*}" || return 1
	case ${1#*/} in
	''|*[!0-9]*) return 1 ;;
	esac
	[ "${1#*/}" -le 32 ]
}

wf_is_count() {
	case $1 in
	''|*[!0-9]*|0*) return 1 ;;
	esac
	[ "${#1}" -le 6 ]
}

wf_is_name() {
	case $1 in
	''|*[!A-Za-z0-9_.-]*) return 1 ;;
	*[!0-9]*) ;;
	*) return 1 ;;
	esac
	[ "${#1}" -le 31 ]
}

# 1 when the IPv4 addresses A and NET/LEN share the prefix.
wf_in_net() {
	printf '%s %s\n' "$1" "$2" | awk '
	    function num(s,   p) { split(s, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
	    { split($2, n, "/"); len = n[2]; a = num($1); b = num(n[1])
	      m = 2 ^ (32 - len); exit !(int(a / m) == int(b / m)) }'
}

# Asks the kernel (not /sys, which may show another namespace).
wf_have_if() {
	case $1 in
	''|*/*|-*) return 1 ;;
	esac
	ip -o link show dev "$1" >/dev/null 2>&1
}

# --- the configuration -----------------------------------------------------

wf_err() {
	hk_die "$HK_USAGE" "$wf_conf:$wf_line: $*"
}

# wf_load FILE: sets wf_lan_if wf_lan_net wf_n wf_up_I (name iface gw
# targets), wf_interval ... ; exits 2 on the first fault.
wf_load() {
	wf_conf=$1
	[ -r "$wf_conf" ] || hk_die "$HK_USAGE" "$wf_conf: cannot read the configuration"
	wf_lan_if="" wf_lan_net="" wf_n=0 wf_names=" " wf_ifs=" "
	wf_interval=500ms wf_timeout="" wf_down=3 wf_up=5 wf_minup=1
	wf_table=main wf_probetable=100 wf_hooks="$HK_SHARE/hooks.d"
	wf_rundir=/run/hakit/wanfailover wf_nat=auto wf_natmode=masquerade
	wf_line=0
	while IFS= read -r l || [ -n "$l" ]; do
		wf_line=$((wf_line + 1))
		l=${l%%#*}
		set -f
		# shellcheck disable=SC2086 # splitting the line into words
		set -- $l
		set +f
		[ $# -gt 0 ] || continue
		k=$1
		shift
		case $k in
		lan)
			[ $# -eq 2 ] || wf_err "want: lan IFACE NETWORK/LEN"
			[ -z "$wf_lan_if" ] || wf_err "a second lan line"
			wf_is_net "$2" || wf_err "bad LAN network '$2' (want IPv4 ADDRESS/LEN)"
			wf_have_if "$1" || wf_err "no such interface '$1'"
			wf_lan_if=$1 wf_lan_net=$2 ;;
		uplink)
			[ $# -ge 4 ] || wf_err "want: uplink NAME IFACE GATEWAY TARGET..."
			wf_is_name "$1" || wf_err "bad uplink name '$1' (letters, digits, '.', '_', '-'; not all digits)"
			case $wf_names in *" $1 "*) wf_err "uplink '$1' given twice" ;; esac
			case $wf_ifs in *" $2 "*) wf_err "interface '$2' already used by another uplink" ;; esac
			wf_have_if "$2" || wf_err "no such interface '$2'"
			wf_is_ipv4 "$3" || wf_err "bad gateway '$3' (want a numeric IPv4 address)"
			# shellcheck disable=SC2034 # read through eval below
			n=$1 i=$2 g=$3
			shift 3
			for t in "$@"; do
				wf_is_ipv4 "$t" || wf_err "bad probe target '$t' (want a numeric IPv4 address)"
			done
			wf_n=$((wf_n + 1))
			eval "wf_name_$wf_n=\$n wf_if_$wf_n=\$i wf_gw_$wf_n=\$g wf_tg_$wf_n=\"\$*\" wf_ntg_$wf_n=\$# wf_ln_$wf_n=\$wf_line"
			wf_names="$wf_names$n " wf_ifs="$wf_ifs$i " ;;
		interval|timeout)
			[ $# -eq 1 ] || wf_err "want: $k DURATION"
			ms=$(hk_dur_ms "$1") || wf_err "bad duration '$1' (want e.g. 200ms, 1s)"
			[ "$ms" -gt 0 ] || wf_err "$k must be more than 0"
			eval "wf_$k=\$1" ;;
		down|up|minup)
			[ $# -eq 1 ] || wf_err "want: $k COUNT"
			wf_is_count "$1" || wf_err "bad count '$1' (want a number from 1)"
			eval "wf_$k=\$1" ;;
		table)
			[ $# -eq 1 ] || wf_err "want: table main|NUMBER"
			case $1 in
			main) ;;
			*)
				if ! wf_is_count "$1" || [ "$1" -eq 255 ]; then
					wf_err "bad table '$1' (want main or a number other than 255)"
				fi ;;
			esac
			wf_table=$1 ;;
		probetable)
			[ $# -eq 1 ] || wf_err "want: probetable NUMBER"
			if ! wf_is_count "$1" || [ "$1" -gt 250 ]; then
				wf_err "bad probetable '$1' (want 1 to 250)"
			fi
			wf_probetable=$1 ;;
		hooks|rundir)
			[ $# -eq 1 ] || wf_err "want: $k DIRECTORY"
			case $1 in /*) ;; *) wf_err "$k wants an absolute path" ;; esac
			eval "wf_$k=\$1" ;;
		nat)
			[ $# -eq 1 ] || wf_err "want: nat auto|nft|iptables|none"
			case $1 in auto|nft|iptables|none) ;; *) wf_err "bad nat '$1' (want auto, nft, iptables or none)" ;; esac
			wf_nat=$1 ;;
		natmode)
			[ $# -eq 1 ] || wf_err "want: natmode masquerade|snat"
			case $1 in masquerade|snat) ;; *) wf_err "bad natmode '$1' (want masquerade or snat)" ;; esac
			wf_natmode=$1 ;;
		*)
			wf_err "unknown keyword '$k'" ;;
		esac
	done <"$wf_conf"
	wf_line=$((wf_line + 1))
	[ -n "$wf_lan_if" ] || wf_err "no lan line"
	[ "$wf_n" -ge 1 ] || wf_err "no uplink line"
	case $wf_ifs in *" $wf_lan_if "*) wf_err "the lan interface is also an uplink" ;; esac
	k=1
	while [ "$k" -le "$wf_n" ]; do
		eval "wf_line=\$wf_ln_$k ntg=\$wf_ntg_$k"
		[ "$wf_minup" -le "$ntg" ] ||
			wf_err "minup $wf_minup is more than this uplink's $ntg probe targets"
		k=$((k + 1))
	done
	if [ "$wf_table" != main ] && [ "$wf_table" -ge "$wf_probetable" ] &&
	    [ "$wf_table" -lt $((wf_probetable + wf_n)) ]; then
		wf_err "table $wf_table is one of the probe tables ($wf_probetable and up)"
	fi
	if [ "$wf_nat" = auto ]; then
		if command -v nft >/dev/null 2>&1; then wf_nat=nft; else wf_nat=iptables; fi
	fi
}

# wf_gwcheck GW IFACE: how GW stands on IFACE, judged as the kernel
# judges a nexthop: from IFACE's IPv4 addresses (a peer's prefix for a
# point-to-point one) and the main table's direct routes through it.
# Prints "ok", "noaddr", "bcast ADDR/LEN" (GW is that subnet's broadcast
# address) or "offnet ADDR/LEN..." (IFACE's addresses).
wf_gwcheck() {
	{
		ip -o -4 addr show dev "$2" 2>/dev/null | awk '
		    { for (i = 1; i < NF; i++) if ($i == "inet") {
			a = $(i + 1)
			print "addr", a, ($(i + 2) == "peer") ? $(i + 3) : a
		    } }'
		ip -4 route show table main dev "$2" 2>/dev/null |
		    awk '$1 ~ /^[0-9]/ && !/ via / { print "route", $1, $1 }'
	} | awk -v gw="$1" '
	    function num(s,   p) { split(s, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
	    { n = split($3, q, "/"); len = (n == 2) ? q[2] : 32
	      m = 2 ^ (32 - len); g = num(gw); b = int(num(q[1]) / m) * m
	      if ($1 == "addr") { na++; addrs = addrs " " $2 }
	      if (int(g / m) * m != b) next
	      if ($1 == "addr" && len < 31 && g == b + m - 1) bc = $2
	      else ok = 1 }
	    END {
		if (!na) print "noaddr"
		else if (bc != "") print "bcast", bc
		else if (ok) print "ok"
		else print "offnet" addrs
	    }'
}

# wf_owner ADDR: the interface holding ADDR on this router, or nothing.
wf_owner() {
	ip -o -4 addr show 2>/dev/null | awk -v a="$1" '
	    { for (i = 1; i < NF; i++) if ($i == "inet") {
		x = $(i + 1); sub(/\/.*/, "", x)
		if (x == a) { sub(/@.*/, "", $2); print $2; exit }
	    } }'
}

# wf_check: what the configuration says against the system as it is:
# each fault that would otherwise stop setup half-way (or leave a route
# through nowhere), with the uplink's line, exit 2.
wf_check() {
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		eval "wf_line=\$wf_ln_$k"
		o=$(wf_owner "$gw")
		[ -z "$o" ] || wf_err "gateway $gw is this router's own address (on $o)"
		set -f
		# shellcheck disable=SC2046 # its words
		set -- $(wf_gwcheck "$gw" "$iface")
		set +f
		case ${1:-} in
		ok) ;;
		noaddr) wf_err "$iface has no IPv4 address" ;;
		bcast) wf_err "gateway $gw is the broadcast address of $2 on $iface" ;;
		offnet)
			shift
			wf_err "gateway $gw is not in a subnet of $iface ($*)" ;;
		*) hk_die "$HK_SYS" "cannot read the addresses of $iface" ;;
		esac
		k=$((k + 1))
	done
}

# wf_get K: sets name iface gw targets of uplink K.
wf_get() {
	eval "name=\$wf_name_$1 iface=\$wf_if_$1 gw=\$wf_gw_$1 targets=\$wf_tg_$1"
}

# The first IPv4 address of an interface, or nothing.
wf_ifaddr() {
	ip -o -4 addr show dev "$1" 2>/dev/null |
	    awk '{ sub(/\/.*/, "", $4); print $4; exit }'
}

# --- setup -----------------------------------------------------------------

wf_changed() {
	printf '%s\n' "$*"
}

wf_setup_forwarding() {
	f=/proc/sys/net/ipv4/ip_forward
	if [ "$(cat "$f")" != 1 ]; then
		echo 1 >"$f" || hk_die "$HK_SYS" "cannot turn on IP forwarding"
		wf_changed "forwarding on (net.ipv4.ip_forward=1)"
	fi
}

wf_nft_ruleset() {
	ifs="" k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		ifs="$ifs${ifs:+, }\"$iface\""
		k=$((k + 1))
	done
	printf 'table ip hakit_wan {\n'
	printf '\tchain postrouting {\n'
	printf '\t\ttype nat hook postrouting priority 100; policy accept;\n'
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		if [ "$wf_natmode" = snat ]; then
			a=$(wf_ifaddr "$iface")
			[ -n "$a" ] || hk_die "$HK_SYS" "$name: no IPv4 address on $iface to SNAT to"
			printf '\t\toifname "%s" ip saddr %s snat to %s\n' "$iface" "$wf_lan_net" "$a"
		else
			printf '\t\toifname "%s" ip saddr %s masquerade\n' "$iface" "$wf_lan_net"
		fi
		k=$((k + 1))
	done
	printf '\t}\n'
	printf '\tchain forward {\n'
	printf '\t\ttype filter hook forward priority 0; policy accept;\n'
	printf '\t\tiifname "%s" ip saddr %s oifname { %s } accept\n' \
	    "$wf_lan_if" "$wf_lan_net" "$ifs"
	printf '\t\tiifname { %s } oifname "%s" ct state established,related accept\n' \
	    "$ifs" "$wf_lan_if"
	# Port forwards the administrator adds (DNAT) stay possible.
	printf '\t\tiifname { %s } oifname "%s" ct status dnat accept\n' \
	    "$ifs" "$wf_lan_if"
	printf '\t\tiifname { %s } oifname "%s" drop\n' "$ifs" "$wf_lan_if"
	printf '\t}\n'
	printf '}\n'
}

wf_setup_nft() {
	rs=$(wf_nft_ruleset)
	sum=$(printf '%s\n' "$rs" | cksum | awk '{ print $1 }')
	tag="hakit-wanfailover-$sum"
	if nft list table ip hakit_wan 2>/dev/null | grep -q "comment \"$tag\""; then
		return 0
	fi
	# One transaction: the old table goes and the new comes at once.
	{
		printf 'table ip hakit_wan\ndelete table ip hakit_wan\n'
		printf '%s\n' "$rs" | awk -v tag="$tag" '
		    /(masquerade|snat to [0-9.]+)$/ && !done { print $0 " comment \"" tag "\""; done = 1; next }
		    { print }'
	} | nft -f - || hk_die "$HK_SYS" "nft refused the NAT rules"
	wf_changed "nat: nftables table ip hakit_wan loaded ($wf_natmode $wf_lan_net on$(wf_list_ifs); forward from $wf_lan_if)"
}

wf_list_ifs() {
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		printf ' %s' "$iface"
		k=$((k + 1))
	done
}

# wf_ipt_chain TABLE CHAIN HOOK: the chain holds exactly the rules on stdin
# and HOOK jumps to it.
wf_ipt_chain() {
	want=$(cat)
	if ! iptables -t "$1" -S "$2" >/dev/null 2>&1; then
		iptables -t "$1" -N "$2" || hk_die "$HK_SYS" "iptables cannot make chain $2"
		wf_changed "nat: iptables chain $1 $2 created"
	fi
	have=$(iptables -t "$1" -S "$2" | sed 1d)
	if [ "$have" != "$want" ]; then
		iptables -t "$1" -F "$2"
		printf '%s\n' "$want" | while IFS= read -r r; do
			[ -n "$r" ] || continue
			set -f
			# shellcheck disable=SC2086 # the rule's own words
			iptables -t "$1" $r || hk_die "$HK_SYS" "iptables refused: $r"
			set +f
		done
		wf_changed "nat: iptables chain $1 $2 loaded"
	fi
	if ! iptables -t "$1" -C "$3" -j "$2" 2>/dev/null; then
		iptables -t "$1" -A "$3" -j "$2"
		wf_changed "nat: iptables $1 $3 jumps to $2"
	fi
}

wf_setup_iptables() {
	command -v iptables >/dev/null 2>&1 ||
		hk_die "$HK_SYS" "neither nft nor iptables is installed"
	rules=$(
		k=1
		while [ "$k" -le "$wf_n" ]; do
			wf_get "$k"
			if [ "$wf_natmode" = snat ]; then
				a=$(wf_ifaddr "$iface")
				[ -n "$a" ] || hk_die "$HK_SYS" "$name: no IPv4 address on $iface to SNAT to"
				printf -- '-A HAKIT_WAN_NAT -s %s -o %s -j SNAT --to-source %s\n' "$wf_lan_net" "$iface" "$a"
			else
				printf -- '-A HAKIT_WAN_NAT -s %s -o %s -j MASQUERADE\n' "$wf_lan_net" "$iface"
			fi
			k=$((k + 1))
		done
	)
	printf '%s\n' "$rules" | wf_ipt_chain nat HAKIT_WAN_NAT POSTROUTING
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		printf -- '-A HAKIT_WAN_FWD -s %s -i %s -o %s -j ACCEPT\n' "$wf_lan_net" "$wf_lan_if" "$iface"
		printf -- '-A HAKIT_WAN_FWD -i %s -o %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n' "$iface" "$wf_lan_if"
		printf -- '-A HAKIT_WAN_FWD -i %s -o %s -m conntrack --ctstate DNAT -j ACCEPT\n' "$iface" "$wf_lan_if"
		printf -- '-A HAKIT_WAN_FWD -i %s -o %s -j DROP\n' "$iface" "$wf_lan_if"
		k=$((k + 1))
	done | wf_ipt_chain filter HAKIT_WAN_FWD FORWARD
}

# Each uplink's own table holds a default route through it, and the
# rules send what the probes send through that table (see pingcheck(8)).
wf_setup_probes() {
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		t=$((wf_probetable + k - 1))
		pref=$((1000 + k - 1))
		want="default via $gw dev $iface"
		have=$(ip -4 route show table "$t" default 2>/dev/null | sed 's/ *$//; s/ proto static//; s/ linkdown//')
		if [ "$have" != "$want" ]; then
			ip -4 route replace default via "$gw" dev "$iface" table "$t" proto static ||
				hk_die "$HK_SYS" "$name: cannot set the default route of table $t"
			wf_changed "probe route: table $t $want"
		fi
		a=$(wf_ifaddr "$iface")
		if [ -n "$a" ] && ! ip -4 rule show pref "$pref" | grep -q "from $a lookup $t\$"; then
			while ip -4 rule del pref "$pref" 2>/dev/null; do :; done
			ip -4 rule add pref "$pref" from "$a" lookup "$t" ||
				hk_die "$HK_SYS" "$name: cannot add the rule for $a"
			wf_changed "probe rule: pref $pref from $a lookup $t"
		fi
		if ! ip -4 rule show pref "$((pref + 100))" | grep -q "oif $iface lookup $t\$"; then
			while ip -4 rule del pref "$((pref + 100))" 2>/dev/null; do :; done
			ip -4 rule add pref "$((pref + 100))" oif "$iface" lookup "$t" ||
				hk_die "$HK_SYS" "$name: cannot add the rule for $iface"
			wf_changed "probe rule: pref $((pref + 100)) oif $iface lookup $t"
		fi
		k=$((k + 1))
	done
}

wf_setup() {
	wf_check
	wf_setup_forwarding
	case $wf_nat in
	nft) wf_setup_nft ;;
	iptables) wf_setup_iptables ;;
	esac
	wf_setup_probes
}

# --- start / stop ----------------------------------------------------------

# Runs every hook of the hooks directory with the event's arguments.
wf_hooks() {
	[ -d "$wf_hooks" ] || return 0
	for h in "$wf_hooks"/*; do
		case ${h##*/} in
		*~|*.dpkg-*|.*|README*) continue ;;
		esac
		if [ ! -f "$h" ] || [ ! -x "$h" ]; then
			continue
		fi
		timeout 20 "$h" "$@" >&2 || hk_warn "hook ${h##*/} failed (status $?)"
	done
}

# Reads gwswitch's output, keeps the record, runs the hooks.
wf_events() {
	from=-
	while IFS=' ' read -r ev a b c; do
		printf '%s %s %s %s\n' "$ev" "$a" "$b" "$c" | sed 's/ *$//' >>"$wf_rundir/events"
		case $ev in
		switch)
			from=$a ;;
		route)
			printf '%s\n' "$a" >"$wf_rundir/route"
			fi_=- fg_=-
			k=1
			while [ "$k" -le "$wf_n" ]; do
				wf_get "$k"
				if [ "$name" = "$from" ]; then fi_=$iface fg_=$gw; fi
				k=$((k + 1))
			done
			wf_hooks switch "$from" "$a" "$fi_" "$fg_" "$c" "$b" ;;
		all-down)
			kept=${a#kept=} ki_=- kg_=-
			k=1
			while [ "$k" -le "$wf_n" ]; do
				wf_get "$k"
				if [ "$name" = "$kept" ]; then ki_=$iface kg_=$gw; fi
				k=$((k + 1))
			done
			wf_hooks all-down "$kept" "$ki_" "$kg_" ;;
		esac
	done
}

# One uplink's stream: pingcheck's lines with the name in front, and its
# latest round and state kept for wf_status.
wf_stream() {
	while IFS= read -r l; do
		printf '%s %s\n' "$1" "$l"
		case $l in
		state\ *) printf '%s\n' "${l#state }" >"$wf_rundir/$1.state" ;;
		*) printf '%s\n' "$l" >"$wf_rundir/$1.last" ;;
		esac
	done
}

# A running wf_start of this run directory: its pid in wf_pid, proven by
# its start time (a pid file left by a crash may name another process).
wf_running() {
	wf_pid=
	# shellcheck disable=SC2154 # hk_pid: set by hk_pid_read (common.sh)
	hk_pid_read "$wf_rundir/pid" >/dev/null && wf_pid=$hk_pid
}

wf_kill_children() {
	for f in "$wf_rundir"/*.pid; do
		[ -f "$f" ] || continue
		# only a child of ours: a pid file may outlive its process
		if p=$(hk_pid_read "$f"); then
			kill -TERM "$p" 2>/dev/null || true
		fi
		rm -f "$f"
	done
}

wf_stop_children() {
	: >"$wf_rundir/stopping"
	wf_kill_children
}

# What a run leaves once it has stopped: the events of the run, nothing
# else (wanfailover(8), FILES).
wf_clean() {
	rm -f "$wf_rundir/pid" "$wf_rundir/health" "$wf_rundir/stopping" \
	    "$wf_rundir"/*.state "$wf_rundir"/*.last "$wf_rundir/route" \
	    "$wf_rundir/repair.err"
}

wf_start() {
	wf_check
	pc=$(hk_bin pingcheck) || hk_die "$HK_SYS" "pingcheck not found"
	gs=$(hk_bin gwswitch) || hk_die "$HK_SYS" "gwswitch not found"
	mkdir -p "$wf_rundir" || hk_die "$HK_SYS" "cannot make $wf_rundir"
	if wf_running; then
		hk_die "$HK_NO" "already running (pid $wf_pid)"
	fi
	wf_setup
	rm -f "$wf_rundir"/*.pid "$wf_rundir"/*.state "$wf_rundir"/*.last \
	    "$wf_rundir/route" "$wf_rundir/health" "$wf_rundir/events" \
	    "$wf_rundir/stopping" "$wf_rundir/repair.err"
	hk_pid_write "$wf_rundir/pid" || hk_die "$HK_SYS" "cannot write $wf_rundir/pid"
	mkfifo "$wf_rundir/health"
	trap 'wf_stop_children' TERM INT HUP
	trap 'wf_stop_children; wf_clean' EXIT
	# A SIGKILLed wanfailover runs no trap: this watchdog then stops
	# what it started, so that no gwswitch or prober runs on
	# unsupervised (and a new start does not run beside them).
	wf_main=$$
	(
		while hk_alive "$wf_main"; do
			sleep 1
		done
		rm -f "$wf_rundir/watchdog.pid"
		wf_stop_children
	) </dev/null >/dev/null &
	hk_pid_write "$wf_rundir/watchdog.pid" "$!" || true

	# The children are stopped with TERM: a wait on one of them keeps
	# dash's "Terminated" (a job message, not the child's) off stderr.
	set --
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		set -- "$@" "$name=$gw@$iface"
		k=$((k + 1))
	done
	(
		"$gs" -t "$wf_table" -u "$wf_up" "$@" <"$wf_rundir/health" &
		hk_pid_write "$wf_rundir/gwswitch.pid" "$!" || true
		wait "$!" 2>/dev/null
	) | wf_events &
	evpid=$!
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		set -f
		# shellcheck disable=SC2086 # the targets are words
		set -- $targets
		set +f
		if [ -n "$wf_timeout" ]; then
			set -- -t "$wf_timeout" "$@"
		fi
		# A pingcheck that dies leaves its uplink down and is restarted.
		(
			while [ ! -e "$wf_rundir/stopping" ]; do
				"$pc" -f -i "$wf_interval" -d "$wf_down" \
				    -u "$wf_up" -a "$wf_minup" -I "$iface" \
				    -g "$gw" "$@" &
				hk_pid_write "$wf_rundir/$name.pid" "$!" || true
				st=0
				wait "$!" 2>/dev/null || st=$?
				[ ! -e "$wf_rundir/stopping" ] || break
				hk_warn "$name: pingcheck ended (status $st); the uplink counts as down; restarting it in 1s"
				echo "state down"
				sleep 1
			done
		) | wf_stream "$name" >"$wf_rundir/health" &
		k=$((k + 1))
	done
	# An uplink's port set down takes its probe route along, a new
	# address needs a new rule: repair them on every link or address
	# event, retrying while the kernel is still bringing the link up.
	(
		ip -o -4 monitor link address &
		hk_pid_write "$wf_rundir/monitor.pid" "$!" || true
		wait "$!" 2>/dev/null
	) | while IFS= read -r _; do
		i=0
		until (wf_setup_probes) >&2 2>"$wf_rundir/repair.err"; do
			i=$((i + 1))
			if [ "$i" -ge 10 ]; then
				cat "$wf_rundir/repair.err" >&2
				break
			fi
			sleep 0.5
		done
	done &
	# Ends when gwswitch's reader does: on SIGTERM the trap stops the
	# children, gwswitch reads the end of its input and exits.
	while :; do
		wait "$evpid" || true
		if ! hk_alive "$evpid"; then
			break
		fi
	done
	if [ ! -e "$wf_rundir/stopping" ]; then
		wf_stop_children
		wait || true
		hk_die "$HK_SYS" "gwswitch ended unexpectedly; everything stopped"
	fi
	wf_stop_children
	wait || true
	exit 0
}

wf_stop() {
	if ! wf_running; then
		hk_warn "not running"
		exit 0
	fi
	p=$wf_pid
	kill -TERM "$p" 2>/dev/null || true
	i=0
	while hk_alive "$p" && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if hk_alive "$p"; then
		hk_die "$HK_SYS" "pid $p did not stop within 10s"
	fi
	exit 0
}

# --- status ----------------------------------------------------------------

# The value of key=VALUE in the words of a line.
wf_field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

wf_status() {
	if wf_running; then
		printf 'wanfailover running pid=%s\n' "$wf_pid"
		run=0
	else
		printf 'wanfailover stopped\n'
		run=1
	fi
	if [ "$wf_table" = main ]; then t=main; else t=$wf_table; fi
	r=$(ip -4 route show table "$t" default 2>/dev/null | head -n 1)
	holder=-
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		case "$r " in
		*"via $gw dev $iface "*) [ "$holder" != - ] || holder=$name ;;
		esac
		k=$((k + 1))
	done
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		state=unknown rtt=- loss=- carrier=yes
		if [ "$run" -eq 0 ]; then
			[ -s "$wf_rundir/$name.state" ] && state=$(cat "$wf_rundir/$name.state")
			if [ -s "$wf_rundir/$name.last" ]; then
				last=$(cat "$wf_rundir/$name.last")
				rtt=$(wf_field rtt "$last")
				loss=$(wf_field loss "$last")
			fi
		fi
		case $(ip -o link show dev "$iface" 2>/dev/null) in
		*[\<,]LOWER_UP[,\>]*) ;;
		*) carrier=no ;;
		esac
		def=no
		[ "$holder" = "$name" ] && def=yes
		printf 'uplink %s state=%s rtt=%s loss=%s carrier=%s default=%s iface=%s gateway=%s\n' \
		    "$name" "$state" "${rtt:--}" "${loss:--}" "$carrier" "$def" "$iface" "$gw"
		k=$((k + 1))
	done
	printf 'route %s\n' "$holder"
	exit "$run"
}
