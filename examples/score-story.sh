#!/bin/sh
# score-story.sh - score bh-story's episodes against the ones bh-synth
# planted.
#
#   bh-synth -n 3000 -o cap.pcap -t truth.tsv
#   bh-sessions -L 192.168.56.0/24 -L 2001:db8:56::/64 cap.pcap |
#       bh-phase | bh-rtt | bh-ttl | bh-story > story.tsv
#   examples/score-story.sh truth.tsv story.tsv
#
# The truth names, for each session of a planted episode (an exploit, the
# shell it opened, the download the shell ordered, the C&C), its episode
# and the evidence that links it: start, same-source, cmd-ftp, ftp-data,
# cmd-tftp, tftp-data, cmd-url, time.  The sessions are matched by flow.
# A planted episode is bh-story's episode of its first step; a step is
# right when bh-story put it in that episode with the same evidence.
# Prints one line per wrong step (`episode E flow N: want EV got EP/EV`),
# then the agreement per evidence and the whole episodes.  Exit 0 when
# every step of every planted episode is right, 1 when one is not, 2 on
# a usage or input error.
set -u
[ $# -eq 2 ] || { echo "usage: score-story.sh truth.tsv story.tsv" >&2; exit 2; }
LC_ALL=C
export LC_ALL
# col() (examples/cols.awk) before the program
cols=$(cat "$(dirname "$0")/cols.awk") || exit 2
exec awk -F '\t' -v truthfile="$1" "$cols"'
BEGIN {
	while ((getline line < truthfile) > 0) {
		$0 = line
		if (!th) {
			if (line !~ /^#flow/) continue
			th = 1; tf = col("flow"); te = col("episode"); tv = col("evidence")
			if (!te || !tv) { print "score-story.sh: " truthfile ": no episode/evidence columns (bh-synth too old?)" > "/dev/stderr"; exit 2 }
			continue
		}
		if ($te == "-") continue
		n++
		flow[n] = $tf; ep[n] = $te; ev[n] = $tv
		if (!(($te) in first)) { first[$te] = $tf; neps++ }
	}
	if (!th) { print "score-story.sh: " truthfile ": not a truth file" > "/dev/stderr"; exit 2 }
}
/^#/ {
	if (!sh && $0 ~ /^#episode/) {
		sh = 1; sf = col("flow"); se = col("episode"); sv = col("evidence")
		if (!sf || !se || !sv) { print "score-story.sh: not bh-story output" > "/dev/stderr"; bad = 2; exit 2 }
	}
	next
}
sh { got_ep[$sf] = $se; got_ev[$sf] = $sv }
END {
	if (bad) exit bad
	if (!sh) { print "score-story.sh: no bh-story records" > "/dev/stderr"; exit 2 }
	for (i = 1; i <= n; i++) {
		want = first[ep[i]] in got_ep ? got_ep[first[ep[i]]] : "-"
		total[ev[i]]++
		if ((flow[i] in got_ep) && got_ep[flow[i]] == want && got_ev[flow[i]] == ev[i]) {
			ok[ev[i]]++
			continue
		}
		wrong[ep[i]] = 1
		printf "episode %s flow %s: want %s in bh-story episode %s, got %s/%s\n", ep[i], flow[i], ev[i], want,
		    (flow[i] in got_ep) ? got_ep[flow[i]] : "-", (flow[i] in got_ev) ? got_ev[flow[i]] : "-"
	}
	printf "%-12s %6s %6s\n", "evidence", "right", "of"
	for (k in total) {
		printf "%-12s %6d %6d\n", k, ok[k], total[k]
		all += total[k]; right += ok[k]
	}
	nw = 0
	for (k in wrong) nw++
	printf "%-12s %6d %6d\n", "steps", right, all
	printf "%-12s %6d %6d\n", "episodes", neps - nw, neps
	exit nw > 0
}' "$2"
