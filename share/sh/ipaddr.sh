# shellcheck shell=sh
# shellcheck disable=SC2034 # the ipa_* variables are for the sourcing script
# share/sh/ipaddr.sh - the virtual-IP argument of haresources, shared by
# hbnode (which checks it before starting anything) and resource.d/IPaddr.
#
#   ipa_parse ARG     ARG is ADDR[/PREFIX[/IFACE][/BROADCAST]] (heartbeat's
#                     IPaddr forms); sets ipa_addr ipa_plen ipa_iface
#                     ipa_fam (4 or 6); on a malformed ARG returns 1 with
#                     the reason in ipa_err.  The broadcast is accepted and
#                     ignored: the kernel derives it.
#   ipa_findif        when ipa_iface is empty, set it (and ipa_plen when
#                     empty) from the interface whose subnet holds ipa_addr,
#                     as heartbeat's IPaddr does; 1 when there is none.
#   ipa_label         print the alias label: IFACE:LASTOCTET ("lan0:100"),
#                     or nothing for IPv6 or when it would be too long.

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
	ipa_addr="" ipa_plen="" ipa_iface="" ipa_fam="" ipa_err=""
	ipa_rest=$1
	ipa_addr=${ipa_rest%%/*}
	if [ "$ipa_addr" != "$ipa_rest" ]; then
		ipa_rest=${ipa_rest#*/}
		ipa_plen=${ipa_rest%%/*}
		if [ "$ipa_plen" != "$ipa_rest" ]; then
			ipa_rest=${ipa_rest#*/}
		else
			ipa_rest=""
		fi
	else
		ipa_rest=""
	fi
	if ipa_v4 "$ipa_addr"; then
		ipa_fam=4 ipa_max=32
	elif ipa_v6 "$ipa_addr"; then
		ipa_fam=6 ipa_max=128
	else
		ipa_err="not an IPv4 or IPv6 address: $ipa_addr"
		return 1
	fi
	if [ -n "$ipa_plen" ] || case $1 in */) true ;; *) false ;; esac; then
		case $ipa_plen in
		''|*[!0-9]*|0[0-9]*)
			ipa_err="bad prefix length: '$ipa_plen'"
			return 1 ;;
		esac
		if [ "$ipa_plen" -gt "$ipa_max" ] || [ "$ipa_plen" -lt 1 ]; then
			ipa_err="prefix length $ipa_plen out of range 1-$ipa_max"
			return 1
		fi
	fi
	# What is left: IFACE, BROADCAST or IFACE/BROADCAST.
	ipa_a=${ipa_rest%%/*}
	ipa_b=""
	[ "$ipa_a" != "$ipa_rest" ] && ipa_b=${ipa_rest#*/}
	if [ -n "$ipa_a" ] && ipa_v4 "$ipa_a" && [ -z "$ipa_b" ]; then
		ipa_a=""	# ADDR/PREFIX/BROADCAST
	elif [ -n "$ipa_a" ]; then
		if ! ipa_ifname "$ipa_a"; then
			ipa_err="bad interface name: '$ipa_a'"
			return 1
		fi
		ipa_iface=$ipa_a
	fi
	if [ -n "$ipa_b" ] && ! ipa_v4 "$ipa_b"; then
		ipa_err="bad broadcast address: '$ipa_b'"
		return 1
	fi
	return 0
}

# The interface list comes from "vipctl list" ("ADDR/PREFIX IFACE ...").
ipa_findif() {
	[ -n "$ipa_iface" ] && { [ -n "$ipa_plen" ] || ipa_plen=$ipa_max; return 0; }
	ipa_found=$("$(hk_bin vipctl)" list 2>/dev/null | awk -v vip="$ipa_addr" '
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
		if (a == vip) next
		if (vip ~ /:/) {
			if (a !~ /:/ || a ~ /^fe80/ || p == 128) next
			x = expand6(a); y = expand6(vip); same = 1
			for (i = 1; i <= p; i++) if (hexbit(x, i) != hexbit(y, i)) { same = 0; break }
		} else {
			if (a ~ /:/ || p == 32 || p == 0) next
			m = 2 ^ (32 - p)
			same = int(v4(a) / m) == int(v4(vip) / m)
		}
		if (same && p > best) { best = p; dev = $2 }
	    }
	    END { if (dev == "") exit 1; print dev, best }') || return 1
	ipa_iface=${ipa_found% *}
	[ -n "$ipa_plen" ] || ipa_plen=${ipa_found#* }
	return 0
}

ipa_label() {
	[ "$ipa_fam" = 4 ] || return 0
	ipa_l="$ipa_iface:${ipa_addr##*.}"
	[ "${#ipa_l}" -le 15 ] && printf '%s\n' "$ipa_l"
	return 0
}
