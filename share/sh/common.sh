# shellcheck shell=sh
# share/sh/common.sh - sourced by hakit's wrappers and scripts: the one
# copy of what they share (messages, durations, finding programs, the
# clock, process checks, pid files, the lock).
#
#   hk_die STATUS MESSAGE...   "NAME: MESSAGE" on stderr, exit STATUS
#   hk_warn MESSAGE...         "NAME: MESSAGE" on stderr
#   hk_dur_ms TEXT             print TEXT as milliseconds: 250ms, 2s, 1.5,
#                              1m, 1h; a bare number is seconds.  Returns 1
#                              (printing nothing) when TEXT is malformed.
#   hk_bin NAME                print the path of hakit program NAME:
#                              $HAKIT_BINDIR, else next to the script, else
#                              PATH, else a wrapper in $HK_SHARE (the source
#                              tree), else make install's sbin beside
#                              $HK_SHARE (PREFIX/share/hakit -> PREFIX/sbin)
#   hk_help USAGE [OPT TEXT]...
#                              -h and --help: USAGE, a blank line, then one
#                              line per option (OPT aligned, then TEXT), and
#                              the lines of -h, --help and -V, on stdout
#   hk_wants_help OPTSTRING ARG...
#                              true when --help stands among ARG where an
#                              option may (before the first operand or --,
#                              not as the value of an option of OPTSTRING)
#   hk_now_ms VAR              monotonic milliseconds into VAR, from
#                              /proc/uptime (never jumps with the wall
#                              clock; 10 ms steps); no fork
#   hk_pstate PID              hk_ps = the state letter of /proc/PID/stat
#                              (R, S, D, T, Z, X...), "" when PID is gone
#                              or not a number; no fork, nothing on stderr
#   hk_alive PID               true unless PID is gone, a zombie (Z) or
#                              dead (X); no fork
#   hk_pid_write FILE [PID]    write "PID STARTTIME" to FILE, atomically
#                              (FILE.tmp, then mv); PID defaults to $$,
#                              STARTTIME is field 22 of /proc/PID/stat
#                              (clock ticks since boot).  Returns 1 when
#                              PID is gone or FILE cannot be written.
#   hk_pid_read FILE           the proof that a pid file names our process:
#                              prints the PID (and sets hk_pid) only when
#                              it is alive (hk_alive) and started at the
#                              recorded STARTTIME; returns 1 (hk_pid "")
#                              for no file, a PID only (an old file), a
#                              dead or zombie process, or a reused PID.
#   hk_lock FD FILE            open FILE for appending on descriptor FD
#                              (0-9) and take flock(1) -n on it, for the
#                              life of the process: 0 taken, 1 held by
#                              another (say "already running", exit 1),
#                              2 FILE cannot be opened.  Without flock(1):
#                              warns once, returns 0.  Children inherit FD
#                              and hold the lock while they live: start
#                              those that may outlive us with FD>&-.
# Exit codes, as in hakit(7): HK_OK=0 HK_NO=1 HK_USAGE=2 HK_SYS=3.
# The caller sets HK_NAME (default: its $0's base name).
#
# Every script finds this file with the same lines, from its real path
# (it may be a link in mon's mondir or /etc/ha.d/resource.d): first
# $HAKIT_SHAREDIR, then its own directory and its parent (share/X and
# share/mon.d/X in the source tree, PREFIX/share/hakit/mon.d/X after make
# install), PREFIX/share/hakit beside PREFIX/sbin/X, then
# /usr/local/share/hakit and /usr/share/hakit.  HK_SHARE is then the
# share directory.  HK_NOSHARE, when set before, is the exit status when
# nothing is found (default 3; IPaddr says 5, LSB's "not installed").
# Paste these lines verbatim:
#
#	hk_self=$(readlink -f -- "$0" 2>/dev/null) || hk_self=$0
#	hk_here=${hk_self%/*}
#	for HK_SHARE in "${HAKIT_SHAREDIR:-}" "$hk_here" "${hk_here%/*}" \
#	    "${hk_here%/*}/share/hakit" /usr/local/share/hakit /usr/share/hakit ''; do
#		[ -z "$HK_SHARE" ] || [ ! -r "$HK_SHARE/sh/common.sh" ] || break
#	done
#	case $HK_SHARE in
#	'') echo "${0##*/}: cannot find hakit's sh/common.sh; set HAKIT_SHAREDIR" >&2
#		exit "${HK_NOSHARE:-3}" ;;
#	/*) ;;
#	*) HK_SHARE=$PWD/$HK_SHARE ;;
#	esac
#	# shellcheck source=share/sh/common.sh
#	. "$HK_SHARE/sh/common.sh"

