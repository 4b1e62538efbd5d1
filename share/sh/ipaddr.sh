# shellcheck shell=sh
# shellcheck disable=SC2034 # the ipa_* variables are for the sourcing script
# share/sh/ipaddr.sh - the virtual-IP argument of haresources, shared by
# hbnode (which checks it before starting anything) and resource.d/IPaddr.
#
#   ipa_parse ARG     ARG is ADDR[/PREFIX[/IFACE[:LABEL]][/BROADCAST]]
#                     (heartbeat's IPaddr forms: IP, IP/bits, IP/bits/iface,
#                     IP/bits/broadcast, IP/bits/iface/broadcast, any field
#                     but the address empty, one trailing "/"); sets
#                     ipa_addr ipa_plen ipa_iface (the device) ipa_lab (the
#                     label IFACE:LABEL when given, IPv4 only) ipa_brd
#                     ipa_fam (4 or 6); on a malformed ARG returns 1 with
#                     the reason in ipa_err.  The broadcast is checked and
#                     not used: the kernel's broadcast route of the subnet
#                     serves the alias too.
#   ipa_have_iface    0 when ipa_iface is empty or exists on this host, else
#                     1 with the reason in ipa_err.
#   ipa_brd_ok        0 unless a BROADCAST was given that is not the one
#                     of ADDR/PREFIX (which vipctl gives the address);
#                     then 1, with what the address gets in ipa_err.
#   ipa_findif        when ipa_iface is empty, set it (and ipa_plen when
#                     empty) from the interface whose subnet holds ipa_addr,
#                     as heartbeat's IPaddr does; 1 when there is none.
#                     With ipa_iface given and no prefix, the prefix of the
#                     subnet on that interface that holds ipa_addr, else
#                     the whole length (32 or 128).
#   ipa_setup ...     and the actions on the address: below.

ipa_v4() {
	# A dotted quad, each part 0-255, no leading junk.
	case $1 in
	*[!0-9.]*|*..*|.*|*.) return 1 ;;
	esac
	printf '%s\n' "$1" | awk -F. 'NF == 4 {
	    for (i = 1; i <= 4; i++)
		if (length($i) > 3 || $i + 0 > 255) exit 1
	    ok = 1 } END { exit !ok }'
}

ipa_v6() {
	case $1 in
	*[!0-9a-fA-F:.]*|'') return 1 ;;
	*:*:*) ;;
	*) return 1 ;;
	esac
	printf '%s\n' "$1" | awk -F: '{
	    dbl = gsub(/::/, "::")
	    if (dbl > 1 || NF > 8 || (NF < 8 && dbl == 0)) exit 1
	    for (i = 1; i <= NF; i++)
		if (length($i) > 4 && !(i == NF && $i ~ /\./)) exit 1
	    ok = 1 } END { exit !ok }'
}

ipa_ifname() {
	case $1 in
	''|*[!A-Za-z0-9_.:@-]*|.|..) return 1 ;;
	esac
	[ "${#1}" -le 15 ]
}

