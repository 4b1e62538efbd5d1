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
#                                   hb_home (group 1's), rsc_n, rsc_1..N
#                                   ("NAME ARG...") and rsc_path_1..N
#                                   (the script; CONFDIR may hold blanks),
#                                   grp_n, and for each group G (one a
#                                   haresources line) grp_home_G and its
#                                   resources grp_first_G..grp_last_G
#                                   and hb_weak: why the keys are weak
#                                   (hb_crc 1: one of them is crc),
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

hb_lower() {
	# hb_lower WORD: WORD in lower case (ASCII, whatever the locale).
	printf '%s\n' "$1" | tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' 'abcdefghijklmnopqrstuvwxyz'
}

hb_bool() {
	# As heartbeat reads them: in any case ("Off", "YES").
	case $(hb_lower "$1") in
	on|true|yes|y|1) echo on ;;
	off|false|no|n|0) echo off ;;
	*) return 1 ;;
	esac
}

hb_nodename() {
	# hb_nodename WORD: a node name as hbnode keeps it, in lower case:
	# heartbeat compares node names ignoring case (uname -n "Node1" is
	# "node node1"), so every reader spells them one way.
	hb_lower "$1"
}

hb_clean() {
	# hb_clean: drop from $line a Windows line end's CR and, on line 1
	# ($ln), a UTF-8 byte order mark (Notepad's), before anything else
	# reads it: a CR is no part of the last word, nor of a key's secret.
	line=${line%"${hb_cr:=$(printf '\r')}"}
	[ "$ln" -ne 1 ] || line=${line#"${hb_bom:=$(printf '\357\273\277')}"}
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

hb_note() {
	# hb_note FILE LINE DIRECTIVE WHY: heartbeat's directive, accepted
	# and not used, with why that is harmless.
	hk_warn "$1:$2: $3: ignored: $4"
}

hb_failback() {
	# hb_failback FILE LINE DIRECTIVE on|off|legacy: auto_failback or
	# its old name nice_failback; the one and the other disagreeing is
	# an error (legacy is on, as hbnode runs it); of two auto_failback
	# lines the last counts, as before.
	hb_a=$cf_auto_failback hb_b=$4
	[ "$hb_a" != legacy ] || hb_a=on
	[ "$hb_b" != legacy ] || hb_b=on
	if [ -n "$hb_fb_line" ] && [ "$hb_a" != "$hb_b" ] && [ "$3" != "$hb_fb_d" ]; then
		hb_err "$1" "$2" "$3 says 'auto_failback $4', line $hb_fb_line said '$cf_auto_failback': keep one auto_failback line"
	fi
	cf_auto_failback=$4 hb_fb_line=$2 hb_fb_d=$3
}

# Every directive of heartbeat's ha.cf hbnode reads, and hakit's own:
# what an unknown one is compared with.
hb_directives="apiauth auto_failback autojoin baud bcast client_child
compression compression_threshold conn_logd_time coredumps crm deadping
deadtime debug debugfile enable_config_writes garp_master_delay
garp_master_refresh generation_method hbgenmethod hopfudge initdead
keepalive logfacility logfile max_rexmit_delay mcast mcast6 memreserve
msgfmt nice_failback node pacemaker ping ping_group quorum_server
realtime record_config_changes record_pengine_inputs register_to_apphbd
resource_timeout respawn rtprio serial stonith stonith_host syslogmsgfmt
track_interface traditional_compression ucast udpport use_logd uuidfrom
warntime watchdog"

hb_nearest() {
	# hb_nearest WORD: the known directive nearest WORD (at most two
	# letters added, dropped or changed, or another case), or nothing.
	# shellcheck disable=SC2086 # one name a line
	printf '%s\n' $hb_directives | awk -v w="$(hb_lower "$1")" '
	function dist(a, b,   i, j, la, lb, d, c, x) {
		la = length(a); lb = length(b)
		for (i = 0; i <= la; i++) d[i, 0] = i
		for (j = 0; j <= lb; j++) d[0, j] = j
		for (i = 1; i <= la; i++)
			for (j = 1; j <= lb; j++) {
				c = substr(a, i, 1) != substr(b, j, 1)
				x = d[i - 1, j - 1] + c
				if (d[i - 1, j] + 1 < x) x = d[i - 1, j] + 1
				if (d[i, j - 1] + 1 < x) x = d[i, j - 1] + 1
				d[i, j] = x
			}
		return d[la, lb]
	}
	{ n = dist(w, $1); if (best == "" || n < bn) { best = $1; bn = n } }
	END { if (best != "" && bn <= 2) print best }'
}

hb_mcast_opts() {
	# hb_mcast_opts FILE LINE DIRECTIVE TTLWORD PORT TTL LOOP: mcast's
	# and mcast6's last three fields.
	hb_port "$1" "$2" "$5"
	case $6 in
	[1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]) ;;
	*) hb_err "$1" "$2" "$3: bad $4 '$6' (1-255)" ;;
	esac
	case $7 in
	0|1) ;;
	*) hb_err "$1" "$2" "$3: LOOP must be 0 or 1, not '$7'" ;;
	esac
}

