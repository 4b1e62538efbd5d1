# shellcheck shell=sh
# share/sh/hbhooks.sh - hbnode(8)'s hooks: the executables of a directory
# run on every transition (keepalived's notify_master, notify_backup,
# notify_fault), one event after the other, never holding up the caller.
# Sourced after common.sh; logs through the caller's "log LEVEL MESSAGE"
# when there is one, else on stderr.  See hbnode(8), "Hooks".
#
#   hooks_run DIR EVENT GROUP DETAIL
#	queue the event and return at once (always 0; at once too, and
#	nothing queued, when DIR is not a directory).  A runner in the
#	background runs each hook of DIR in name order as
#	"HOOK EVENT GROUP DETAIL", environment HBNODE_EVENT, HBNODE_GROUP,
#	HBNODE_DETAIL, stdin /dev/null, descriptors 3-9 closed, under
#	timeout -k 2 HBNODE_HOOK_TIMEOUT (20s); its output is logged after
#	it ends, prefixed with its name.  Events run in the order of the
#	calls, from subshells of the caller too.
#   hooks_check DIR
#	warn about each file of DIR that is not executable; returns 0.
#
# The queue is a spool directory, HBNODE_HOOK_SPOOL or else
# ${TMPDIR:-/tmp}/hbhooks.PID (PID: the caller's $$): one file per event,
# numbered under a lock; the runner holds a second lock while it empties
# the queue, and looks again after letting go of it, so an event queued
# while another runner had the lock is never left behind.

# hooks_skip NAME: true for the names run-parts leaves alone.
hooks_skip() {
	case $1 in
	.*|*~|*.dpkg-*|*.rpm*|*.swp) return 0 ;;
	esac
	return 1
}

hooks_check() {
	[ -d "$1" ] || return 0
	for hooks_f in "$1"/*; do
		[ -f "$hooks_f" ] || continue
		! hooks_skip "${hooks_f##*/}" || continue
		[ -x "$hooks_f" ] ||
		    hk_warn "$hooks_f: not executable, never run as a hook (chmod +x to run it)"
	done
	return 0
}

# hooks_spool: hooks_q = the spool directory, made (mode 700) when
# missing; 1 when it is not a directory of ours that only we can write.
hooks_spool() {
	hooks_q=${HBNODE_HOOK_SPOOL:-${TMPDIR:-/tmp}/hbhooks.$$}
	# made again when it went (a state dir wiped under a running node)
	[ "${hooks_q_ok:-}" != "$hooks_q" ] || [ ! -d "$hooks_q" ] || return 0
	[ -d "$hooks_q" ] || mkdir -m 700 -- "$hooks_q" 2>/dev/null
	if [ -d "$hooks_q" ] && [ ! -h "$hooks_q" ] && [ -O "$hooks_q" ]; then
		case $(ls -ld -- "$hooks_q") in
		d?????---*) hooks_q_ok=$hooks_q; return 0 ;;
		esac
	fi
	return 1
}

# hooks_quote NAME TEXT: the line NAME='TEXT' (quoted for sh to read
# back) into hooks_qv.
hooks_quote() {
	hooks_qv="$1='" hooks_t=$2
	while :; do
		case $hooks_t in
		*\'*)
			hooks_qv="$hooks_qv${hooks_t%%\'*}'\\''"
			hooks_t=${hooks_t#*\'} ;;
		*)
			hooks_qv="$hooks_qv$hooks_t'"
			return ;;
		esac
	done
}

