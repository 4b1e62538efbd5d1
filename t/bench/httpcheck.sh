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
# shellcheck source=t/bench/lib.sh
. "$(dirname -- "$0")/lib.sh"
RUNS=${RUNS:-5}
HC=$HAKIT_BINDIR/httpcheck
HTTPD=$HAKIT_BINDIR/t/hkhttpd
bench_need_root
bench_need httpcheck t/hkhttpd

NS=hcb$$
bench_begin bench_cleanup
W=$bench_tmp
bench_want curl || { echo "httpcheck.sh: cannot install curl" >&2; exit 2; }
CURL=$(command -v curl)

h() { ip netns exec "$NS-h" "$@"; }

bench_pair e0 "$NS-m" 192.0.2.1/24 "$NS-h" 192.0.2.2/24
h "$HTTPD" -a 192.0.2.2 -p 80 -b "healthy" >/dev/null 2>&1 &
h "$HTTPD" -a 192.0.2.2 -p 81 -m hang >/dev/null 2>&1 &
h "$HTTPD" -a 192.0.2.2 -p 82 -c 500 >/dev/null 2>&1 &
listening() {
	[ "$(h ss -Htln 'sport >= :80 and sport <= :82' | wc -l)" -eq 3 ]
}
bench_wait 5 listening ||
	{ echo "httpcheck.sh: servers did not start" >&2; exit 1; }

timed() { bench_timed "$NS-m" "$W" "$@"; }

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
	    "$(bench_ms "$(bench_median "$W/t.hc")")" "$(bench_ms "$(bench_median "$W/t.cs")")" \
	    "$(bench_ms "$(bench_median "$W/t.cp")")" "$bhc" "$bcs" "$bcp" "$exp"
	echo "       ratios: curl serial / httpcheck $(awk -v a="$(bench_median "$W/t.cs")" \
	    -v b="$(bench_median "$W/t.hc")" 'BEGIN { printf "%.1f", a / b }')x," \
	    "curl parallel / httpcheck $(awk -v a="$(bench_median "$W/t.cp")" \
	    -v b="$(bench_median "$W/t.hc")" 'BEGIN { printf "%.2f", a / b }')x"
done
[ "$has_parallel" -eq 1 ] || echo "(this curl has no --parallel)"

cost() { bench_timed_median "$NS-m" "$W" 50 "$@"; }
ctrue=$(cost /bin/true)
chc=$(cost "$HC" http://192.0.2.2/)
ccu=$(cost "$CURL" -s -o /dev/null -m 1 http://192.0.2.2/)
printf 'one check of one URL (median of 50, includes ip netns exec): /bin/true %.1fms, httpcheck %.1fms, curl %.1fms\n' \
    "$(awk -v u="$ctrue" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$chc" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$ccu" 'BEGIN { print u / 1000 }')"
