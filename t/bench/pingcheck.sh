#!/bin/sh
# t/bench/pingcheck.sh - pingcheck against Debian's fping in one lab of
# namespaces, both with 3 probes 200 ms apart and a 500 ms timeout:
#   1. decision time (wall, median of RUNS) and correctness for 1, 20 and
#      200 targets with 10% dead (200: 15 blackholed, 5 ICMP-unreachable)
#      and, for 200, 5 more behind a 20%-lossy path that must count as
#      alive; fping's defaults on the 200 too;
#   2. start cost: one check of one healthy host as a whole process
#      (median of 50), next to /bin/true.
# Lab: namespace pcb<pid>-m (monitor) and -h (hosts on its lo, routes to
# the dead ones).  fping is installed with apt-get when missing.  Needs
# root; t/bench/run calls it.
set -eu
# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
RUNS=${RUNS:-5}
PC=$HAKIT_BINDIR/pingcheck
bench_need_root
bench_need pingcheck

NS=pcb$$
bench_begin bench_cleanup
W=$bench_tmp
bench_want fping || { echo "pingcheck.sh: cannot install fping" >&2; exit 2; }
FPING=$(command -v fping)

h() { ip netns exec "$NS-h" "$@"; }

bench_pair e0 "$NS-m" 192.0.2.1/24 "$NS-h" 192.0.2.2/24
ip -n "$NS-m" route add 203.0.113.0/24 via 192.0.2.2
ip -n "$NS-m" route add 198.51.100.0/24 via 192.0.2.2
h sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
# Alive: 203.0.113.1-180 and 198.51.100.1-5 (lossy); dead: 203.0.113.200-214
# blackholed, 203.0.113.241-245 unreachable.
i=1
while [ "$i" -le 180 ]; do
	echo "addr add 203.0.113.$i/32 dev lo"
	i=$((i + 1))
done >"$W/batch"
for i in 1 2 3 4 5; do echo "addr add 198.51.100.$i/32 dev lo"; done >>"$W/batch"
h ip -batch "$W/batch"
h ip route add blackhole 203.0.113.192/27
h ip route add unreachable 203.0.113.240/28
h nft -f - <<'EOF'
table ip pcb {
	chain in {
		type filter hook input priority 0;
		ip daddr 198.51.100.0/24 icmp type echo-request numgen random mod 10 < 2 drop
	}
}
EOF

seqs() { # PREFIX FIRST LAST
	i=$2
	while [ "$i" -le "$3" ]; do
		printf '%s%s\n' "$1" "$i"
		i=$((i + 1))
	done
}

# Target sets: alive list, dead list.
seqs 203.0.113. 1 1 >"$W/alive.1"
: >"$W/dead.1"
seqs 203.0.113. 1 18 >"$W/alive.20"
seqs 203.0.113. 200 201 >"$W/dead.20"
{ seqs 203.0.113. 1 175; seqs 198.51.100. 1 5; } >"$W/alive.200"
{ seqs 203.0.113. 200 214; seqs 203.0.113. 241 245; } >"$W/dead.200"

# Runs "$@" in the monitor namespace; prints its wall time in us; its
# output goes to $W/out and $W/err.
timed() { bench_timed "$NS-m" "$W" "$@"; }

# What each tool said was dead, one a line, sorted.
pc_failed() { head -1 "$W/out" | tr ' ' '\n' | sed '/^$/d' | sort; }
fp_failed() { awk -F' : ' '$2 ~ /^-( -)*$/ { print $1 }' "$W/err" | tr -d ' ' | sort; }

# Correctness: "false-dead/false-alive" against the expected sets.
score() { # N FAILEDFILE
	sort "$W/dead.$1" >"$W/exp"
	fd=$(comm -13 "$W/exp" "$2" | wc -l)
	fa=$(comm -23 "$W/exp" "$2" | wc -l)
	echo "$fd/$fa"
}

printf '%-20s %9s %9s %13s  %s\n' "targets (10% dead)" pingcheck fping "fping/pc" "runs with a wrong verdict"
for n in 1 20 200; do
	cat "$W/alive.$n" "$W/dead.$n" >"$W/all.$n"
	: >"$W/t.pc"
	: >"$W/t.fp"
	wpc=0
	wfp=0
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		# shellcheck disable=SC2046
		timed "$PC" -c 3 -i 200ms -t 500ms $(cat "$W/all.$n") >>"$W/t.pc"
		pc_failed >"$W/f.pc"
		s=$(score "$n" "$W/f.pc")
		[ "$s" = "0/0" ] || wpc=$((wpc + 1))
		# shellcheck disable=SC2046
		timed "$FPING" -C3 -p200 -t500 -i1 -q $(cat "$W/all.$n") >>"$W/t.fp"
		fp_failed >"$W/f.fp"
		s=$(score "$n" "$W/f.fp")
		[ "$s" = "0/0" ] || wfp=$((wfp + 1))
		r=$((r + 1))
	done
	tpc=$(bench_median "$W/t.pc")
	tfp=$(bench_median "$W/t.fp")
	printf '%-20s %7sms %7sms %12.2fx  pingcheck %s, fping %s, of %s\n' \
	    "$n" "$(bench_ms "$tpc")" "$(bench_ms "$tfp")" \
	    "$(awk -v a="$tfp" -v b="$tpc" 'BEGIN { print a / b }')" \
	    "$wpc" "$wfp" "$RUNS"
done

# fping's defaults (retries with back-off) on the 200.
: >"$W/t.fd"
r=0
while [ "$r" -lt 3 ]; do
	# shellcheck disable=SC2046
	timed "$FPING" -q $(cat "$W/all.200") >>"$W/t.fd"
	r=$((r + 1))
done
echo "fping defaults, 200 targets: $(bench_ms "$(bench_median "$W/t.fd")")ms (median of 3)"

# The failed lists of the last 200-target run, for the record.
echo "last 200-target run: pingcheck said dead: $(wc -l <"$W/f.pc"), fping: $(wc -l <"$W/f.fp") (20 expected)"

# Start cost: one healthy host, one probe, as a whole process.
cost() { bench_timed_median "$NS-m" "$W" 50 "$@"; }
ctrue=$(cost /bin/true)
cpc=$(cost "$PC" -c 1 192.0.2.2)
cfp=$(cost "$FPING" -c1 -q 192.0.2.2)
printf 'one check of one host (median of 50, includes ip netns exec): /bin/true %.1fms, pingcheck %.1fms, fping %.1fms\n' \
    "$(awk -v u="$ctrue" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$cpc" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$cfp" 'BEGIN { print u / 1000 }')"
