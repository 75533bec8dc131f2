#!/bin/sh
# score-hosts.sh - score bh-hosts' table against the remote parties
# bh-synth planted.
#
#   bh-synth -n 3000 -o cap.pcap -t truth.tsv
#   bh-sessions -L 192.168.56.0/24 -L 2001:db8:56::/64 cap.pcap |
#       bh-phase | bh-rtt | bh-ttl | bh-hosts > hosts.tsv
#   examples/score-hosts.sh truth.tsv hosts.tsv
#
# Per remote party of the truth (remote_ip), from its sessions: the hop
# counts planted (remote_hops), its stack (remote_stack) against its TTL's
# family (remote_os), and whether its route flaps (remote_route).  Then
# per party of the table:
#   parties      every party of the truth is a row, and no other
#   hops         hops_min and hops_max are the truth's
#   hops-spread  flagged exactly where the truth's hops lie more than
#                BH_HOP_TOLERANCE (examples/defaults.sh: 2) apart (a
#                flapping route seen in both of its states)
#   os-conflict  flagged exactly where the stack is not the TTL's family
#                (a NATed server) and a signature was recognised; scored
#                only when the table has OS labels by signature (bh-ttl
#                found a p0f.fp), else said
# Prints one line per wrong party (`party IP: FIELD want W got G`), then
# one line per check: `CHECK right of`, with the planted cases.  Exit 0 when every check is right,
# 1 when one is not, 2 on a usage or input error.
set -u
[ $# -eq 2 ] || { echo "usage: score-hosts.sh truth.tsv hosts.tsv" >&2; exit 2; }
LC_ALL=C
export LC_ALL
. "$(dirname "$0")/defaults.sh"
# col() (examples/cols.awk) before the program
cols=$(cat "$(dirname "$0")/cols.awk") || exit 2
exec awk -F '\t' -v truthfile="$1" -v tol="$BH_HOP_TOLERANCE" "$cols"'
function wrong(ip, what, want, got) {
	printf "party %s: %s want %s got %s\n", ip, what, want, got
	bad = 1
}
BEGIN {
	while ((getline line < truthfile) > 0) {
		$0 = line
		if (!th) {
			if (line !~ /^#flow/) continue
			th = 1; ti = col("remote_ip"); th_ = col("remote_hops")
			to = col("remote_os"); ts = col("remote_stack")
			tr = col("remote_route")
			if (!ti || !th_ || !to || !ts || !tr) {
				print "score-hosts.sh: " truthfile ": no remote_stack/remote_route columns (bh-synth too old?)" > "/dev/stderr"
				fatal = 1
				exit 2
			}
			continue
		}
		ip = $ti
		if (ip == "-") continue
		party[ip] = 1
		if ($th_ != "-") {
			h = $th_ + 0
			if (!(ip in hmin) || h < hmin[ip]) hmin[ip] = h
			if (!(ip in hmax) || h > hmax[ip]) hmax[ip] = h
		}
		if ($to != "-" && $ts != $to) nat[ip] = 1
	}
	if (!th) { print "score-hosts.sh: " truthfile ": no truth header" > "/dev/stderr"; fatal = 1; exit 2 }
}
NR == 1 {
	ci = col("remote_ip"); cmin = col("hops_min"); cmax = col("hops_max")
	cn = col("host_note"); cs = col("os_sig")
	if (!ci || !cmin || !cmax || !cn || !cs || col("local_ip")) {
		print "score-hosts.sh: " FILENAME ": not a table of bh-hosts (per party)" > "/dev/stderr"
		fatal = 1
		exit 2
	}
	next
}
/^#/ { next }
{
	ip = $ci
	rows++
	if (!(ip in party)) { wrong(ip, "party", "none", "a row"); next }
	seen[ip] = 1
	got = ($cmin == "-" ? "-" : $cmin) "-" ($cmax == "-" ? "-" : $cmax)
	want = (ip in hmin) ? hmin[ip] "-" hmax[ip] : "---"
	hops_of++
	if (got == want) hops_ok++; else wrong(ip, "hops", want, got)
	note = "," $cn ","
	want = (ip in hmin) && hmax[ip] - hmin[ip] > tol + 0
	got = index(note, ",hops-spread,") > 0
	spread_of++; spreadw += want
	if (want == got) spread_ok++; else wrong(ip, "hops-spread", want, got)
	if ($cs != "-") sigs = 1
	# a conflict needs a signature p0f.fp names
	want = (ip in nat) && $cs != "-"; got = index(note, ",os-conflict,") > 0
	nat_of++; natw += want
	if (want == got) nat_ok++; else natbad[ip] = want " " got
}
# (an exit in BEGIN or a rule still runs END, whose exit sets the status:
# END ends at once with 2 when one was fatal, as score-story.sh does)
END {
	if (fatal) exit 2
	for (ip in party) {
		np++
		if (!(ip in seen)) wrong(ip, "party", "a row", "none")
		else parties_ok++
	}
	if (sigs)
		for (ip in natbad) {
			split(natbad[ip], wg, " ")
			wrong(ip, "os-conflict", wg[1], wg[2])
		}
	printf "parties %d %d\n", parties_ok, np
	printf "hops %d %d\n", hops_ok, hops_of
	printf "hops-spread %d %d (%d planted)\n", spread_ok, spread_of, spreadw
	if (sigs)
		printf "os-conflict %d %d (%d planted)\n", nat_ok, nat_of, natw
	else
		printf "os-conflict not scored: no OS by signature (give bh-ttl a p0f.fp); %d NATed parties planted\n", natw
	exit bad || parties_ok != np || rows != parties_ok
}' "$2"
