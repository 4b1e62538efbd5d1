# t/helpers/common.bash - loaded by every t/*.bats file: `load helpers/common`.
#
# Sets PATH to the programs under test, and gives:
#   wait_until TIMEOUT CMD...   poll CMD every 50ms until it succeeds; 1 if
#                               TIMEOUT seconds (fractions allowed) pass first
#   stays_true SECS CMD...      CMD succeeds every 50ms for SECS; 1 at
#                               the first time it does not
#   bg_start [-n NS] [-o FILE] [-e FILE] CMD...
#                               start CMD in the background (in namespace NS),
#                               stdout/stderr to FILE (default files in the
#                               scope's tmpdir); sets BG_PID; it is killed in
#                               teardown
#   bg_stop PID [SIG]           signal PID (TERM), wait for it (bounded)
#   proc_alive PID              0 while PID runs and is not a zombie
#   now_ms                      monotonic-enough wall clock in ms, for waits
#   hk_cleanup                  kill what bg_start started and delete the
#                               namespaces of the current scope; the default
#                               teardown and teardown_file call it, so a file
#                               that defines its own must call it too.
# Things made in setup_file belong to the file scope and live until
# teardown_file; things made in a test, or its setup, die in teardown.

bats_require_minimum_version 1.5.0

HK_TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${HAKIT_BINDIR:=$HK_TOP/bin-src/build}"
: "${HAKIT_SHAREDIR:=$HK_TOP/share}"
export HAKIT_BINDIR HAKIT_SHAREDIR HK_TOP
PATH="$HAKIT_BINDIR:$HAKIT_BINDIR/t:$HAKIT_SHAREDIR:$PATH"
export PATH

# The directory where the current scope (test or file) keeps its records.
hk_scope() {
	if [ -n "${BATS_TEST_TMPDIR:-}" ] && [ -d "$BATS_TEST_TMPDIR" ]; then
		printf '%s\n' "$BATS_TEST_TMPDIR"
	else
		printf '%s\n' "$BATS_FILE_TMPDIR"
	fi
}

now_ms() {
	local t
	t=$(date +%s%N)
	echo $((t / 1000000))
}

wait_until() {
	local timeout=$1 deadline
	shift
	deadline=$(($(now_ms) + $(awk -v t="$timeout" 'BEGIN { printf "%d", t * 1000 }')))
	while :; do
		if "$@"; then
			return 0
		fi
		if [ "$(now_ms)" -ge "$deadline" ]; then
			echo "wait_until: '$*' still false after ${timeout}s" >&2
			return 1
		fi
		sleep 0.05
	done
}

stays_true() {
	local secs=$1 deadline
	shift
	deadline=$(($(now_ms) + $(awk -v t="$secs" 'BEGIN { printf "%d", t * 1000 }')))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		"$@" || { echo "stays_true: '$*' turned false" >&2; return 1; }
		sleep 0.05
	done
}

proc_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	# The state is the field after the ")" that closes the command name.
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

bg_start() {
	local ns="" out="" err="" scope n
	while [ $# -gt 0 ]; do
		case $1 in
		-n) ns=$2; shift 2 ;;
		-o) out=$2; shift 2 ;;
		-e) err=$2; shift 2 ;;
		*) break ;;
		esac
	done
	scope=$(hk_scope)
	n=$(find "$scope" -maxdepth 1 -name '.bg.*.pid' 2>/dev/null | wc -l)
	: "${out:=$scope/bg.$n.out}"
	: "${err:=$scope/bg.$n.err}"
	if [ -n "$ns" ]; then
		ip netns exec "$(ns "$ns")" "$@" >"$out" 2>"$err" </dev/null 3>&- &
	else
		"$@" >"$out" 2>"$err" </dev/null 3>&- &
	fi
	BG_PID=$!
	echo "$BG_PID" >"$scope/.bg.$n.pid"
}

bg_stop() {
	local pid=$1 sig=${2:-TERM} i
	kill -s "$sig" "$pid" 2>/dev/null || true
	for i in $(seq 1 60); do
		proc_alive "$pid" || break
		sleep 0.05
	done
	if proc_alive "$pid"; then
		kill -s KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

hk_cleanup() {
	local scope f pid
	scope=$(hk_scope)
	for f in "$scope"/.bg.*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		proc_alive "$pid" && bg_stop "$pid" TERM
		rm -f "$f"
	done
	ns_cleanup "$scope"
}

teardown() {
	hk_cleanup
}

teardown_file() {
	hk_cleanup
}

load "$BATS_TEST_DIRNAME/helpers/netns"
