# shellcheck shell=sh
# shellcheck disable=SC2094,SC2034,SC2154 # hb_err only names the file; variables are for the sourcing script
# share/sh/hbnode.sh - reads heartbeat's configuration for hbnode(8):
# ha.cf, haresources and authkeys, in heartbeat's syntax and with its
# rules.  Every error is "FILE:LINE: reason" on stderr and exit 2, before
# anything is started; unknown ha.cf directives are warnings.
#
#   hb_load CONFDIR SELF SHAREDIR   read the three files; sets the cf_*
#                                   variables, hb_tx (hbsend media),
#                                   hb_rx (hbrecv sources), hb_peer,
#                                   hb_home, rsc_n, rsc_1..rsc_N
#                                   ("NAME ARG...") and rsc_path_1..N
#                                   (the script; CONFDIR may hold blanks)
#                                   and hb_weak: why the keys are weak,
#                                   as hbsend and hbrecv say it, or ""
#   hb_dump                         print what was read, one "key value"
#                                   line each (hbnode check)

hb_err() {
	hk_die 2 "$1:$2: $3"
}

hb_dur() {
	# hb_dur FILE LINE DIRECTIVE VALUE: the value in ms, > 0.
	hb_v=$(hk_dur_ms "$4") ||
	    hb_err "$1" "$2" "$3: bad duration '$4' (seconds, or with a unit: 500ms, 2s)"
	[ "$hb_v" -gt 0 ] || hb_err "$1" "$2" "$3 must be more than 0"
	printf '%s\n' "$hb_v"
}

hb_bool() {
	case $1 in
	on|true|yes|y|1) echo on ;;
	off|false|no|n|0) echo off ;;
	*) return 1 ;;
	esac
}

hb_add() {
	# hb_add LIST WORD: append WORD to the space-separated LIST unless
	# it is there.
	case " $1 " in
	*" $2 "*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "${1:+$1 }$2" ;;
	esac
}

hb_local_addrs() {
	if [ -z "${hb_locals+x}" ]; then
		hb_locals=$("$(hk_bin vipctl 2>/dev/null || echo false)" list \
		    2>/dev/null | awk '{ sub(/\/.*/, "", $1); printf " %s", $1 }') ||
		    hb_locals=""
		hb_locals="$hb_locals "
	fi
	case $hb_locals in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

hb_iface() {
	# hb_iface FILE LINE IFACE: the interface must exist.
	ipa_ifname "$3" || hb_err "$1" "$2" "bad interface name '$3'"
	[ -e "/sys/class/net/$3" ] || hb_err "$1" "$2" "no interface '$3' on this host"
}

hb_port() {
	case $3 in
	''|*[!0-9]*|0*) hb_err "$1" "$2" "bad UDP port '$3'" ;;
	esac
	[ "$3" -le 65535 ] || hb_err "$1" "$2" "bad UDP port '$3'"
}

