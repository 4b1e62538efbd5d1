# shellcheck shell=sh
# shellcheck disable=SC2154 # the cf_*, hb_*, grp_* and rsc_* variables come from sh/hbnode.sh
# share/sh/hbexport.sh - "hbnode export" (hbnode(8), EXPORT): the
# configuration hb_load read (ha.cf, haresources) as the Pacemaker CIB
# of the same cluster, for a site that moves to Corosync + Pacemaker, as
# heartbeat's haresources2cib.py once carried haresources into the CRM.
# Sourced after sh/hbnode.sh and sh/ipaddr.sh, and after hb_load.
#
#   hb_export    print the CIB (XML, Pacemaker's schema pacemaker-3.0,
#                which crm_verify --xml-file checks) on stdout: each
#                haresources line a group of ocf:hakit:IPaddr,
#                ocf:heartbeat:IPaddr2, Filesystem, MailTo or
#                service:NAME primitives; its home node a location
#                score of 100; auto_failback as resource-stickiness (0
#                on, 200 off: more than the home's score); the ping
#                nodes one cloned ocf:pacemaker:ping with a location
#                rule per group.  What has no counterpart (respawn,
#                track_interface, a script's arguments) is said on
#                stderr as "hbnode: warn: ..." or refused with
#                "FILE:LINE: ..." and exit 2, before anything is printed.
#
# Schema facts: Pacemaker Explained 2.1 (ClusterLabs), "Resource
# Groups", "Location Constraints" (rules, score-attribute), "Resource
# Options" (resource-stickiness), and the ping agent's meta-data
# (ocf:pacemaker:ping: host_list, multiplier, dampen, attribute pingd).

# hx_xml TEXT: TEXT with &, <, > and " escaped for an XML attribute.
hx_xml() {
	printf '%s\n' "$1" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g'
}

# hx_id TEXT: TEXT as an XML ID (letters, digits, _, -, .; not starting
# with a digit, a "-" or a ".").
hx_id() {
	hx_i=$(printf '%s\n' "$1" | tr -c 'A-Za-z0-9_.\n-' '_')
	case $hx_i in
	[A-Za-z_]*) ;;
	*) hx_i=_$hx_i ;;
	esac
	printf '%s\n' "$hx_i"
}

# hx_uniq ID: ID, or ID_2, ID_3... when an earlier resource has it.
hx_uniq() {
	hx_u=$1 hx_k=1
	while :; do
		case " $hx_ids " in
		*" $hx_u "*) ;;
		*) break ;;
		esac
		hx_k=$((hx_k + 1))
		hx_u=${1}_$hx_k
	done
	hx_ids="$hx_ids $hx_u"
}

# hx_put FORMAT ARG...: one line, printf's, added to $hx_out (printed
# at the end, so that an error prints nothing).
hx_put() {
	# shellcheck disable=SC2059 # the format is the caller's
	hx_out="$hx_out$(printf "$@")
"
}

