#!/usr/bin/env bats
# bin-src/lib/auth.c and hb.c through t/helpers/authtest: SHA-256, SHA-1
# and MD5 against FIPS 180-4 / NIST and RFC 1321 vectors, their HMACs
# against RFC 4231 and RFC 2202, heartbeat's CRC, the authkeys reader
# and the heartbeat line parser.

load helpers/common

# rep HEXBYTE N: "x:" then HEXBYTE N times.
rep() {
	local s="" i
	for ((i = 0; i < $2; i++)); do s+=$1; done
	printf 'x:%s\n' "$s"
}

# vec EXPECTED CMD...: authtest CMD prints EXPECTED.
vec() {
	local want=$1
	shift
	run -0 timeout 20 authtest "$@"
	[ "$output" = "$want" ] || { echo "authtest $*: got $output, want $want"; false; }
}

keyfile() {
	local f=$BATS_TEST_TMPDIR/authkeys
	printf '%s\n' "$@" >"$f"
	chmod 600 "$f"
	echo "$f"
}

@test "SHA-256 gives the FIPS 180-4 example digests" {
	vec e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 hash sha256 ""
	vec ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad hash sha256 abc
	vec 248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1 \
		hash sha256 abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq
	vec cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0 hash sha256 a 1000000
}

@test "SHA-256 pads correctly around the 55, 56 and 64 byte block edges" {
	local n want
	for n in 55 56 63 64 65 119 120; do
		want=$(head -c "$n" /dev/zero | tr '\0' 'q' | sha256sum | cut -d' ' -f1)
		vec "$want" hash sha256 q "$n"
	done
}

@test "SHA-1 gives the FIPS 180-4 example digests" {
	vec da39a3ee5e6b4b0d3255bfef95601890afd80709 hash sha1 ""
	vec a9993e364706816aba3e25717850c26c9cd0d89d hash sha1 abc
	vec 84983e441c3bd26ebaae4aa1f95129e5e54670f1 \
		hash sha1 abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq
	vec 34aa973cd4c4daa4f61eeb2bdbad27316534016f hash sha1 a 1000000
}

@test "MD5 gives the RFC 1321 test suite digests" {
	vec d41d8cd98f00b204e9800998ecf8427e hash md5 ""
	vec 0cc175b9c0f1b6a831c399e269772661 hash md5 a
	vec 900150983cd24fb0d6963f7d28e17f72 hash md5 abc
	vec f96b697d7cb7938d525a2f31aaf161d0 hash md5 "message digest"
	vec c3fcd3d76192e4007dfb496cca67e13b hash md5 abcdefghijklmnopqrstuvwxyz
	vec d174ab98d277d9f5a5611c2c9f419d9f \
		hash md5 ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789
	vec 57edf4a22be3c955ac49da2e2107b67a hash md5 \
		12345678901234567890123456789012345678901234567890123456789012345678901234567890
}

@test "HMAC-SHA256 gives the RFC 4231 test case results" {
	vec b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7 \
		hmac sha256 "$(rep 0b 20)" "Hi There"
	vec 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 \
		hmac sha256 Jefe "what do ya want for nothing?"
	vec 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe \
		hmac sha256 "$(rep aa 20)" "$(rep dd 50)"
	vec 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b \
		hmac sha256 x:0102030405060708090a0b0c0d0e0f10111213141516171819 "$(rep cd 50)"
	# case 5 is truncated to 128 bits
	run -0 authtest hmac sha256 "$(rep 0c 20)" "Test With Truncation"
	[ "${output:0:32}" = a3b6167473100ee06e0c796c2955552b ]
	vec 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54 \
		hmac sha256 "$(rep aa 131)" "Test Using Larger Than Block-Size Key - Hash Key First"
	vec 9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2 \
		hmac sha256 "$(rep aa 131)" "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
}