ipa_parse() {
	ipa_addr="" ipa_plen="" ipa_iface="" ipa_lab="" ipa_brd="" ipa_fam=""
	ipa_err=""
	# Split at "/" into up to four fields; empty ones stay (IP//eth0),
	# one trailing "/" goes (IP/24/eth0:1/, as heartbeat took it).
	ipa_rest=${1%/}/ ipa_n=0 ipa_f1="" ipa_f2="" ipa_f3="" ipa_f4=""
	while [ -n "$ipa_rest" ]; do
		ipa_n=$((ipa_n + 1))
		if [ "$ipa_n" -gt 4 ]; then
			ipa_err="too many '/' fields (ADDR/PREFIX/IFACE/BROADCAST at most)"
			return 1
		fi
		eval "ipa_f$ipa_n=\${ipa_rest%%/*}"
		ipa_rest=${ipa_rest#*/}
	done
	ipa_addr=$ipa_f1
	if ipa_v4 "$ipa_addr"; then
		ipa_fam=4 ipa_max=32
	elif ipa_v6 "$ipa_addr"; then
		ipa_fam=6 ipa_max=128
	else
		ipa_err="not an IPv4 or IPv6 address: $ipa_addr"
		return 1
	fi
	ipa_plen=$ipa_f2
	if [ -n "$ipa_plen" ]; then
		case $ipa_plen in
		*[!0-9]*|0[0-9]*|????*)
			ipa_err="bad prefix length: '$ipa_plen'"
			return 1 ;;
		esac
		if [ "$ipa_plen" -gt "$ipa_max" ] || [ "$ipa_plen" -lt 1 ]; then
			ipa_err="prefix length $ipa_plen out of range 1-$ipa_max"
			return 1
		fi
	fi
	# What is left: IFACE, BROADCAST or IFACE/BROADCAST.
	ipa_a=$ipa_f3 ipa_b=$ipa_f4
	if [ "$ipa_n" -eq 3 ] && ipa_v4 "$ipa_a"; then
		ipa_a="" ipa_b=$ipa_f3	# ADDR/PREFIX/BROADCAST
	fi
	if [ -n "$ipa_b" ]; then
		if ! ipa_v4 "$ipa_b"; then
			ipa_err="bad broadcast address: '$ipa_b'"
			return 1
		fi
		if [ "$ipa_fam" = 6 ]; then
			ipa_err="an IPv6 address has no broadcast address: '$ipa_b'"
			return 1
		fi
		ipa_brd=$ipa_b
	fi
	[ -n "$ipa_a" ] || return 0
	# IFACE:LABEL, heartbeat's alias name (eth0:1): the device is
	# before the colon, and the whole is the address's label.
	ipa_iface=${ipa_a%%:*}
	if ! ipa_ifname "$ipa_a" || ! ipa_ifname "$ipa_iface"; then
		ipa_err="bad interface name: '$ipa_a'"
		return 1
	fi
	if [ "$ipa_iface" != "$ipa_a" ]; then
		case ${ipa_a#*:} in
		''|*:*)
			ipa_err="bad alias label: '$ipa_a' (IFACE:LABEL)"
			return 1 ;;
		esac
		# IPv6 addresses have no labels: the device alone.
		[ "$ipa_fam" = 6 ] || ipa_lab=$ipa_a
	fi
	return 0
}

ipa_have_iface() {
	[ -z "$ipa_iface" ] && return 0
	[ -e "/sys/class/net/$ipa_iface" ] && return 0
	ipa_err="no interface '$ipa_iface' on this host"
	return 1
}

ipa_brd_ok() {
	[ -n "$ipa_brd" ] && [ -n "$ipa_plen" ] && [ "$ipa_plen" -lt 31 ] ||
	    return 0
	ipa_b=$(printf '%s %s\n' "$ipa_addr" "$ipa_plen" | awk '{
	    split($1, p, "."); v = ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4]
	    h = 2 ^ (32 - $2); v = int(v / h) * h + h - 1
	    printf "%d.%d.%d.%d\n", int(v / 16777216) % 256, int(v / 65536) % 256,
		int(v / 256) % 256, v % 256 }')
	[ "$ipa_b" = "$ipa_brd" ] && return 0
	ipa_err="broadcast $ipa_brd is not the one of $ipa_addr/$ipa_plen: the address gets $ipa_b"
	return 1
}