hb_read_hacf() {
	hf=$1
	[ -r "$hf" ] || hk_die 2 "$hf: cannot read it (no such file, or no permission)"
	ln=0
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		line=${line%%#*}
		set -f
		# shellcheck disable=SC2086 # split into words on purpose
		set -- $line
		set +f
		[ $# -gt 0 ] || continue
		d=$1
		shift
		case $d in
		garp_master_delay|garp_master_refresh)
			# keepalived's: announce again after taking the group,
			# and every so often while holding it; 0 is never
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "$d takes one duration (0: never)"
			v=$(hk_dur_ms "$1") ||
			    hb_err "$hf" "$ln" "$d: bad duration '$1' (seconds, or with a unit: 500ms, 2s)"
			[ "$d" != garp_master_refresh ] || [ "$v" = 0 ] || [ "$v" -ge 1000 ] ||
			    hb_err "$hf" "$ln" "$d: at least 1s (or 0: never); more often floods the LAN"
			eval "cf_$d=\$v"
			;;
		keepalive|deadtime|warntime|initdead|resource_timeout)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "$d takes one duration"
			v=$(hb_dur "$hf" "$ln" "$d" "$1")
			eval "cf_$d=\$v cf_${d}_line=\$ln"
			;;
		udpport)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "udpport takes one port number"
			[ -z "$hb_udp_media" ] || hb_err "$hf" "$ln" \
			    "udpport must come before the bcast/ucast lines it applies to (line $hb_udp_media)"
			hb_port "$hf" "$ln" "$1"
			cf_udpport=$1
			;;
		baud)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "baud takes one speed"
			[ -z "$hb_serial_media" ] || hb_err "$hf" "$ln" \
			    "baud must come before the serial lines it applies to (line $hb_serial_media)"
			case $1 in
			9600|19200|38400|57600|115200|230400|460800) cf_baud=$1 ;;
			*) hb_err "$hf" "$ln" "bad baud rate '$1' (9600 to 460800)" ;;
			esac
			;;
		bcast)
			[ $# -ge 1 ] || hb_err "$hf" "$ln" "bcast names at least one interface"
			for i in "$@"; do
				hb_iface "$hf" "$ln" "$i"
				hb_tx=$(hb_add "$hb_tx" "bcast:$i:$cf_udpport")
				# One source per interface: a cut of one medium is a
				# link event, and a line heard over two is no replay.
				hb_rx=$(hb_add "$hb_rx" "udp:$cf_udpport@$i")
			done
			: "${hb_udp_media:=$ln}"
			;;
		ucast)
			[ $# -eq 2 ] || hb_err "$hf" "$ln" "ucast takes an interface and a peer's address"
			hb_iface "$hf" "$ln" "$1"
			ipa_v4 "$2" || hb_err "$hf" "$ln" "ucast: '$2' is not an IPv4 address"
			: "${hb_udp_media:=$ln}"
			# A line naming one of our own addresses is the peer's:
			# both nodes can share one ha.cf, as with heartbeat.
			if ! hb_local_addrs "$2"; then
				hb_tx=$(hb_add "$hb_tx" "udp:$2:$cf_udpport")
				hb_rx=$(hb_add "$hb_rx" "udp:$cf_udpport@$1")
			fi
			;;
		mcast)
			[ $# -eq 5 ] || hb_err "$hf" "$ln" "mcast takes: IFACE GROUP PORT TTL LOOP"
			hb_iface "$hf" "$ln" "$1"
			ipa_v4 "$2" || hb_err "$hf" "$ln" "mcast: '$2' is not an IPv4 address"
			case ${2%%.*} in
			22[4-9]|23[0-9]) ;;
			*) hb_err "$hf" "$ln" "mcast: $2 is not a multicast group (224.0.0.0/4)" ;;
			esac
			hb_port "$hf" "$ln" "$3"
			case $4 in
			[1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]) ;;
			*) hb_err "$hf" "$ln" "mcast: bad TTL '$4' (1-255)" ;;
			esac
			case $5 in
			0|1) ;;
			*) hb_err "$hf" "$ln" "mcast: LOOP must be 0 or 1, not '$5'" ;;
			esac
			hb_tx=$(hb_add "$hb_tx" "mcast:$2:$3@$1,ttl=$4,loop=$5")
			hb_rx=$(hb_add "$hb_rx" "mcast:$2:$3@$1")
			;;
		serial)
			[ $# -ge 1 ] || hb_err "$hf" "$ln" "serial names at least one device"
			for i in "$@"; do
				case $i in
				*[!A-Za-z0-9/_.-]*) hb_err "$hf" "$ln" "bad device name '$i'" ;;
				esac
				[ -c "$i" ] || hb_err "$hf" "$ln" "serial: $i is not a character device"
				hb_tx=$(hb_add "$hb_tx" "serial:$i:$cf_baud")
				hb_rx=$(hb_add "$hb_rx" "serial:$i:$cf_baud")
			done
			: "${hb_serial_media:=$ln}"
			;;
		node)
			[ $# -ge 1 ] || hb_err "$hf" "$ln" "node names at least one node"
			for i in "$@"; do
				case $i in
				*[!A-Za-z0-9_.-]*|-*) hb_err "$hf" "$ln" "bad node name '$i'" ;;
				esac
				cf_nodes=$(hb_add "$cf_nodes" "$i")
			done
			: "${cf_node_line:=$ln}"
			;;
		auto_failback)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "auto_failback takes on, off or legacy"
			case $1 in
			legacy) cf_auto_failback=legacy ;;
			*) cf_auto_failback=$(hb_bool "$1") ||
				hb_err "$hf" "$ln" "auto_failback: '$1' is not on, off or legacy" ;;
			esac
			;;
		logfile|debugfile)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "$d takes one file name"
			case $1 in
			/*) ;;
			*) hb_err "$hf" "$ln" "$d: '$1' is not an absolute path" ;;
			esac
			eval "cf_$d=\$1"
			;;
		logfacility)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "logfacility takes one facility"
			case $1 in
			none) cf_logfacility="" ;;
			auth|authpriv|cron|daemon|ftp|kern|lpr|mail|news|syslog|user|uucp|local[0-7])
				cf_logfacility=$1 ;;
			*) hb_err "$hf" "$ln" "logfacility: unknown facility '$1'" ;;
			esac
			;;
		crm|pacemaker)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "$d takes off"
			v=$(hb_bool "$1") || v=bad
			[ "$v" = off ] ||
			    hb_err "$hf" "$ln" "$d $1: only 'crm off' (haresources mode) is supported"
			;;
		*)
			hk_warn "$hf:$ln: unknown directive '$d', ignored"
			;;
		esac
	done <"$hf"
	hb_last_line=$ln
}

hb_check_hacf() {
	[ -n "$hb_tx" ] || [ -n "$hb_rx" ] || hb_err "$hf" "$hb_last_line" \
	    "no heartbeat medium (bcast, mcast, ucast or serial) in the file"
	[ -n "$hb_tx" ] || hb_err "$hf" "$hb_udp_media" \
	    "every ucast line names one of this host's addresses: no peer to send to"
	[ "$cf_deadtime" -gt $((2 * cf_keepalive)) ] ||
	    hb_err "$hf" "${cf_deadtime_line:-${cf_keepalive_line:-$hb_last_line}}" \
	    "deadtime (${cf_deadtime}ms) must be more than twice keepalive (${cf_keepalive}ms)"
	: "${cf_warntime:=$((cf_deadtime / 2))}"
	[ "$cf_warntime" -lt "$cf_deadtime" ] ||
	    hk_warn "$hf:${cf_warntime_line:-0}: warntime is not below deadtime: no warnings"
	if [ -z "$cf_initdead" ]; then
		if [ "$cf_deadtime" -gt 10000 ]; then
			cf_initdead=$cf_deadtime
		elif [ "$cf_deadtime" -lt 6000 ]; then
			cf_initdead=12000
		else
			cf_initdead=$((2 * cf_deadtime))
		fi
	elif [ "$cf_initdead" -lt "$cf_deadtime" ]; then
		hk_warn "$hf:$cf_initdead_line: initdead is below deadtime; using deadtime"
		cf_initdead=$cf_deadtime
	fi
	[ -n "$cf_nodes" ] || hb_err "$hf" "$hb_last_line" "no node line"
	hb_n=0
	for i in $cf_nodes; do
		hb_n=$((hb_n + 1))
		[ "$i" = "$hb_self" ] || hb_peer=$i
	done
	case " $cf_nodes " in
	*" $hb_self "*) ;;
	*) hb_err "$hf" "$cf_node_line" \
	    "no node line names this host, '$hb_self' (uname -n, or hbnode -n NODE)" ;;
	esac
	[ "$hb_n" -eq 2 ] || hb_err "$hf" "$cf_node_line" \
	    "hbnode runs two-node clusters; the node lines name $hb_n"
}

hb_read_authkeys() {
	af=$1
	[ -r "$af" ] || hk_die 2 "$af: cannot read it (no such file, or no permission)"
	if [ -n "$(find "$af" -prune -perm /077 2>/dev/null)" ]; then
		hk_die 2 "$af: bad permissions $(stat -L -c %a "$af"): it must not be readable by group or others (chmod 600 $af)"
	fi
	ln=0 auth="" auth_also="" auth_line="" keys=" " hb_keymeth=" "
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		# As hbsend and hbrecv read it (and heartbeat): a comment is a
		# line starting with '#', or the end of an "auth N" line; a
		# key's secret is the rest of its line, blanks and '#' too.
		set -f
		# shellcheck disable=SC2086
		set -- $line
		set +f
		[ $# -gt 0 ] || continue
		case $1 in
		'#'*) continue ;;
		auth)
			set -f
			# shellcheck disable=SC2086
			set -- ${line%%#*}
			set +f
			# "auth N": sign with key N, accept it only (heartbeat);
			# "auth N M...": accept keys M too, for a key change
			# (hakit's extension, as hbsend(8) and hbrecv read it).
			[ $# -ge 2 ] || hb_err "$af" "$ln" "auth takes a key number (then any keys also accepted)"
			[ -z "$auth" ] || hb_err "$af" "$ln" "a second auth line"
			shift
			for k in "$@"; do
				case $k in
				[1-9]|1[0-5]) ;;
				*) hb_err "$af" "$ln" "auth: '$k' is not a key number (1 to 15)" ;;
				esac
			done
			auth=$1 auth_line=$ln
			shift
			auth_also=$*
			;;
		[1-9]|1[0-5])
			case $2 in
			crc) [ $# -eq 2 ] || hb_err "$af" "$ln" "crc takes no secret" ;;
			sha256|sha1|md5)
				[ $# -ge 3 ] || hb_err "$af" "$ln" "$2 needs one secret (the rest of the line)" ;;
			'') hb_err "$af" "$ln" "key $1 has no method" ;;
			*) hb_err "$af" "$ln" "unknown method '$2' (sha256, sha1, md5, crc)" ;;
			esac
			case $keys in
			*" $1 "*) hb_err "$af" "$ln" "key $1 defined twice" ;;
			esac
			keys="$keys$1 "
			hb_keymeth="$hb_keymeth$1:$2 "
			;;
		*)
			hb_err "$af" "$ln" "expected 'auth N' or 'N METHOD SECRET' (N from 1 to 15), not '$1'"
			;;
		esac
	done <"$af"
	[ -n "$auth" ] || hb_err "$af" "$ln" "no 'auth N' line"
	case $keys in
	*" $auth "*) ;;
	*) hb_err "$af" "$auth_line" "auth $auth: no key $auth in the file" ;;
	esac
	for k in $auth_also; do
		case $keys in
		*" $k "*) ;;
		*) hb_err "$af" "$auth_line" "auth accepts key $k, but the file does not list it (add '$k METHOD SECRET')" ;;
		esac
	done
	hb_weak_keys "$af"
}

hb_meth() {
	# hb_meth N: the method of key N, from hb_keymeth (" N:METHOD ...").
	hb_m=${hb_keymeth#* "$1":}
	hb_m=${hb_m%% *}
}

hb_weak_keys() {
	# The rule and the words of auth_weak_msg (bin-src/lib/auth.c):
	# a crc key, signing or accepted, is no authentication (anyone on
	# the LAN can forge heartbeats); an md5 one is a weak hash.  The
	# worst first, the signing key before the others.
	hb_weak=""
	hb_crc_risk="it only guards against line noise; anyone on the LAN can forge heartbeats and take the cluster down"
	for w in crc md5; do
		if [ "$w" = crc ]; then hb_risk=$hb_crc_risk; else hb_risk="a weak hash"; fi
		hb_meth "$auth"
		if [ "$hb_m" = "$w" ]; then
			hb_weak="$1: key $auth is $w: $hb_risk; use '$auth sha256 SECRET' (see hbsend(8))"
			return 0
		fi
		for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
			case " $auth_also " in
			*" $k "*) ;;
			*) continue ;;
			esac
			hb_meth "$k"
			if [ "$hb_m" = "$w" ]; then
				hb_weak="$1: key $k is $w and accepted: $hb_risk; end the key change with 'auth $auth' (see hbsend(8))"
				return 0
			fi
		done
	done
}

hb_rsc_script() {
	# Where heartbeat looks, then hakit's own scripts.
	for hb_d in "$hb_confdir/resource.d" /etc/init.d "$hb_sharedir/resource.d"; do
		if [ -f "$hb_d/$1" ] && [ -x "$hb_d/$1" ]; then
			printf '%s\n' "$hb_d/$1"
			return 0
		fi
	done
	return 1
}

hb_read_haresources() {
	rf=$1
	[ -r "$rf" ] || hk_die 2 "$rf: cannot read it (no such file, or no permission)"
	ln=0 logical="" start=0 rsc_n=0 hb_home=""
	# The last line may lack its newline; a trailing "\" continues.
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		[ -n "$logical" ] || start=$ln
		line=${line%%#*}
		case $line in
		*\\)
			logical="$logical ${line%\\}"
			continue
			;;
		esac
		logical="$logical $line"
		hb_group "$rf" "$start" "$logical"
		logical=""
	done <"$rf"
	[ -z "$logical" ] || hb_group "$rf" "$start" "$logical"
	[ -n "$hb_home" ] || hb_err "$rf" "$ln" "no resource group line (NODE RESOURCE...)"
}

hb_group() {
	gf=$1 gl=$2
	set -f
	# shellcheck disable=SC2086
	set -- $3
	set +f
	[ $# -gt 0 ] || return 0
	[ -z "$hb_home" ] || hb_err "$gf" "$gl" \
	    "a second resource group: hbnode runs one group (line $hb_home_line has it)"
	case " $cf_nodes " in
	*" $1 "*) ;;
	*) hb_err "$gf" "$gl" "'$1' is not a node named in ha.cf ($cf_nodes)" ;;
	esac
	hb_home=$1 hb_home_line=$gl
	shift
	[ $# -gt 0 ] || hb_err "$gf" "$gl" "node $hb_home has no resources"
	for tok in "$@"; do
		# A bare address first: an IPv6 one has "::" in it too.
		case $tok in
		IPaddr::*|IPaddr2::*)
			name=IPaddr args=${tok#*::} ;;
		*)
			if ipa_v4 "${tok%%/*}" || ipa_v6 "${tok%%/*}"; then
				name=IPaddr args=$tok
			else
				case $tok in
				*::*)
					name=${tok%%::*}
					args=$(printf '%s\n' "${tok#*::}" | sed 's/::/ /g') ;;
				*)
					name=$tok args="" ;;
				esac
			fi ;;
		esac
		case $name in
		''|*[!A-Za-z0-9_.+-]*|.*) hb_err "$gf" "$gl" "bad resource name '$name'" ;;
		esac
		if [ "$name" = IPaddr ]; then
			ipa_parse "$args" || hb_err "$gf" "$gl" "$tok: $ipa_err"
		fi
		path=$(hb_rsc_script "$name") || hb_err "$gf" "$gl" \
		    "no resource script '$name' in $hb_confdir/resource.d, /etc/init.d or $hb_sharedir/resource.d"
		rsc_n=$((rsc_n + 1))
		eval "rsc_$rsc_n=\"\$name\${args:+ \$args}\" rsc_path_$rsc_n=\$path"
	done
}

hb_load() {
	hb_confdir=$1 hb_self=$2 hb_sharedir=$3
	cf_keepalive=1000 cf_deadtime=30000 cf_warntime="" cf_initdead=""
	cf_garp_master_delay=5000 cf_garp_master_refresh=0 cf_resource_timeout=60000
	cf_udpport=694 cf_baud=19200 cf_nodes="" cf_auto_failback=legacy
	cf_logfile="" cf_debugfile="" cf_logfacility=""
	cf_keepalive_line="" cf_deadtime_line="" cf_warntime_line=""
	cf_initdead_line="" cf_node_line=""
	hb_tx="" hb_rx="" hb_udp_media="" hb_serial_media="" hb_peer=""
	hb_read_hacf "$hb_confdir/ha.cf"
	hb_check_hacf
	hb_read_authkeys "$hb_confdir/authkeys"
	hb_read_haresources "$hb_confdir/haresources"
	if [ "$cf_auto_failback" = legacy ]; then
		cf_auto_failback=on
	fi
}

hb_dump() {
	printf 'node %s\n' "$hb_self"
	printf 'peer %s\n' "$hb_peer"
	printf 'home %s\n' "$hb_home"
	printf 'keepalive %s\n' "$cf_keepalive"
	printf 'deadtime %s\n' "$cf_deadtime"
	printf 'warntime %s\n' "$cf_warntime"
	printf 'initdead %s\n' "$cf_initdead"
	printf 'auto_failback %s\n' "$cf_auto_failback"
	printf 'garp_master_delay %s\n' "$cf_garp_master_delay"
	printf 'garp_master_refresh %s\n' "$cf_garp_master_refresh"
	printf 'resource_timeout %s\n' "$cf_resource_timeout"
	printf 'send %s\n' "$hb_tx"
	printf 'receive %s\n' "$hb_rx"
	i=1
	while [ "$i" -le "$rsc_n" ]; do
		eval "r=\$rsc_$i p=\$rsc_path_$i"
		# shellcheck disable=SC2154
		set -f
		# shellcheck disable=SC2086
		set -- $r
		set +f
		n=$1
		shift
		printf 'resource %s %s%s\n' "$n" "$p" "${1:+ $*}"
		i=$((i + 1))
	done
}
