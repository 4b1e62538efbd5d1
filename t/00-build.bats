#!/usr/bin/env bats
# The conventions every program keeps (hakit(7)): -h, -V, bad usage,
# a man page whose SYNOPSIS matches the usage text; and make install.

load helpers/common

progs() {
	local f
	for f in "$HK_TOP"/bin-src/*.c; do
		[ -e "$f" ] || continue
		basename "$f" .c
	done
}

setup() {
	PROGS=$(progs)
	[ -n "$PROGS" ] || skip "no program in bin-src/ yet"
}

# The usage lines of -h: what comes before the first blank line (the
# option lines follow it).
usage_lines() {
	awk '/^$/ { exit } 1'
}

# The SYNOPSIS of a man page, rendered, on one line.
synopsis() {
	mandoc -Tascii -O width=1000 "$1" | col -b |
		awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS"); next } on' |
		tr -s ' \t\n' ' '
}

@test "every program prints its usage on stdout and exits 0 with -h" {
	local p
	for p in $PROGS; do
		run -0 --separate-stderr timeout 5 "$p" -h
		[[ ${lines[0]} == "usage: $p "* ]] || { echo "$p: ${lines[0]}"; false; }
		[ -z "$stderr" ]
	done
}

@test "-h and --help print the usage, then a line for every option the usage shows" {
	local p w out letters l
	w=
	for p in "$HK_TOP"/share/*; do
		[ -f "$p" ] && [ -x "$p" ] && w="$w ${p##*/}"
	done
	[ -n "$w" ]
	for p in $PROGS $w; do
		run -0 --separate-stderr timeout 5 "$p" -h
		[ -z "$stderr" ]
		out=$output
		run -0 --separate-stderr timeout 5 "$p" --help
		[ -z "$stderr" ]
		[ "$output" = "$out" ] || { echo "$p: -h and --help differ"; false; }
		[[ ${lines[0]} == "usage: $p "* ]] || { echo "$p: ${lines[0]}"; false; }
		# every letter of every -X or [-XY] in the usage lines
		letters=$(printf '%s\n' "$output" | usage_lines |
			grep -oE '(^|[[ |])-[A-Za-z0-9]+' | sed 's/^[^-]*-//' |
			fold -w 1 | LC_ALL=C sort -u)
		[ -n "$letters" ] || { echo "$p: no option in the usage"; false; }
		for l in $letters; do
			printf '%s\n' "$output" | sed '1,/^$/d' |
				grep -qE "^  -$l( |,|\$)" ||
				{ echo "$p: no help line for -$l"; false; }
		done
	done
}

@test "--help as an option's value or after -- is an argument, not a request for help" {
	run -2 --separate-stderr timeout 5 gwswitch -t --help up=192.0.2.1@lo
	[[ $stderr == "gwswitch: bad table '--help'"* ]]
	run -2 --separate-stderr timeout 5 gwswitch -- --help
	[[ $stderr == "gwswitch: bad uplink '--help'"* ]]
	run -2 --separate-stderr timeout 5 wanfailover -c --help status
	[[ $stderr == "wanfailover: --help: "* ]]
	[ -z "$output" ]
}

@test "every program prints its version with -V" {
	local p
	for p in $PROGS; do
		run -0 timeout 5 "$p" -V
		[[ $output == "$p (hakit) "[0-9]* ]] || { echo "$p: $output"; false; }
	done
}

@test "every program exits 2 with its name and the usage on stderr for a bad option" {
	local p
	for p in $PROGS; do
		run -2 --separate-stderr timeout 5 "$p" -@
		[ -z "$output" ]
		[[ $stderr == "$p: "* ]] || { echo "$p: $stderr"; false; }
		[[ $stderr == *"usage: $p "* ]] || { echo "$p: $stderr"; false; }
	done
}

@test "every program has a man page that mandoc lints clean" {
	command -v mandoc >/dev/null || skip "needs mandoc (apt-get install mandoc)"
	local p
	for p in $PROGS; do
		[ -f "$HK_TOP/share/man/$p.8" ] || { echo "no man page for $p"; false; }
		run -0 mandoc -Tlint -W warning "$HK_TOP/share/man/$p.8"
	done
	run -0 mandoc -Tlint -W warning "$HK_TOP/share/man/hakit.7"
}

