# shellcheck shell=sh
# share/sh/wanfailover.sh - the body of wanfailover(8), sourced by
# share/wanfailover after common.sh:
#
#   wf_load FILE    read and check the configuration; exit 2 with
#                   "FILE:LINE: reason" on any fault, before anything
#                   is changed
#   wf_check        check it against the system as it is now (each fixed
#                   gateway on its uplink's subnet, not our own address),
#                   the same way; an uplink whose interface is not there
#                   yet (a PPP link) is only named: it is down until then
#   wf_setup        wf_check, then forwarding, NAT, LAN forwarding rules,
#                   probe routes; idempotent, prints what it changed
#   wf_teardown     undo what setup did (forwarding as it was before),
#                   printing what it changed
#   wf_start        wf_setup, then pingcheck per uplink | gwswitch per
#                   address family | hooks, in the foreground until SIGTERM
#   wf_stop         stop a running wf_start
#   wf_status       each uplink's state, why, RTT, loss, and the route
#                   holder of each family

# Set by wf_get (and wf_load), read everywhere.
name="" iface="" gw="" targets="" fam="" minup="" loss="" latency="" timeout=""
# Set by eval in wf_load and wf_setup: keep shellcheck from guessing.
nf=0 ntg=0

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

# A numeric IPv6 address (RFC 4291 2.2, forms 1 and 2; no zone, no
# dotted tail).
wf_is_ipv6() {
	case $1 in
	*:*) ;;
	*) return 1 ;;
	esac
	case $1 in
	*[!0-9A-Fa-f:]*|*:::*) return 1 ;;
	esac
	printf '%s\n' "$1" | awk '{
	    s = $0; dc = gsub(/::/, "::", s)
	    if (dc > 1) exit 1
	    n = split($0, g, ":")
	    for (i = 1; i <= n; i++) if (length(g[i]) > 4) exit 1
	    if (dc == 0 && n != 8) exit 1
	    if (dc == 1 && n > 9) exit 1
	    if ($0 ~ /^:[^:]/ || $0 ~ /[^:]:$/) exit 1 }'
}

# wf_family ADDR: 4 or 6, or nothing for a word that is neither.
wf_family() {
	if wf_is_ipv4 "$1"; then
		echo 4
	elif wf_is_ipv6 "$1"; then
		echo 6
	fi
}

wf_is_net() {
	case $1 in
	*/*) ;;
	*) return 1 ;;
	esac
	case ${1#*/} in
	''|*[!0-9]*) return 1 ;;
	esac
	case $2 in
	4) wf_is_ipv4 "${1%/*}" && [ "${1#*/}" -le 32 ] ;;
	6) wf_is_ipv6 "${1%/*}" && [ "${1#*/}" -le 128 ] ;;
	esac
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

# An interface name: 1 to 15 bytes (the kernel's IFNAMSIZ), letters,
# digits, '.', '_', '-', not starting with '-', not . or .. (the kernel
# takes more, but these names go into nft rules and file names).
wf_is_ifname() {
	case $1 in
	''|.|..|-*|*[!A-Za-z0-9_.-]*) return 1 ;;
	esac
	[ "${#1}" -le 15 ]
}

# wf_pct TEXT: "20%" or "20" as 20 (0 to 100), else return 1.
wf_pct() {
	wf_v=${1%\%}
	case $wf_v in
	''|*[!0-9]*) return 1 ;;
	esac
	while :; do
		case $wf_v in
		0?*) wf_v=${wf_v#0} ;;
		*) break ;;
		esac
	done
	[ "${#wf_v}" -le 3 ] && [ "$wf_v" -le 100 ] || return 1
	echo "$wf_v"
}

# wf_pair KIND TEXT: "FAIL[:RECOVER]" as "F:R" (RECOVER defaults to half
# of FAIL), or "off"; KIND loss (percent) or latency (a duration with
# its unit, in ms).  Returns 1 when malformed.
wf_pair() {
	[ "$2" != off ] || { echo off; return 0; }
	wf_f=${2%%:*} wf_r=
	case $2 in *:*) wf_r=${2#*:} ;; esac
	case $1 in
	loss)
		wf_f=$(wf_pct "$wf_f") || return 1
		if [ -n "$wf_r" ]; then
			wf_r=$(wf_pct "$wf_r") || return 1
		fi ;;
	latency)
		case $wf_f in *[0-9]) return 1 ;; esac
		wf_f=$(hk_dur_ms "$wf_f") || return 1
		if [ -n "$wf_r" ]; then
			case $wf_r in *[0-9]) return 1 ;; esac
			wf_r=$(hk_dur_ms "$wf_r") || return 1
		fi ;;
	esac
	[ "$wf_f" -gt 0 ] || return 1
	[ -n "$wf_r" ] || wf_r=$((wf_f / 2))
	[ "$wf_r" -lt "$wf_f" ] || return 1
	echo "$wf_f:$wf_r"
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

# wf_uplink WORDS...: one uplink line (after the keyword).
# shellcheck disable=SC2034 # lo, la, to: read through eval
wf_uplink() {
	[ $# -ge 3 ] || wf_err "want: uplink NAME IFACE GATEWAY|dhcp|- TARGET..."
	wf_is_name "$1" || wf_err "bad uplink name '$1' (letters, digits, '.', '_', '-'; not all digits)"
	case $wf_names in *" $1 "*) wf_err "uplink '$1' given twice" ;; esac
	wf_is_ifname "$2" || wf_err "bad interface name '$2'"
	n=$1 i=$2 g=$3 f=""
	case $g in
	dhcp|-) ;;
	*)
		f=$(wf_family "$g")
		[ -n "$f" ] || wf_err "bad gateway '$g' (want a numeric IPv4 or IPv6 address, dhcp, or - for a point-to-point link)" ;;
	esac
	shift 3
	tg="" nt=0 mu="" lo="" la="" to=""
	for w in "$@"; do
		case $w in
		minup=*)
			wf_is_count "${w#*=}" || wf_err "bad count in '$w' (want a number from 1)"
			mu=${w#*=} ;;
		loss=*)
			lo=$(wf_pair loss "${w#*=}") ||
				wf_err "bad '$w' (want loss=FAIL%[:RECOVER%], RECOVER below FAIL, or loss=off)" ;;
		latency=*)
			la=$(wf_pair latency "${w#*=}") ||
				wf_err "bad '$w' (want latency=FAIL[:RECOVER] with units, e.g. 300ms:150ms, or latency=off)" ;;
		timeout=*)
			if ! ms=$(hk_dur_ms "${w#*=}") || [ "$ms" -eq 0 ]; then
				wf_err "bad '$w' (want timeout=DURATION, e.g. 1s)"
			fi
			to=${w#*=} ;;
		*=*)
			wf_err "unknown uplink option '${w%%=*}' (want minup=, loss=, latency= or timeout=)" ;;
		*)
			tf=$(wf_family "$w")
			[ -n "$tf" ] || wf_err "bad probe target '$w' (want a numeric IPv4 or IPv6 address)"
			if [ -z "$f" ]; then
				f=$tf
			elif [ "$f" != "$tf" ]; then
				wf_err "probe target '$w' is IPv$tf, the uplink IPv$f (an uplink is of one family: give IPv6 its own line)"
			fi
			tg="$tg${tg:+ }$w" nt=$((nt + 1)) ;;
		esac
	done
	if [ "$nt" -eq 0 ]; then
		case $g in
		dhcp|-) wf_err "want: uplink NAME IFACE GATEWAY|dhcp|- TARGET..." ;;
		esac
		wf_err "uplink $n has no probe target after the gateway $g (a link without a gateway, such as PPP, takes '-': uplink $n $i - $g)"
	fi
	case $wf_ifs in *" $i/$f "*) wf_err "interface '$i' already used by another IPv$f uplink" ;; esac
	wf_n=$((wf_n + 1))
	eval "wf_name_$wf_n=\$n wf_if_$wf_n=\$i wf_gw_$wf_n=\$g wf_tg_$wf_n=\$tg wf_ntg_$wf_n=\$nt wf_ln_$wf_n=\$wf_line wf_fam_$wf_n=\$f wf_mu_$wf_n=\$mu wf_lo_$wf_n=\$lo wf_la_$wf_n=\$la wf_to_$wf_n=\$to"
	wf_names="$wf_names$n " wf_ifs="$wf_ifs$i/$f "
	eval "wf_n$f=\$((wf_n$f + 1))"
	[ "$g" != dhcp ] || wf_dhcp=1
}