# shellcheck disable=SC2034 # used by the scripts that source this
HK_OK=0 HK_NO=1 HK_USAGE=2 HK_SYS=3
: "${HK_NAME:=${0##*/}}"

hk_warn() {
	printf '%s: %s\n' "$HK_NAME" "$*" >&2
}

# hk_log LEVEL MESSAGE: through the caller's "log LEVEL MESSAGE" when it
# has one (hbnode's: its logfile, syslog), else "NAME: LEVEL: MESSAGE" on
# stderr; for the libraries a wrapper sources.
hk_log() {
	if command -v log >/dev/null 2>&1; then
		log "$@"
	else
		printf '%s: %s: %s\n' "$HK_NAME" "$1" "$2" >&2
	fi
}

hk_die() {
	hk_st=$1
	shift
	hk_warn "$@"
	exit "$hk_st"
}

hk_dur_ms() {
	# awk does the arithmetic; the pattern does the checking.
	case $1 in
	''|*[!0-9.a-z]*|*.*.*|.|.[a-z]*) return 1 ;;
	esac
	printf '%s\n' "$1" | awk '
	    /^[0-9]+(\.[0-9]*)?(ms|s|m|h|d)?$/ || /^\.[0-9]+(ms|s|m|h|d)?$/ {
		n = $0; u = $0
		sub(/[a-z]+$/, "", n); sub(/^[0-9.]+/, "", u)
		f = (u == "ms") ? 1 : (u == "m") ? 60000 : (u == "h") ? 3600000 : \
		    (u == "d") ? 86400000 : 1000
		v = n * f
		if (v > 31536000000) exit 1
		printf "%.0f\n", int(v + 0.5)	# %d: mawk stops at 2^31
		ok = 1
	    }
	    END { exit !ok }'
}

hk_bin() {
	if [ -n "${HAKIT_BINDIR:-}" ] && [ -x "$HAKIT_BINDIR/$1" ]; then
		printf '%s\n' "$HAKIT_BINDIR/$1"
	elif [ -x "${0%/*}/$1" ]; then
		printf '%s\n' "${0%/*}/$1"
	elif command -v "$1" >/dev/null 2>&1; then
		command -v "$1"
	elif [ -n "${HK_SHARE:-}" ] && [ -f "$HK_SHARE/$1" ] &&
	    [ -x "$HK_SHARE/$1" ]; then
		printf '%s\n' "$HK_SHARE/$1"
	elif [ "${HK_SHARE:-}" != "${HK_SHARE%/share/hakit}" ] &&
	    [ -x "${HK_SHARE%/share/hakit}/sbin/$1" ]; then
		printf '%s\n' "${HK_SHARE%/share/hakit}/sbin/$1"
	else
		return 1
	fi
}

