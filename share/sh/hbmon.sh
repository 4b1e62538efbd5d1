# shellcheck shell=sh
# share/sh/hbmon.sh - reading mon.cf for hbmon(8) and hbmonctl(8): the
# parser is awk.  Sourced by share/hbmon and share/hbmonctl.
#
#   hbmon_parse FILE      read the mon.cf subset; print one record a line
#                         (below); on a bad line print "FILE:LINE: reason"
#                         on stderr and return 2.  Notes (ignored
#                         settings) go to stderr as "FILE:LINE: note: ...".
#   hbmon_absdir DIR      DIR taken from HB_BASEDIR when relative (as mon
#                         reads its directory settings)
#   hbmon_cfdir FILE      FILE's directory, absolute: the basedir when
#                         mon.cf sets none
#
# The records, fields separated by one blank; the last field of those
# marked "..." is the rest of the line.  hbmond(8), INPUT, reads them
# (it skips the ones it does not use); hbmon reads the others:
#   global NAME VALUE...          a global setting (cfbasedir, statedir, ...)
#   service I GROUP SERVICE LINE interval=MS finterval=MS delay=MS
#           nohosts=0|1 allowempty=0|1 monline=N descset=0|1
#           dep_behavior=a|m|hm dep_memory=MS
#                                 services numbered 1..N; delay: randstart's
#   hosts I HOST...               the hostgroup's hosts (MON -h)
#   monhosts I HOST...            those the monitor gets (exclude_hosts)
#   monitor I NAME...             monargs I WORDS...  (shell words for
#                                 eval "set -- ...")
#   desc I TEXT...   env I WORDS...   exclper I PERIOD...
#   depend I LINE EXPR...         SELF: already replaced by the watch
#   period I J LINE label=L every=MS emode=summary|strict|detail|ignore
#           aftern=N afterms=MS numalerts=N upafter=MS nocomp=0|1
#   spec I J PERIOD...            the period, normalised (hbmond(8))
#   alert I J K KIND LO-HI|- LINE NAME...   KIND a (alert), u (upalert),
#                                 s (startupalert); K counts each kind
#   alertargs I J K KIND WORDS...
hbmon_parse() {
	awk -v FILE="$1" '
function err(ln, msg) {
	# no control characters from a garbled file on the terminal
	gsub(/[[:cntrl:]]/, "?", msg)
	printf "%s:%d: %s\n", FILE, ln, msg > "/dev/stderr"
	bad = 1
	exit 2
}
function note(ln, msg) {
	gsub(/[[:cntrl:]]/, "?", msg)
	printf "%s:%d: note: %s\n", FILE, ln, msg > "/dev/stderr"
}
function q(s) {
	gsub(/\047/, "\047\\\047\047", s)
	return "\047" s "\047"
}
function emit(name, val) {
	print name "=" q(val)
}
# A duration in ms, in full: mawk, the default awk of Debian, would
# write one over 2^31 as 2.592e+09.
function emitn(name, val) {
	print name "=" q(sprintf("%.0f", val))
}
function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}
# A duration in ms: 250ms, 2s, 1.5m, 1h, 1d; a bare number is seconds.
# -1 when malformed or zero.
function dur(s,   n, u, v) {
	s = tolower(s)
	if (s !~ /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ms|s|m|h|d)?$/)
		return -1
	n = s
	sub(/[a-z]+$/, "", n)
	u = s
	sub(/^[0-9.]+/, "", u)
	v = n * ((u == "ms") ? 1 : (u == "m") ? 60000 : (u == "h") ? 3600000 : \
	    (u == "d") ? 86400000 : 1000)
	v = int(v + 0.5)
	if (v <= 0 || v > 31536000000)
		return -1
	return v
}
function isuint(s) {
	return s ~ /^[0-9]+$/ && length(s) < 10
}
# Split s into words as mon does (Text::ParseWords): blanks separate,
# single quotes are literal, double quotes and backslashes escape.
# Fills QW[1..n]; returns n.
function qwords(s, ln,   i, c, w, inw, n, qch, len) {
	n = 0
	w = ""
	inw = 0
	qch = ""
	len = length(s)
	for (i = 1; i <= len; i++) {
		c = substr(s, i, 1)
		if (qch == "\047") {
			if (c == "\047")
				qch = ""
			else
				w = w c
			continue
		}
		if (qch == "\"") {
			if (c == "\\" && i < len) {
				i++
				w = w substr(s, i, 1)
			} else if (c == "\"")
				qch = ""
			else
				w = w c
			continue
		}
		if (c == " " || c == "\t") {
			if (inw) {
				QW[++n] = w
				w = ""
				inw = 0
			}
			continue
		}
		inw = 1
		if (c == "\047" || c == "\"")
			qch = c
		else if (c == "\\" && i < len) {
			i++
			w = w substr(s, i, 1)
		} else
			w = w c
	}
	if (qch != "")
		err(ln, "unbalanced " qch " quote in: " s)
	if (inw)
		QW[++n] = w
	return n
}
function qjoin(from, n,   i, out) {
	out = ""
	for (i = from; i <= n; i++)
		out = out (out == "" ? "" : " ") q(QW[i])
	return out
}
# One value of a Time::Period scale as a number, or -1.
function pval(sc, v,   i, names, h) {
	if (sc == "mo" && v ~ /^[a-z]/) {
		i = index("janfebmaraprmayjunjulaugsepoctnovdec", substr(v, 1, 3))
		return (i > 0 && (i - 1) % 3 == 0 && length(v) >= 3) ? (i + 2) / 3 : -1
	}
	if (sc == "wd" && v ~ /^[a-z]/) {
		i = index("sumotuwethfrsa", substr(v, 1, 2))
		return (i > 0 && i % 2 == 1 && length(v) >= 2) ? (i + 1) / 2 : -1
	}
	if (sc == "hr" && v ~ /^[0-9]+(am|pm|noon)$/) {
		h = v
		sub(/[a-z]+$/, "", h)
		h += 0
		if (h < 1 || h > 12)
			return -1
		if (v ~ /noon$/)
			return h == 12 ? 12 : -1
		if (v ~ /am$/)
			return h == 12 ? 0 : h
		return h == 12 ? 12 : h + 12
	}
	if (v !~ /^[0-9]+$/ || length(v) > 4)
		return -1
	v += 0
	if (sc == "yr")
		return (v <= 99 || v >= 1970) ? v : -1
	if (sc == "mo")
		return (v >= 1 && v <= 12) ? v : -1
	if (sc == "wk")
		return (v >= 1 && v <= 6) ? v : -1
	if (sc == "yd")
		return (v >= 1 && v <= 366) ? v : -1
	if (sc == "md")
		return (v >= 1 && v <= 31) ? v : -1
	if (sc == "wd")
		return (v >= 1 && v <= 7) ? v : -1
	if (sc == "hr")
		return v <= 23 ? v : -1
	return v <= 59 ? v : -1
}
# Normalise a Time::Period spec: "" (always), "none", or sub-periods
# joined by ";", each "code=a-b,a-b code=..." with numeric values.
function normperiod(p, ln,   nsub, subs, i, s, out, so, o, c, sc, body, nr, r, k, a, b, va, vb, full) {
	p = tolower(trim(p))
	if (p == "" || p == "none")
		return p
	full["year"] = "yr"; full["month"] = "mo"; full["week"] = "wk"
	full["yday"] = "yd"; full["mday"] = "md"; full["wday"] = "wd"
	full["hour"] = "hr"; full["minute"] = "min"; full["second"] = "sec"
	nsub = split(p, subs, ",")
	out = ""
	for (i = 1; i <= nsub; i++) {
		s = trim(subs[i])
		so = ""
		if (s == "")
			err(ln, "malformed period (empty part): " p)
		while (s != "") {
			o = index(s, "{")
			c = index(s, "}")
			if (o == 0 || c == 0 || c < o)
				err(ln, "malformed period (scale {ranges} expected): " p)
			sc = trim(substr(s, 1, o - 1))
			body = substr(s, o + 1, c - o - 1)
			s = trim(substr(s, c + 1))
			if (sc in full)
				sc = full[sc]
			if (sc !~ /^(yr|mo|wk|yd|md|wd|hr|min|sec)$/)
				err(ln, "malformed period (unknown scale \"" sc "\"): " p)
			gsub(/[ \t]*-[ \t]*/, "-", body)
			nr = split(trim(body), r, /[ \t]+/)
			if (nr == 0 || trim(body) == "")
				err(ln, "malformed period (empty range for " sc "): " p)
			so = so (so == "" ? "" : " ") sc "="
			for (k = 1; k <= nr; k++) {
				a = r[k]
				b = r[k]
				if (index(a, "-")) {
					b = substr(a, index(a, "-") + 1)
					a = substr(a, 1, index(a, "-") - 1)
				}
				va = pval(sc, a)
				vb = pval(sc, b)
				if (va < 0 || vb < 0)
					err(ln, "malformed period (bad " sc " value \"" r[k] "\"): " p)
				so = so (k > 1 ? "," : "") va "-" vb
			}
		}
		out = out (out == "" ? "" : ";") so
	}
	return out
}
function endrecord() {
	ingroup = 0
	inwatch = 0
	inperiod = 0
}
function global(l, ln,   k, v, d) {
	k = trim(substr(l, 1, index(l, "=") - 1))
	v = trim(substr(l, index(l, "=") + 1))
	if (k ~ /^(cfbasedir|basedir|alertdir|mondir|statedir|logdir|dtlogfile|historicfile)$/) {
		if (v == "")
			err(ln, k " needs a value")
		G[k] = v
	} else if (k == "maxprocs" || k == "histlength") {
		if (!isuint(v))
			err(ln, k " must be a whole number, not \"" v "\"")
		G[k] = v + 0
	} else if (k == "randstart") {
		if (v ~ /^0+(\.0*)?(ms|s|m|h|d)?$/)
			d = 0
		else if ((d = dur(v)) < 0)
			err(ln, "bad randstart duration \"" v "\"")
		G[k] = d
	} else if (k == "dtlogging" || k == "startupalerts_on_reset") {
		v = tolower(v)
		if (v ~ /^(1|yes|true|on)$/)
			G[k] = 1
		else if (v ~ /^(0|no|false|off)$/)
			G[k] = 0
		else
			err(ln, k " must be yes or no, not \"" v "\"")
	} else if (k == "dep_behavior") {
		if (v !~ /^(a|m|hm)$/)
			err(ln, "dep_behavior must be a, m or hm, not \"" v "\"")
		DEPB = v
	} else if (k == "dep_memory") {
		if ((d = dur(v)) < 0)
			err(ln, "bad dep_memory duration \"" v "\"")
		DEPM = d
	} else if (k == "dep_recur_limit") {
		if (!isuint(v) || v + 0 < 1)
			err(ln, k " must be a whole number over 0, not \"" v "\"")
		G[k] = v + 0
	} else if (k == "authtype") {
		note(ln, "authtype ignored: hbmonctl talks to hbmon through a FIFO that root alone may write")
	} else if (k ~ /^(serverbind|serverport|trapbind|trapport|clientallow|pidfile|authfile|userfile|pamservice|historictime|cltimeout|monerrfile|unack_summary|syslog_facility|monremote|exclude_period|snmpport)$/) {
		note(ln, k " ignored: hbmon has no network port (hbmonctl uses a FIFO in statedir) and no traps")
	} else
		err(ln, "unknown global setting \"" k "\"")
}
function addalert(kind, rest, ln,   n, i, ex, lo, hi, key) {
	n = qwords(rest, ln)
	if (n == 0)
		err(ln, "alert needs a program name")
	i = 1
	ex = ""
	if (QW[1] ~ /^exit=/) {
		ex = substr(QW[1], 6)
		if (ex ~ /^[0-9]+$/)
			ex = ex "-" ex
		if (ex !~ /^[0-9]+-[0-9]+$/)
			err(ln, "bad exit range \"" QW[1] "\" (exit=N or exit=N-M)")
		i = 2
		if (n < 2)
			err(ln, "alert needs a program name after " QW[1])
	}
	if (QW[i] ~ /=/)
		err(ln, "unknown alert option \"" QW[i] "\"")
	key = "p_" ns "_" np
	A[key "_n" kind]++
	key = key "_" kind "_" A[key "_n" kind]
	A[key "_name"] = QW[i]
	A[key "_args"] = qjoin(i + 1, n)
	A[key "_exit"] = ex
	A[key "_line"] = ln
}
function period(var, args, ln,   n, d) {
	if (var == "alert")
		addalert("a", args, ln)
	else if (var == "upalert") {
		addalert("u", args, ln)
	} else if (var == "startupalert")
		addalert("s", args, ln)
	else if (var == "ackalert" || var == "disablealert")
		note(ln, var " ignored: hbmonctl has no acknowledgements, and its disable calls no alert")
	else if (var == "alertevery") {
		n = split(args, w, /[ \t]+/)
		if (n < 1 || n > 2 || (d = dur(w[1])) < 0)
			err(ln, "bad alertevery \"" args "\" (alertevery TIME [strict|observe_detail|ignore_summary])")
		PE["every"] = d
		PE["emode"] = "summary"
		if (n == 2) {
			if (w[2] == "strict")
				PE["emode"] = "strict"
			else if (w[2] == "observe_detail")
				PE["emode"] = "detail"
			else if (w[2] == "ignore_summary")
				PE["emode"] = "ignore"
			else if (w[2] != "summary")
				err(ln, "bad alertevery mode \"" w[2] "\" (strict, observe_detail or ignore_summary)")
		}
	} else if (var == "alertafter") {
		n = split(args, w, /[ \t]+/)
		if (n == 1 && isuint(w[1]) && w[1] > 0) {
			PE["aftern"] = w[1] + 0
			PE["afterms"] = 0
		} else if (n == 1 && w[1] !~ /^[0-9]+$/ && (d = dur(w[1])) > 0) {
			PE["aftern"] = 0
			PE["afterms"] = d
		} else if (n == 2 && isuint(w[1]) && w[1] > 0 && (d = dur(w[2])) > 0) {
			PE["aftern"] = w[1] + 0
			PE["afterms"] = d
			PE["afterline"] = ln
		} else
			err(ln, "bad alertafter \"" args "\" (alertafter N, alertafter TIME or alertafter N TIME)")
	} else if (var == "upalertafter") {
		if ((d = dur(args)) < 0)
			err(ln, "bad upalertafter duration \"" args "\"")
		PE["upafter"] = d
	} else if (var == "numalerts") {
		if (!isuint(args))
			err(ln, "numalerts must be a whole number, not \"" args "\"")
		PE["numalerts"] = args + 0
	} else if (var == "no_comp_alerts")
		PE["nocomp"] = 1
	else if (var == "alerts_dont_count")
		;
	else if (var == "alertexitrange")
		err(ln, "alertexitrange: write \"alert exit=N-M PROGRAM\" instead")
	else
		err(ln, "unknown setting \"" var "\" in a period")
}
function endperiod(   key) {
	if (np == 0)
		return
	key = "p_" ns "_" np
	A[key "_na"] += 0
	A[key "_nu"] += 0
	A[key "_ns"] += 0
	A[key "_spec"] = PE["spec"]
	A[key "_every"] = PE["every"] + 0
	A[key "_emode"] = PE["emode"]
	A[key "_aftern"] = PE["aftern"] + 0
	A[key "_afterms"] = PE["afterms"] + 0
	A[key "_numalerts"] = PE["numalerts"] + 0
	A[key "_upafter"] = PE["upafter"] + 0
	A[key "_nocomp"] = PE["nocomp"] + 0
	A[key "_label"] = PE["label"]
	A[key "_line"] = PE["line"] + 0
	if (PE["aftern"] > 1 && PE["afterms"] > 0 && S[ns, "interval"] > 0 &&
	    (PE["aftern"] - 1) * S[ns, "interval"] >= PE["afterms"])
		err(PE["afterline"], "alertafter " PE["aftern"] " within " \
		    PE["afterms"] "ms can never happen with interval " \
		    S[ns, "interval"] "ms")
	split("", PE)
}
function endservice() {
	if (ns == 0)
		return
	endperiod()
	S[ns, "np"] = np
	if (S[ns, "mon"] == "")
		err(S[ns, "line"], "service " S[ns, "service"] " has no monitor line")
	if (S[ns, "interval"] == "")
		err(S[ns, "line"], "service " S[ns, "service"] " has no interval line")
}
function service(var, args, l, ln,   n, d, i, h) {
	if (var == "interval" || var == "failure_interval") {
		if ((d = dur(args)) < 0)
			err(ln, "bad " var " \"" args "\" (a duration: 500ms, 2s, 1m)")
		S[ns, var] = d
	} else if (var == "monitor") {
		S[ns, "nohosts"] = 0
		if (args ~ /;;[ \t]*$/) {
			S[ns, "nohosts"] = 1
			sub(/[ \t]*;;[ \t]*$/, "", args)
		}
		n = qwords(args, ln)
		if (n == 0)
			err(ln, "monitor needs a program name")
		S[ns, "mon"] = QW[1]
		S[ns, "monargs"] = qjoin(2, n)
		S[ns, "monline"] = ln
	} else if (var == "description")
		S[ns, "desc"] = args
	else if (var == "allow_empty_group")
		S[ns, "allowempty"] = 1
	else if (var == "exclude_hosts") {
		n = split(args, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			S[ns, "excl", w[i]] = 1
	} else if (var == "exclude_period")
		S[ns, "exclper"] = normperiod(args, ln)
	else if (var == "randskew")
		note(ln, "randskew ignored: hbmon keeps checks on their schedule")
	else if (var ~ /^(depend|alertdepend|monitordepend|hostdepend)$/) {
		# mon 1.3.6: SELF: is the watch the service is in
		gsub(/SELF:/, watchgroup ":", args)
		if (args == "")
			err(ln, var " needs an expression (WATCH:SERVICE, SELF:SERVICE)")
		if ((ns, "dep") in S)
			err(ln, var ": one dependency expression a service (combine them with && or ||)")
		S[ns, "dep"] = args
		S[ns, "depline"] = ln
		if (var != "depend")
			S[ns, "depb"] = var == "alertdepend" ? "a" : var == "monitordepend" ? "m" : "hm"
	} else if (var == "dep_behavior") {
		if (args !~ /^(a|m|hm)$/)
			err(ln, "dep_behavior must be a, m or hm, not \"" args "\"")
		S[ns, "depb"] = args
	} else if (var == "dep_memory") {
		if ((d = dur(args)) < 0)
			err(ln, "bad dep_memory duration \"" args "\"")
		S[ns, "depm"] = d
	} else if (var ~ /^(unack_summary|redistribute)$/)
		note(ln, var " ignored: hbmon has no acknowledgements and no peers")
	else if (var == "traptimeout" || var == "trapduration")
		err(ln, var ": hbmon has no trap port; use a monitor instead")
	else if (var == "alert" || var == "upalert" || var == "alertevery" || var == "alertafter")
		err(ln, var " outside a period (add a \"period\" line above it)")
	else
		err(ln, "unknown setting \"" var "\" in service " S[ns, "service"])
}
function handle(l, ln,   var, args, n, i, lab) {
	if (l == "") {
		endrecord()
		return
	}
	if (!inwatch && !ingroup && l ~ /^[A-Za-z_][A-Za-z0-9_]*[ \t]*=/) {
		global(l, ln)
		return
	}
	var = l
	sub(/[ \t].*$/, "", var)
	args = trim(substr(l, length(var) + 1))
	if (var == "hostgroup") {
		endrecord()
		n = split(args, w, /[ \t]+/)
		if (n < 1 || w[1] !~ /^[A-Za-z0-9_.-]+$/)
			err(ln, "hostgroup needs a name (letters, digits, _ . -)")
		if (w[1] in HG)
			err(ln, "hostgroup " w[1] " defined twice")
		curgroup = w[1]
		HG[curgroup] = ""
		HGL[curgroup] = ln
		for (i = 2; i <= n; i++)
			HG[curgroup] = HG[curgroup] " " w[i]
		ingroup = 1
		return
	}
	if (var == "watch") {
		endrecord()
		if (args !~ /^[A-Za-z0-9_.-]+$/)
			err(ln, "watch needs one hostgroup name")
		if (args in WATCHED)
			err(ln, "watch " args " defined twice")
		WATCHED[args] = 1
		if (!(args in HG)) {
			note(ln, "no hostgroup " args ": watching the host " args " alone")
			HG[args] = " " args
		}
		watchgroup = args
		inwatch = 1
		insvc = 0
		return
	}
	if (ingroup) {
		n = split(l, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			HG[curgroup] = HG[curgroup] " " w[i]
		return
	}
	if (!inwatch)
		err(ln, "\"" var "\" outside a hostgroup or watch section")
	if (l ~ /^[A-Z_][A-Z0-9_]*=/) {
		if (!insvc)
			err(ln, "environment variable before any service line")
		n = index(l, "=")
		S[ns, "env"] = S[ns, "env"] (S[ns, "env"] == "" ? "" : " ") q(l)
		return
	}
	if (var !~ /^[a-z_]+$/)
		err(ln, "unknown setting \"" var "\"")
	if (var == "service") {
		endservice()
		if (args !~ /^[A-Za-z0-9_.-]+$/)
			err(ln, "bad service name \"" args "\" (letters, digits, _ . -)")
		if ((watchgroup, args) in SVC)
			err(ln, "service " args " defined twice in watch " watchgroup)
		SVC[watchgroup, args] = 1
		ns++
		np = 0
		S[ns, "group"] = watchgroup
		S[ns, "service"] = args
		S[ns, "line"] = ln
		insvc = 1
		inperiod = 0
		return
	}
	if (!insvc)
		err(ln, "\"" var "\" before any service line in watch " watchgroup)
	if (var == "period") {
		endperiod()
		np++
		inperiod = 1
		lab = ""
		if (args ~ /^[A-Za-z_][A-Za-z0-9_]*[ \t]*:/) {
			lab = trim(substr(args, 1, index(args, ":") - 1))
			args = trim(substr(args, index(args, ":") + 1))
		}
		PE["spec"] = normperiod(args, ln)
		PE["emode"] = "summary"
		PE["label"] = lab
		PE["line"] = ln
		return
	}
	if (inperiod && var ~ /^(alert|upalert|startupalert|ackalert|disablealert|alertevery|alertafter|upalertafter|numalerts|no_comp_alerts|alerts_dont_count|alertexitrange)$/) {
		period(var, args, ln)
		return
	}
	if (inperiod)
		err(ln, "unknown setting \"" var "\" in a period")
	service(var, args, l, ln)
}
{
	raw = $0
	sub(/\r$/, "", raw)
	if (cont == "")
		start = NR
	if (raw ~ /^[ \t]*#/)
		next
	if (cont != "")
		sub(/^[ \t]+/, "", raw)
	if (raw ~ /\\[ \t]*$/) {
		sub(/\\[ \t]*$/, "", raw)
		cont = cont raw
		# a lone "\" still continues
		if (cont == "")
			cont = " "
		next
	}
	l = cont raw
	cont = ""
	# A "#" after a blank starts a comment (an extension: mon reads it
	# as part of the line).
	sub(/[ \t]#.*$/, "", l)
	handle(trim(l), start)
}
function words(s) {
	gsub(/[ \t]+/, " ", s)
	return trim(s)
}
END {
	if (bad)
		exit 2
	if (cont != "")
		handle(trim(cont), start)
	endservice()
	for (k in G)
		if (k == "randstart")
			print "global " k " " sprintf("%.0f", G[k])
		else
			print "global " k " " G[k]
	srand()
	for (i = 1; i <= ns; i++) {
		g = S[i, "group"]
		hosts = words(HG[g])
		n = split(hosts, w, " ")
		mh = ""
		for (j = 1; j <= n; j++)
			if (!((i, "excl", w[j]) in S))
				mh = mh (mh == "" ? "" : " ") w[j]
		if (mh == "" && !S[i, "nohosts"] && !S[i, "allowempty"])
			err(S[i, "line"], "no hosts to monitor for " g "/" S[i, "service"] \
			    " (hostgroup " g " is empty; allow_empty_group allows it)")
		depb = ((i, "depb") in S) ? S[i, "depb"] : (DEPB == "" ? "a" : DEPB)
		depm = ((i, "depm") in S) ? S[i, "depm"] : DEPM + 0
		printf "service %d %s %s %d interval=%.0f finterval=%.0f delay=%.0f nohosts=%d allowempty=%d monline=%d descset=%d dep_behavior=%s dep_memory=%.0f\n", \
		    i, g, S[i, "service"], S[i, "line"], S[i, "interval"], \
		    S[i, "failure_interval"] + 0, \
		    (G["randstart"] > 0 ? int(rand() * G["randstart"]) : 0), \
		    S[i, "nohosts"] + 0, S[i, "allowempty"] + 0, S[i, "monline"], \
		    ((i, "desc") in S) ? 1 : 0, depb, depm
		print "hosts " i (hosts == "" ? "" : " " hosts)
		print "monhosts " i (mh == "" ? "" : " " mh)
		print "monitor " i " " S[i, "mon"]
		if (S[i, "monargs"] != "")
			print "monargs " i " " S[i, "monargs"]
		if ((i, "desc") in S)
			print "desc " i " " S[i, "desc"]
		if (S[i, "env"] != "")
			print "env " i " " S[i, "env"]
		if (S[i, "exclper"] != "")
			print "exclper " i " " S[i, "exclper"]
		if ((i, "dep") in S)
			print "depend " i " " S[i, "depline"] " " words(S[i, "dep"])
		for (j = 1; j <= S[i, "np"]; j++) {
			key = "p_" i "_" j
			printf "period %d %d %d label=%s every=%.0f emode=%s aftern=%d afterms=%.0f numalerts=%d upafter=%.0f nocomp=%d\n", \
			    i, j, A[key "_line"], (A[key "_label"] == "" ? "-" : A[key "_label"]), \
			    A[key "_every"], A[key "_emode"], A[key "_aftern"], \
			    A[key "_afterms"], A[key "_numalerts"], A[key "_upafter"], \
			    A[key "_nocomp"]
			if (A[key "_spec"] != "")
				print "spec " i " " j " " A[key "_spec"]
			for (kk = 1; kk <= 3; kk++) {
				kind = substr("aus", kk, 1)
				for (k = 1; k <= A[key "_n" kind]; k++) {
					av = key "_" kind "_" k
					print "alert " i " " j " " k " " kind " " \
					    (A[av "_exit"] == "" ? "-" : A[av "_exit"]) " " \
					    A[av "_line"] " " A[av "_name"]
					if (A[av "_args"] != "")
						print "alertargs " i " " j " " k " " kind " " A[av "_args"]
				}
			}
		}
	}
}
' "$1"
}

hbmon_absdir() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$HB_BASEDIR/$1" ;;
	esac
}

hbmon_cfdir() {
	case $1 in
	*/*) (cd -- "${1%/*}" && pwd) ;;
	*) pwd ;;
	esac
}