# wf_load FILE: sets wf_lan_if wf_lan_net wf_lan_net6 wf_n (wf_n4, wf_n6)
# and wf_*_K of each uplink K (name if gw tg ntg ln fam mu lo la), the
# timers, ... ; exits 2 on the first fault.
wf_load() {
	wf_conf=$1
	[ -r "$wf_conf" ] || hk_die "$HK_USAGE" "$wf_conf: cannot read the configuration"
	wf_lan_if="" wf_lan_net="" wf_lan_net6="" wf_n=0 wf_n4=0 wf_n6=0
	wf_names=" " wf_ifs=" " wf_dhcp=0
	wf_interval=200ms wf_timeout=500ms wf_down=3 wf_up=5 wf_minup=1
	wf_loss=20:10 wf_latency=300:150 wf_window=1s wf_damping=""
	wf_table="" wf_probetable=100 wf_hooks="$HK_SHARE/hooks.d"
	wf_rundir=/run/hakit/wanfailover wf_nat=auto wf_natmode=masquerade
	wf_nat6=none
	wf_line=0 wf_cr=$(printf '\r') wf_bom=$(printf '\357\273\277')
	while IFS= read -r l || [ -n "$l" ]; do
		wf_line=$((wf_line + 1))
		l=${l%%#*}
		# Windows line ends: the CR is not part of the last word.
		l=${l%"$wf_cr"}
		# and a byte order mark (Notepad's) before the first word
		[ "$wf_line" -ne 1 ] || l=${l#"$wf_bom"}
		set -f
		# shellcheck disable=SC2086 # splitting the line into words
		set -- $l
		set +f
		[ $# -gt 0 ] || continue
		k=$1
		shift
		case $k in
		lan)
			[ $# -eq 2 ] || [ $# -eq 3 ] || wf_err "want: lan IFACE NETWORK/LEN [IPV6-NETWORK/LEN]"
			[ -z "$wf_lan_if" ] || wf_err "a second lan line"
			wf_is_net "$2" 4 || wf_err "bad LAN network '$2' (want IPv4 ADDRESS/LEN)"
			if [ $# -eq 3 ]; then
				wf_is_net "$3" 6 || wf_err "bad LAN network '$3' (want IPv6 ADDRESS/LEN)"
				wf_lan_net6=$3
			fi
			wf_is_ifname "$1" || wf_err "bad interface name '$1'"
			wf_lan_if=$1 wf_lan_net=$2 wf_lanline=$wf_line ;;
		uplink)
			wf_uplink "$@" ;;
		interval|timeout|window)
			[ $# -eq 1 ] || wf_err "want: $k DURATION"
			ms=$(hk_dur_ms "$1") || wf_err "bad duration '$1' (want e.g. 200ms, 1s)"
			[ "$ms" -gt 0 ] || wf_err "$k must be more than 0"
			eval "wf_$k=\$1" ;;
		down|up|minup)
			[ $# -eq 1 ] || wf_err "want: $k COUNT"
			wf_is_count "$1" || wf_err "bad count '$1' (want a number from 1)"
			eval "wf_$k=\$1" ;;
		loss)
			[ $# -eq 1 ] || wf_err "want: loss FAIL%[:RECOVER%] | off"
			wf_loss=$(wf_pair loss "$1") ||
				wf_err "bad loss '$1' (want FAIL%[:RECOVER%], RECOVER below FAIL, or off)" ;;
		latency)
			[ $# -eq 1 ] || wf_err "want: latency FAIL[:RECOVER] | off"
			wf_latency=$(wf_pair latency "$1") ||
				wf_err "bad latency '$1' (want FAIL[:RECOVER] with units, e.g. 300ms:150ms, or off)" ;;
		damping)
			[ $# -eq 1 ] || wf_err "want: damping off | HALFLIFE[,SUPPRESS,REUSE,MAX]"
			case $1 in
			off) wf_damping=0 ;;
			*)
				hk_dur_ms "${1%%,*}" >/dev/null ||
					wf_err "bad damping '$1' (want off or HALFLIFE[,SUPPRESS,REUSE,MAX], e.g. 15s,1500,750,300s)"
				wf_damping=$1 ;;
			esac
			wf_dampline=$wf_line ;;
		table)
			[ $# -eq 1 ] || wf_err "want: table main|NUMBER"
			case $1 in
			main) ;;
			*)
				if ! wf_is_count "$1" || [ "$1" -eq 255 ]; then
					wf_err "bad table '$1' (want main or a number from 1, not 255)"
				fi ;;
			esac
			wf_table=$1 wf_tableline=$wf_line
			# 254 is main's number
			[ "$1" != 254 ] || wf_table=main ;;
		probetable)
			[ $# -eq 1 ] || wf_err "want: probetable NUMBER"
			if ! wf_is_count "$1" || [ "$1" -gt 235 ]; then
				wf_err "bad probetable '$1' (want 1 to 235)"
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
		nat6)
			[ $# -eq 1 ] || wf_err "want: nat6 none|masquerade"
			case $1 in none|masquerade) ;; *) wf_err "bad nat6 '$1' (want none or masquerade)" ;; esac
			wf_nat6=$1 ;;
		*)
			wf_err "unknown keyword '$k'" ;;
		esac
	done <"$wf_conf"
	wf_line=$((wf_line + 1))
	[ -n "$wf_lan_if" ] || wf_err "no lan line"
	[ "$wf_n" -ge 1 ] || wf_err "no uplink line"
	case $wf_ifs in
	*" $wf_lan_if/"*) wf_line=$wf_lanline; wf_err "the lan interface is also an uplink" ;;
	esac
	if [ "$wf_n6" -gt 0 ] && [ -z "$wf_lan_net6" ]; then
		wf_err "IPv6 uplinks need the LAN's IPv6 network: lan $wf_lan_if $wf_lan_net IPV6-NETWORK/LEN"
	fi
	k=1
	while [ "$k" -le "$wf_n" ]; do
		eval "wf_line=\$wf_ln_$k ntg=\$wf_ntg_$k mu=\$wf_mu_$k g=\$wf_gw_$k n=\$wf_name_$k"
		[ "${mu:-$wf_minup}" -le "$ntg" ] ||
			wf_err "minup ${mu:-$wf_minup} is more than this uplink's $ntg probe targets"
		if [ "$wf_natmode" = snat ]; then
			case $g in
			dhcp|-) wf_err "natmode snat: the address of uplink $n is not fixed ($g); use natmode masquerade" ;;
			esac
		fi
		# what pingcheck would refuse, said here, before setup
		wf_get "$k"
		ims=$(hk_dur_ms "$wf_interval") tms=$(hk_dur_ms "$timeout")
		wms=$(hk_dur_ms "$wf_window")
		[ "$tms" -le $((248 * ims)) ] ||
			wf_err "uplink $n: timeout $timeout is more than 248 intervals of $wf_interval"
		[ $(((wms + ims / 2) / ims)) -le 1000 ] ||
			wf_err "window $wf_window is more than 1000 intervals of $wf_interval"
		if [ "$latency" != off ] && [ "${latency%%:*}" -ge "$tms" ]; then
			wf_err "uplink $n: latency ${latency%%:*}ms is not below its timeout $timeout (a slower reply counts as lost); give it timeout=..."
		fi
		k=$((k + 1))
	done
	# gwswitch judges its own option, without the kernel (-C)
	if [ -n "$wf_damping" ] && wf_gs=$(hk_bin gwswitch 2>/dev/null) &&
	    ! wf_e=$("$wf_gs" -C -D "$wf_damping" x=192.0.2.1@lo </dev/null 2>&1 >/dev/null); then
		wf_line=$wf_dampline
		wf_e=$(printf '%s\n' "$wf_e" | head -n 1)
		wf_err "bad damping '$wf_damping': ${wf_e#gwswitch: }"
	fi
	# A DHCP client writes the main table's default route: the route
	# that moves must live in a table of its own, then (see the man page).
	if [ -z "$wf_table" ]; then
		wf_table=main
		[ "$wf_dhcp" -eq 0 ] || wf_table=200
	elif [ "$wf_table" = main ] && [ "$wf_dhcp" -eq 1 ]; then
		wf_line=$wf_tableline
		wf_err "table main with a dhcp uplink: its DHCP client writes the main table's default route; leave table out (200) or give a number"
	fi
	if [ "$wf_table" != main ] && [ "$wf_table" -ge "$wf_probetable" ] &&
	    [ "$wf_table" -lt $((wf_probetable + wf_n)) ]; then
		wf_line=${wf_tableline:-$wf_line}
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