@test "HMAC-SHA1 gives the RFC 2202 test case results" {
	vec b617318655057264e28bc0b6fb378c8ef146be00 hmac sha1 "$(rep 0b 20)" "Hi There"
	vec effcdf6ae5eb2fa2d27416d5f184df9c259a7c79 hmac sha1 Jefe "what do ya want for nothing?"
	vec 125d7342b9ac11cd91a39af48aa17b4f63f175d3 hmac sha1 "$(rep aa 20)" "$(rep dd 50)"
	vec 4c9007f4026250c6bc8414f9bf50c86c2d7235da \
		hmac sha1 x:0102030405060708090a0b0c0d0e0f10111213141516171819 "$(rep cd 50)"
	vec 4c1a03424b55e07fe7f27be1d58bb9324a9a5a04 hmac sha1 "$(rep 0c 20)" "Test With Truncation"
	vec aa4ae5e15272d00e95705637ce8a3b55ed402112 \
		hmac sha1 "$(rep aa 80)" "Test Using Larger Than Block-Size Key - Hash Key First"
	vec e8e99d0f45237d786d6bbaa7965c7808bbff1a91 \
		hmac sha1 "$(rep aa 80)" "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
}

@test "HMAC-MD5 gives the RFC 2202 test case results" {
	vec 9294727a3638bb1c13f48ef8158bfc9d hmac md5 "$(rep 0b 16)" "Hi There"
	vec 750c783e6ab0b503eaa86e310a5db738 hmac md5 Jefe "what do ya want for nothing?"
	vec 56be34521d144c88dbb8c733f0e8b3f6 hmac md5 "$(rep aa 16)" "$(rep dd 50)"
	vec 697eaf0aca3a3aea3a75164746ffaa79 \
		hmac md5 x:0102030405060708090a0b0c0d0e0f10111213141516171819 "$(rep cd 50)"
	vec 56461ef2342edc00f9bab995690efd4c hmac md5 "$(rep 0c 16)" "Test With Truncation"
	vec 6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd \
		hmac md5 "$(rep aa 80)" "Test Using Larger Than Block-Size Key - Hash Key First"
	vec 6f630fad67cda0ee1fb1f562db3aa53e \
		hmac md5 "$(rep aa 80)" "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"
}

@test "crc is heartbeat's CRC-32 (CRC-32/POSIX without the length)" {
	vec 765e7680 crc 123456789
	vec ffffffff crc ""
}

@test "MAC comparison finds a difference anywhere" {
	vec 0 memneq abcdef abcdef
	vec 1 memneq abcdef xbcdef
	vec 1 memneq abcdef abcdex
}

@test "authkeys: heartbeat's format with comments, every method, auth N" {
	local f
	f=$(keyfile "# keys" "auth 2" "" "1 crc" "2 sha256 a long secret  " \
		"  3 sha1 s1" "4	md5	m5" "15 sha256 x")
	run -0 authtest keys "$f"
	[ "${lines[0]}" = "auth 2" ]
	[ "${lines[1]}" = "1 crc 0" ]
	[ "${lines[2]}" = "2 sha256 13" ]
	[ "${lines[3]}" = "3 sha1 2" ]
	[ "${lines[4]}" = "4 md5 2" ]
	[ "${lines[5]}" = "15 sha256 1" ]
}

@test "authkeys: bad lines are refused with their line number" {
	local bad f
	for bad in "1 rot13 x" "0 sha256 x" "16 sha256 x" "1 sha256" "1 crc x" \
		"x sha256 y" "auth" "auth 1 2" "auth x"; do
		f=$(keyfile "auth 1" "$bad")
		run -1 authtest keys "$f"
		[ "$output" = "syntax 2" ] || { echo "[$bad] $output"; false; }
	done
	f=$(keyfile "auth 1" "1 sha256 a" "1 sha1 b")
	run -1 authtest keys "$f"
	[ "$output" = "syntax 3" ]
}

@test "authkeys: a NUL byte is refused with the number of its line" {
	local f=$BATS_TEST_TMPDIR/authkeys
	printf 'auth 1\n1 sha256 a\n2 sha1 b\0c\n' >"$f"
	chmod 600 "$f"
	run -1 authtest keys "$f"
	[ "$output" = "syntax 3" ]
}

