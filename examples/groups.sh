#!/bin/sh
# groups.sh [-g seconds] [-f list] [FILE...] - the captures of an archive
# as groups of rotated files: one line per group, its files
# space-separated in the order of their packets' times, for
# examples/slurm/submit.sh's list, study.sh -r, parallel.sh -r, or
# `analyse-one.sh $line out`.
#
#   examples/groups.sh /data/honeypot/* > captures.list
#   find /data/honeypot -type f | examples/groups.sh -f - > captures.list
#
# -f LIST: the files are also the lines of LIST (`-` standard input),
# after the operands: one run over an archive of any size (the groups
# are made over all the files at once; a list cut into several runs, as
# xargs(1) does past its command-line limit, would cut groups too).
#
# The rule (examples/slurm/README, "The boundary rule"): files are taken
# in the order of their first packet's time (not of their names), and a
# file continues a group when its first packet comes after the group's
# last packet, at most -g seconds after it (of several such groups, the
# one that ended last); else it starts a group.  The default, 600 s, is
# the longest span any tool of the pipeline looks across: bh-sessions'
# idle timeouts (300 s at most), bh-phase's and bh-story's windows (-w,
# 600 s).  Files whose times overlap are different links (two sensors),
# never one group; two sensors whose files only follow each other in
# time cannot be told apart, so give it one sensor's files at a time.
# So no session spans two groups of one link (it would have timed out in
# the gap), no link of bh-phase and no episode of bh-story either, and a
# group analysed apart writes the records one run over its link's files
# would: nothing lost, nothing counted twice (what still differs, and
# how examples/reduce.sh numbers the flows of all groups as that one
# run: examples/README, "One run over all files").  A sensor that never
# paused is one group.  A smaller -g makes more, smaller groups, and
# may cut a session (or an episode) at a gap shorter than its timeout.
#
# The times come from one bh-sessions pass over each file (the start of
# its first session and the end, ts + dur, of its last: its first and
# last IP packets but for the packets after a close), about a twentieth
# of what the study of the file costs (bench/README.md), compared to the
# microsecond.  A file that is no capture is named on standard error and
# left out (exit 1).  File names with blanks are not supported (the
# list's lines are space-separated).  Exit 2: a usage error, a LIST that
# cannot be read, or a step that fails (no groups are written).
set -eu
gap=600
list=
usage() {
	echo "usage: groups.sh [-g seconds] [-f list] [file...]" >&2
	exit 2
}
while getopts f:g: c; do
	case $c in
	f) list=$OPTARG ;;
	g) gap=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || [ -n "$list" ] || usage
if [ -n "$list" ] && [ "$list" != - ] && [ ! -r "$list" ]; then
	echo "groups.sh: $list: cannot read the list" >&2
	exit 2
fi
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
export LC_ALL=C
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp" "$tmp.sorted"' EXIT
rc=0
# add_span FILE: its line "FIRST LAST FILE" into $tmp, or FILE named on
# stderr and rc=1
add_span() {
	f=$1
	case $f in
	*[[:space:]]*)
		echo "groups.sh: $f: a name with blanks" >&2
		rc=1
		return ;;
	esac
	if ! span=$(bh-sessions -q "$f" 2>/dev/null | awk -F '\t' '
	    # us(T): T (seconds with up to 6 decimals) in microseconds, exact
	    function us(t,  p) {
		if (t == "-") return 0
		split(t, p, ".")
		return p[1] * 1000000 + substr(p[2] "000000", 1, 6)
	    }
	    NR == 1 { for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); c[n] = i }; next }
	    /^#/ { next }
	    {
		t = us($c["ts"]); e = t + us($c["dur"])
		if (first == "" || t < first) first = t
		if (last == "" || e > last) last = e
	    }
	    END {
		if (first != "")
			printf "%.0f %.0f\n", first, last
	    }'); then
		span=
	fi
	if [ -z "$span" ]; then
		echo "groups.sh: $f: no session (not a capture, or empty)" >&2
		rc=1
		return
	fi
	printf '%s %s\n' "$span" "$f" >> "$tmp"
}
for f in "$@"; do
	add_span "$f"
done
if [ -n "$list" ]; then
	# (on fd 3: no tool of add_span's reads it)
	if [ "$list" = - ]; then
		exec 3<&0
	else
		exec 3< "$list"
	fi
	while IFS= read -r f <&3; do
		add_span "$f"
	done
	exec 3<&-
fi
# (the times in microseconds, so the comparisons are exact; sorted into
# a file first, so that sort failing is seen: sh has no pipefail)
sort -k1,1n -k3 "$tmp" > "$tmp.sorted" || exit 2
awk -v gap="$gap" '
BEGIN { gap *= 1000000 }
{
	# the open group this file continues: one whose last packet it
	# follows (not overlaps) within the gap, the latest such
	best = 0
	for (g = 1; g <= n; g++)
		if ($1 >= last[g] && $1 - last[g] <= gap &&
		    (best == 0 || last[g] > last[best]))
			best = g
	if (best == 0) {
		best = ++n
		line[best] = $3
	} else
		line[best] = line[best] " " $3
	last[best] = $2
}
END { for (g = 1; g <= n; g++) print line[g] }' "$tmp.sorted" || exit 2
exit $rc