# wf_owner ADDR FAMILY: the interface holding ADDR on this router, or
# nothing.
wf_owner() {
	ip -o "-$2" addr show 2>/dev/null | awk -v a="$1" '
	    { for (i = 1; i < NF; i++) if ($i == "inet" || $i == "inet6") {
		x = $(i + 1); sub(/\/.*/, "", x)
		if (tolower(x) == tolower(a)) { sub(/@.*/, "", $2); print $2; exit }
	    } }'
}

# wf_check: what the configuration says against the system as it is:
# each fault that would otherwise stop setup half-way (or leave a route
# through nowhere), with the uplink's line, exit 2.  An uplink whose
# interface is not there yet is down until it appears: said, not fatal.
wf_check() {
	wf_have_if "$wf_lan_if" || {
		wf_line=$wf_lanline
		wf_err "no such interface '$wf_lan_if'"
	}
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		eval "wf_line=\$wf_ln_$k"
		if ! wf_have_if "$iface"; then
			[ -n "${wf_checked:-}" ] ||
				hk_warn "uplink $name: no interface $iface yet; it is down until it appears"
			k=$((k + 1))
			continue
		fi
		case $gw in
		dhcp|-) k=$((k + 1)); continue ;;
		esac
		o=$(wf_owner "$gw" "$fam")
		[ -z "$o" ] || wf_err "gateway $gw is this router's own address (on $o)"
		if [ "$fam" = 6 ]; then
			k=$((k + 1))
			continue
		fi
		set -f
		# shellcheck disable=SC2046 # its words
		set -- $(wf_gwcheck "$gw" "$iface")
		set +f
		case ${1:-} in
		ok) ;;
		noaddr)
			# as a missing interface: networkd and NetworkManager
			# take the address away with the carrier
			[ -n "${wf_checked:-}" ] ||
				hk_warn "uplink $name: $iface has no IPv4 address yet; it is down until it has one" ;;
		bcast) wf_err "gateway $gw is the broadcast address of $2 on $iface" ;;
		offnet)
			shift
			wf_err "gateway $gw is not in a subnet of $iface ($*)" ;;
		*) hk_die "$HK_SYS" "cannot read the addresses of $iface" ;;
		esac
		k=$((k + 1))
	done
	wf_checked=1
}

# wf_get K: sets name iface gw targets fam minup loss latency of uplink
# K, the global values where the line gives none.
wf_get() {
	eval "name=\$wf_name_$1 iface=\$wf_if_$1 gw=\$wf_gw_$1 targets=\$wf_tg_$1 fam=\$wf_fam_$1 minup=\$wf_mu_$1 loss=\$wf_lo_$1 latency=\$wf_la_$1 timeout=\$wf_to_$1"
	minup=${minup:-$wf_minup} loss=${loss:-$wf_loss} latency=${latency:-$wf_latency}
	timeout=${timeout:-$wf_timeout}
}

# The first address of a family on an interface (global scope), or
# nothing.
wf_ifaddr() {
	ip -o "-${2:-4}" addr show dev "$1" scope global 2>/dev/null |
	    awk '{ sub(/\/.*/, "", $4); print $4; exit }'
}

# Every address of a family on an interface (global scope, not one
# that failed duplicate address detection), one a line.
wf_ifaddrs() {
	ip -o "-${2:-4}" addr show dev "$1" scope global 2>/dev/null |
	    awk '!/ dadfailed / { sub(/\/.*/, "", $4); print $4 }'
}

# wf_dhcp_gw IFACE FAMILY: the gateway the DHCP client (or, for IPv6,
# the router advertisements) gave IFACE: that of a default route through
# it in the main table.  Nothing when there is none.
wf_dhcp_gw() {
	ip "-$2" route show table main default dev "$1" 2>/dev/null |
	    awk '{ for (i = 1; i < NF; i++) if ($i == "via") { print $(i + 1); exit } }'
}

# wf_gw_now: the gateway of the uplink wf_get set that it uses now: its
# own, the learned one for dhcp ("" while none is known), "-" for none.
wf_gw_now() {
	case $gw in
	dhcp) wf_dhcp_gw "$iface" "$fam" ;;
	*) printf '%s\n' "$gw" ;;
	esac
}

# --- the run directory -----------------------------------------------------

# wf_perm PATH: sets wf_uid and wf_g wf_o wf_t (1 when group-, other-
# writable, sticky) of PATH (not followed).
wf_perm() {
	wf_p=$(stat -c '%u %a' -- "$1" 2>/dev/null) || return 1
	wf_uid=${wf_p%% *} wf_m=${wf_p#* }
	while [ "${#wf_m}" -lt 4 ]; do wf_m=0$wf_m; done
	wf_g=0 wf_o=0 wf_t=0
	case $wf_m in ??[2367]?) wf_g=1 ;; esac
	case $wf_m in ???[2367]) wf_o=1 ;; esac
	case $wf_m in [1357]???) wf_t=1 ;; esac
}

# wf_rundir_ok [make]: the run directory is fit to hold what root
# writes and later trusts (setup's records, teardown reads them): a
# directory of this user's, not a link, that nobody else may write in,
# in a parent where nobody else may rename it (not writable by others,
# or sticky, as /tmp).  With "make" it is made (mode 700) when missing.
# Exits 3 when it is not fit; returns 1 when it is missing.
wf_rundir_ok() {
	if [ ! -e "$wf_rundir" ] && [ ! -L "$wf_rundir" ]; then
		[ "${1:-}" = make ] || return 1
		(umask 077 && mkdir -p -- "$wf_rundir") ||
			hk_die "$HK_SYS" "cannot make $wf_rundir"
	fi
	if [ -L "$wf_rundir" ] || [ ! -d "$wf_rundir" ] || [ ! -O "$wf_rundir" ]; then
		hk_die "$HK_SYS" "$wf_rundir is a link, not a directory, or another user's: refused"
	fi
	wf_perm "$wf_rundir" || hk_die "$HK_SYS" "cannot read the mode of $wf_rundir"
	if [ "$wf_g" = 1 ] || [ "$wf_o" = 1 ]; then
		hk_die "$HK_SYS" "$wf_rundir may be written by others: refused (chmod go-w)"
	fi
	wf_perm "${wf_rundir%/*}/." || hk_die "$HK_SYS" "cannot read the mode of ${wf_rundir%/*}"
	if [ "$wf_uid" != 0 ] && [ "$wf_uid" != "$(id -u)" ]; then
		hk_die "$HK_SYS" "${wf_rundir%/*} is another user's: $wf_rundir refused"
	fi
	if { [ "$wf_g" = 1 ] || [ "$wf_o" = 1 ]; } && [ "$wf_t" = 0 ]; then
		hk_die "$HK_SYS" "${wf_rundir%/*} may be written by others: $wf_rundir refused"
	fi
	return 0
}