# hx_params ID NAME=VALUE...: an instance_attributes block (empty
# values left out).
hx_params() {
	hx_p=$1
	shift
	hx_put '        <instance_attributes id="%s-instance_attributes">' "$hx_p"
	for hx_a; do
		[ -z "${hx_a#*=}" ] ||
		    hx_put '          <nvpair id="%s-instance_attributes-%s" name="%s" value="%s"/>' \
		    "$hx_p" "${hx_a%%=*}" "${hx_a%%=*}" "$(hx_xml "${hx_a#*=}")"
	done
	hx_put '        </instance_attributes>'
}

# hx_ops ID START_TIMEOUT MONITOR_INTERVAL MONITOR_TIMEOUT: the start,
# stop and monitor operations (in ms: "500ms", as Pacemaker reads it).
hx_ops() {
	hx_put '        <operations>'
	hx_put '          <op id="%s-start-0" name="start" interval="0" timeout="%sms"/>' "$1" "$2"
	hx_put '          <op id="%s-stop-0" name="stop" interval="0" timeout="%sms"/>' "$1" "$cf_resource_timeout"
	hx_put '          <op id="%s-monitor-%s" name="monitor" interval="%sms" timeout="%sms"/>' \
	    "$1" "$3" "$3" "$4"
	hx_put '        </operations>'
}

# hx_rsc I: resource I as a primitive, added to $hx_out; 1 with the
# reason in hx_why when it has no counterpart.
hx_rsc() {
	eval "hx_r=\$rsc_$1 hx_path=\$rsc_path_$1"
	hx_name=${hx_r%% *} hx_args=""
	[ "$hx_name" = "$hx_r" ] || hx_args=${hx_r#* }
	hx_st=$cf_resource_timeout hx_iv=10000 hx_mt=20000
	case $hx_name in
	IPaddr|IPaddr2)
		ipa_parse "$hx_args" || { hx_why="$hx_args: $ipa_err"; return 1; }
		hx_uniq "$(hx_id "${hx_name}_$ipa_addr")"
		hx_lab=""
		[ -z "$ipa_lab" ] || hx_lab=${ipa_lab#*:}
		if [ "$hx_name" = IPaddr ]; then
			hx_put '      <primitive id="%s" class="ocf" provider="hakit" type="IPaddr">' "$hx_u"
			# hbnode's lease, renewed by a monitor three times in
			# it; start may probe as long, while the lease of a
			# holder that stopped renewing runs out
			hx_params "$hx_u" "ip=$ipa_addr" "cidr_netmask=$ipa_plen" \
			    "nic=$ipa_iface" "iflabel=$hx_lab" "lease=${hx_lease}ms"
			hx_iv=$((hx_lease / 3)) hx_st=$((hx_lease + 20000))
		else
			hx_put '      <primitive id="%s" class="ocf" provider="heartbeat" type="IPaddr2">' "$hx_u"
			hx_params "$hx_u" "ip=$ipa_addr" "cidr_netmask=$ipa_plen" \
			    "nic=$ipa_iface" "iflabel=$hx_lab" "broadcast=$ipa_brd"
		fi
		;;
	Filesystem|MailTo)
		# heartbeat's resource.d wrappers of these OCF agents: the
		# agents' parameters in the order the wrappers map them
		set -f
		# shellcheck disable=SC2086 # the arguments, one a word
		set -- $hx_args
		set +f
		hx_uniq "$(hx_id "${hx_name}_${2:-${1:-}}")"
		hx_put '      <primitive id="%s" class="ocf" provider="heartbeat" type="%s">' "$hx_u" "$hx_name"
		if [ "$hx_name" = Filesystem ]; then
			hx_params "$hx_u" "device=${1:-}" "directory=${2:-}" "fstype=${3:-}" "options=${4:-}"
		else
			hx_params "$hx_u" "email=${1:-}" "subject=${2:-}"
		fi
		;;
	*)
		if [ -n "$hx_args" ]; then
			hx_why="$hx_name::$(printf '%s\n' "$hx_args" | sed 's/ /::/g'): no Pacemaker agent known for a script with arguments (hbnode export knows IPaddr, IPaddr2, Filesystem and MailTo); make it an init script or a systemd unit without them, or an OCF agent"
			return 1
		fi
		hx_uniq "$(hx_id "$hx_name")"
		# Pacemaker's service class: an LSB init script in
		# /etc/init.d, or a systemd unit
		case $hx_name:$hx_path in
		mon:*|hbmon:*)
			# hbmon's bring-ha-down.alert runs "hbnode stop", which
			# does nothing under Pacemaker (and Debian's
			# /etc/init.d/mon is the real mon)
			hk_warn "warn: $hx_name: hbmon and bring-ha-down.alert do not carry over to Pacemaker (hbnode stop does nothing there): replace this resource with an ocf:hakit:check resource (program=httpcheck) in the group, whose failed monitor moves the group (hakit-ocf(7))" ;;
		*:/etc/init.d/*) ;;
		*) hk_warn "warn: $hx_name: $hx_path is not in /etc/init.d, where Pacemaker's service:$hx_name looks (or for a systemd unit $hx_name.service): install it there on every node" ;;
		esac
		hx_put '      <primitive id="%s" class="service" type="%s">' "$hx_u" "$(hx_xml "$hx_name")"
		;;
	esac
	hx_ops "$hx_u" "$hx_st" "$hx_iv" "$hx_mt"
	hx_put '      </primitive>'
}

hb_export() {
	hx_ids=""
	# hbnode's lease (start in share/hbnode): deadtime, at least 2 s;
	# at least 3 s here, so that the monitor that renews it runs every
	# second at most
	hx_lease=$cf_deadtime
	[ "$hx_lease" -ge 3000 ] || hx_lease=3000
	# Everything first into hx_out: an error prints nothing.
	G=1 hx_out=""
	while [ "$G" -le "$grp_n" ]; do
		eval "hx_f=\$grp_first_$G hx_l=\$grp_last_$G hx_gl=\$grp_line_$G"
		hx_put '    <group id="group_%s">' "$G"
		I=$hx_f
		while [ "$I" -le "$hx_l" ]; do
			hx_rsc "$I" || hb_err "$hb_confdir/haresources" "$hx_gl" "$hx_why"
			I=$((I + 1))
		done
		hx_put '    </group>'
		G=$((G + 1))
	done
	if [ "$cf_ping_n" -gt 0 ]; then
		hx_hosts="" K=1
		while [ "$K" -le "$cf_ping_n" ]; do
			eval "hx_hosts=\"\$hx_hosts \$cf_ping_hosts_$K\""
			K=$((K + 1))
		done
		# each answering host adds 1000 to the node's pingd; a host
		# counts as down after about deadping, as in hbnode
		hx_piv=$((cf_deadping / 2))
		[ "$hx_piv" -ge 1000 ] || hx_piv=1000
		hx_put '    <clone id="ping-clone">'
		hx_put '      <primitive id="ping" class="ocf" provider="pacemaker" type="ping">'
		hx_params ping "host_list=${hx_hosts# }" multiplier=1000 "dampen=${hx_piv}ms"
		hx_ops ping 60000 "$hx_piv" 60000
		hx_put '      </primitive>'
		hx_put '    </clone>'
	fi
	[ "$cf_respawn_n" = 0 ] ||
	    hk_warn "warn: the respawn lines are not exported: run those programs as systemd services, or as Pacemaker resources of their own"
	[ -z "$cf_track" ] ||
	    hk_warn "warn: track_interface $cf_track is not exported: Pacemaker's ocf:heartbeat:ethmonitor, cloned, with a location rule on its attribute, does it"

	hx_stick=0
	[ "$cf_auto_failback" = on ] || hx_stick=200
	printf '<?xml version="1.0"?>\n'
	printf '<!-- hbnode export of %s/ha.cf and haresources (nodes %s).\n' \
	    "$(hx_xml "$hb_confdir" | sed 's/--/-_/g')" \
	    "$(printf '%s\n' "$cf_nodes" | sed 's/--/-_/g')"
	printf '     Load it into a new cluster with: cibadmin -R -x FILE\n'
	printf '     Timers of ha.cf for corosync.conf: totem { token: %s } (deadtime, ms);\n' "$cf_deadtime"
	printf '     with two nodes: quorum { provider: corosync_votequorum  two_node: 1 }.\n'
	printf '     No fencing is configured (stonith-enabled false), as with hbnode:\n'
	printf '     configure a fence device before trusting the cluster with shared data. -->\n'
	# admin_epoch 1: newer than the empty configuration of a new
	# cluster (admin_epoch 0, epoch growing), which cibadmin -R replaces
	printf '<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="1">\n'
	printf '  <configuration>\n'
	printf '    <crm_config>\n'
	printf '      <cluster_property_set id="cib-bootstrap-options">\n'
	printf '        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>\n'
	printf '      </cluster_property_set>\n'
	printf '    </crm_config>\n'
	printf '    <nodes/>\n'
	printf '    <resources>\n'
	printf '%s' "$hx_out"
	printf '    </resources>\n'
	printf '    <constraints>\n'
	G=1
	while [ "$G" -le "$grp_n" ]; do
		eval "hx_h=\$grp_home_$G"
		printf '      <rsc_location id="group_%s-home" rsc="group_%s" node="%s" score="100"/>\n' \
		    "$G" "$G" "$hx_h"
		if [ "$cf_ping_n" -gt 0 ]; then
			# ipfail's rule: where fewer ping nodes answer, the group
			# is worth less (1000 an answering host); where none
			# answers it does not run
			printf '      <rsc_location id="group_%s-ping" rsc="group_%s">\n' "$G" "$G"
			printf '        <rule id="group_%s-ping-none" score="-INFINITY" boolean-op="or">\n' "$G"
			printf '          <expression id="group_%s-ping-none-undefined" attribute="pingd" operation="not_defined"/>\n' "$G"
			printf '          <expression id="group_%s-ping-none-zero" attribute="pingd" operation="lte" value="0" type="number"/>\n' "$G"
			printf '        </rule>\n'
			printf '      </rsc_location>\n'
			printf '      <rsc_location id="group_%s-ping-more" rsc="group_%s">\n' "$G" "$G"
			printf '        <rule id="group_%s-ping-more-rule" score-attribute="pingd">\n' "$G"
			printf '          <expression id="group_%s-ping-more-defined" attribute="pingd" operation="defined"/>\n' "$G"
			printf '        </rule>\n'
			printf '      </rsc_location>\n'
		fi
		G=$((G + 1))
	done
	printf '    </constraints>\n'
	printf '    <rsc_defaults>\n'
	printf '      <meta_attributes id="rsc-options">\n'
	printf '        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="%s"/>\n' "$hx_stick"
	printf '      </meta_attributes>\n'
	printf '    </rsc_defaults>\n'
	printf '  </configuration>\n'
	printf '  <status/>\n'
	printf '</cib>\n'
}