hb_ping_add() {
	# hb_ping_add FILE LINE NAME ADDRS: one more ping node.
	[ "$cf_ping_n" -lt 16 ] || hb_err "$1" "$2" "more than 16 ping nodes"
	case " $hb_pingnames " in
	*" $3 "*) hb_err "$1" "$2" "a second ping node named $3" ;;
	esac
	hb_pingnames="$hb_pingnames $3"
	cf_ping_n=$((cf_ping_n + 1))
	eval "cf_ping_name_$cf_ping_n=\$3 cf_ping_hosts_$cf_ping_n=\$4"
}

hb_read_hacf() {
	hf=$1
	[ -r "$hf" ] || hk_die 2 "$hf: cannot read it (no such file, or no permission)"
	ln=0
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		hb_clean
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
			hb_mcast_opts "$hf" "$ln" mcast TTL "$3" "$4" "$5"
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
				cf_nodes=$(hb_add "$cf_nodes" "$(hb_nodename "$i")")
			done
			: "${cf_node_line:=$ln}"
			;;
		auto_failback)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "auto_failback takes on, off or legacy"
			case $(hb_lower "$1") in
			legacy) v=legacy ;;
			*) v=$(hb_bool "$1") ||
				hb_err "$hf" "$ln" "auto_failback: '$1' is not on, off or legacy" ;;
			esac
			hb_failback "$hf" "$ln" "$d" "$v"
			;;
		nice_failback)
			# heartbeat's old name: nice_failback on is auto_failback
			# off, nice_failback off is auto_failback legacy
			v=bad
			[ $# -ne 1 ] || v=$(hb_bool "$1") || v=bad
			[ "$v" != bad ] || hb_err "$hf" "$ln" "nice_failback takes on or off"
			if [ "$v" = on ]; then v=off; else v=legacy; fi
			hk_warn "$hf:$ln: nice_failback is heartbeat's old name; write 'auto_failback $v' instead"
			hb_failback "$hf" "$ln" "$d" "$v"
			;;
		use_logd)
			v=bad
			[ $# -ne 1 ] || v=$(hb_bool "$1") || v=bad
			[ "$v" != bad ] || hb_err "$hf" "$ln" "use_logd takes on or off"
			[ "$v" = off ] || hb_note "$hf" "$ln" "$d" \
			    "hakit has no log daemon; messages go to the logfile, debugfile and logfacility (syslog), or with none of them to standard error"
			;;
		debug)
			# Accepted: the debugfile, when set, gets every event.
			[ $# -eq 1 ] || set -- ""
			case $1 in
			[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5]) ;;
			*) hb_err "$hf" "$ln" "debug takes a level, 0 to 255" ;;
			esac
			;;
		mcast6)
			[ $# -eq 5 ] || hb_err "$hf" "$ln" "mcast6 takes: IFACE GROUP PORT TTL LOOP"
			hb_iface "$hf" "$ln" "$1"
			v=ok
			case $2 in
			[Ff][Ff]*:*) ipa_v6 "$2" || v=bad ;;
			*) v=bad ;;
			esac
			[ "$v" = ok ] ||
			    hb_err "$hf" "$ln" "mcast6: '$2' is not an IPv6 multicast group (ff00::/8)"
			hb_mcast_opts "$hf" "$ln" mcast6 "hop limit" "$3" "$4" "$5"
			hb_tx=$(hb_add "$hb_tx" "mcast:[$2]:$3@$1,ttl=$4,loop=$5")
			hb_rx=$(hb_add "$hb_rx" "mcast:[$2]:$3@$1")
			;;
		autojoin)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "autojoin takes none, other or any"
			case $(hb_lower "$1") in
			none) ;;
			other|any) hb_err "$hf" "$ln" \
			    "autojoin $1: not supported: the cluster is the two nodes of the node lines; write 'autojoin none' (see hbnode(8))" ;;
			*) hb_err "$hf" "$ln" "autojoin: '$1' is not none, other or any" ;;
			esac
			;;
		stonith|stonith_host)
			hb_err "$hf" "$ln" "$d: not supported; see hbnode(8) FENCING"
			;;
		watchdog)
			hb_note "$hf" "$ln" "$d" \
			    "not used: the address lease stands in for it (a holder whose hbnode dies or hangs loses the address when the lease runs out); see hbnode(8) FENCING"
			;;
		quorum_server)
			hb_note "$hf" "$ln" "$d" \
			    "heartbeat used it with crm on only; hakit has none; see hbnode(8) FENCING for what guards against a split brain"
			;;
		client_child)
			hb_note "$hf" "$ln" "$d" \
			    "heartbeat starts its client children from respawn lines; write 'respawn USER PROGRAM'"
			;;
		conn_logd_time)
			hb_note "$hf" "$ln" "$d" "hakit has no log daemon to reconnect to"
			;;
		hopfudge)
			hb_note "$hf" "$ln" "$d" \
			    "hakit forwards no heartbeats around a serial ring; a two-node link needs no extra hops"
			;;
		msgfmt)
			hb_note "$hf" "$ln" "$d" \
			    "hakit's heartbeat is one text line, the same on every medium (see hbsend(8))"
			;;
		hbgenmethod|generation_method)
			hb_note "$hf" "$ln" "$d" \
			    "the generation is kept in LIBDIR and grows even when that file is lost (see hbsend(8))"
			;;
		realtime|rtprio)
			hb_note "$hf" "$ln" "$d" \
			    "hakit keeps the normal priority; on a loaded host raise it with chrt(1) or systemd's CPUSchedulingPolicy"
			;;
		memreserve)
			hb_note "$hf" "$ln" "$d" \
			    "hakit locks no memory; its programs are small and do not grow"
			;;
		apiauth)
			hb_note "$hf" "$ln" "$d" \
			    "hakit has no client API: only hbnode's own programs talk to it"
			;;
		compression|compression_threshold|traditional_compression)
			hb_note "$hf" "$ln" "$d" \
			    "a heartbeat is one short line (at most 512 bytes), never compressed"
			;;
		uuidfrom)
			hb_note "$hf" "$ln" "$d" "nodes are known by the names of the node lines only"
			;;
		coredumps)
			hb_note "$hf" "$ln" "$d" \
			    "hakit leaves core dumps as the system has them (ulimit -c, systemd's LimitCORE)"
			;;
		max_rexmit_delay)
			hb_note "$hf" "$ln" "$d" \
			    "hakit retransmits nothing: every heartbeat is complete on its own"
			;;
		register_to_apphbd)
			hb_note "$hf" "$ln" "$d" \
			    "there is no apphbd: hbsend stops the heartbeats when hbnode stops feeding it (hbsend -W)"
			;;
		record_config_changes|record_pengine_inputs|enable_config_writes)
			hb_note "$hf" "$ln" "$d" \
			    "pacemaker's (crm on); hakit runs haresources only"
			;;
		syslogmsgfmt)
			hb_note "$hf" "$ln" "$d" \
			    "messages go to syslog through logger(1) in hbnode's own words"
			;;
		ping|ping_group)
			# ping nodes: each address of a ping line is one; a
			# ping_group NAME is one, up while any address answers
			if [ "$d" = ping ]; then
				[ $# -ge 1 ] || hb_err "$hf" "$ln" "ping names at least one address"
			else
				[ $# -ge 2 ] || hb_err "$hf" "$ln" "ping_group takes a name and at least one address"
				case $1 in
				*[!A-Za-z0-9_.-]*|-*) hb_err "$hf" "$ln" "bad ping_group name '$1'" ;;
				esac
				pg=$1
				shift
			fi
			for i in "$@"; do
				ipa_v4 "$i" || ipa_v6 "$i" ||
				    hb_err "$hf" "$ln" "$d: '$i' is not an IPv4 or IPv6 address"
				case " $hb_pinged " in
				*" $i "*) hb_err "$hf" "$ln" "$d: $i is a ping node already" ;;
				esac
				hb_pinged="$hb_pinged $i"
			done
			if [ "$d" = ping ]; then
				for i in "$@"; do
					hb_ping_add "$hf" "$ln" "$i" "$i"
				done
			else
				hb_ping_add "$hf" "$ln" "$pg" "$*"
			fi
			;;
		deadping)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "deadping takes one duration"
			cf_deadping=$(hb_dur "$hf" "$ln" "$d" "$1")
			;;
		track_interface)
			# keepalived's: the groups move when one of these loses
			# its carrier, as when their addresses' own does
			[ $# -ge 1 ] || hb_err "$hf" "$ln" "track_interface names at least one interface"
			for i in "$@"; do
				hb_iface "$hf" "$ln" "$i"
				cf_track=$(hb_add "$cf_track" "$i")
			done
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
		respawn)
			# rsp_check: share/sh/respawn.sh; ipfail is not recorded
			[ $# -ge 2 ] || hb_err "$hf" "$ln" "respawn takes a user and a program: respawn USER PROGRAM [ARGS]"
			rsp_check "$1" "$2" || hb_err "$hf" "$ln" "respawn: $rsp_err"
			if [ -n "$rsp_ipfail" ]; then
				hk_warn "$hf:$ln: respawn ipfail: not needed, not started: hbnode's ping nodes rule replaces ipfail (see hbnode(8), Ping nodes)"
			else
				cf_respawn_n=$((${cf_respawn_n:-0} + 1))
				eval "cf_respawn_$cf_respawn_n=\$*"
			fi
			;;
		crm|pacemaker)
			[ $# -eq 1 ] || hb_err "$hf" "$ln" "$d takes off"
			v=$(hb_bool "$1") || v=bad
			[ "$v" = off ] ||
			    hb_err "$hf" "$ln" "$d $1: only 'crm off' (haresources mode) is supported"
			;;
		*)
			v=$(hb_nearest "$d")
			[ -z "$v" ] || v=" (did you mean '$v'?)"
			hk_warn "$hf:$ln: unknown directive '$d', ignored$v"
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
	: "${cf_deadping:=$cf_deadtime}"
	[ "$cf_warntime" -lt "$cf_deadtime" ] ||
	    hk_warn "$hf:${cf_warntime_line:-0}: warntime is not below deadtime: no warnings, and no probe of the addresses before a takeover (+100 ms)"
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
		hb_clean
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
	hb_weak="" hb_crc=0
	hb_crc_risk="it only guards against line noise; anyone on the LAN can forge heartbeats and take the cluster down"
	for w in crc md5; do
		if [ "$w" = crc ]; then hb_risk=$hb_crc_risk; else hb_risk="a weak hash"; fi
		hb_meth "$auth"
		if [ "$hb_m" = "$w" ]; then
			hb_weak="$1: key $auth is $w: $hb_risk; use '$auth sha256 SECRET' (see hbsend(8))"
			[ "$w" != crc ] || hb_crc=1
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
				[ "$w" != crc ] || hb_crc=1
				return 0
			fi
		done
	done
}

