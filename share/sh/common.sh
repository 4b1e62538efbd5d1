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
