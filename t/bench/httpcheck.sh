#!/bin/sh
# t/bench/httpcheck.sh - httpcheck against Debian's curl in one lab of
# namespaces, every tool with a 1 s timeout:
#   1. decision time (wall, median of RUNS) for 1, 10 and 100 URLs, 10% of
#      them hanging after accept and 5% answering 500 (from 10 URLs up):
#      httpcheck (one process), curl one process per URL in a loop, and
#      curl --parallel; and whether each found exactly the bad ones;
#   2. start cost: one check of one healthy URL as a whole process
#      (median of 50), next to /bin/true.
# Lab: namespaces hcb<pid>-m (client) and -h (hkhttpd servers on
# 192.0.2.2: port 80 healthy, 81 hangs, 82 answers 500).  curl is
# installed with apt-get when missing.  Needs root; t/bench/run calls it.
set -eu
top=$(cd -- "$(dirname -- "$0")/../.." && pwd)
BIN=${HAKIT_BINDIR:-$top/bin-src/build}
RUNS=${RUNS:-5}
HC=$BIN/httpcheck
HTTPD=$BIN/t/hkhttpd
for p in "$HC" "$HTTPD"; do
	[ -x "$p" ] || { echo "httpcheck.sh: $p not built (make)" >&2; exit 2; }
done
if ! command -v curl >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl >/dev/null ||
		{ echo "httpcheck.sh: cannot install curl" >&2; exit 2; }
fi
CURL=$(command -v curl)

NS=hcb$$
W=$(mktemp -d "${TMPDIR:-/tmp}/httpcheck-bench.XXXXXX")
cleanup() {
	for n in m h; do
		pids=$(ip netns pids "$NS-$n" 2>/dev/null || :)
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || :
		ip netns del "$NS-$n" 2>/dev/null || :
	done
	rm -rf -- "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

m() { ip netns exec "$NS-m" "$@"; }
h() { ip netns exec "$NS-h" "$@"; }

ip netns add "$NS-m"
ip netns add "$NS-h"
ip -n "$NS-m" link set lo up
ip -n "$NS-h" link set lo up
ip link add e0 netns "$NS-m" type veth peer name e0 netns "$NS-h"
ip -n "$NS-m" addr add 192.0.2.1/24 dev e0
ip -n "$NS-h" addr add 192.0.2.2/24 dev e0
ip -n "$NS-m" link set e0 up
ip -n "$NS-h" link set e0 up
h "$HTTPD" -a 192.0.2.2 -p 80 -b "healthy" >/dev/null 2>&1 &
h "$HTTPD" -a 192.0.2.2 -p 81 -m hang >/dev/null 2>&1 &
h "$HTTPD" -a 192.0.2.2 -p 82 -c 500 >/dev/null 2>&1 &
i=0
until [ "$(h ss -Htln 'sport >= :80 and sport <= :82' | wc -l)" -eq 3 ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "httpcheck.sh: servers did not start" >&2; exit 1; }
	sleep 0.05
done

now_us() {
	t=$(date +%s%N)
	echo $((t / 1000))
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ms() { awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }

timed() {
	t0=$(now_us)
	m "$@" >"$W/out" 2>"$W/err" || :
	t1=$(now_us)
	echo $((t1 - t0))
}

# URL lists: N URLs, 10% hanging, 5% failing with 500 (rounded down).
urls() {
	n=$1
	nh=$((n / 10))
	ne=$((n / 20))
	i=1
	while [ "$i" -le "$n" ]; do
		if [ "$i" -le "$nh" ]; then
			echo "http://192.0.2.2:81/$i"
		elif [ "$i" -le $((nh + ne)) ]; then
			echo "http://192.0.2.2:82/$i"
		else
			echo "http://192.0.2.2/$i"
		fi
		i=$((i + 1))
	done
}

# One curl per URL, one after the other, as a check_http loop does.
cat >"$W/serial" <<EOF
#!/bin/sh
bad=0
for u in "\$@"; do
	c=\$("$CURL" -s -o /dev/null -m 1 -w '%{http_code}' "\$u") || c=000
	case \$c in 2??|3??) ;; *) bad=\$((bad + 1)) ;; esac
done
echo "\$bad"
EOF
chmod +x "$W/serial"

has_parallel=0
if "$CURL" --help all 2>/dev/null | grep -q -- '--parallel '; then
	has_parallel=1
fi

printf '%-6s %10s %12s %14s  %s\n' URLs httpcheck "curl serial" "curl parallel" "bad found (expected): hc / serial / parallel"
for n in 1 10 100; do
	urls "$n" >"$W/u.$n"
	exp=$(($(grep -c ':8[12]/' "$W/u.$n" || :)))
	: >"$W/t.hc"
	: >"$W/t.cs"
	: >"$W/t.cp"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		# shellcheck disable=SC2046
		timed "$HC" -t 1s $(cat "$W/u.$n") >>"$W/t.hc"
		bhc=$(head -1 "$W/out" | wc -w)
		if [ "$r" -lt 2 ] || [ "$n" -lt 100 ]; then
			# shellcheck disable=SC2046
			timed "$W/serial" $(cat "$W/u.$n") >>"$W/t.cs"
			bcs=$(cat "$W/out")
		fi
		if [ "$has_parallel" -eq 1 ]; then
			# shellcheck disable=SC2046
			timed "$CURL" --parallel --parallel-immediate \
			    --parallel-max 300 -s -m 1 -o /dev/null \
			    -w '%{http_code}\n' $(cat "$W/u.$n") >>"$W/t.cp"
			# (-o applies to the first URL only: bodies show too)
			bcp=$(grep -Ec '^(000|[45][0-9][0-9])$' "$W/out" || :)
		else
			echo 0 >>"$W/t.cp"
			bcp=-
		fi
		r=$((r + 1))
	done
	printf '%-6s %8sms %10sms %12sms  %s / %s / %s (%s)\n' "$n" \
	    "$(ms "$(median <"$W/t.hc")")" "$(ms "$(median <"$W/t.cs")")" \
	    "$(ms "$(median <"$W/t.cp")")" "$bhc" "$bcs" "$bcp" "$exp"
	echo "       ratios: curl serial / httpcheck $(awk -v a="$(median <"$W/t.cs")" \
	    -v b="$(median <"$W/t.hc")" 'BEGIN { printf "%.1f", a / b }')x," \
	    "curl parallel / httpcheck $(awk -v a="$(median <"$W/t.cp")" \
	    -v b="$(median <"$W/t.hc")" 'BEGIN { printf "%.2f", a / b }')x"
done
[ "$has_parallel" -eq 1 ] || echo "(this curl has no --parallel)"

cost() {
	: >"$W/c"
	r=0
	while [ "$r" -lt 50 ]; do
		timed "$@" >>"$W/c"
		r=$((r + 1))
	done
	median <"$W/c"
}
ctrue=$(cost /bin/true)
chc=$(cost "$HC" http://192.0.2.2/)
ccu=$(cost "$CURL" -s -o /dev/null -m 1 http://192.0.2.2/)
printf 'one check of one URL (median of 50, includes ip netns exec): /bin/true %.1fms, httpcheck %.1fms, curl %.1fms\n' \
    "$(awk -v u="$ctrue" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$chc" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$ccu" 'BEGIN { print u / 1000 }')"