# --- setup -----------------------------------------------------------------

wf_changed() {
	printf '%s\n' "$*"
}

# wf_sysctl_set KEY WANT WHAT: KEY (a /proc/sys path below net/) set to
# WANT, said as WHAT; the value before is kept in the run directory the first
# time, for teardown.  Kernel settings do not outlive a reboot, and
# neither does /run: the record is right exactly as long as the setting.
wf_sysctl_set() {
	f=/proc/sys/net/$1
	[ -w "$f" ] || return 0
	v=$(cat "$f")
	[ "$v" != "$2" ] || return 0
	wf_rundir_ok make
	rec="$wf_rundir/setup.sysctl"
	grep -q "^$1 " "$rec" 2>/dev/null || echo "$1 $v" >>"$rec"
	echo "$2" >"$f" || hk_die "$HK_SYS" "cannot set $1"
	wf_changed "$3 (net.$(echo "$1" | tr / .)=$2)"
}

wf_setup_forwarding() {
	if [ "$wf_n4" -gt 0 ]; then
		wf_sysctl_set ipv4/ip_forward 1 "forwarding on"
	fi
	[ "$wf_n6" -gt 0 ] || return 0
	wf_sysctl_set ipv6/conf/all/forwarding 1 "IPv6 forwarding on"
	# A router takes no router advertisements unless told to (accept_ra
	# 2): a dhcp IPv6 uplink learns its gateway from them.
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		if [ "$fam" = 6 ] && [ "$gw" = dhcp ] && wf_have_if "$iface"; then
			wf_sysctl_set "ipv6/conf/$iface/accept_ra" 2 \
			    "$name: router advertisements taken while forwarding"
		fi
		k=$((k + 1))
	done
}

# wf_list_ifs FAMILY [SEP]: the interfaces of that family's uplinks.
wf_list_ifs() {
	k=1 wf_l=""
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		[ "$fam" != "$1" ] || wf_l="$wf_l${wf_l:+${2:- }}$iface"
		k=$((k + 1))
	done
	printf '%s\n' "$wf_l"
}

# wf_nat_each FAMILY FUNC: FUNC IFACE [ADDRESS] for each uplink of that
# family, with its address when $nat is snat (exits 3 when it has none).
wf_nat_each() {
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		k=$((k + 1))
		[ "$fam" = "$1" ] || continue
		a=""
		if [ "$nat" = snat ]; then
			a=$(wf_ifaddr "$iface" "$fam")
			[ -n "$a" ] || hk_die "$HK_SYS" "$name: no IPv$fam address on $iface to SNAT to"
		fi
		"$2" "$iface" "$a"
	done
}

# One uplink's NAT rule, for nft and for iptables ($ipk, $net: the
# family's keyword and LAN network).
wf_nft_nat() {
	if [ -n "$2" ]; then
		printf '\t\toifname "%s" %s saddr %s snat to %s\n' "$1" "$ipk" "$net" "$2"
	else
		printf '\t\toifname "%s" %s saddr %s masquerade\n' "$1" "$ipk" "$net"
	fi
}

wf_ipt_nat() {
	if [ -n "$2" ]; then
		printf -- '-A HAKIT_WAN_NAT -s %s -o %s -j SNAT --to-source %s\n' "$net" "$1" "$2"
	else
		printf -- '-A HAKIT_WAN_NAT -s %s -o %s -j MASQUERADE\n' "$net" "$1"
	fi
}

# wf_nft_ruleset FAMILY: the nft table of that family.
wf_nft_ruleset() {
	if [ "$1" = 4 ]; then
		t="ip hakit_wan" net=$wf_lan_net ipk=ip nat=$wf_natmode
	else
		t="ip6 hakit_wan6" net=$wf_lan_net6 ipk=ip6 nat=$wf_nat6
	fi
	ifs=$(wf_list_ifs "$1" '", "')
	printf 'table %s {\n' "$t"
	if [ "$nat" != none ]; then
		printf '\tchain postrouting {\n'
		printf '\t\ttype nat hook postrouting priority 100; policy accept;\n'
		wf_nat_each "$1" wf_nft_nat
		printf '\t}\n'
	fi
	printf '\tchain forward {\n'
	printf '\t\ttype filter hook forward priority 0; policy accept;\n'
	# Nothing from an uplink claims a LAN source (spoofed, to be
	# masqueraded into a mapping), and nothing passes between uplinks.
	printf '\t\tiifname { "%s" } %s saddr %s drop\n' "$ifs" "$ipk" "$net"
	printf '\t\tiifname { "%s" } oifname { "%s" } drop\n' "$ifs" "$ifs"
	# The LAN leaves with its own addresses only.
	printf '\t\tiifname "%s" %s saddr %s oifname { "%s" } accept\n' \
	    "$wf_lan_if" "$ipk" "$net" "$ifs"
	printf '\t\tiifname "%s" oifname { "%s" } drop\n' "$wf_lan_if" "$ifs"
	printf '\t\tiifname { "%s" } oifname "%s" ct state established,related accept\n' \
	    "$ifs" "$wf_lan_if"
	# Port forwards the administrator adds (DNAT) stay possible.
	printf '\t\tiifname { "%s" } oifname "%s" ct status dnat accept\n' \
	    "$ifs" "$wf_lan_if"
	if [ "$1" = 6 ]; then
		# The ICMPv6 errors and echo that IPv6 needs (RFC 4890, 4.3.1),
		# no more.
		printf '\t\tiifname { "%s" } oifname "%s" icmpv6 type { %s } accept\n' \
		    "$ifs" "$wf_lan_if" "destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-request, echo-reply"
	fi
	printf '\t\tiifname { "%s" } oifname "%s" drop\n' "$ifs" "$wf_lan_if"
	printf '\t}\n'
	printf '}\n'
}

wf_setup_nft() {
	if [ "$1" = 4 ]; then
		tf=ip tn=hakit_wan what="$wf_natmode $wf_lan_net"
	else
		tf=ip6 tn=hakit_wan6 what="nat6 $wf_nat6, $wf_lan_net6"
	fi
	t="$tf $tn"
	rs=$(wf_nft_ruleset "$1")
	sum=$(printf '%s\n' "$rs" | cksum | awk '{ print $1 }')
	tag="hakit-wanfailover-$sum"
	if nft list table "$tf" "$tn" 2>/dev/null | grep -q "comment \"$tag\""; then
		return 0
	fi
	# One transaction: the old table goes and the new comes at once.
	{
		printf 'table %s\ndelete table %s\n' "$t" "$t"
		printf '%s\n' "$rs" | awk -v tag="$tag" '
		    / (accept|drop)$/ && !done { print $0 " comment \"" tag "\""; done = 1; next }
		    { print }'
	} | nft -f - || hk_die "$HK_SYS" "nft refused the NAT rules"
	wf_changed "nat: nftables table $t loaded ($what on $(wf_list_ifs "$1"); forward from $wf_lan_if)"
}

# What an iptables table's chain is for, in the lines printed.
wf_what() {
	if [ "$1" = nat ]; then echo nat; else echo forward; fi
}

