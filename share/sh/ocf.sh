# shellcheck shell=sh
# shellcheck disable=SC2034 # the OCF_* codes are for the sourcing agent
# share/sh/ocf.sh - what hakit's OCF resource agents share (hakit-ocf(7)):
# OCF's exit codes, the exit reason, the probe test and OCF's durations.
# Sourced after common.sh.  Sources: the OCF Resource
# Agent API 1.1 (ClusterLabs/OCF-spec, ra/1.1/resource-agent-api.md),
# "Exit codes" and "Environment variables"; Pacemaker Explained 2.1, "OCF
# Return Codes" (the exit reason line).
#
#   ocf_reason MESSAGE       MESSAGE on stderr as "NAME: MESSAGE" and as
#                            Pacemaker's exit reason ($OCF_EXIT_REASON_PREFIX,
#                            default "ocf-exit-reason:", then MESSAGE)
#   ocf_fail CODE MESSAGE    ocf_reason MESSAGE, then exit CODE
#   ocf_is_probe             true when this monitor is a probe: no
#                            OCF_RESKEY_CRM_meta_interval, or 0
#   ocf_dur_ms NAME VALUE    VALUE (a duration with hakit's units; OCF's
#                            "time") in ms on stdout; malformed: the reason
#                            (naming parameter NAME) with ocf_reason, and
#                            return 1 (the caller exits OCF_ERR_CONFIGURED)

OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_ERR_ARGS=2
OCF_ERR_UNIMPLEMENTED=3
OCF_ERR_PERM=4
OCF_ERR_INSTALLED=5
OCF_ERR_CONFIGURED=6
OCF_NOT_RUNNING=7

ocf_reason() {
	hk_warn "$*"
	printf '%s%s\n' "${OCF_EXIT_REASON_PREFIX:-ocf-exit-reason:}" "$*" >&2
}

ocf_fail() {
	ocf_st=$1
	shift
	ocf_reason "$@"
	exit "$ocf_st"
}

ocf_is_probe() {
	case ${OCF_RESKEY_CRM_meta_interval:-0} in
	0|0s|0ms) return 0 ;;
	esac
	return 1
}

ocf_dur_ms() {
	hk_dur_ms "$2" && return 0
	ocf_reason "$1: bad duration '$2' (seconds, or with a unit: 500ms, 2s)"
	return 1
}
