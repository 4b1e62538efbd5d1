# t/bench/lib.sh - the plumbing every t/bench/*.sh benchmark shares.
# shellcheck shell=sh
#
# A benchmark sources it first thing (t/bench/run skips it):
#   # shellcheck source=t/bench/lib.sh
#   . "$(dirname -- "$0")/lib.sh"
#
# Sets top (the checkout), bench_name (the script's file name, for its
# messages), HAKIT_BINDIR and HAKIT_SHAREDIR (exported; by default the
# checkout's build and share/) and PATH (those programs, the test helpers
# in $HAKIT_BINDIR/t and share/ first), and gives:
#   bench_need_root             exit 2 unless root (the labs are namespaces)
#   bench_need PROG...          exit 2 unless each $HAKIT_BINDIR/PROG is built
#   bench_begin CLEANUP         trap CLEANUP (bench_cleanup, or a function
#                               that ends with it) on exit, exit 130 on
#                               SIGHUP, SIGINT, SIGPIPE and SIGTERM (so a
#                               reader that quits early cleans up too);
#                               make a scratch directory: bench_tmp
#   bench_ns_add NS...          make network namespaces, lo up in each
#   bench_veth NSA IFA NSB IFB  a veth pair: IFA in NSA, IFB in NSB, both up
#   bench_pair IF NSA ADDRA NSB ADDRB
#                               two namespaces joined by a veth pair, each
#                               end named IF, with address ADDR (a/len,
#                               maybe more words for ip addr add: brd +)
#   bench_ns_kill NS...         SIGKILL every process in the namespaces
#   bench_ns_del NS...          bench_ns_kill, then delete the namespaces
#   bench_cleanup               bench_ns_del what bench_ns_add made and
#                               remove bench_tmp: for the EXIT trap (a
#                               script with more to undo calls it last)
#   bench_want PKG [CMD]        bench_install PKG unless CMD (a name or a
#                               path; default PKG) is there
#   bench_install PKG           install Debian's PKG with apt-get (once
#                               more after apt-get update if that fails;
#                               log in bench_tmp), then stop the daemon the
#                               package may have started on the host; says
#                               so on stderr; 1 when it cannot
#   bench_now_ms, bench_now_us  the wall clock in ms, in us
#   bench_wait SECONDS CMD...   poll CMD every 50 ms until it succeeds; 1
#                               once SECONDS (whole) have passed
#   bench_timed NS DIR CMD...   run CMD in namespace NS, stdout to DIR/out,
#                               stderr to DIR/err, its status ignored;
#                               prints the wall time it took in us
#   bench_timed_median NS DIR N CMD...
#                               bench_timed N times; prints the median us
#   bench_stats [FILE]          of the numbers in FILE (or stdin; the first
#                               field of each line): sets bench_med,
#                               bench_min, bench_max and bench_n; the
#                               median of an even count is the mean of the
#                               middle two (it may end in .5); "-" for all
#                               three and bench_n=0 when there are none
#   bench_median [FILE]         bench_stats, and prints bench_med
#   bench_ms US                 microseconds as whole milliseconds
#   bench_client_start NS ADDR FILE
#                               haclient in namespace NS, in the
#                               background: an HTTP request to ADDR every
#                               10 ms (1 s timeout), its lines in FILE;
#                               sets bench_client_pid
#   bench_answer FILE           the body of the last answer in haclient's
#                               FILE; nothing when there is none
#   bench_outage_since FILE LINE
#                               the longest outage (ms) haclient wrote in
#                               FILE after its line LINE; nothing when no
#                               request failed since
#   bench_record LABEL FILE [WIDTH]
#                               bench_stats FILE (ms): one line, LABEL
#                               padded to WIDTH (default 44), its median,
#                               min, max and count, or "no run
#                               completed"; printed, and appended to
#                               bench_results (the summary)

top=$(cd -- "$(dirname -- "$0")/../.." && pwd)
bench_name=${0##*/}
HAKIT_BINDIR=${HAKIT_BINDIR:-$top/bin-src/build}
HAKIT_SHAREDIR=${HAKIT_SHAREDIR:-$top/share}
export HAKIT_BINDIR HAKIT_SHAREDIR
PATH=$HAKIT_BINDIR:$HAKIT_BINDIR/t:$HAKIT_SHAREDIR:$PATH
export PATH
bench_tmp=""
bench_ns=""
bench_client_pid=""
bench_results=""

bench_need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "$bench_name: needs root for network namespaces" >&2
	exit 2
}

bench_need() {
	for bn_p in "$@"; do
		[ -x "$HAKIT_BINDIR/$bn_p" ] && continue
		echo "$bench_name: $HAKIT_BINDIR/$bn_p is missing: run make first" >&2
		exit 2
	done
}

bench_begin() {
	# shellcheck disable=SC2064  # the name is known now
	trap "$1" EXIT
	trap 'exit 130' HUP INT PIPE TERM
	bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/hakit-${bench_name%.sh}.XXXXXX")
}

bench_ns_add() {
	for bn_n in "$@"; do
		case " $bench_ns " in
		*" $bn_n "*) ;;
		*) bench_ns="$bench_ns $bn_n" ;;
		esac
		ip netns add "$bn_n"
		ip -n "$bn_n" link set lo up
	done
}