# wf_ipt_chain CMD TABLE CHAIN HOOK: the chain holds exactly the rules on
# stdin and HOOK jumps to it (CMD: iptables or ip6tables).
wf_ipt_chain() {
	want=$(cat)
	if ! "$1" -t "$2" -S "$3" >/dev/null 2>&1; then
		"$1" -t "$2" -N "$3" || hk_die "$HK_SYS" "$1 cannot make chain $3"
		wf_changed "$(wf_what "$2"): $1 chain $2 $3 created"
	fi
	have=$("$1" -t "$2" -S "$3" | sed 1d)
	if [ "$have" != "$want" ]; then
		"$1" -t "$2" -F "$3"
		printf '%s\n' "$want" | while IFS= read -r r; do
			[ -n "$r" ] || continue
			set -f
			# shellcheck disable=SC2086 # the rule's own words
			"$1" -t "$2" $r || hk_die "$HK_SYS" "$1 refused: $r"
			set +f
		done
		wf_changed "$(wf_what "$2"): $1 chain $2 $3 loaded"
	fi
	if ! "$1" -t "$2" -C "$4" -j "$3" 2>/dev/null; then
		"$1" -t "$2" -A "$4" -j "$3"
		wf_changed "$(wf_what "$2"): $1 $2 $4 jumps to $3"
	fi
}

wf_setup_iptables() {
	if [ "$1" = 4 ]; then
		cmd=iptables net=$wf_lan_net nat=$wf_natmode
	else
		cmd=ip6tables net=$wf_lan_net6 nat=$wf_nat6
	fi
	command -v "$cmd" >/dev/null 2>&1 ||
		hk_die "$HK_SYS" "neither nft nor $cmd is installed"
	if [ "$nat" != none ]; then
		rules=$(wf_nat_each "$1" wf_ipt_nat)
		printf '%s\n' "$rules" | wf_ipt_chain "$cmd" nat HAKIT_WAN_NAT POSTROUTING
	fi
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		if [ "$fam" = "$1" ]; then
			# as the nft table's forward chain, uplink by uplink
			printf -- '-A HAKIT_WAN_FWD -s %s -i %s -j DROP\n' "$net" "$iface"
			for o in $(wf_list_ifs "$1"); do
				printf -- '-A HAKIT_WAN_FWD -i %s -o %s -j DROP\n' "$iface" "$o"
			done
			printf -- '-A HAKIT_WAN_FWD -s %s -i %s -o %s -j ACCEPT\n' "$net" "$wf_lan_if" "$iface"
			printf -- '-A HAKIT_WAN_FWD -i %s -o %s -j DROP\n' "$wf_lan_if" "$iface"
			printf -- '-A HAKIT_WAN_FWD -i %s -o %s -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n' "$iface" "$wf_lan_if"
			printf -- '-A HAKIT_WAN_FWD -i %s -o %s -m conntrack --ctstate DNAT -j ACCEPT\n' "$iface" "$wf_lan_if"
			if [ "$1" = 6 ]; then
				# (as ip6tables -S prints them: numbers)
				for t in 1 2 3 4 128 129; do
					printf -- '-A HAKIT_WAN_FWD -i %s -o %s -p ipv6-icmp -m icmp6 --icmpv6-type %s -j ACCEPT\n' "$iface" "$wf_lan_if" "$t"
				done
			fi
			printf -- '-A HAKIT_WAN_FWD -i %s -o %s -j DROP\n' "$iface" "$wf_lan_if"
		fi
		k=$((k + 1))
	done | wf_ipt_chain "$cmd" filter HAKIT_WAN_FWD FORWARD
}

# wf_rule FAMILY PREF SHOWN SELECTOR...: makes the rule of preference
# PREF exactly SELECTOR (which ip rule show prints as SHOWN); returns 0
# when it changed something, 1 when it was so already; exits 3 when the
# kernel refuses.
wf_rule() {
	wf_rf=$1 wf_rp=$2 wf_rs=$3
	shift 3
	if ip "-$wf_rf" rule show pref "$wf_rp" 2>/dev/null |
	    grep -q "^$wf_rp:[[:space:]]*$wf_rs\$"; then
		return 1
	fi
	while ip "-$wf_rf" rule del pref "$wf_rp" 2>/dev/null; do :; done
	ip "-$wf_rf" rule add pref "$wf_rp" "$@" ||
		hk_die "$HK_SYS" "cannot add the IPv$wf_rf rule pref $wf_rp $*"
}

# The tables setup uses, kept in the run directory for teardown, which
# may come after the configuration changed.
wf_record_tables() {
	wf_rundir_ok make
	rec="$wf_rundir/setup.tables"
	{
		[ "$wf_table" = main ] || echo "route $wf_table"
		k=0
		while [ "$k" -lt "$wf_n" ]; do
			echo "probe $((wf_probetable + k))"
			k=$((k + 1))
		done
	} | while read -r l; do
		grep -qx "$l" "$rec" 2>/dev/null || echo "$l" >>"$rec"
	done
}

# Each uplink's own table holds a default route through it, and the
# rules send what the probes send through that table (see pingcheck(8)).
# An uplink whose interface or address is not there yet is skipped: the
# link and address events bring it here again.  With a table other than
# main, two rules make its default route the one used: the main table's
# own routes first, without its default routes, then that table.
wf_setup_probes() {
	wf_record_tables
	wf_bad=0
	for f in 4 6; do
		eval "nf=\$wf_n$f"
		[ "$nf" -gt 0 ] || continue
		[ "$wf_table" != main ] || continue
		if wf_rule "$f" 999 "from all lookup main suppress_prefixlength 0" \
		    lookup main suppress_prefixlength 0; then
			wf_changed "rule: IPv$f pref 999 lookup main suppress_prefixlength 0"
		fi
		if wf_rule "$f" 1200 "from all lookup $wf_table" lookup "$wf_table"; then
			wf_changed "rule: IPv$f pref 1200 lookup $wf_table"
		fi
	done
	k=1
	while [ "$k" -le "$wf_n" ]; do
		kk=$k
		k=$((k + 1))
		wf_get "$kk"
		g=$(wf_gw_now)
		t=$((wf_probetable + kk - 1))
		pref=$((1000 + kk - 1))
		wf_have_if "$iface" || continue
		# no address yet (no carrier, no lease, PPP dialling): nothing
		# to route or to probe from; the address event brings it here
		[ -n "$(wf_ifaddr "$iface" "$fam")" ] || continue
		if [ -n "$g" ]; then
			if [ "$g" = - ]; then
				want="- $iface" shown="default dev $iface"
			else
				want="$g $iface" shown="default via $g dev $iface"
			fi
			have=$(ip "-$fam" route show table "$t" default 2>/dev/null | awk '
			    { v = "-"; d = "-"
			      for (i = 1; i < NF; i++) { if ($i == "via") v = $(i + 1); if ($i == "dev") d = $(i + 1) }
			      print v, d; exit }')
			if [ "$have" != "$want" ]; then
				if [ "$g" = - ]; then
					ip "-$fam" route replace default dev "$iface" table "$t" proto static
				else
					ip "-$fam" route replace default via "$g" dev "$iface" table "$t" proto static
				fi || { hk_warn "$name: cannot set the default route of table $t"; wf_bad=1; }
				wf_changed "probe route: table $t $shown"
			fi
		fi
		# one rule for each address: the prober keeps the address it
		# probes from while it lasts, whichever the kernel lists first
		want=$(wf_ifaddrs "$iface" "$fam" | sort)
		have=$(ip "-$fam" rule show pref "$pref" 2>/dev/null |
		    awk -v t="$t" '$2 == "from" && $4 == "lookup" && $5 == t && NF == 5 { print $3 }' | sort)
		nhave=$(ip "-$fam" rule show pref "$pref" 2>/dev/null | wc -l)
		if [ "$want" != "$have" ] || [ "$nhave" -ne "$(printf '%s' "$want" | grep -c .)" ]; then
			while ip "-$fam" rule del pref "$pref" 2>/dev/null; do :; done
			for a in $want; do
				ip "-$fam" rule add pref "$pref" from "$a" lookup "$t" ||
					hk_die "$HK_SYS" "cannot add the IPv$fam rule pref $pref from $a lookup $t"
				wf_changed "probe rule: pref $pref from $a lookup $t"
			done
		fi
		if wf_rule "$fam" "$((pref + 100))" "from all oif $iface lookup $t" oif "$iface" lookup "$t"; then
			wf_changed "probe rule: pref $((pref + 100)) oif $iface lookup $t"
		fi
	done
	# one uplink the kernel refuses (its gateway unreachable now) does
	# not keep the others from being done; 1 says it to the caller
	[ "$wf_bad" -eq 0 ]
}

wf_setup() {
	wf_check
	wf_setup_forwarding
	for f in 4 6; do
		eval "nf=\$wf_n$f"
		[ "$nf" -gt 0 ] || continue
		case $wf_nat in
		nft) wf_setup_nft "$f" ;;
		iptables) wf_setup_iptables "$f" ;;
		esac
	done
	wf_setup_probes || return "$HK_SYS"
}

