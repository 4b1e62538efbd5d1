# shellcheck shell=sh
# share/sh/common.sh - sourced by hakit's wrappers and scripts.
#
#   hk_die STATUS MESSAGE...   "NAME: MESSAGE" on stderr, exit STATUS
#   hk_warn MESSAGE...         "NAME: MESSAGE" on stderr
#   hk_dur_ms TEXT             print TEXT as milliseconds: 250ms, 2s, 1.5,
#                              1m, 1h; a bare number is seconds.  Returns 1
#                              (printing nothing) when TEXT is malformed.
#   hk_bin NAME                print the path of hakit program NAME:
#                              $HAKIT_BINDIR, else next to the script, else
#                              PATH
#   hk_help USAGE [OPT TEXT]...
#                              -h and --help: USAGE, a blank line, then one
#                              line per option (OPT aligned, then TEXT), and
#                              the lines of -h, --help and -V, on stdout
#   hk_wants_help OPTSTRING ARG...
#                              true when --help stands among ARG where an
#                              option may (before the first operand or --,
#                              not as the value of an option of OPTSTRING)
# Exit codes, as in hakit(7): HK_OK=0 HK_NO=1 HK_USAGE=2 HK_SYS=3.
# The caller sets HK_NAME (default: its $0's base name).

# shellcheck disable=SC2034 # used by the scripts that source this
HK_OK=0 HK_NO=1 HK_USAGE=2 HK_SYS=3
: "${HK_NAME:=${0##*/}}"

hk_warn() {
	printf '%s: %s\n' "$HK_NAME" "$*" >&2
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
