#!/bin/sh
# study.sh [-r] [-j jobs] [-L nets] CAPDIR OUT - the study on your own archive:
# what `make demo` writes, for a directory of captures.
#
#   examples/study.sh /data/honeypot out
#   examples/study.sh -j 8 -L 192.168.56.0/24 /data/honeypot out
#
# Every regular file in CAPDIR is a capture, whatever its name (.pcap,
# .pcapng, .cap, .dmp, compressed): bh-sessions reads it by its content;
# a file that is no capture (a README beside them) is named and left out,
# and the study ends with exit 1 instead of 0 (exit 2: a usage error, or
# a step that failed, e.g. groups.sh's, whose exit status it keeps).  Each is
# analysed apart (examples/analyse-one.sh, up to -j at once, default the
# number of CPUs) into OUT/parts/, the partial tables are merged exactly
# (examples/reduce.sh) into OUT/ (the session tables, one after the other
# and numbered as one run, into OUT/sessions.tsv unless BH_SESSIONS=no),
# and OUT/REPORT.md is written from the
# merged tables (examples/report.sh): the study's tables and Figures
# 3-10, the remote parties (bh-hosts) and Figure 11, the bots one by one
# (bh-story).  A capture whose OUT/parts/NAME.done is newer than it is not
# analysed again, so a study interrupted or extended by new captures
# redoes only what is missing.
#
# -r: the files are rotated parts of captures: examples/groups.sh puts
# them in groups by their packets' times (a file whose first packet comes
# within 600 s of the last packet of the one before is in its group), and
# each group is analysed as one capture, so a session across files is
# one record and none is cut (the boundary rule of groups.sh); the
# reduce numbers the flows of all groups as one run over all the files
# (examples/README, "One run over all files").  Without -r every file is
# a capture of its own.
#
# -L: the honeypot (local) networks, comma-separated (also BH_LOCAL);
# without them bh-phase infers which side is local.  To spread the jobs
# over machines, run analyse-one.sh there (examples/parallel.sh over ssh,
# examples/slurm/) and reduce.sh and report.sh on the results: the same
# report, byte for byte.
set -eu
# quote WORD: WORD as sh reads it back (in '...' unless it is plain)
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./,:=@%+-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*)	printf '%s' "$1" ;;
	esac
}
# the command, for the report (report.sh -c)
cmd=examples/study.sh
for a; do
	cmd="$cmd $(quote "$a")"
done
jobs=$(nproc 2>/dev/null || echo 2)
rotated=0
usage() {
	echo "usage: study.sh [-r] [-j jobs] [-L nets] capdir out" >&2
	exit 2
}
while getopts j:L:r c; do
	case $c in
	j) jobs=$OPTARG ;;
	r) rotated=1 ;;
	L) BH_LOCAL=$OPTARG; export BH_LOCAL ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
caps=$1
out=$2
ex=$(cd "$(dirname "$0")" && pwd)
[ -d "$caps" ] || { echo "study.sh: $caps: not a directory" >&2; exit 2; }
mkdir -p "$out/parts"
find "$caps" -maxdepth 1 -type f ! -name '.*' -print | LC_ALL=C sort > "$out/parts/.list"
[ -s "$out/parts/.list" ] || { echo "study.sh: $caps: no captures" >&2; exit 2; }
rm -f "$out/parts/.failed"
if [ "$rotated" = 1 ]; then
	# one line per group, one groups.sh over all the files (a run per
	# part of the list would cut the groups); exit 1: a file it cannot
	# read is named by it and listed as failed; 2: fatal
	grc=0
	"$ex/groups.sh" -f "$out/parts/.list" > "$out/parts/.groups" \
	    2> "$out/parts/.groups.err" || grc=$?
	cat "$out/parts/.groups.err" >&2
	if [ "$grc" -ge 2 ]; then
		rm -f "$out/parts/.groups" "$out/parts/.groups.err" \
		    "$out/parts/.list"
		exit 2
	fi
	sed -n 's/^groups.sh: \(.*\): .*$/\1/p' "$out/parts/.groups.err" \
	    >> "$out/parts/.failed"
	rm -f "$out/parts/.groups.err"
	mv "$out/parts/.groups" "$out/parts/.list"
fi
# the captures (groups) not yet analysed, or changed since; one that
# cannot be read (bh-sessions names it) is listed and the others go on.
# Each job's line in a file of its own, .jobs/N, and xargs gets the Ns:
# a group's line may be longer than an argument can be (128 KiB on
# Linux, execve(2))
rm -rf "$out/parts/.jobs"
mkdir "$out/parts/.jobs"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	first=$line
	[ "$rotated" = 1 ] && first=${line%% *}
	d=$out/parts/$(basename "$first").done
	# (NAME.unit: parts of an older analyse-one.sh are done again)
	if [ -e "$d" ] && [ -e "${d%.done}.unit" ]; then
		new=0
		if [ "$rotated" = 1 ]; then
			# shellcheck disable=SC2086
			set -f
			for f in $line; do
				[ "$f" -nt "$d" ] && new=1
			done
			set +f
		else
			[ "$line" -nt "$d" ] && new=1
		fi
		[ "$new" = 0 ] && continue
	fi
	printf '%s\n' "$line" > "$out/parts/.jobs/$n"
	echo "$n"
done < "$out/parts/.list" |
    xargs -r -n 1 -P "$jobs" sh -c '
	# $0 analyse-one.sh, $1 the parts, $2 1 for a group, $3 its N
	l=$(cat "$1/.jobs/$3")
	# (a group'"'"'s words are names, not patterns: set -f)
	set -f
	if [ "$2" = 1 ]; then "$0" $l "$1"; else "$0" "$l" "$1"; fi ||
	    printf "%s\n" "$l" >> "$1/.failed"' \
    "$ex/analyse-one.sh" "$out/parts" "$rotated"
rm -rf "$out/parts/.list" "$out/parts/.jobs"
"$ex/reduce.sh" "$out/parts" "$out"
"$ex/report.sh" -c "$cmd" "$out" > "$out/REPORT.md.tmp"
mv "$out/REPORT.md.tmp" "$out/REPORT.md"
if [ -s "$out/parts/.failed" ]; then
	LC_ALL=C sort "$out/parts/.failed" | while IFS= read -r f; do
		echo "study.sh: not analysed: $f" >&2
	done
	rm -f "$out/parts/.failed"
	exit 1
fi