# --- teardown --------------------------------------------------------------

# wf_teardown: what setup added goes, the kernel settings it changed go
# back to what they were before it (as recorded in the run directory),
# one line printed per change.  Refused while start runs.
wf_teardown() {
	wf_rundir_ok make
	if wf_running || ! wf_lock; then
		hk_die "$HK_NO" "running${wf_pid:+ (pid $wf_pid)}: stop it first"
	fi
	for t in ip:hakit_wan ip6:hakit_wan6; do
		tf=${t%:*} tn=${t#*:}
		if command -v nft >/dev/null 2>&1 && nft list table "$tf" "$tn" >/dev/null 2>&1; then
			nft delete table "$tf" "$tn" || hk_die "$HK_SYS" "nft cannot delete table $tf $tn"
			wf_changed "nat: nftables table $tf $tn deleted"
		fi
	done
	for cmd in iptables ip6tables; do
		command -v "$cmd" >/dev/null 2>&1 || continue
		for tc in nat:HAKIT_WAN_NAT:POSTROUTING filter:HAKIT_WAN_FWD:FORWARD; do
			tb=${tc%%:*} ch=${tc#*:} hook=${ch#*:} ch=${ch%%:*}
			"$cmd" -t "$tb" -S "$ch" >/dev/null 2>&1 || continue
			while "$cmd" -t "$tb" -D "$hook" -j "$ch" 2>/dev/null; do :; done
			if ! "$cmd" -t "$tb" -F "$ch" || ! "$cmd" -t "$tb" -X "$ch"; then
				hk_die "$HK_SYS" "$cmd cannot delete chain $tb $ch"
			fi
			wf_changed "$(wf_what "$tb"): $cmd chain $tb $ch deleted"
		done
	done
	# The rules and tables of setup, by the configuration and by what
	# setup recorded (the configuration may have changed since):
	# preferences 999 to 1299 that look up main without its defaults, a
	# probe table or the route's table; the probe tables' routes.
	probes=" " routes=" "
	[ "$wf_table" = main ] || routes=" $wf_table "
	k=0
	while [ "$k" -lt "$wf_n" ]; do
		probes="$probes$((wf_probetable + k)) "
		k=$((k + 1))
	done
	if [ -s "$wf_rundir/setup.tables" ]; then
		while read -r kind t; do
			# only what setup writes: a table number (not local,
			# main, default or unspec)
			case $t in
			''|*[!0-9]*|0|253|254|255) continue ;;
			esac
			case $kind:"$probes$routes" in
			*" $t "*) ;;
			probe:*) probes="$probes$t " ;;
			route:*) routes="$routes$t " ;;
			esac
		done <"$wf_rundir/setup.tables"
	fi
	for f in 4 6; do
		ip "-$f" rule show 2>/dev/null | awk -v tables="$probes$routes" '
		    { p = $1; sub(/:$/, "", p); p += 0; if (p < 999 || p > 1299) next
		      for (i = 2; i < NF; i++) if ($i == "lookup") l = $(i + 1)
		      if ((l == "main" && / suppress_prefixlength 0/) || index(tables, " " l " ")) {
			sub(/^[0-9]+:[ \t]*/, ""); print p, $0 } }' |
		while read -r p r; do
			ip "-$f" rule del pref "$p" 2>/dev/null &&
				wf_changed "rule: IPv$f pref $p $r deleted"
		done
		for t in $probes; do
			if [ -n "$(ip "-$f" route show table "$t" 2>/dev/null)" ]; then
				ip "-$f" route flush table "$t" &&
					wf_changed "probe routes: IPv$f table $t emptied"
			fi
		done
		for t in $routes; do
			if [ -n "$(ip "-$f" route show table "$t" default 2>/dev/null)" ]; then
				ip "-$f" route del default table "$t" 2>/dev/null &&
					wf_changed "route: IPv$f default route of table $t deleted"
			fi
		done
	done
	rm -f "$wf_rundir/setup.tables"
	rec="$wf_rundir/setup.sysctl"
	if [ -s "$rec" ]; then
		while read -r key v; do
			# only the keys setup writes, a number as the value
			case $key in
			ipv4/ip_forward|ipv6/conf/all/forwarding) ;;
			ipv6/conf/*/accept_ra)
				i=${key#ipv6/conf/}
				wf_is_ifname "${i%/accept_ra}" || continue ;;
			*) continue ;;
			esac
			case $v in
			''|*[!0-9]*) continue ;;
			esac
			f=/proc/sys/net/$key
			[ -w "$f" ] || continue
			[ "$(cat "$f")" != "$v" ] || continue
			echo "$v" >"$f" &&
				wf_changed "net.$(echo "$key" | tr / .)=$v again, as before setup"
		done <"$rec"
		rm -f "$rec"
	fi
	exit 0
}

# --- start / stop ----------------------------------------------------------

# The wall clock for the record: 2026-11-30T21:04:05.123
wf_ts() {
	date +%Y-%m-%dT%H:%M:%S.%3N
}

# wf_stamp: each line of its input to standard error after the time (a
# child's messages: hooks, pingcheck, gwswitch, a repair's errors), so
# that every line of a night's log says when.
wf_stamp() {
	while IFS= read -r l; do
		printf '%s %s\n' "$(wf_ts)" "$l" >&2
	done
}

# wf_log MESSAGE: to standard error with the time, and to the events.
wf_log() {
	wf_t=$(wf_ts)
	{ printf '%s %s\n' "$wf_t" "$*" >>"$wf_rundir/events"; } 2>/dev/null || :
	hk_warn "$wf_t $*"
}

# wf_put FILE TEXT: a state file for status; a full or removed run
# directory loses it, and nothing else.
wf_put() {
	{ printf '%s\n' "$2" >"$1"; } 2>/dev/null || :
}

# One lock per run directory, held for the life of start and its
# children (descriptor 9; hooks run without it).
wf_lock() {
	hk_lock 9 "$wf_rundir/lock"
}

# Runs every hook of the hooks directory with the event's arguments,
# and the family of the route (ipv4, ipv6) in WAN_FAMILY.
wf_hooks() {
	[ -d "$wf_hooks" ] || return 0
	for h in "$wf_hooks"/*; do
		case ${h##*/} in
		*~|*.dpkg-*|.*|README*) continue ;;
		esac
		if [ ! -f "$h" ] || [ ! -x "$h" ]; then
			continue
		fi
		# none once stopping: stop must not wait on them
		[ ! -e "$wf_rundir/stopping" ] || return 0
		{
			WAN_FAMILY=ipv$wf_hfam timeout -k 2 20 "$h" "$@" </dev/null 2>&1 3>&- 9>&- ||
				wf_log "hook ${h##*/} failed (status $?)"
		} | wf_stamp
	done
}

# wf_uplink_of NAME: sets wf_ui wf_ug (the interface and the gateway in
# use, "-" when unknown) of uplink NAME.
wf_uplink_of() {
	wf_ui=- wf_ug=-
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		if [ "$name" = "$1" ]; then
			wf_ui=$iface
			[ -s "$wf_rundir/$name.gw" ] && wf_ug=$(cat "$wf_rundir/$name.gw")
			[ "$wf_ug" != - ] || [ "$gw" = dhcp ] || wf_ug=$gw
			return 0
		fi
		k=$((k + 1))
	done
}