hb_rsc_script() {
	# Where heartbeat looks, then hakit's own scripts.  IPaddr is
	# always hakit's: its lease bounds a split brain, and hbnode renews
	# and probes it (a resource.d/IPaddr brought over is heartbeat's
	# wrapper).  IPaddr2 only from CONFDIR/resource.d (heartbeat's,
	# from Debian's heartbeat package); without it hb_group uses IPaddr.
	case $1 in
	IPaddr) set -- "$1" "$hb_sharedir/resource.d" ;;
	IPaddr2) set -- "$1" "$hb_confdir/resource.d" ;;
	*) set -- "$1" "$hb_confdir/resource.d" /etc/init.d "$hb_sharedir/resource.d" ;;
	esac
	hb_n=$1
	shift
	for hb_d in "$@"; do
		if [ -f "$hb_d/$hb_n" ] && [ -x "$hb_d/$hb_n" ]; then
			printf '%s\n' "$hb_d/$hb_n"
			return 0
		fi
	done
	return 1
}

hb_read_haresources() {
	rf=$1
	[ -r "$rf" ] || hk_die 2 "$rf: cannot read it (no such file, or no permission)"
	ln=0 logical="" start=0 rsc_n=0 hb_home="" grp_n=0
	# The last line may lack its newline; a trailing "\" continues.
	while IFS= read -r line || [ -n "$line" ]; do
		ln=$((ln + 1))
		[ -n "$logical" ] || start=$ln
		hb_clean
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
	# One group a line, each with its home node (heartbeat's
	# active/active: each node home of some); hbown takes 8.
	[ "$grp_n" -lt 6 ] || hb_err "$gf" "$gl" \
	    "a seventh resource group: hbnode runs at most 6 (their states must fit in one heartbeat)"
	gh=$(hb_nodename "$1")
	case " $cf_nodes " in
	*" $gh "*) ;;
	*) hb_err "$gf" "$gl" "'$1' is not a node named in ha.cf ($cf_nodes)" ;;
	esac
	grp_n=$((grp_n + 1))
	[ -n "$hb_home" ] || hb_home=$gh hb_home_line=$gl
	eval "grp_home_$grp_n=\$gh grp_line_$grp_n=\$gl grp_first_$grp_n=\$((rsc_n + 1))"
	shift
	[ $# -gt 0 ] || hb_err "$gf" "$gl" "node $gh has no resources"
	# the line's hash (CRC, cksum(1)): the peer pairs its groups with
	# ours by it (hbown -k), whatever their order
	gs=$(printf '%s\n' "$gh $*" | cksum)
	eval "grp_sum_$grp_n=\$(printf '%06x' \$((\${gs%% *} & 16777215)))"
	for tok in "$@"; do
		# A bare address first: an IPv6 one has "::" in it too.
		case $tok in
		IPaddr::*)
			name=IPaddr args=${tok#*::} ;;
		IPaddr2::*)
			# heartbeat's IPaddr2, an ordinary resource, when
			# CONFDIR/resource.d has it; else hakit's IPaddr
			name=IPaddr2 args=${tok#*::}
			hb_rsc_script IPaddr2 >/dev/null || name=IPaddr ;;
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
			# What start would fail on: an interface not on this host
			# (of eth0:1, eth0).
			ipa_have_iface || hb_err "$gf" "$gl" "$tok: $ipa_err"
			ipa_brd_ok || hk_warn "$gf:$gl: $tok: $ipa_err"
		fi
		hint=""
		# Debian's names: apache2 for the howto's apache, and so on
		[ ! -x "/etc/init.d/${name}2" ] ||
		    hint=" (/etc/init.d/${name}2 exists: write ${name}2, or link it as $hb_confdir/resource.d/$name)"
		path=$(hb_rsc_script "$name") || hb_err "$gf" "$gl" \
		    "no resource script '$name' in $hb_confdir/resource.d, /etc/init.d or $hb_sharedir/resource.d$hint"
		rsc_n=$((rsc_n + 1))
		eval "rsc_$rsc_n=\"\$name\${args:+ \$args}\" rsc_path_$rsc_n=\$path"
		# an address in two groups would be added twice
		if [ "$name" = IPaddr ]; then
			case " $hb_addrs " in
			*" $ipa_addr "*) hb_err "$gf" "$gl" "$ipa_addr is in an earlier resource group too" ;;
			esac
			hb_addrs="$hb_addrs $ipa_addr"
		fi
	done
	eval "grp_last_$grp_n=\$rsc_n"
}

