#!/bin/sh
# score.sh - score the pipeline against the truth bh-synth wrote.
#
#   bh-synth -n 2000 -o cap.pcap -t truth.tsv
#   bh-sessions -L 192.168.56.0/24 -L 2001:db8:56::/64 cap.pcap |
#       bh-phase | bh-rtt | bh-ttl > sessions.tsv
#   examples/score.sh truth.tsv sessions.tsv
#
# Joins the two streams on the session key (proto, addresses, ports and
# the time of the first packet) and compares, for every session:
#   must  phase, remote_os, remote_hops, and rtt_remote_ms within 1 µs
#         (`-` where the truth says the RTT is ambiguous by design);
#   also  app (of the labelled sessions), link, state, dir, orig_pkts, resp_pkts, remote_pkts,
#         remote_ttl, remote_ttl_init, the local RTT leg, flow numbering,
#         and that no session is missing or extra.
# Prints one line per disagreement (`flow N field: want X got Y [how]`),
# then a table of agreement per field.  Exit 0 when every "must" field
# agrees, 1 when one does not, 2 on a usage or input error.
# Missing columns (a tool not in the pipe) are reported and skipped.

set -u
[ $# -ge 1 ] && [ $# -le 2 ] || {
	echo "usage: score.sh truth.tsv [sessions.tsv]" >&2
	exit 2
}
LC_ALL=C
export LC_ALL
# col() (examples/cols.awk) before the program
cols=$(cat "$(dirname "$0")/cols.awk") || exit 2
exec awk -F '\t' -v truthfile="$1" "$cols"'
function key(p, oi, op, ri, rp, ts) {
	return p SUBSEP oi SUBSEP op SUBSEP ri SUBSEP rp SUBSEP ts
}
# |a - b| <= 0.001 ms, both numbers
function near(a, b,   d) {
	if (a == "-" || b == "-")
		return a == b
	d = a - b
	return d <= 0.0011 && d >= -0.0011
}
function check(f, want, got, must, ok) {
	if (ok == "")
		ok = (want == got)
	n[f]++
	if (ok) {
		good[f]++
		return
	}
	bad[f]++
	if (must)
		fail = 1
	if (shown[f]++ < maxshow)
		printf "flow %s %s: want %s got %s [%s %s %s]\n", tflow, f,
		    want, got, T["rtt_how", k], T["note", k], T["app", k]
}
BEGIN {
	maxshow = 20
	# the truth
	if ((getline line < truthfile) <= 0) {
		print "score.sh: " truthfile ": empty or unreadable" > "/dev/stderr"
		fatal = 1
		exit 2
	}
	nf = split(line, h, "\t")
	for (i = 1; i <= nf; i++) {
		sub(/^#/, "", h[i])
		tc[h[i]] = i
	}
	ntruth = 0
	while ((getline line < truthfile) > 0) {
		if (line ~ /^#/)
			continue
		split(line, v, "\t")
		k = key(v[tc["proto"]], v[tc["orig_ip"]], v[tc["orig_port"]],
		    v[tc["resp_ip"]], v[tc["resp_port"]], v[tc["ts"]])
		order[++ntruth] = k
		for (name in tc)
			T[name, k] = v[tc[name]]
	}
	split("phase remote_os remote_hops rtt_remote_ms", mustf, " ")
	for (i in mustf)
		must[mustf[i]] = 1
	split("phase remote_os remote_hops rtt_remote_ms app link state dir " \
	    "orig_pkts resp_pkts remote_pkts remote_ttl remote_ttl_init " \
	    "rtt_local_ms flow", fields, " ")
	nfields = 15
}
# the header: the first line of names (comments may come before it)
!hdr && /^#/ && col("proto") && col("orig_ip") {
	hdr = 1
	for (i = 1; i <= nfields; i++) {
		f = fields[i]
		c[f] = col(f == "rtt_local_ms" ? "rtt_ms" : f)
		if (f != "rtt_local_ms" && c[f] == 0) {
			printf "score.sh: no column %s: not scored\n", f
			missing[f] = 1
		}
	}
	c["rtt_resp_ms"] = col("rtt_resp_ms")
	c["rtt_orig_ms"] = col("rtt_orig_ms")
	if (c["rtt_resp_ms"] == 0)
		missing["rtt_local_ms"] = 1
	split("proto orig_ip orig_port resp_ip resp_port ts", kf, " ")
	for (i = 1; i <= 6; i++)
		if ((kc[i] = col(kf[i])) == 0) {
			print "score.sh: no column " kf[i] > "/dev/stderr"
			fatal = 1
			exit 2
		}
	next
}
/^#/ || !hdr { next }
{
	k = key($kc[1], $kc[2], $kc[3], $kc[4], $kc[5], $kc[6])
	if (!(("flow", k) in T)) {
		extra++
		if (extra <= maxshow)
			printf "extra record: flow %s %s %s:%s > %s:%s at %s\n",
			    $c["flow"], $kc[1], $kc[2], $kc[3], $kc[4], $kc[5],
			    $kc[6]
		next
	}
	if (seen[k]++) {
		dup++
		next
	}
	tflow = T["flow", k]
	for (i = 1; i <= nfields; i++) {
		f = fields[i]
		if (f in missing)
			continue
		want = T[f, k]
		if (f == "app" && T["phase", k] == "-")
			continue
		if (f == "rtt_local_ms") {
			# the leg at the honeypot: SYN->SYN/ACK when the remote
			# opened, SYN/ACK->ACK when the honeypot did
			got = "-"
			if (T["dir", k] == "in")
				got = $c["rtt_resp_ms"]
			else if (T["dir", k] == "out")
				got = $c["rtt_orig_ms"]
			check(f, want, got, 0, near(want, got))
		} else if (f == "rtt_remote_ms")
			check(f, want, $c[f], 1, near(want, $c[f]))
		else if (f == "link") {
			# the truth names flows; map the records own
			if (want == "-")
				check(f, want, $c[f], 0)
			else
				linkq[k] = $c[f]
		} else
			check(f, want, $c[f], f in must)
	}
	flowof[tflow] = $c["flow"]
}
# (an exit in BEGIN or a rule still runs END, whose exit sets the status:
# END ends at once with 2 when one was fatal)
END {
	if (fatal)
		exit 2
	for (k in linkq) {
		tflow = T["flow", k]
		want = flowof[T["link", k]]
		if (want == "")
			want = "?"
		check("link", want, linkq[k], 0)
	}
	for (i = 1; i <= ntruth; i++)
		if (!(order[i] in seen)) {
			missing_n++
			if (missing_n <= maxshow) {
				split(order[i], kk, SUBSEP)
				printf "missing record: flow %s %s %s:%s > %s:%s " \
				    "at %s\n", T["flow", order[i]], kk[1], kk[2],
				    kk[3], kk[4], kk[5], kk[6]
			}
		}
	printf "\n%-16s %8s %8s  %s\n", "field", "agree", "differ", ""
	for (i = 1; i <= nfields; i++) {
		f = fields[i]
		if (f in missing)
			printf "%-16s %8s %8s  not in the stream\n", f, "-", "-"
		else
			printf "%-16s %8d %8d  %s\n", f, good[f], bad[f],
			    f in must ? "(must)" : ""
	}
	printf "sessions: %d in the truth, %d missing, %d extra, %d " \
	    "duplicate\n", ntruth, missing_n, extra, dup
	if (missing_n > 0 || extra > 0 || dup > 0)
		fail = 1
	exit fail
}
' "${2:--}"