# wf_events FAMILY: reads that family's gwswitch, keeps the record, runs
# the hooks.
wf_events() {
	from=- rf=route moved=0 wf_hfam=$1
	[ "$1" = 4 ] || rf=route6
	while IFS=' ' read -r ev a b c; do
		wf_log "$(printf '%s %s %s %s' "$ev" "$a" "$b" "$c" | sed 's/ *$//')"
		case $ev in
		switch)
			from=$a moved=1 ;;
		gateway)
			wf_put "$wf_rundir/$a.gw" "$b" ;;
		damp)
			wf_put "$wf_rundir/$a.damp" "$b $c" ;;
		undamp)
			rm -f "$wf_rundir/$a.damp" ;;
		route)
			wf_put "$wf_rundir/$rf" "$a"
			# alone (no switch before it), the route followed its
			# uplink's new DHCP gateway: no switch for the hooks
			if [ "$moved" -eq 1 ]; then
				wf_uplink_of "$from"
				wf_hooks switch "$from" "$a" "$wf_ui" "$wf_ug" "$c" "$b"
			fi
			wf_put "$wf_rundir/$a.gw" "$b"
			moved=0 ;;
		all-down)
			kept=${a#kept=}
			wf_uplink_of "$kept"
			wf_hooks all-down "$kept" "$wf_ui" "$wf_ug" ;;
		esac
	done
}

# One uplink's stream: pingcheck's lines with the name in front, its
# latest round and state kept for wf_status, each change of state
# logged with its cause.
wf_stream() {
	while IFS= read -r l; do
		printf '%s %s\n' "$1" "$l"
		case $l in
		state\ *)
			set -f
			# shellcheck disable=SC2086 # its words
			set -- "$1" ${l#state }
			set +f
			wf_put "$wf_rundir/$1.state" "$2"
			st=$2 n=$1
			shift 2
			wf_put "$wf_rundir/$n.why" "$(wf_ts) $*"
			wf_log "$n: $st $*"
			set -- "$n" ;;
		*) wf_put "$wf_rundir/$1.last" "$l" ;;
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
	{ : >"$wf_rundir/stopping"; } 2>/dev/null || :
	wf_kill_children
}