# The interface list comes from "vipctl list" ("ADDR/PREFIX IFACE ...").
ipa_findif() {
	[ -n "$ipa_iface" ] && [ -n "$ipa_plen" ] && return 0
	ipa_found=$("$(hk_bin vipctl)" list 2>/dev/null | awk -v vip="$ipa_addr" \
	    -v dev="$ipa_iface" '
	    function v4(s, p) { split(s, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
	    function expand6(s,   n, i, h, a, b, out, k) {
		# to 32 hex digits
		if (s ~ /::/) {
			a = s; sub(/::.*/, "", a); b = s; sub(/.*::/, "", b)
			n = (a == "" ? 0 : split(a, h, ":")) + (b == "" ? 0 : split(b, h, ":"))
			s = a; for (i = n; i < 8; i++) s = s (s == "" ? "" : ":") "0"
			if (b != "") s = s ":" b
		}
		k = split(s, h, ":"); out = ""
		for (i = 1; i <= k; i++) out = out substr("0000" h[i], length(h[i]) + 1)
		return tolower(out)
	    }
	    function hexbit(s, i,   d) { d = index("0123456789abcdef", substr(s, int((i - 1) / 4) + 1, 1)) - 1
		return int(d / 2 ^ (3 - (i - 1) % 4)) % 2 }
	    {
		split($1, ap, "/"); a = ap[1]; p = ap[2] + 0
		if (a == vip || (dev != "" && $2 != dev)) next
		if (vip ~ /:/) {
			if (a !~ /:/ || a ~ /^fe80/ || p == 128) next
			x = expand6(a); y = expand6(vip); same = 1
			for (i = 1; i <= p; i++) if (hexbit(x, i) != hexbit(y, i)) { same = 0; break }
		} else {
			if (a ~ /:/ || p == 32 || p == 0) next
			m = 2 ^ (32 - p)
			same = int(v4(a) / m) == int(v4(vip) / m)
		}
		if (same && p > best) { best = p; found = $2 }
	    }
	    END { if (found == "") exit 1; print found, best }') || {
		# A named interface without such a subnet: the address alone.
		[ -n "$ipa_iface" ] || return 1
		ipa_plen=$ipa_max
		return 0
	}
	ipa_iface=${ipa_found% *}
	[ -n "$ipa_plen" ] || ipa_plen=${ipa_found#* }
	return 0
}


# ---- the address itself: IPaddr's actions, shared by resource.d/IPaddr
# and hbnode, which runs them in its own shell (no script to start: a
# takeover's address costs a vipctl and a garp, ~2 ms each).  Each needs
# ipa_setup first.  None exits; each returns its status, with the reason
# in ipa_err.
#
#   ipa_setup RUNDIR  after ipa_parse and ipa_findif: ipa_spec (ADDR/PREFIX),
#                     ipa_lv (the alias label: the one given, else
#                     IFACE:LASTOCTET, "lan0:100"; empty for IPv6 or when
#                     it would be longer than 15), ipa_vipctl and
#                     ipa_garp (the programs; 5 when one is missing), and
#                     the announcer's files under RUNDIR: its pid
#                     (IPaddr.ADDR.garp.pid) and what it said
#                     (IPaddr.ADDR.garp.err)
#   ipa_carrier       0 when the interface has carrier
#   ipa_present       0 when the address is on the interface
#   ipa_add           add it, or renew it when present: the label, and
#                     the lease $HAKIT_LEASE when set (vipctl add)
#   ipa_del           stop the announcer and remove the address
#   ipa_announce      announce it: five rounds of gratuitous ARP (IPv6:
#                     unsolicited neighbour advertisements) 250 ms apart,
#                     the first at once, by one garp in the background
#                     that ipa_del stops
#   ipa_probe WAIT_MS probe (garp -D, each probe waiting
#                     $HAKIT_PROBE_TIMEOUT, default 100ms) until nobody
#                     answers or WAIT_MS has passed: 0 free, 1 answered
#                     (ipa_err names the MAC), 2 the probe failed

ipa_setup() {
	ipa_spec=$ipa_addr/$ipa_plen ipa_lv=""
	if [ "$ipa_fam" = 4 ]; then
		if [ -n "$ipa_lab" ]; then
			ipa_lv=$ipa_lab
		else
			ipa_lv=$ipa_iface:${ipa_addr##*.}
			[ "${#ipa_lv}" -le 15 ] || ipa_lv=""
		fi
	fi
	ipa_rundir=$1
	ipa_pidf=$1/IPaddr.$ipa_addr.garp.pid
	ipa_errf=$1/IPaddr.$ipa_addr.garp.err
	# found once (hbnode calls this for every action)
	[ -n "${ipa_vipctl:-}" ] || ipa_vipctl=$(hk_bin vipctl) ||
	    { ipa_err="vipctl not found"; ipa_vipctl=""; return 5; }
	[ -n "${ipa_garp:-}" ] || ipa_garp=$(hk_bin garp) ||
	    { ipa_err="garp not found"; ipa_garp=""; return 5; }
}

ipa_carrier() {
	ipa_c=0
	read -r ipa_c <"/sys/class/net/$ipa_iface/carrier" 2>/dev/null || ipa_c=0
	[ "$ipa_c" = 1 ]
}

ipa_present() {
	"$ipa_vipctl" check "$ipa_spec" dev "$ipa_iface" >/dev/null
}

ipa_add() {
	set -- "$ipa_spec" dev "$ipa_iface"
	[ -z "$ipa_lv" ] || set -- "$@" label "$ipa_lv"
	[ -z "${HAKIT_LEASE:-}" ] || set -- "$@" lease "$HAKIT_LEASE"
	"$ipa_vipctl" add "$@" || { ipa_err="vipctl add $ipa_spec failed"; return 1; }
}

# only our announcer: its pid file stays after it has ended, and the
# number may be another process's by now (hk_pid_read proves it).  What
# it said stays for the administrator; an empty file says nothing and
# goes.
ipa_unannounce() {
	# no fork unless there is a file to remove (on a takeover's path)
	[ -e "$ipa_pidf" ] || [ -e "$ipa_errf" ] || return 0
	# hk_pid: the pid hk_pid_read proved ours (common.sh)
	if hk_pid_read "$ipa_pidf" >/dev/null; then
		# shellcheck disable=SC2154
		kill "$hk_pid" 2>/dev/null || true
	fi
	if [ -e "$ipa_errf" ] && [ ! -s "$ipa_errf" ]; then
		rm -f "$ipa_pidf" "$ipa_errf"
	else
		rm -f "$ipa_pidf"
	fi
}

ipa_del() {
	ipa_unannounce
	"$ipa_vipctl" del "$ipa_spec" dev "$ipa_iface" ||
	    { ipa_err="vipctl del $ipa_spec failed"; return 1; }
}

# An IPv6 address on an interface that forwards is a router's: its
# advertisements say so (RFC 4861 4.4, the R flag), or a client that
# routes through it would drop it as its router (RFC 4861 7.2.5).  The
# announcer's stderr goes to a file: a caller reading ours through a
# pipe must not wait for it to finish.
ipa_announce() {
	set -- -I "$ipa_iface"
	if [ "$ipa_fam" = 6 ]; then
		# dash reads /proc/sys a byte at a time and sees its end before
		# the newline (read fails, the value is read all the same)
		ipa_fw=""
		read -r ipa_fw <"/proc/sys/net/ipv6/conf/$ipa_iface/forwarding" 2>/dev/null || :
		[ "${ipa_fw:-0}" = 0 ] || set -- "$@" -R
	fi
	[ -d "$ipa_rundir" ] || mkdir -p -- "$ipa_rundir"
	ipa_unannounce
	"$ipa_garp" -c 5 -i 250ms "$@" "$ipa_addr" </dev/null >/dev/null \
	    2>>"$ipa_errf" &
	hk_pid_write "$ipa_pidf" "$!" || hk_warn "cannot write $ipa_pidf"
}

ipa_probe() {
	ipa_t0=0 ipa_t1=0
	hk_now_ms ipa_t0
	while :; do
		ipa_rc=0
		ipa_mac=$("$ipa_garp" -D -t "${HAKIT_PROBE_TIMEOUT:-100ms}" \
		    -I "$ipa_iface" "$ipa_addr") || ipa_rc=$?
		case $ipa_rc in
		0) return 0 ;;
		1) ;;
		*) ipa_err="garp -D failed on $ipa_iface (status $ipa_rc)"
		   return 2 ;;
		esac
		hk_now_ms ipa_t1
		if [ $((ipa_t1 - ipa_t0)) -ge "$1" ]; then
			ipa_err="$ipa_addr is answered by ${ipa_mac:-another host}: not added"
			return 1
		fi
		sleep 0.2
	done
}