@test "every usage line of -h appears in the man page SYNOPSIS" {
	command -v mandoc >/dev/null || skip "needs mandoc (apt-get install mandoc)"
	local p syn line
	for p in $PROGS; do
		syn=$(synopsis "$HK_TOP/share/man/$p.8")
		while IFS= read -r line; do
			line=$(printf '%s\n' "$line" | sed 's/^usage: //' | tr -s ' \t' ' ' |
				sed 's/^ //; s/ $//')
			[ -n "$line" ] || continue
			[[ $syn == *"$line"* ]] || {
				echo "$p: usage line not in SYNOPSIS: '$line'"
				echo "SYNOPSIS: $syn"
				false
			}
		done < <("$p" -h | usage_lines | sed -n '/^usage: /,/^[^ u]/p' |
			grep -E '^(usage: | )')
	done
}

@test "installed monitors, IPaddr and the alert linked into another directory find hakit with a clean environment" {
	local pre="$BATS_TEST_TMPDIR/usr" mondir="$BATS_TEST_TMPDIR/mon.d" m
	run -0 make -s -C "$HK_TOP" O="$HAKIT_BINDIR" install PREFIX="$pre"
	mkdir -p "$mondir"
	for m in mon.d/http.monitor mon.d/ping.monitor resource.d/IPaddr \
	    alert.d/bring-ha-down.alert; do
		ln -s "$pre/share/hakit/$m" "$mondir/"
	done
	# before: exit 3, "httpcheck not found (install hakit or set HAKIT_BINDIR)"
	run -2 env -i PATH=/usr/bin:/bin "$mondir/http.monitor" -@ 127.0.0.1
	[[ $output == *"http.monitor: bad option -@"* ]]
	run env -i PATH=/usr/bin:/bin "$mondir/http.monitor" -t 1 127.0.0.1:1
	[ "$status" -eq 1 ] || { echo "status $status: $output"; false; }
	[[ ${lines[0]} == "127.0.0.1:1"* ]] || [[ ${lines[0]} == *"127.0.0.1"* ]]
	run env -i PATH=/usr/bin:/bin "$mondir/ping.monitor" -c 1 -t 1 127.0.0.1
	[ "$status" -ne 3 ] || { echo "$output"; false; }
	[[ $output != *"not found"* ]] || false
	run env -i PATH=/usr/bin:/bin "$mondir/IPaddr" 192.0.2.77/24/lo status
	[[ $output != *"cannot find"* ]] || false
	[ "$status" -ne 3 ] || [[ $output == *stopped* ]]
	# the init script copied as the howto's mon resource: hakit found
	# from hbmon on PATH (before: exit 5, cannot find sh/common.sh)
	cp "$HK_TOP/examples/init.d/hbmon" "$mondir/mon"
	run env -i PATH="$pre/sbin:/usr/bin:/bin" PIDFILE="$BATS_TEST_TMPDIR/hbmon.pid" \
	    "$mondir/mon" status
	[ "$status" -eq 3 ] && [ "$output" = "hbmon stopped" ] || { echo "status $status: $output"; false; }
	# or from HBMON, set in the copy, when hakit is not on PATH
	run env -i PATH=/usr/bin:/bin HBMON="$pre/sbin/hbmon" \
	    PIDFILE="$BATS_TEST_TMPDIR/hbmon.pid" "$mondir/mon" status
	[ "$status" -eq 3 ] && [ "$output" = "hbmon stopped" ] || { echo "status $status: $output"; false; }
}

@test "make install lays out sbin, share/hakit and the man pages under DESTDIR" {
	local dest="$BATS_TEST_TMPDIR/root" p
	run -0 make -s -C "$HK_TOP" O="$HAKIT_BINDIR" install DESTDIR="$dest" PREFIX=/usr/local
	for p in $PROGS; do
		[ -x "$dest/usr/local/sbin/$p" ]
		[ -f "$dest/usr/local/share/man/man8/$p.8" ]
	done
	[ -f "$dest/usr/local/share/man/man7/hakit.7" ]
	[ -d "$dest/usr/local/share/hakit" ]
	run -0 make -s -C "$HK_TOP" O="$HAKIT_BINDIR" uninstall DESTDIR="$dest" PREFIX=/usr/local
	[ -z "$(find "$dest" -type f)" ]
}