# What a run leaves once it has stopped: the events of the run and
# setup's record of the kernel settings, nothing else (wanfailover(8),
# FILES).
wf_clean() {
	rm -f "$wf_rundir/pid" "$wf_rundir/health" "$wf_rundir/health6" \
	    "$wf_rundir/stopping" "$wf_rundir"/*.state "$wf_rundir"/*.last \
	    "$wf_rundir"/*.why "$wf_rundir"/*.gw "$wf_rundir"/*.damp \
	    "$wf_rundir/route" "$wf_rundir/route6" "$wf_rundir/repair.err" \
	    "$wf_rundir/repair.fifo" "$wf_rundir/failed"
}

# wf_repairer: the repair of the probe routes and rules, once for each
# burst of the events that wf_start's reader writes into repair.fifo,
# retried while the kernel is still bringing a link up.
wf_repairer() {
	exec 4<>"$wf_rundir/repair.fifo"
	while read -r _ <&4; do
		[ ! -e "$wf_rundir/stopping" ] || break
		sleep 0.2
		timeout 0.1 cat <&4 >/dev/null || true
		i=0
		until (wf_setup_forwarding >/dev/null; wf_setup_probes) >&2 2>"$wf_rundir/repair.err"; do
			i=$((i + 1))
			if [ "$i" -ge 10 ] || [ -e "$wf_rundir/stopping" ]; then
				wf_stamp <"$wf_rundir/repair.err"
				break
			fi
			sleep 0.5
		done
	done
}

# At the end of start, whatever ends it: its children stopped, the end
# in the log with the exit status, the run's files but the record gone.
wf_exit() {
	wf_st=$?
	wf_stop_children
	wf_log "stopped (exit $wf_st)"
	wf_clean
}

# wf_prober K: uplink K's pingcheck, restarted when it dies (its uplink
# then counts as down), its lines into the family's health FIFO.
wf_prober() {
	wf_get "$1"
	set -f
	# shellcheck disable=SC2086 # the targets are words
	set -- $targets
	set +f
	case $gw in
	dhcp|-) set -- -g any "$@" ;;
	*) set -- -g "$gw" "$@" ;;
	esac
	q=0
	if [ "$loss" != off ]; then
		set -- -L "$loss" "$@"
		q=1
	fi
	if [ "$latency" != off ]; then
		set -- -R "$latency" "$@"
		q=1
	fi
	[ "$q" -eq 0 ] || set -- -W "$wf_window" "$@"
	hf=health
	[ "$fam" = 4 ] || hf=health6
	# its stderr (pingcheck's messages, ours) with the time
	{
	(
		while [ ! -e "$wf_rundir/stopping" ]; do
			"$pc" -f -i "$wf_interval" -t "$timeout" -d "$wf_down" \
			    -u "$wf_up" -a "$minup" -I "$iface" "$@" 3>&- &
			hk_pid_write "$wf_rundir/$name.pid" "$!" || true
			st=0
			wait "$!" 2>/dev/null || st=$?
			[ ! -e "$wf_rundir/stopping" ] || break
			hk_warn "$name: pingcheck ended (status $st); the uplink counts as down; restarting it in 1s"
			echo "state down why=prober"
			sleep 1
		done
	) 2>&3 | wf_stream "$name" >"$wf_rundir/$hf" 2>&3 3>&-
	# this shell's own stderr: only its job messages ("Terminated" when
	# stop ends the loop), which are not the log's
	} 3>&1 2>/dev/null | wf_stamp &
}

# wf_switcher FAMILY: that family's gwswitch, its output to wf_events;
# its pid (the last of the pipeline, the log reader) in $!.
wf_switcher() {
	wfam=$1
	set --
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		if [ "$fam" = "$wfam" ]; then
			case $gw in
			-) set -- "$@" "$name=@$iface" ;;
			*) set -- "$@" "$name=$gw@$iface" ;;
			esac
		fi
		k=$((k + 1))
	done
	[ "$wfam" = 4 ] || set -- -6 "$@"
	[ -z "$wf_damping" ] || set -- -D "$wf_damping" "$@"
	hf=health sf=gwswitch
	[ "$wfam" = 4 ] || hf=health6 sf=gwswitch6
	# its stderr gets the time too: the carrier and route messages
	{
		(
			"$gs" -t "$wf_table" -u "$wf_up" "$@" <"$wf_rundir/$hf" 2>&3 &
			hk_pid_write "$wf_rundir/$sf.pid" "$!" || true
			wait "$!" 2>/dev/null
		) | wf_events "$wfam"
	} 3>&1 1>&2 | wf_stamp &
}

wf_start() {
	wf_check
	[ -d "$wf_hooks" ] ||
		hk_warn "hooks directory $wf_hooks does not exist: no hook will run"
	pc=$(hk_bin pingcheck) || hk_die "$HK_SYS" "pingcheck not found"
	gs=$(hk_bin gwswitch) || hk_die "$HK_SYS" "gwswitch not found"
	wf_rundir_ok make
	wf_lock || {
		wf_running || true
		hk_die "$HK_NO" "already running${wf_pid:+ (pid $wf_pid)}"
	}
	if wf_running; then
		hk_die "$HK_NO" "already running (pid $wf_pid)"
	fi
	# stop finds it from now on, setup included
	hk_pid_write "$wf_rundir/pid" || hk_die "$HK_SYS" "cannot write $wf_rundir/pid"
	wf_setup || hk_warn "an uplink's probe route could not be set (above): it is down until its repair"
	rm -f "$wf_rundir"/*.pid "$wf_rundir"/*.state "$wf_rundir"/*.last \
	    "$wf_rundir"/*.why "$wf_rundir"/*.gw "$wf_rundir"/*.damp \
	    "$wf_rundir/route" "$wf_rundir/route6" "$wf_rundir/health" \
	    "$wf_rundir/health6" "$wf_rundir/stopping" \
	    "$wf_rundir/repair.err" "$wf_rundir/repair.fifo" "$wf_rundir/failed"
	# the last run's record stays, as events.1 (a crash and a restart
	# must not lose it)
	[ ! -e "$wf_rundir/events" ] || mv -f "$wf_rundir/events" "$wf_rundir/events.1"
	wf_log "start: pid $$, $wf_conf, $wf_n uplinks"
	trap 'wf_stop_children' TERM INT HUP
	trap wf_exit EXIT
	wf_main=$$
	# The children are stopped with TERM: a wait on one of them keeps
	# dash's "Terminated" (a job message, not the child's) off stderr.
	evpids=""
	for f in 4 6; do
		eval "nf=\$wf_n$f"
		[ "$nf" -gt 0 ] || continue
		hf=health
		[ "$f" = 4 ] || hf=health6
		mkfifo "$wf_rundir/$hf"
		wf_switcher "$f"
		evpids="$evpids $!"
	done
	k=1 crit=""
	while [ "$k" -le "$wf_n" ]; do
		wf_prober "$k"
		crit="$crit $!"
		k=$((k + 1))
	done
	mkfifo "$wf_rundir/repair.fifo"
	# An uplink's port set down takes its probe route along, a new
	# address needs a new rule, a DHCP client's new gateway a new probe
	# route, a PPP link that comes back all of them: repair after the
	# link, address and route events of the uplinks' interfaces.  The
	# reader only passes them on; the repairer lets a burst come in
	# (200 ms), drops what came meanwhile and repairs once for all of
	# it, so a storm of events costs at most five repairs a second.
	# (without the lock: its sleeps need not hold it after a stop)
	wf_repairer 9>&- &
	hk_pid_write "$wf_rundir/repair.pid" "$!" || true
	crit="$crit $!"
	ifs=$(wf_list_ifs 4; wf_list_ifs 6)
	(
		ip -o monitor link address route &
		hk_pid_write "$wf_rundir/monitor.pid" "$!" || true
		wait "$!" 2>/dev/null
	) | while IFS= read -r l; do
		for i in $ifs; do
			case "$l " in
			*" dev $i "*|*": $i: "*|*": $i "*)
				echo >&4
				break ;;
			esac
		done
	done 4>"$wf_rundir/repair.fifo" &
	crit="$crit $!"
	# A SIGKILLed wanfailover runs no trap: this watchdog then stops
	# what it started, so that no gwswitch or prober runs on
	# unsupervised (and a new start does not run beside them).  It also
	# watches the helpers that feed gwswitch and repair the routes (a
	# prober's line reader, the event reader, the repairer): one that
	# ended would leave an uplink judged on stale lines, or its routes
	# unrepaired, while all seems well; then everything stops, exit 3.
	(
		while hk_alive "$wf_main"; do
			sleep 1
			[ ! -e "$wf_rundir/stopping" ] || continue
			for p in $crit; do
				hk_alive "$p" && continue
				wf_put "$wf_rundir/failed" "$p"
				kill -TERM "$wf_main" 2>/dev/null || true
				break
			done
		done
		rm -f "$wf_rundir/watchdog.pid"
		wf_stop_children
	) </dev/null >/dev/null 9>&- &
	hk_pid_write "$wf_rundir/watchdog.pid" "$!" || true
	# Ends when a gwswitch's reader does: on SIGTERM the trap stops the
	# children, gwswitch reads the end of its input and exits.
	for p in $evpids; do
		while :; do
			wait "$p" || true
			if ! hk_alive "$p"; then
				break
			fi
		done
		[ ! -e "$wf_rundir/stopping" ] || continue
		wf_stop_children
		wait || true
		hk_die "$HK_SYS" "gwswitch ended unexpectedly; everything stopped"
	done
	wf_stop_children
	wait || true
	if [ -s "$wf_rundir/failed" ]; then
		hk_die "$HK_SYS" "a helper (pid $(cat "$wf_rundir/failed")) ended unexpectedly; everything stopped"
	fi
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
	# and its children, which hold the lock while they live: once stop
	# returns, a start or teardown finds nothing running
	while [ "$i" -lt 100 ]; do
		if wf_lock; then
			exec 9>&-
			exit 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	hk_die "$HK_SYS" "pid $p stopped, but a child of it still holds $wf_rundir/lock after 10s"
}

# --- status ----------------------------------------------------------------

# The value of key=VALUE in the words of a line.
wf_field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# wf_holder FAMILY: the uplink the default route of that family goes
# through now, "-" when none of ours.
wf_holder() {
	r=$(ip "-$1" route show table "$wf_table" default 2>/dev/null | head -n 1)
	h=- k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		if [ "$fam" = "$1" ] && [ "$h" = - ]; then
			case $gw:"$r " in
			-:*" dev $iface "*)
				case "$r" in *" via "*) ;; *) h=$name ;; esac ;;
			dhcp:*" dev $iface "*) h=$name ;;
			*:*"via $gw dev $iface "*) h=$name ;;
			esac
		fi
		k=$((k + 1))
	done
	echo "$h"
}

wf_status() {
	if wf_running; then
		printf 'wanfailover running pid=%s\n' "$wf_pid"
		run=0
	else
		printf 'wanfailover stopped\n'
		run=1
	fi
	h4=$(wf_holder 4) h6=$(wf_holder 6)
	k=1
	while [ "$k" -le "$wf_n" ]; do
		wf_get "$k"
		g=$(wf_gw_now)
		state=unknown rtt=- loss=- carrier=yes why="" damped=no
		if [ "$run" -eq 0 ]; then
			[ -s "$wf_rundir/$name.state" ] && state=$(cat "$wf_rundir/$name.state")
			if [ -s "$wf_rundir/$name.last" ]; then
				last=$(cat "$wf_rundir/$name.last")
				rtt=$(wf_field rtt "$last")
				loss=$(wf_field loss "$last")
			fi
			[ ! -s "$wf_rundir/$name.why" ] || why=$(cat "$wf_rundir/$name.why")
			[ ! -s "$wf_rundir/$name.damp" ] || damped=yes
		fi
		case $(ip -o link show dev "$iface" 2>/dev/null) in
		*[\<,]LOWER_UP[,\>]*) ;;
		'') carrier=none ;;
		*) carrier=no ;;
		esac
		def=no
		if [ "$fam" = 4 ]; then [ "$h4" != "$name" ] || def=yes
		else [ "$h6" != "$name" ] || def=yes
		fi
		printf 'uplink %s state=%s rtt=%s loss=%s carrier=%s default=%s iface=%s gateway=%s family=ipv%s damped=%s' \
		    "$name" "$state" "${rtt:--}" "${loss:--}" "$carrier" "$def" "$iface" "${g:-none}" "$fam" "$damped"
		if [ -n "$why" ]; then
			# since=TIME why=... the cause of the last change, as
			# pingcheck said it (window loss and rtt renamed)
			set -f
			# shellcheck disable=SC2086 # its words
			set -- $why
			set +f
			printf ' since=%s' "$1"
			shift
			for w in "$@"; do
				case $w in
				loss=*) printf ' wloss=%s' "${w#*=}" ;;
				rtt=*) printf ' wrtt=%s' "${w#*=}" ;;
				*) printf ' %s' "$w" ;;
				esac
			done
		fi
		printf '\n'
		k=$((k + 1))
	done
	[ "$wf_n4" -eq 0 ] || printf 'route %s\n' "$h4"
	[ "$wf_n6" -eq 0 ] || printf 'route6 %s\n' "$h6"
	exit "$run"
}
