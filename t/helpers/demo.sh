#!/bin/sh
# t/helpers/demo.sh - sourced by t/demo and t/demo-router: what both
# demos need besides their story.
#
#   say TEXT...                 a line of the story, on stdout
#   die MESSAGE [STATUS]        "make $demo: MESSAGE" on stderr, exit
#   demo_env PROG...            HAKIT_BINDIR, HAKIT_SHAREDIR and PATH set
#                               and exported, common.sh sourced; dies
#                               unless each PROG is built in HAKIT_BINDIR
#   demo_ns PREFIX NAME...      namespaces $id-NAME (id=PREFIX$$) and a
#                               $tmp dir, all removed at exit, also on
#                               HUP, INT, PIPE, TERM
#   nx NAME CMD...              run CMD in namespace NAME
#   now_ms                      print the monotonic clock in ms
#   wait_for SECONDS CMD...     poll CMD every 100 ms, bounded
#
# The caller sets demo (its make target) and top (the source tree).

say() {
	printf '%s\n' "$*"
}

# shellcheck disable=SC2154 # demo is the caller's
die() {
	printf 'make %s: %s\n' "$demo" "$1" >&2
	exit "${2:-1}"
}

demo_env() {
	HAKIT_BINDIR=${HAKIT_BINDIR:-$top/bin-src/build}
	HAKIT_SHAREDIR=${HAKIT_SHAREDIR:-$top/share}
	export HAKIT_BINDIR HAKIT_SHAREDIR
	PATH=$HAKIT_BINDIR:$HAKIT_BINDIR/t:$HAKIT_SHAREDIR:$PATH
	export PATH
	for p in "$@"; do
		[ -x "$HAKIT_BINDIR/$p" ] || die "$HAKIT_BINDIR/$p is missing: run make first" 2
	done
	# shellcheck source=share/sh/common.sh
	. "$HAKIT_SHAREDIR/sh/common.sh"
}

demo_ns() {
	id=$1$$
	shift
	nss=$*
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hakit-$demo.XXXXXX")
	trap cleanup EXIT
	trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM
}

cleanup() {
	set +e
	for n in $nss; do
		pids=$(ip netns pids "$id-$n" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		ip netns del "$id-$n" 2>/dev/null
	done
	rm -rf -- "$tmp"
}

nx() {
	n=$1
	shift
	ip netns exec "$id-$n" "$@"
}

now_ms() {
	demo_now=0
	hk_now_ms demo_now
	echo "$demo_now"
}

wait_for() {
	w_end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$w_end" ] || return 1
		sleep 0.1
	done
}
