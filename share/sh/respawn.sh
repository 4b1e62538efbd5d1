# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # rsp_pid, rsp_ipfail: for the caller; hk_now_ms sets by name
# share/sh/respawn.sh - heartbeat's "respawn USER PROGRAM [ARGS]" for
# hbnode(8): a supervisor per program that runs it as USER, starts it
# again when it exits, and ends it when hbnode ends.  Sourced after
# common.sh; logs through the caller's "log LEVEL MESSAGE" when there is
# one, else on stderr.  See hbnode(8), "respawn".
#
#   rsp_start USER PROGRAM [ARGS...]
#	start a supervisor in the background; rsp_pid = its pid (TERM it
#	to stop the program).  Prints nothing.  Returns 1, rsp_err saying
#	why (also logged), when USER does not exist.
#   rsp_check USER PROGRAM
#	0 when USER exists and PROGRAM is an absolute path to an executable
#	file, else 1 with the reason in rsp_err.  A PROGRAM named ipfail
#	sets rsp_ipfail=1 and returns 0: hbnode's ping nodes replace it.
#
# The rate limit is heartbeat's (heartbeat.c, read, not copied): a run
# shorter than HBNODE_RESPAWN_WINDOW (30s) is a short one, a longer one
# clears the count; after a short run the restart waits
# HBNODE_RESPAWN_DELAY (1s); after more than HBNODE_RESPAWN_MAX (10) short
# runs in a row the program is "respawning too fast" and not started
# again.  An exit with status 100 is "do not restart me".