bench_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

bench_pair() {
	bench_ns_add "$2" "$4"
	bench_veth "$2" "$1" "$4" "$1"
	# shellcheck disable=SC2086  # an address and the words after it
	ip -n "$2" addr add $3 dev "$1"
	# shellcheck disable=SC2086
	ip -n "$4" addr add $5 dev "$1"
}

bench_ns_kill() {
	for bn_n in "$@"; do
		bn_pids=$(ip netns pids "$bn_n" 2>/dev/null || :)
		# shellcheck disable=SC2086  # one pid a word
		[ -z "$bn_pids" ] || kill -KILL $bn_pids 2>/dev/null || :
	done
}

bench_ns_del() {
	for bn_n in "$@"; do
		bench_ns_kill "$bn_n"
		ip netns del "$bn_n" 2>/dev/null || :
	done
}

bench_cleanup() {
	# shellcheck disable=SC2086  # one namespace a word
	[ -z "$bench_ns" ] || bench_ns_del $bench_ns
	[ -z "$bench_tmp" ] || rm -rf -- "$bench_tmp"
}

bench_want() {
	command -v "${2:-$1}" >/dev/null 2>&1 || bench_install "$1"
}

bench_install() {
	command -v apt-get >/dev/null 2>&1 || {
		echo "$bench_name: no apt-get to install Debian's $1" >&2
		return 1
	}
	echo "$bench_name: installing Debian's $1" >&2
	bn_log=/dev/null
	[ -z "$bench_tmp" ] || bn_log=$bench_tmp/apt.log
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" \
	    >>"$bn_log" 2>&1; then
		apt-get update -q >>"$bn_log" 2>&1 || :
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" \
		    >>"$bn_log" 2>&1; then
			echo "$bench_name: apt-get install $1 failed" >&2
			[ "$bn_log" = /dev/null ] || tail -n 3 "$bn_log" >&2
			return 1
		fi
	fi
	# a package may start its daemon on the host: the labs need none
	if command -v systemctl >/dev/null 2>&1; then
		systemctl stop "$1" >/dev/null 2>&1 || :
	fi
}

bench_now_ms() {
	bn_t=$(date +%s%N)
	echo $((bn_t / 1000000))
}

bench_now_us() {
	bn_t=$(date +%s%N)
	echo $((bn_t / 1000))
}

bench_wait() {
	bn_end=$(($(bench_now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(bench_now_ms)" -lt "$bn_end" ] || return 1
		sleep 0.05
	done
}

bench_timed() {
	bn_ns=$1 bn_dir=$2
	shift 2
	bn_t0=$(bench_now_us)
	ip netns exec "$bn_ns" "$@" >"$bn_dir/out" 2>"$bn_dir/err" || :
	bn_t1=$(bench_now_us)
	echo $((bn_t1 - bn_t0))
}

bench_timed_median() {
	bn_tm_ns=$1 bn_tm_dir=$2 bn_tm_n=$3
	shift 3
	: >"$bn_tm_dir/timed"
	bn_i=0
	while [ "$bn_i" -lt "$bn_tm_n" ]; do
		bench_timed "$bn_tm_ns" "$bn_tm_dir" "$@" >>"$bn_tm_dir/timed"
		bn_i=$((bn_i + 1))
	done
	bench_median "$bn_tm_dir/timed"
}

bench_stats() {
	bn_s=$(sort -n ${1+"$1"} | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - - 0"; exit }
		if (NR % 2) m = v[(NR + 1) / 2]
		else {
			m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			m = sprintf(m == int(m) ? "%d" : "%.1f", m)
		}
		print m, v[1], v[NR], NR }')
	# shellcheck disable=SC2034  # for the caller
	read -r bench_med bench_min bench_max bench_n <<EOF
$bn_s
EOF
}

bench_median() {
	bench_stats "$@"
	echo "$bench_med"
}

bench_ms() {
	awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'
}

bench_client_start() {
	ip netns exec "$1" haclient -i 10ms -t 1s "$2" </dev/null >"$3" 2>&1 &
	# shellcheck disable=SC2034  # for the caller
	bench_client_pid=$!
}

bench_answer() {
	grep '^answer ' "$1" | tail -n 1 | cut -d' ' -f2
}

bench_outage_since() {
	tail -n "+$(($2 + 1))" "$1" | grep '^outage ' |
	    sed 's/^outage ms=\([0-9]*\).*/\1/' | sort -n | tail -n 1
}

bench_record() {
	bench_stats "$2"
	bn_w="%-${3:-44}s"
	# shellcheck disable=SC2059  # the label's width, a number
	if [ "$bench_n" -eq 0 ]; then
		bn_line=$(printf "$bn_w  no run completed" "$1")
	else
		bn_line=$(printf "$bn_w  median %6d ms  min %6d  max %6d  (%d runs)" \
		    "$1" "${bench_med%.*}" "$bench_min" "$bench_max" "$bench_n")
	fi
	echo "$bn_line"
	bench_results="$bench_results$bn_line
"
}