hk_help() {
	printf '%s\n\n' "$1"
	shift
	set -- "$@" '-h, --help' 'print this help and exit' \
	    -V 'print the version and exit'
	hk_w=0 hk_i=0
	for hk_a; do
		# the options are the odd arguments: only they set the width
		hk_i=$((hk_i + 1))
		[ $((hk_i % 2)) -eq 0 ] || [ "${#hk_a}" -le "$hk_w" ] ||
		    hk_w=${#hk_a}
	done
	hk_fmt="  %-${hk_w}s  %s\n"
	while [ $# -ge 2 ]; do
		# shellcheck disable=SC2059 # the format only holds a width
		printf "$hk_fmt" "$1" "$2"
		shift 2
	done
}

hk_wants_help() {
	hk_o=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--help) return 0 ;;
		--|-|[!-]*) return 1 ;;
		esac
		hk_a=${1#-}
		while [ -n "$hk_a" ]; do
			hk_c=${hk_a%"${hk_a#?}"}
			hk_a=${hk_a#?}
			case $hk_c in
			:) continue ;;
			esac
			case $hk_o in
			*"$hk_c:"*)
				# the rest of this word, or the next, is its value
				[ -n "$hk_a" ] || [ $# -lt 2 ] || shift
				break ;;
			esac
		done
		shift
	done
	return 1
}

hk_now_ms() {
	# /proc/uptime: "SECONDS.CC IDLE", CC in hundredths
	read -r hk_up _ </proc/uptime
	hk_c=${hk_up#*.}
	hk_c=${hk_c#0}
	eval "$1=\$((\${hk_up%.*} * 1000 + hk_c * 10))"
}

# hk_pstat PID: hk_stat = /proc/PID/stat after the command name, which
# may hold blanks and ")": the text after the last ") " is "STATE PPID
# ...".  "" when PID is gone (a race with -r is possible: the braces keep
# the shell's "cannot open" off stderr).
hk_pstat() {
	hk_stat=
	case $1 in
	''|*[!0-9]*) return 1 ;;
	esac
	[ -r "/proc/$1/stat" ] || return 1
	{ read -r hk_stat </proc/"$1"/stat; } 2>/dev/null || [ -n "$hk_stat" ] ||
	    return 1
	hk_stat=${hk_stat##*) }
}

hk_pstate() {
	hk_ps=
	hk_pstat "$1" || return 0
	hk_ps=${hk_stat%% *}
}

hk_alive() {
	hk_pstate "$1"
	case $hk_ps in
	''|Z*|X*) return 1 ;;
	esac
	return 0
}

# hk_pstart PID: hk_start = the start time of PID (field 22, the 20th
# word after the command name), "" when gone.
hk_pstart() {
	hk_start=
	hk_pstat "$1" || return 1
	hk_i=1
	while [ "$hk_i" -lt 20 ]; do
		hk_stat=${hk_stat#* }
		hk_i=$((hk_i + 1))
	done
	hk_start=${hk_stat%% *}
	case $hk_start in
	''|*[!0-9]*) hk_start=; return 1 ;;
	esac
}

hk_pid_write() {
	hk_p=${2:-$$}
	hk_pstart "$hk_p" || return 1
	{ printf '%s %s\n' "$hk_p" "$hk_start" >"$1.tmp"; } 2>/dev/null ||
	    return 1
	mv -f -- "$1.tmp" "$1"
}

hk_pid_read() {
	hk_pid='' hk_p='' hk_s=''
	[ -r "$1" ] || return 1
	{ read -r hk_p hk_s _ <"$1"; } 2>/dev/null || [ -n "$hk_p" ] || return 1
	# an old file holds the PID alone: not proven
	case $hk_s in
	''|*[!0-9]*) return 1 ;;
	esac
	hk_alive "$hk_p" || return 1
	hk_pstart "$hk_p" && [ "$hk_start" = "$hk_s" ] || return 1
	hk_pid=$hk_p
	printf '%s\n' "$hk_pid"
}

hk_lock() {
	case $1 in
	[0-9]) ;;
	*) return 2 ;;
	esac
	# command: a failed redirection of exec must not end the shell
	{ eval "command exec $1>>\"\$2\""; } 2>/dev/null || return 2
	if ! command -v flock >/dev/null 2>&1; then
		[ -n "${hk_lock_warned:-}" ] ||
		    hk_warn "flock(1) not found: two starts at once are not prevented"
		hk_lock_warned=1
		return 0
	fi
	hk_r=0
	flock -n "$1" || hk_r=$?
	case $hk_r in
	0|1) return "$hk_r" ;;
	esac
	return 2
}