hb_load() {
	hb_confdir=$1 hb_self=$(hb_nodename "$2") hb_sharedir=$3 hb_fb_line=""
	cf_keepalive=1000 cf_deadtime=30000 cf_warntime="" cf_initdead=""
	cf_garp_master_delay=5000 cf_garp_master_refresh=0 cf_resource_timeout=60000
	cf_udpport=694 cf_baud=19200 cf_nodes="" cf_auto_failback=legacy
	cf_logfile="" cf_debugfile="" cf_logfacility=""
	cf_ping_n=0 cf_deadping="" cf_track="" hb_pinged="" hb_pingnames=""
	cf_respawn_n=0
	cf_keepalive_line="" cf_deadtime_line="" cf_warntime_line=""
	cf_initdead_line="" cf_node_line=""
	hb_tx="" hb_rx="" hb_udp_media="" hb_serial_media="" hb_peer="" hb_addrs=""
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
	K=1
	while [ "$K" -le "$cf_ping_n" ]; do
		eval "printf 'ping %s %s\n' \"\$cf_ping_name_$K\" \"\$cf_ping_hosts_$K\""
		K=$((K + 1))
	done
	[ "$cf_ping_n" = 0 ] || printf 'deadping %s\n' "$cf_deadping"
	[ -z "$cf_track" ] || printf 'track_interface %s\n' "$cf_track"
	K=1
	while [ "$K" -le "$cf_respawn_n" ]; do
		eval "printf 'respawn %s\n' \"\$cf_respawn_$K\""
		K=$((K + 1))
	done
	i=1 g=1
	while [ "$i" -le "$rsc_n" ]; do
		eval "r=\$rsc_$i p=\$rsc_path_$i gf=\${grp_first_$g:-0} gh=\${grp_home_$g:-}"
		if [ "$grp_n" -gt 1 ] && [ "$i" = "$gf" ]; then
			printf 'group %s %s\n' "$g" "$gh"
			g=$((g + 1))
		fi
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