@test "authkeys: Windows line ends and a byte order mark change no key: the CR is no part of the secret" {
	local f=$BATS_TEST_TMPDIR/authkeys g=$BATS_TEST_TMPDIR/crlf line
	printf 'auth 1\n1 sha256 a long secret\n2 crc\n' >"$f"
	printf '\357\273\277# keys\r\nauth 1\r\n1 sha256 a long secret\r\n2 crc\r\n' >"$g"
	chmod 600 "$f" "$g"
	run -0 authtest keys "$g"
	[ "${lines[0]}" = "auth 1" ]
	[ "${lines[1]}" = "1 sha256 13" ]
	[ "${lines[2]}" = "2 crc 0" ]
	# signed with one file, verified with the other: the same key
	line=$(authtest sign "$f" n1 7 1042 active 2000)
	run -0 authtest check "$g" "$line"
	line=$(authtest sign "$g" n1 7 1043 active 2000)
	run -0 authtest check "$f" "$line"
	# and a byte order mark before the auth line itself
	printf '\357\273\277auth 1\r\n1 sha256 a long secret\r\n' >"$g"
	line=$(authtest sign "$g" n1 7 1044 active 2000)
	run -0 authtest check "$f" "$line"
}

@test "authkeys: auth N must name a key" {
	run -1 authtest keys "$(keyfile "auth 3" "1 sha256 x")"
	[ "$output" = nouse ]
	run -1 authtest keys "$(keyfile "1 sha256 x")"
	[ "$output" = nouse ]
}

@test "authkeys: 'auth N M...' signs with N and also accepts the keys M" {
	run -0 authtest keys "$(keyfile "auth 2 1 # a key change" "1 sha256 x" "2 sha256 y")"
	[ "${lines[0]}" = "auth 2 1" ]
	run -0 authtest keys "$(keyfile "auth 1" "1 sha256 x" "3 crc")"
	[ "${lines[0]}" = "auth 1" ]
	# an accepted key the file does not list: the auth line's number
	run -1 authtest keys "$(keyfile "# keys" "auth 1 4" "1 sha256 x" "3 crc")"
	[ "$output" = "accept 2" ]
	run -1 authtest keys "$(keyfile "auth 1 x" "1 sha256 x")"
	[ "$output" = "syntax 1" ]
	run -1 authtest keys "$(keyfile "auth 1 16" "1 sha256 x")"
	[ "$output" = "syntax 1" ]
}

@test "heartbeat lines: a listed key that 'auth' does not accept is forged" {
	local f line
	f=$(keyfile "auth 3" "1 sha256 a long random secret" "3 crc")
	line=$(authtest sign "$f" n1 7 1 active 2000)
	[[ $line == *" auth=3:crc:"* ]]
	f=$(keyfile "auth 1" "1 sha256 a long random secret" "3 crc")
	run -1 authtest check "$f" "$line"
	[ "$output" = forged ]
	f=$(keyfile "auth 1 3" "1 sha256 a long random secret" "3 crc")
	run -0 authtest check "$f" "$line"
}

@test "weak keys: crc and md5, signing or accepted, are named with the fix" {
	local f risk="it only guards against line noise; anyone on the LAN can forge heartbeats and take the cluster down"
	f=$(keyfile "auth 1" "1 crc")
	run -0 authtest weak "$f"
	[ "$output" = "$f: key 1 is crc: $risk; use '1 sha256 SECRET' (see hbsend(8))" ]
	run -0 authtest weak -
	[ "$output" = "no key file (-k): heartbeats carry a crc: $risk; give -k FILE with 'auth 1' and '1 sha256 SECRET' (see hbsend(8))" ]
	f=$(keyfile "auth 1 3" "1 sha256 x" "3 crc")
	run -0 authtest weak "$f"
	[ "$output" = "$f: key 3 is crc and accepted: $risk; end the key change with 'auth 1' (see hbsend(8))" ]
	f=$(keyfile "auth 2" "1 sha256 x" "2 md5 y")
	run -0 authtest weak "$f"
	[ "$output" = "$f: key 2 is md5: a weak hash; use '2 sha256 SECRET' (see hbsend(8))" ]
	# crc before md5, wherever they are
	f=$(keyfile "auth 2 1" "1 crc" "2 md5 y")
	run -0 authtest weak "$f"
	[[ $output == "$f: key 1 is crc and accepted: "* ]]
}