# rsp_user USER: rsp_uid rsp_gid rsp_home of USER (a name or a number);
# 1 with rsp_err when there is no such user.
rsp_user() {
	rsp_pw=$(getent passwd "$1" 2>/dev/null) || rsp_pw=
	case $rsp_pw in
	?*:*:*:*:*) ;;
	*) rsp_err="no user '$1' on this host (getent passwd $1)"; return 1 ;;
	esac
	rsp_pw=${rsp_pw#*:*:}
	rsp_uid=${rsp_pw%%:*}
	rsp_pw=${rsp_pw#*:}
	rsp_gid=${rsp_pw%%:*}
	rsp_pw=${rsp_pw#*:*:}
	rsp_home=${rsp_pw%%:*}
	: "${rsp_home:=/}"
}

rsp_check() {
	rsp_err='' rsp_ipfail=''
	if [ $# -lt 2 ]; then
		rsp_err="respawn takes a user and a program"
		return 1
	fi
	if [ "${2##*/}" = ipfail ]; then
		rsp_ipfail=1
		return 0
	fi
	rsp_user "$1" || return 1
	case $2 in
	/*) ;;
	*) rsp_err="'$2' is not an absolute path"; return 1 ;;
	esac
	if [ ! -f "$2" ] || [ ! -x "$2" ]; then
		rsp_err="$2 is not an executable file"
		return 1
	fi
}

# rsp_ms NAME DEFAULT: the duration in environment variable NAME in ms
# (0 allowed), DEFAULT when unset or malformed (with a warning).
rsp_ms() {
	eval "rsp_v=\${$1:-}"
	if [ -n "$rsp_v" ]; then
		rsp_v=$(hk_dur_ms "$rsp_v") && { printf '%s\n' "$rsp_v"; return; }
		hk_log warn "respawn: $1: not a duration, ${2}ms used"
	fi
	printf '%s\n' "$2"
}

rsp_start() {
	rsp_pid='' rsp_err=''
	if [ $# -lt 2 ]; then
		rsp_err="rsp_start takes a user and a program"
		return 1
	fi
	if ! rsp_user "$1"; then
		hk_log error "respawn $2: $rsp_err: not started"
		return 1
	fi
	rsp_caller=$$
	# The supervisor holds none of the caller's descriptors either: a
	# FIFO it kept open would never see its end.
	rsp_supervise "$@" </dev/null >&2 3<&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	rsp_pid=$!
}

# The program itself, in the background child: own session (so that a
# stop reaches its children too), USER's ids and groups, the parent-death
# signal set after the change of ids (setpriv does it in that order), /
# as the working directory, no descriptor but 0, 1 and 2.
rsp_exec() {
	rsp_u=$1
	shift
	cd / || :
	if command -v setpriv >/dev/null 2>&1; then
		if [ "$(id -u)" = "$rsp_uid" ]; then
			set -- setpriv --pdeathsig TERM -- "$@"
		else
			set -- setpriv --reuid="$rsp_uid" --regid="$rsp_gid" \
			    --init-groups --pdeathsig TERM -- "$@"
		fi
	elif [ "$(id -u)" != "$rsp_uid" ]; then
		set -- runuser -u "$rsp_u" -- "$@"
	fi
	exec env HOME="$rsp_home" USER="$rsp_u" LOGNAME="$rsp_u" \
	    setsid "$@" </dev/null 3<&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
}

# rsp_nap MS: sleep, cut short by a TERM.
rsp_nap() {
	[ "$1" -gt 0 ] || return 0
	sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))" &
	rsp_s=$!
	wait "$rsp_s" 2>/dev/null
	kill "$rsp_s" 2>/dev/null
	wait "$rsp_s" 2>/dev/null
}

# rsp_reaped: log how the program ended, from its wait status rsp_st.
rsp_reaped() {
	if [ "$rsp_st" -gt 128 ] && [ "$rsp_st" -lt 192 ]; then
		hk_log warn "respawn $rsp_name: pid $rsp_child killed by signal SIG$(kill -l "$rsp_st")"
	elif [ "$rsp_st" -eq 0 ]; then
		hk_log info "respawn $rsp_name: pid $rsp_child exited (status 0)"
	else
		hk_log warn "respawn $rsp_name: pid $rsp_child exited with status $rsp_st"
	fi
}

# rsp_end: TERM to the program's process group, KILL 2 s later (and to
# what it left in its group), then reap it.
rsp_end() {
	[ -n "$rsp_child" ] || return 0
	if hk_alive "$rsp_child"; then
		hk_log info "respawn $rsp_name: stopping pid $rsp_child"
		kill -s TERM -- "-$rsp_child" 2>/dev/null || kill -s TERM "$rsp_child" 2>/dev/null
		rsp_i=0
		while hk_alive "$rsp_child" && [ "$rsp_i" -lt 20 ]; do
			sleep 0.1
			rsp_i=$((rsp_i + 1))
		done
		! hk_alive "$rsp_child" ||
		    hk_log warn "respawn $rsp_name: pid $rsp_child still there 2s after TERM: KILL"
	fi
	kill -s KILL -- "-$rsp_child" 2>/dev/null || kill -s KILL "$rsp_child" 2>/dev/null
	wait "$rsp_child" 2>/dev/null
	rsp_st=$?
	rsp_reaped
	rsp_child=
}

# rsp_supervise USER PROGRAM [ARGS...]: the supervisor's loop.
rsp_supervise() {
	set +e
	rsp_term='' rsp_child='' rsp_short=0
	trap 'rsp_term=1' TERM
	rsp_name="$2 (user $1)"
	rsp_window=$(rsp_ms HBNODE_RESPAWN_WINDOW 30000)
	rsp_delay=$(rsp_ms HBNODE_RESPAWN_DELAY 1000)
	rsp_max=${HBNODE_RESPAWN_MAX:-10}
	case $rsp_max in
	''|*[!0-9]*|?????*)
		hk_log warn "respawn: HBNODE_RESPAWN_MAX: not a number, 10 used"
		rsp_max=10 ;;
	esac
	# our own pid: /proc/self as the shell itself opens it
	read -r rsp_me _ </proc/self/stat
	# The watchdog: a TERM to us once the caller is gone (killed
	# with KILL it runs no stop of its own).
	(
		while hk_alive "$rsp_caller" && hk_alive "$rsp_me"; do
			sleep 1
		done
		if hk_alive "$rsp_me"; then
			hk_log warn "respawn $rsp_name: hbnode (pid $rsp_caller) is gone: stopping"
			kill -s TERM "$rsp_me"
		fi
	) &
	rsp_wd=$!
	while [ -z "$rsp_term" ]; do
		# USER looked up again before each start: one deleted
		# meanwhile is said once, looked for every 5 s, and its
		# absence counts as no run of the program
		if ! rsp_user "$1"; then
			hk_log error "respawn $rsp_name: $rsp_err: not started until it is back"
			while [ -z "$rsp_term" ] && ! rsp_user "$1"; do
				rsp_nap 5000
			done
			continue
		fi
		hk_now_ms rsp_t0
		rsp_exec "$@" &
		rsp_child=$!
		hk_log info "respawn $rsp_name: started, pid $rsp_child"
		rsp_st=0
		[ -n "$rsp_term" ] || wait "$rsp_child" 2>/dev/null || rsp_st=$?
		# a TERM cut the wait short: the program may still run
		[ -z "$rsp_term" ] || break
		rsp_reaped
		rsp_child=
		if [ "$rsp_st" -eq 100 ]; then
			hk_log info "respawn $rsp_name: exit status 100: not restarted"
			break
		fi
		hk_now_ms rsp_t1
		if [ $((rsp_t1 - rsp_t0)) -lt "$rsp_window" ]; then
			rsp_short=$((rsp_short + 1))
		else
			rsp_short=0
		fi
		if [ "$rsp_short" -gt "$rsp_max" ]; then
			hk_log error "respawn $rsp_name: respawning too fast ($rsp_short runs in a row shorter than ${rsp_window}ms): not restarted"
			break
		fi
		[ "$rsp_short" -eq 0 ] || rsp_nap "$rsp_delay"
	done
	# Given up: stay until told (the caller's pid stays ours to kill).
	while [ -z "$rsp_term" ]; do
		rsp_nap 5000
	done
	rsp_end
	kill "$rsp_wd" 2>/dev/null
	exit 0
}