hooks_run() {
	# no directory, no hooks: nothing queued, nothing started
	[ -d "$1" ] || return 0
	if ! hooks_spool; then
		hk_log error "hooks: spool $hooks_q is not a directory of ours, mode 700: hooks for '$2 $3' not run"
		return 0
	fi
	# In a subshell: descriptor 9 is the caller's outside it.  The
	# number and the file are made under the lock: numbers are in the
	# order of the calls, and no runner sees a number before the one
	# ahead of it is complete.
	(
		exec 9>>"$hooks_q/seq.lock"
		flock 9 2>/dev/null || :
		hooks_n=0
		[ ! -s "$hooks_q/seq" ] || read -r hooks_n <"$hooks_q/seq"
		hooks_n=$((hooks_n + 1))
		for hooks_v in dir event group detail; do
			hooks_quote "hooks_e_$hooks_v" "$1"
			shift
			printf '%s\n' "$hooks_qv"
		done >"$hooks_q/new"
		printf '%s\n' "$hooks_n" >"$hooks_q/seq"
		# ev.NNNNNNNNNNNN: the glob's order is the queue's
		hooks_p=000000000000$hooks_n
		mv -f -- "$hooks_q/new" "$hooks_q/ev.${hooks_p#"${hooks_p%????????????}"}"
	) 3<&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- ||
	    hk_log error "hooks: cannot queue '$2 $3' in $hooks_q"
	hooks_runner </dev/null >&2 3<&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	return 0
}

# hooks_runner: empty the queue unless another runner is at it.
hooks_runner() {
	set +e
	while hk_lock 9 "$hooks_q/run.lock"; do
		for hooks_e in "$hooks_q"/ev.*; do
			[ -f "$hooks_e" ] || continue
			hooks_event "$hooks_e"
			rm -f -- "$hooks_e"
		done
		exec 9>&-
		# looked at again once the lock is free: a runner that failed
		# to get it left its event to us
		for hooks_e in "$hooks_q"/ev.*; do
			[ -f "$hooks_e" ] && continue 2
		done
		break
	done
	# The caller gone, nobody queues any more: the spool goes too.
	if [ -z "${HBNODE_HOOK_SPOOL:-}" ] && ! hk_alive $$; then
		rm -rf -- "$hooks_q"
	fi
	exit 0
}

# hooks_event FILE: run the hooks of one queued event, in name order.
hooks_event() {
	hooks_e_dir='' hooks_e_event='' hooks_e_group='' hooks_e_detail=''
	# shellcheck disable=SC1090 # written by hooks_run, quoted
	. "$1"
	[ -d "$hooks_e_dir" ] || return 0
	hooks_tmo=${HBNODE_HOOK_TIMEOUT:-20}
	case $hooks_tmo in
	''|0|*[!0-9]*)
		hk_log warn "hooks: HBNODE_HOOK_TIMEOUT '$hooks_tmo' is not a number of seconds: 20 used"
		hooks_tmo=20 ;;
	esac
	for hooks_h in "$hooks_e_dir"/*; do
		hooks_b=${hooks_h##*/}
		! hooks_skip "$hooks_b" || continue
		if [ ! -f "$hooks_h" ] || [ ! -x "$hooks_h" ]; then
			continue
		fi
		hooks_st=0
		HBNODE_EVENT=$hooks_e_event HBNODE_GROUP=$hooks_e_group \
		    HBNODE_DETAIL=$hooks_e_detail \
		    timeout -k 2 "$hooks_tmo" "$hooks_h" "$hooks_e_event" \
		    "$hooks_e_group" "$hooks_e_detail" </dev/null >"$hooks_q/out" 2>&1 \
		    3<&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || hooks_st=$?
		hooks_i=0
		while IFS= read -r hooks_l || [ -n "$hooks_l" ]; do
			hooks_i=$((hooks_i + 1))
			if [ "$hooks_i" -gt 100 ]; then
				hk_log warn "hook $hooks_b: more output, not logged"
				break
			fi
			hk_log info "hook $hooks_b: $hooks_l"
		done <"$hooks_q/out"
		case $hooks_st in
		0) ;;
		124|137)
			hk_log warn "hook $hooks_b ($hooks_e_event $hooks_e_group): still running after ${hooks_tmo}s: killed" ;;
		*)
			hk_log warn "hook $hooks_b ($hooks_e_event $hooks_e_group) failed (status $hooks_st)" ;;
		esac
	done
}