@test "weak keys: sha256, sha1 and listed but unaccepted weak keys say nothing" {
	local f
	for f in "$(keyfile "auth 1" "1 sha256 x" "2 md5 y" "3 crc")" \
		"$(keyfile "auth 1 2" "1 sha1 x" "2 sha256 y")"; do
		run -1 authtest weak "$f"
		[ -z "$output" ]
	done
}

@test "authkeys: a file readable by group or others is refused" {
	local f m
	f=$(keyfile "auth 1" "1 sha256 x")
	for m in 640 604 644 660 620; do
		chmod "$m" "$f"
		run -1 authtest keys "$f"
		[ "$output" = mode ] || { echo "$m: $output"; false; }
	done
	chmod 400 "$f"
	run -0 authtest keys "$f"
}

@test "heartbeat lines: the fields are taken apart, unknown ones kept in order" {
	run -0 authtest parse "HB1 node=n1 gen=7 seq=1042 st=active iv=2000 hold=yes x=1 auth=1:sha256:$(printf '%064d' 0)"
	[ "$output" = "node=n1 gen=7 seq=1042 st=active iv=2000 key=1:sha256 signed=57 extra=hold=yes x=1" ]
}

@test "heartbeat lines: the MAC covers everything before ' auth='" {
	local f line
	f=$(keyfile "auth 1" "1 sha256 secret")
	line=$(authtest sign "$f" n1 7 1042 active 2000 hold=yes)
	[ "${line%% auth=*}" = "HB1 node=n1 gen=7 seq=1042 st=active iv=2000 hold=yes" ]
	[ "${line##*:}" = "$(authtest hmac sha256 secret "${line%% auth=*}")" ]
	run -0 authtest check "$f" "$line"
}

@test "heartbeat lines: a tampered line, a wrong key or a wrong method is forged" {
	local f g line
	f=$(keyfile "auth 1" "1 sha256 secret" "2 md5 other")
	line=$(authtest sign "$f" n1 7 1042 active 2000)
	run -1 authtest check "$f" "${line/seq=1042/seq=1043}"
	[ "$output" = forged ]
	run -1 authtest check "$f" "${line/sha256:/md5:}"
	[ "$output" = garbled ]
	g=$BATS_TEST_TMPDIR/other
	printf 'auth 1\n1 sha256 Secret\n' >"$g"
	chmod 600 "$g"
	run -1 authtest check "$g" "$line"
	[ "$output" = forged ]
	run -1 authtest check "$f" "${line/auth=1:/auth=2:}"
	[ "$output" = forged ]
}

@test "heartbeat lines: every method signs and verifies" {
	local f m id=0 line
	f=$(keyfile "auth 1" "1 sha256 a" "2 sha1 b" "3 md5 c" "4 crc")
	for m in sha256 sha1 md5 crc; do
		id=$((id + 1))
		sed -i "s/^auth .*/auth $id/" "$f"
		line=$(authtest sign "$f" n2 1 1 active 100)
		[[ $line == *" auth=$id:$m:"* ]] || { echo "$line"; false; }
		run -0 authtest check "$f" "$line"
	done
}

@test "heartbeat lines: malformed ones are garbled, long ones oversize" {
	local bad z
	z=$(printf '%064d' 0)
	for bad in "" "HB1" "HB2 node=a gen=1 seq=1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a iv=0 auth=1:sha256:$z" \
		"HB1 node=a gen=01 seq=1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=-1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a gen=18446744073709551616 seq=1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a node=b gen=1 seq=1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a  gen=1 seq=1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=1:sha256:$z x=1" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=1:sha256:${z:1}" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=1:sha256:${z^^}X" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=0:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=16:sha256:$z" \
		"HB1 node=a/b gen=1 seq=1 st=a iv=1 auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 x= auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 =1 auth=1:sha256:$z" \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=1:sha256:$z " \
		"HB1 node=a gen=1 seq=1 st=a iv=1 auth=1:sha512:$z"; do
		run -1 authtest parse "$bad"
		[ "$output" = garbled ] || { echo "[$bad] $output"; false; }
	done
	run -1 authtest parse "HB1 node=a gen=1 seq=1 st=a iv=1 x=$(printf '%0500d' 0) auth=1:sha256:$z"
	[ "$output" = oversize ]
}
